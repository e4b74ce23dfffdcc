//! Reading the roll-ups back: totals per unit, procedure and day, load-time buckets,
//! feeds, a snapshot to compare a rebuild with, and the plain scan of the raw events.

use chrono::{DateTime, NaiveDate, Utc};
use model::UnitKey;
use model::measure::{COUNT_NAMES, Counts};

use super::{MAX_AMOUNT, millis};
use crate::conn::run;
use crate::rows::key;
use crate::{Result, Store};

/// A unit's system as the store last heard from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Feed {
    pub unit: UnitKey,
    pub first_arrived: DateTime<Utc>,
    pub last_arrived: DateTime<Utc>,
    /// The latest moment any of its events speaks of.
    pub last_event_at: DateTime<Utc>,
    pub events: i64,
}

/// Every roll-up row, in key order: what `rollup rebuild` must reproduce.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RollupSnapshot {
    pub days: Vec<(String, String, NaiveDate, [i64; 20])>,
    pub months: Vec<(String, String, NaiveDate, [i64; 20])>,
    pub loads: Vec<(String, NaiveDate, i64, i64)>,
    pub feed_events: Vec<(String, i64, i64)>,
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    unit: String,
    first_arrived: i64,
    last_arrived: i64,
    last_event_at: i64,
    events: i64,
}

