//! dxmon's plain-file formats. A file is read into positioned fields, checked against
//! the catalog of what is already known, and turned into a dataset of model records
//! that the store writes in one transaction; or the store's records are written back.

pub mod catalog;
pub mod error;
pub mod fields;
pub mod kind;
pub mod methodology;
pub mod template;
mod validate;
pub mod write;

pub use catalog::{Catalog, CatalogParts};
pub use error::{ImportError, ImportErrors, Pos};
pub use kind::RecordKind;
pub use validate::{kinds_of, load};
