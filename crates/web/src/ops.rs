//! Operations over the store that the API and the command line share.

use dataset::{Catalog, CatalogParts, ImportErrors, RecordKind};
use model::UnitRegistry;
use score::check::{CheckInput, Finding};
use store::{ApplyReport, Page, Store, StoreError, ValueFilter};

fn inconsistent(errors: &[model::registry::RegistryError]) -> StoreError {
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    StoreError::Corrupt(format!("the stored units are inconsistent: {}", text.join("; ")))
}

/// The registry of units, groups and lineage as stored.
pub async fn registry(store: &Store) -> Result<UnitRegistry, StoreError> {
    let r = store.reference().await?;
    UnitRegistry::new(r.units, r.groups, r.lineage).map_err(|e| inconsistent(&e))
}

/// What the store knows, for checking a file against it.
pub async fn catalog(store: &Store) -> Result<Catalog, StoreError> {
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
    .map_err(|e| inconsistent(&e))
}

/// One file loaded.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: String,
    pub report: ApplyReport,
}

impl std::fmt::Display for FileReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.report;
        let mut parts: Vec<String> = r.written.iter().map(|(k, n)| format!("{n} {k}")).collect();
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
        let report = FileReport { file: name.clone(), report: store.apply(&data).await.map_err(store_error)? };
        on_file(&report);
        reports.push(report);
    }
    Ok(reports)
}

/// Every consistency finding on what the store holds.
pub async fn findings(store: &Store) -> Result<Vec<Finding>, StoreError> {
    let reference = store.reference().await?;
    let registry = UnitRegistry::new(reference.units.clone(), reference.groups.clone(), reference.lineage.clone())
        .map_err(|e| inconsistent(&e))?;
    let values = store.values(&ValueFilter { revisions: true, ..Default::default() }, Page::ALL).await?.items;
    let breakdowns = store.breakdowns().await?;
    let changes = store.changes().await?;
    Ok(score::check::run(&CheckInput {
        registry: &registry,
        indicators: &reference.indicators,
        values: &values,
        breakdowns: &breakdowns,
        changes: &changes,
        sources: &reference.sources,
    }))
}
