//! `dxmon import`: files are loaded in the order their kinds need (units before the
//! values that name them), each in one transaction; the first file with errors stops
//! the run and nothing of it is written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use dataset::{Catalog, CatalogParts, RecordKind};
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
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
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

/// The catalog of what the store holds now.
pub async fn catalog(store: &Store) -> anyhow::Result<Catalog> {
    let r = store.reference().await?;
    Catalog::new(CatalogParts {
        units: r.units,
        groups: r.groups,
        events: r.lineage,
        programmes: r.programmes,
        pillars: r.pillars,
        indicators: r.indicators,
        sources: r.sources,
        task_lists: r.task_lists,
    })
    .map_err(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the stored units are inconsistent:\n{}", text.join("\n"))
    })
}

/// Imports files in dependency order, reporting to `out`. Returns false, having
/// reported the errors, at the first file that does not load.
pub async fn import_all(
    store: &Store,
    files: &[(String, &[u8])],
    out: &mut impl std::io::Write,
) -> anyhow::Result<bool> {
    let mut ordered: Vec<(RecordKind, &(String, &[u8]))> = Vec::new();
    for file in files {
        match dataset::kinds_of(&file.0, file.1) {
            Ok(kinds) => ordered.push((kinds.first().copied().unwrap_or(RecordKind::Changes), file)),
            Err(errors) => {
                writeln!(out, "{errors}")?;
                writeln!(out, "stopped at {}: nothing from it was written", file.0)?;
                return Ok(false);
            }
        }
    }
    ordered.sort_by_key(|(kind, _)| *kind);
    for (_, (name, bytes)) in ordered {
        let catalog = catalog(store).await?;
        let data = match dataset::load(name, bytes, &catalog) {
            Ok(d) => d,
            Err(errors) => {
                writeln!(out, "{errors}")?;
                writeln!(out, "stopped at {name}: {} error(s), nothing from it was written", errors.0.len())?;
                return Ok(false);
            }
        };
        let report = store.apply(&data).await.with_context(|| format!("{name}: not written"))?;
        let mut parts: Vec<String> = report.written.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if report.values_added + report.values_unchanged > 0 {
            parts.push(format!("{} values added, {} unchanged", report.values_added, report.values_unchanged));
        }
        writeln!(out, "{name}: {}", if parts.is_empty() { "nothing to load".to_owned() } else { parts.join(", ") })?;
    }
    Ok(true)
}
