//! The seed dataset, built into the binary so that `dxmon demo` needs no files.

use include_dir::{Dir, include_dir};

static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../data");

/// The seed files as (name, content), in name order.
pub fn files() -> Vec<(String, &'static [u8])> {
    let mut files: Vec<(String, &'static [u8])> = DATA
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "csv" || e == "toml"))
        .map(|f| (format!("data/{}", f.path().display()), f.contents()))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}
