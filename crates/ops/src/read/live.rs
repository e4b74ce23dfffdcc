//! This month's figures from the roll-ups, for the pages and the measurement endpoints:
//! each unit's counts and page load times, the nation's, and every system's connection.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use model::measure::{Counts, LoadTimes};
use model::{Period, UnitKey};
use store::{Store, StoreError};

use crate::measure::{Connection, LoadSummary, NATION, connections, this_month, totals};

/// One unit's live figures.
#[derive(Debug, Clone, Default)]
pub struct LiveUnit {
    pub counts: Counts,
    pub load: Option<LoadSummary>,
    pub connection: Option<Connection>,
}

pub struct Live {
    /// Changes when anything shown changes: a cache key.
    pub version: u64,
    pub as_of: DateTime<Utc>,
    pub period: Period,
    /// Each unit's counts, by unit, and the nation's (`vn`) last.
    pub totals: Vec<(UnitKey, Counts)>,
    pub nation_load: Option<LoadSummary>,
    pub units: HashMap<UnitKey, LiveUnit>,
    pub connections: Vec<Connection>,
}

fn summary(times: &LoadTimes) -> Option<LoadSummary> {
    match (times.quantile(0.5), times.quantile(0.95), times.quantile(0.99)) {
        (Some(p50_ms), Some(p95_ms), Some(p99_ms)) => {
            Some(LoadSummary { views: times.views(), p50_ms, p95_ms, p99_ms })
        }
        _ => None,
    }
}

impl Live {
    #[tracing::instrument(skip_all, err)]
    pub async fn build(store: &Store, now: DateTime<Utc>) -> Result<Live, StoreError> {
        let period = this_month(now);
        let totals = totals(store, period).await?;
        let connections = connections(store, now).await?;
        let mut loads: HashMap<UnitKey, LoadTimes> = HashMap::new();
        let mut nation = LoadTimes::default();
        for (unit, bucket, views) in store.load_buckets_by_unit(period.start(), period.end()).await? {
            loads.entry(unit).or_default().add(bucket, views);
            nation.add(bucket, views);
        }
        let mut units: HashMap<UnitKey, LiveUnit> = HashMap::new();
        for (unit, counts) in &totals {
            units.entry(unit.clone()).or_default().counts = *counts;
        }
        for (unit, times) in &loads {
            units.entry(unit.clone()).or_default().load = summary(times);
        }
        for c in &connections {
            units.entry(c.unit.clone()).or_default().connection = Some(c.clone());
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        period.to_string().hash(&mut hasher);
        for (unit, counts) in &totals {
            unit.as_str().hash(&mut hasher);
            counts.to_array().hash(&mut hasher);
        }
        for c in &connections {
            (c.unit.as_str(), c.events, c.connected, c.last_arrived.timestamp_millis()).hash(&mut hasher);
        }
        nation.views().hash(&mut hasher);
        Ok(Live {
            version: hasher.finish(),
            as_of: now,
            period,
            totals,
            nation_load: summary(&nation),
            units,
            connections,
        })
    }

    /// The nation's counts this month.
    pub fn nation(&self) -> Counts {
        self.totals.iter().find(|(u, _)| u.as_str() == NATION).map(|(_, c)| *c).unwrap_or_default()
    }
}
