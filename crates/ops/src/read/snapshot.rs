//! One snapshot of what the pages show, and what was computed from it.

use std::time::{Duration, Instant};

use model::{Lang, Period};
use score::check::{CheckInput, Finding};
use store::{Store, StoreError};

use super::Memo;
use crate::facts::{Facts, Loaded};
use crate::scoring::{IndicatorRanking, Scored};

/// A ranking asked for: by methodology or indicator, period and group.
pub type RankingKey = (String, Period, Option<String>);
/// A report asked for: period, unit, language, format, and the day it was made on.
pub type ReportKey = (Period, Option<String>, Lang, report::Format, chrono::NaiveDate);

pub struct Snapshot {
    /// The store's data version it was built from.
    pub version: i64,
    pub facts: Facts,
    pub findings: Vec<Finding>,
    /// How long loading and indexing took.
    pub built_in: Duration,
    /// Groups scored with a methodology, by methodology, period and group.
    pub scored: Memo<RankingKey, Scored>,
    /// Rankings by one indicator, by indicator, period and group.
    pub ranked: Memo<RankingKey, IndicatorRanking>,
    /// Rankings as the API gives them (without draws of the weights), by what was
    /// asked: methodology (true) or indicator, period, group, top N and language.
    pub rankings: Memo<(RankingKey, bool, Option<usize>, Lang), crate::Ranking>,
    /// Reports as rendered, by period, unit, language, format and the day they were
    /// made on (a report of a period under way is as of today).
    pub reports: Memo<ReportKey, Vec<u8>>,
    /// Pages' views, by what they show (see `views`).
    pub views: super::views::Views,
}

impl Snapshot {
    /// Reads the store (the version first: a write that lands while reading is then
    /// read again at the next check, never missed) and builds the snapshot off the
    /// runtime.
    #[tracing::instrument(skip_all, err)]
    pub async fn build(store: &Store) -> Result<Snapshot, StoreError> {
        let started = Instant::now();
        let version = store.data_version().await?;
        let loaded = Loaded::load(store).await?;
        let breakdowns = store.breakdowns().await?;
        let changes = store.changes().await?;
        crate::work::compute(move || {
            let facts = Facts::from_loaded(loaded)?;
            let findings = score::check::run(&CheckInput {
                registry: &facts.registry,
                indicators: &facts.reference.indicators,
                values: &facts.values,
                breakdowns: &breakdowns,
                changes: &changes,
                sources: &facts.reference.sources,
            });
            Ok(Snapshot::new(version, facts, findings, started.elapsed()))
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("the read model could not be built: {e}")))?
    }

    pub fn new(version: i64, facts: Facts, findings: Vec<Finding>, built_in: Duration) -> Snapshot {
        Snapshot {
            version,
            facts,
            findings,
            built_in,
            scored: Memo::new(256),
            ranked: Memo::new(256),
            rankings: Memo::new(512),
            reports: Memo::new(64),
            views: super::views::Views::default(),
        }
    }

    /// A group scored with a methodology, kept for the next request.
    pub fn scored(
        &self,
        id: &str,
        period: Period,
        group: Option<&str>,
    ) -> Result<std::sync::Arc<Scored>, crate::ScoringError> {
        let key = (id.to_owned(), period, group.map(str::to_owned));
        if let Some(s) = self.scored.get(&key) {
            return Ok(s);
        }
        let scored = crate::scoring::score_in(&self.facts, id, period, group)?;
        Ok(self.scored.put(key, scored))
    }

    /// A ranking by one indicator, kept for the next request.
    pub fn ranked(
        &self,
        code: &str,
        period: Period,
        group: Option<&str>,
    ) -> Result<std::sync::Arc<IndicatorRanking>, crate::ScoringError> {
        let key = (code.to_owned(), period, group.map(str::to_owned));
        if let Some(r) = self.ranked.get(&key) {
            return Ok(r);
        }
        let ranked = crate::scoring::rank_indicator_in(&self.facts, code, period, group)?;
        Ok(self.ranked.put(key, ranked))
    }
}