/// A row of sums as the database returns them: SUM over BIGINT is NUMERIC in
/// PostgreSQL, so it is cast back. Amounts of money are summed so that they stop at
/// `MAX_AMOUNT` rather than overflow (SQLite's SUM fails past BIGINT, PostgreSQL's cast):
/// TOTAL, a floating sum, in SQLite, LEAST in PostgreSQL.
fn sum_columns(backend: crate::Backend) -> String {
    COUNT_NAMES
        .iter()
        .map(|n| match (*n, backend) {
            ("paid_amount", crate::Backend::Sqlite) => {
                format!("CAST(MIN(TOTAL({n}), {MAX_AMOUNT}.0) AS BIGINT) AS {n}")
            }
            ("paid_amount", crate::Backend::Postgres) => {
                format!("CAST(LEAST(SUM({n}), {MAX_AMOUNT}) AS BIGINT) AS {n}")
            }
            _ => format!("CAST(SUM({n}) AS BIGINT) AS {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(sqlx::FromRow)]
struct SumRow {
    key: String,
    #[sqlx(flatten)]
    counts: CountsRow,
}

/// The twenty counters of a row, read by their column names.
struct CountsRow(Counts);

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for CountsRow
where
    &'static str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> sqlx::Result<Self> {
        let mut counts = [0; COUNT_NAMES.len()];
        for (n, name) in counts.iter_mut().zip(COUNT_NAMES) {
            *n = row.try_get(name)?;
        }
        Ok(CountsRow(Counts::from_array(counts)))
    }
}

impl Store {
    /// Every roll-up row, for comparing an incremental result with a rebuilt one.
    pub async fn rollup_snapshot(&self) -> Result<RollupSnapshot> {
        let mut pooled = self.acquire().await?;
        let mut c = pooled.conn();
        let names = COUNT_NAMES.join(", ");
        let mut snapshot = RollupSnapshot::default();
        for (table, period) in [("measure_days", "day"), ("measure_months", "month")] {
            let sql = format!(
                "SELECT unit AS key, procedure, {period} AS period, {names} FROM {table} ORDER BY unit, procedure, {period}"
            );
            let rows: Vec<PeriodRow> = run!(&mut c, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
            let rows = rows.into_iter().map(|r| (r.key, r.procedure, r.period, r.counts.0.to_array())).collect();
            if period == "day" {
                snapshot.days = rows;
            } else {
                snapshot.months = rows;
            }
        }
        snapshot.loads = run!(&mut c, |c| sqlx::query_as(
            "SELECT unit, day, bucket, views FROM measure_load ORDER BY unit, day, bucket"
        )
        .fetch_all(&mut *c)
        .await)?;
        snapshot.feed_events =
            run!(&mut c, |c| sqlx::query_as("SELECT unit, last_event_at, events FROM measure_feeds ORDER BY unit")
                .fetch_all(&mut *c)
                .await)?;
        Ok(snapshot)
    }

    /// Each unit's totals over the months from `from` to `to` (first days, inclusive).
    pub async fn unit_totals(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(UnitKey, Counts)>> {
        let sql = format!(
            "SELECT unit AS key, {} FROM measure_months WHERE procedure = '*' AND month >= $1 AND month <= $2 GROUP BY unit ORDER BY unit",
            sum_columns(self.backend())
        );
        let rows = self.sum_rows(&sql, None, from, to).await?;
        rows.into_iter().map(|r| Ok((key("measured unit", r.key)?, r.counts.0))).collect()
    }

    /// One unit's totals per procedure over the months from `from` to `to`.
    pub async fn procedure_totals(
        &self,
        unit: &UnitKey,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, Counts)>> {
        let sql = format!(
            "SELECT procedure AS key, {} FROM measure_months WHERE procedure <> '*' AND month >= $1 AND month <= $2 AND unit = $3 GROUP BY procedure ORDER BY procedure",
            sum_columns(self.backend())
        );
        let rows = self.sum_rows(&sql, Some(unit.as_str()), from, to).await?;
        Ok(rows.into_iter().map(|r| (r.key, r.counts.0)).collect())
    }

    async fn sum_rows(&self, sql: &str, unit: Option<&str>, from: NaiveDate, to: NaiveDate) -> Result<Vec<SumRow>> {
        let mut pooled = self.acquire().await?;
        Ok(run!(&mut pooled.conn(), |c| {
            let mut q = sqlx::query_as(sql).bind(from).bind(to);
            if let Some(u) = unit {
                q = q.bind(u);
            }
            q.fetch_all(&mut *c).await
        })?)
    }

    /// Page views per load-time bucket, for one unit or all, from `from` to `to`.
    pub async fn load_buckets(
        &self,
        unit: Option<&UnitKey>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<(i64, i64)> = run!(&mut pooled.conn(), |c| sqlx::query_as(
            "SELECT bucket, CAST(SUM(views) AS BIGINT) FROM measure_load
             WHERE day >= $1 AND day <= $2 AND ($3 = '' OR unit = $3) GROUP BY bucket ORDER BY bucket"
        )
        .bind(from)
        .bind(to)
        .bind(unit.map_or("", |u| u.as_str()))
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows)
    }

    /// Page views per unit and load-time bucket, from `from` to `to`, in unit order.
    pub async fn load_buckets_by_unit(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(UnitKey, i64, i64)>> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<(String, i64, i64)> = run!(&mut pooled.conn(), |c| sqlx::query_as(
            "SELECT unit, bucket, CAST(SUM(views) AS BIGINT) FROM measure_load
             WHERE day >= $1 AND day <= $2 GROUP BY unit, bucket ORDER BY unit, bucket"
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter().map(|(u, b, v)| Ok((key("measured unit", u)?, b, v))).collect()
    }

    pub async fn feeds(&self) -> Result<Vec<Feed>> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<FeedRow> =
            run!(&mut pooled.conn(), |c| sqlx::query_as("SELECT * FROM measure_feeds ORDER BY unit")
                .fetch_all(&mut *c)
                .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Feed {
                    unit: key("feed unit", r.unit)?,
                    first_arrived: millis(r.first_arrived),
                    last_arrived: millis(r.last_arrived),
                    last_event_at: millis(r.last_event_at),
                    events: r.events,
                })
            })
            .collect()
    }

    /// How many events are stored.
    pub async fn event_count(&self) -> Result<i64> {
        let mut pooled = self.acquire().await?;
        let (n,): (i64,) =
            run!(&mut pooled.conn(), |c| sqlx::query_as("SELECT COUNT(*) FROM events").fetch_one(&mut *c).await)?;
        Ok(n)
    }

    /// The same per-unit totals as `unit_totals`, for events between two instants,
    /// computed by scanning the raw events: the plain-SQL answer the benchmark
    /// compares the roll-ups with.
    pub async fn scan_unit_totals(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<(UnitKey, Counts)>> {
        let is = |kind: &str, extra: &str| {
            format!("CAST(SUM(CASE WHEN kind = '{kind}'{extra} THEN 1 ELSE 0 END) AS BIGINT)")
        };
        let columns = [
            is("dossier.received", ""),
            is("dossier.received", " AND detail = 'online'"),
            is("dossier.received", " AND detail = 'in_person'"),
            is("dossier.received", " AND detail = 'postal'"),
            is("dossier.received", " AND flag = 1"),
            is("dossier.received", " AND procedure IN (SELECT code FROM procedures WHERE fee = 1)"),
            is("dossier.processed", ""),
            is("dossier.returned", " AND flag = 1"),
            is("dossier.returned", " AND flag = 0"),
            is("dossier.e_result", ""),
            is("dossier.digitised", ""),
            is("dossier.paid", ""),
            "CAST(SUM(CASE WHEN kind = 'dossier.paid' THEN number ELSE 0 END) AS BIGINT)".to_owned(),
            is("dossier.synced", ""),
            is("feedback.received", ""),
            is("feedback.handled", " AND flag = 1"),
            is("feedback.handled", " AND flag = 0"),
            is("feedback.rated", " AND flag = 1"),
            is("feedback.rated", " AND flag = 0"),
            is("portal.view", ""),
        ];
        let named: Vec<String> = columns.iter().zip(COUNT_NAMES).map(|(c, n)| format!("{c} AS {n}")).collect();
        let sql = format!(
            "SELECT unit AS key, {} FROM events WHERE at >= $1 AND at < $2 GROUP BY unit ORDER BY unit",
            named.join(", ")
        );
        let mut pooled = self.acquire().await?;
        let rows: Vec<SumRow> = run!(&mut pooled.conn(), |c| sqlx::query_as(&sql)
            .bind(from.timestamp_millis())
            .bind(until.timestamp_millis())
            .fetch_all(&mut *c)
            .await)?;
        rows.into_iter().map(|r| Ok((key("measured unit", r.key)?, r.counts.0))).collect()
    }
}

#[derive(sqlx::FromRow)]
struct PeriodRow {
    key: String,
    procedure: String,
    period: NaiveDate,
    #[sqlx(flatten)]
    counts: CountsRow,
}
