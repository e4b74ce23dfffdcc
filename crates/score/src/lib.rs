//! Pure computations over the model: the consistency check of stated figures, and the
//! scoring, ranking, sensitivity and explanation of index methodologies; where targets
//! and tasks stand.

pub mod check;
pub mod explain;
pub mod method;
pub mod rank;
pub mod sensitivity;
pub mod status;
