//! The seed dataset and the shipped methodologies, built into the binary so that
//! `dxmon demo` needs no files.

use include_dir::{Dir, include_dir};

static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../data");
static METHODOLOGIES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../methodologies");

/// The seed files, then the methodologies, as (name, content), in name order.
pub fn files() -> Vec<(String, &'static [u8])> {
    let of = |dir: &'static Dir<'static>, prefix: &str| {
        let mut files: Vec<(String, &'static [u8])> = dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "csv" || e == "toml"))
            .map(|f| (format!("{prefix}/{}", f.path().display()), f.contents()))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    };
    let mut files = of(&DATA, "data");
    files.extend(of(&METHODOLOGIES, "methodologies"));
    files
}
