//! `dxmon import`: files are loaded in the order their kinds need (units before the
//! values that name them), each in one transaction; the first file with errors stops
//! the run and nothing of it is written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use store::Store;

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// CSV or TOML files, or directories holding them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files)?;
    }
    let mut loaded = Vec::new();
    for path in files {
        let bytes = super::read_data_file(&path)?;
        loaded.push((path.display().to_string(), bytes));
    }
    let store = args.database.open().await?;
    let files: Vec<(String, &[u8])> = loaded.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    Ok(if import_all(&store, &files, &mut std::io::stdout()).await? { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read directory {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "toml"))
            .collect();
        entries.sort();
        out.extend(entries);
    } else {
        out.push(path.to_owned());
    }
    Ok(())
}

/// Imports files in dependency order, reporting each to `out`. Returns false, having
/// reported the errors, at the first file that does not load.
pub async fn import_all(
    store: &Store,
    files: &[(String, &[u8])],
    out: &mut impl std::io::Write,
) -> anyhow::Result<bool> {
    // A report line that cannot be printed is no reason to stop an import.
    let result = ops::import(store, files, |report| {
        let _ = writeln!(out, "{report}");
    })
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(e @ ops::ImportFailure::Invalid { .. }) => {
            writeln!(out, "{e}")?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
