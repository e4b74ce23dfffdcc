//! Automatic measurement: taking in events (`intake`, `ingest`), reading the roll-ups
//! back as live figures, and recording the measured rates of ended periods as indicator
//! values with provenance `measured`.

mod ingest;
pub mod intake;

pub use ingest::{Clock, IngestError, Ingestor, Outcome};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use model::measure::{CONNECTED_WITHIN_HOURS, Counts, LoadTimes, RATES, local_day, month_of};
use model::{Dataset, Datum, NewValue, Period, PeriodKind, Provenance, UnitKey};
use rust_decimal::Decimal;
use serde::Serialize;
use store::{ApplyReport, Store, StoreError};

/// The months (first days) a period covers.
pub fn months(period: Period) -> (NaiveDate, NaiveDate) {
    (month_of(period.start()), month_of(period.end()))
}

/// The unit whose figures are the sum over every unit.
pub const NATION: &str = "vn";

/// Each unit's totals over a period, and the nation's.
pub async fn totals(store: &Store, period: Period) -> Result<Vec<(UnitKey, Counts)>, StoreError> {
    let (from, to) = months(period);
    let mut rows = store.unit_totals(from, to).await?;
    if !rows.is_empty()
        && let Ok(nation) = UnitKey::parse(NATION)
    {
        let mut all = Counts::default();
        rows.iter().filter(|(u, _)| *u != nation).for_each(|(_, c)| all.merge(c));
        rows.retain(|(u, _)| *u != nation);
        rows.push((nation, all));
    }
    Ok(rows)
}

/// Records the measured rates of `period` as indicator values (provenance measured),
/// for every unit that sent events and for the nation. A rate that has not changed is
/// left as it is; one that late events changed gets a new revision.
#[tracing::instrument(skip(store), err)]
pub async fn publish(store: &Store, period: Period) -> Result<ApplyReport, StoreError> {
    let known: std::collections::HashSet<String> =
        store.reference().await?.indicators.into_iter().map(|i| i.code.to_string()).collect();
    let mut values = Vec::new();
    for (unit, counts) in totals(store, period).await? {
        for rate in &RATES {
            let (indicator, (part, whole)) = (rate.indicator, rate.share(&counts));
            if whole == 0 || !known.contains(indicator) {
                continue;
            }
            let Ok(code) = indicator.parse() else { continue };
            let rate = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(2);
            values.push(NewValue {
                indicator: code,
                unit: unit.clone(),
                period,
                value: Datum::Number(rate),
                numerator: Some(Decimal::from(part)),
                denominator: Some(Decimal::from(whole)),
                provenance: Provenance::Measured,
                source: None,
                note: Some("Đo tự động từ sự kiện do hệ thống của đơn vị gửi.".to_owned()),
                revision: None,
                recorded_at: None,
            });
        }
    }
    store.apply(&Dataset { values, ..Dataset::default() }).await
}

/// The periods that have ended most recently as of `today`: last month, quarter, half
/// and year. What a running server records on its own.
pub fn ended_periods(today: NaiveDate) -> Vec<Period> {
    [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Half, PeriodKind::Year]
        .into_iter()
        .map(|k| Period::of_kind_containing(k, today).previous())
        .collect()
}

/// Records every period in `ended_periods`; returns how many values changed.
pub async fn publish_ended(store: &Store, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut added = 0;
    for period in ended_periods(local_day(now)) {
        added += publish(store, period).await?.values_added;
    }
    Ok(added)
}

/// Page load times over a period: how many views, and the median, 95th and 99th
/// percentile in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    pub views: u64,
    pub p50_ms: i64,
    pub p95_ms: i64,
    pub p99_ms: i64,
}

pub async fn load_times(
    store: &Store,
    unit: Option<&UnitKey>,
    period: Period,
) -> Result<Option<LoadSummary>, StoreError> {
    let mut times = LoadTimes::default();
    for (bucket, views) in store.load_buckets(unit, period.start(), period.end()).await? {
        times.add(bucket, views);
    }
    Ok(match (times.quantile(0.5), times.quantile(0.95), times.quantile(0.99)) {
        (Some(p50_ms), Some(p95_ms), Some(p99_ms)) => {
            Some(LoadSummary { views: times.views(), p50_ms, p95_ms, p99_ms })
        }
        _ => None,
    })
}

/// A unit's system: when it last sent, and whether it counts as connected.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub unit: UnitKey,
    pub last_arrived: DateTime<Utc>,
    pub last_event_at: DateTime<Utc>,
    pub events: i64,
    pub connected: bool,
}

pub async fn connections(store: &Store, now: DateTime<Utc>) -> Result<Vec<Connection>, StoreError> {
    Ok(store
        .feeds()
        .await?
        .into_iter()
        .map(|f| Connection {
            connected: now - f.last_arrived <= Duration::hours(CONNECTED_WITHIN_HOURS),
            unit: f.unit,
            last_arrived: f.last_arrived,
            last_event_at: f.last_event_at,
            events: f.events,
        })
        .collect())
}

/// The period a live figure covers by default: this month so far.
pub fn this_month(now: DateTime<Utc>) -> Period {
    let day = local_day(now);
    Period::Month(day.year(), day.month() as u8)
}
