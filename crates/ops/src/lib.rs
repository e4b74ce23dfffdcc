//! Operations over the store that the command line and the HTTP server share: import
//! and the consistency check, accounts and sessions, collection by regime, automatic
//! measurement, scoring and rankings, progress, the read model that public pages are
//! answered from, and report assembly.

pub mod accounts;
pub mod collection;
mod detail;
pub mod facts;
mod import;
pub mod measure;
pub mod progress;
mod ranking;
pub mod read;
pub mod report;
mod scoring;
pub mod simulate;
pub mod work;

pub use detail::{ComponentPart, GainPart, PartScore, UnitScores, unit_detail};
pub use import::{FileReport, ImportFailure, import};
pub use ranking::{Band, Leaders, RankRow, Ranking, Sensitivity, UnitRef, indicator_ranking, methodology_ranking};
pub use scoring::{IndicatorRanking, Scored, ScoringError, rank_indicator, rank_indicator_in, score, score_in};

use dataset::{Catalog, CatalogParts};
use model::UnitRegistry;
use score::check::{CheckInput, Finding};
use store::{Page, Store, StoreError, ValueFilter};

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

/// Every consistency finding on what the store holds; the check itself runs off the
/// runtime (see `work`).
pub async fn findings(store: &Store) -> Result<Vec<Finding>, StoreError> {
    let reference = store.reference().await?;
    let registry = UnitRegistry::new(reference.units.clone(), reference.groups.clone(), reference.lineage.clone())
        .map_err(|e| inconsistent(&e))?;
    let values = store.values(&ValueFilter { revisions: true, ..Default::default() }, Page::ALL).await?.items;
    let breakdowns = store.breakdowns().await?;
    let changes = store.changes().await?;
    work::compute(move || {
        score::check::run(&CheckInput {
            registry: &registry,
            indicators: &reference.indicators,
            values: &values,
            breakdowns: &breakdowns,
            changes: &changes,
            sources: &reference.sources,
        })
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("the check could not be run: {e}")))
}
