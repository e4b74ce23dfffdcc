//! Loading files into the store.

use dataset::{Catalog, ImportError, ImportErrors, RecordKind};
use model::Dataset;
use score::method::{IndicatorInfo, compile};
use store::{ApplyReport, Store, StoreError};

use super::catalog;

/// One file loaded.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: String,
    pub report: ApplyReport,
}

impl std::fmt::Display for FileReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.report;
        // "1 methodology", "59 targets".
        let mut parts: Vec<String> = r
            .written
            .iter()
            .map(|(k, n)| match (n, k.strip_suffix("ies"), k.strip_suffix('s')) {
                (1, Some(stem), _) => format!("1 {stem}y"),
                (1, None, Some(stem)) => format!("1 {stem}"),
                _ => format!("{n} {k}"),
            })
            .collect();
        if r.values_added + r.values_unchanged > 0 {
            parts.push(format!("{} values added, {} unchanged", r.values_added, r.values_unchanged));
        }
        let summary = if parts.is_empty() { "nothing to load".to_owned() } else { parts.join(", ") };
        write!(f, "{}: {summary}", self.file)
    }
}

/// Why an import stopped. Files before this one were written; nothing of this one was.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{errors}\nstopped at {file}: {} error(s), nothing from it was written", errors.0.len())]
    Invalid { file: String, errors: ImportErrors },
    #[error("{file}: not written: {error}")]
    Store { file: String, error: StoreError },
}

/// Loads files in the order their kinds need (units before the values that name them),
/// each checked against what is stored by then and written in one transaction.
/// `on_file` hears of each file as it is written.
#[tracing::instrument(skip_all, fields(files = files.len()))]
pub async fn import(
    store: &Store,
    files: &[(String, &[u8])],
    mut on_file: impl FnMut(&FileReport),
) -> Result<Vec<FileReport>, ImportFailure> {
    let mut ordered: Vec<(RecordKind, &(String, &[u8]))> = Vec::new();
    for file in files {
        let kinds = dataset::kinds_of(&file.0, file.1)
            .map_err(|errors| ImportFailure::Invalid { file: file.0.clone(), errors })?;
        ordered.push((kinds.first().copied().unwrap_or(RecordKind::Changes), file));
    }
    // Stable: files of one kind keep their given order, so revisions follow it.
    ordered.sort_by_key(|(kind, _)| *kind);
    let mut reports = Vec::new();
    for (_, (name, bytes)) in ordered {
        let store_error = |error| ImportFailure::Store { file: name.clone(), error };
        let catalog = catalog(store).await.map_err(store_error)?;
        let data = dataset::load(name, bytes, &catalog)
            .map_err(|errors| ImportFailure::Invalid { file: name.clone(), errors })?;
        check_methodologies(name, &data, &catalog)?;
        let report = FileReport { file: name.clone(), report: store.apply(&data).await.map_err(store_error)? };
        on_file(&report);
        reports.push(report);
    }
    Ok(reports)
}

/// Methodologies are checked against the indicators and groups they name before any
/// is written.
fn check_methodologies(file: &str, data: &Dataset, catalog: &Catalog) -> Result<(), ImportFailure> {
    let mut errors = Vec::new();
    for m in &data.methodologies {
        if let Err(problems) = compile(m, &|code| catalog.indicators.get(code).map(|i| IndicatorInfo::from(&**i))) {
            errors.extend(problems.into_iter().map(|p| ImportError::file(file, p.to_string())));
        }
        if let Some(g) = &m.population
            && catalog.registry.group(g.as_str()).is_none()
        {
            errors.push(ImportError::file(file, format!("population: unknown group '{g}'")));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportFailure::Invalid { file: file.to_owned(), errors: ImportErrors(errors) })
    }
}
