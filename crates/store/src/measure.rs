//! Automatic measurement: procedures, the raw events units' systems send, and the
//! roll-ups they add to. An event is stored once (its unit and event id are the key);
//! only events stored for the first time are added to the roll-ups, in the same
//! transaction, so sending a batch again changes nothing and a crash loses or doubles
//! nothing. Roll-up rows are updated as `column = column + added`, which concurrent
//! servers can do to the same row without losing a count.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use model::UnitKey;
use model::measure::{Batch, COUNT_NAMES, Counts, Event, Procedure, Rollup, RowKey, What};

use crate::conn::{Conn, exec, run};
use crate::rows::key;
use crate::{Result, Store, StoreError};

/// Events per INSERT statement: 10 parameters each, under both backends' limits.
const EVENT_CHUNK: usize = 1000;
/// Roll-up rows per upsert statement: 23 parameters each.
const ROLLUP_CHUNK: usize = 500;

pub(crate) async fn write_procedures(c: &mut Conn<'_>, items: &[Procedure]) -> Result<()> {
    for p in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO procedures (code, name, name_en, fee, source) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                 fee = excluded.fee, source = excluded.source"
        )
        .bind(&p.code)
        .bind(&p.name)
        .bind(&p.name_en)
        .bind(i64::from(p.fee))
        .bind(&p.source))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ProcedureRow {
    code: String,
    name: String,
    name_en: Option<String>,
    fee: i64,
    source: Option<String>,
}

pub(crate) async fn read_procedures(c: &mut Conn<'_>) -> Result<Vec<Procedure>> {
    let rows: Vec<ProcedureRow> =
        run!(c, |c| sqlx::query_as("SELECT * FROM procedures ORDER BY code").fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Procedure { code: r.code, name: r.name, name_en: r.name_en, fee: r.fee != 0, source: r.source })
        .collect())
}

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

fn millis(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at).unwrap_or_default()
}

/// `rows` tuples of `per_row` parameters. PostgreSQL numbers them; SQLite gets plain
/// `?`, because binding numbered parameters costs time in proportion to their count,
/// which makes a statement of thousands quadratic.
fn placeholders(c: &Conn<'_>, rows: usize, per_row: usize) -> String {
    let numbered = matches!(c, Conn::Postgres(_));
    let mut sql = String::with_capacity(rows * per_row * 5);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for i in 0..per_row {
            if i > 0 {
                sql.push(',');
            }
            if numbered {
                sql.push('$');
                sql.push_str(&(r * per_row + i + 1).to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts the events not stored yet; returns the keys of those it inserted.
/// Event ids, by unit.
type Keys = std::collections::HashMap<String, HashSet<String>>;

fn contains(keys: &Keys, e: &Event) -> bool {
    keys.get(e.unit.as_str()).is_some_and(|ids| ids.contains(&e.event_id))
}

/// Binds each event's ten columns, in the order the INSERT names them.
macro_rules! bind_events {
    ($query:expr, $events:expr, $arrived:expr) => {{
        let mut q = $query;
        for e in $events {
            let col = e.what.columns();
            q = q
                .bind(e.unit.as_str())
                .bind(&e.event_id)
                .bind(col.kind)
                .bind(&e.procedure)
                .bind(&e.dossier)
                .bind(e.at.timestamp_millis())
                .bind(col.detail)
                .bind(col.flag.map(i64::from))
                .bind(col.number)
                .bind($arrived);
        }
        q
    }};
}

/// Inserts the events not stored yet; says for each whether it was new.
///
/// PostgreSQL answers which rows it inserted (RETURNING), which is exact however
/// many servers insert at once. SQLite has one writer: it is asked which events it
/// already holds (usually none, so few rows come back) and then takes the rest; the
/// count of rows inserted proves that no other writer came in between.
async fn insert_events(c: &mut Conn<'_>, events: &[&Event], arrived: i64) -> Result<Vec<bool>> {
    let mut new = Vec::with_capacity(events.len());
    let sqlite = matches!(c, Conn::Sqlite(_));
    for chunk in events.chunks(EVENT_CHUNK) {
        let mut existing = Keys::new();
        if sqlite {
            let sql = format!(
                "SELECT e.unit, e.event_id FROM (VALUES {}) AS v JOIN events e ON e.unit = v.column1 AND e.event_id = v.column2",
                placeholders(c, chunk.len(), 2)
            );
            let rows: Vec<(String, String)> = run!(c, |c| {
                let mut q = sqlx::query_as(&sql);
                for e in chunk {
                    q = q.bind(e.unit.as_str()).bind(&e.event_id);
                }
                q.fetch_all(&mut *c).await
            })?;
            for (unit, id) in rows {
                existing.entry(unit).or_default().insert(id);
            }
        }
        let returning = if sqlite { "" } else { " RETURNING unit, event_id" };
        let sql = format!(
            "INSERT INTO events (unit, event_id, kind, procedure, dossier, at, detail, flag, number, arrived)
             VALUES {} ON CONFLICT (unit, event_id) DO NOTHING{returning}",
            placeholders(c, chunk.len(), 10)
        );
        match c {
            Conn::Sqlite(conn) => {
                let affected =
                    bind_events!(sqlx::query(&sql), chunk, arrived).execute(&mut **conn).await?.rows_affected();
                let flags: Vec<bool> = chunk.iter().map(|e| !contains(&existing, e)).collect();
                if affected != flags.iter().filter(|f| **f).count() as u64 {
                    return Err(StoreError::Busy("another writer stored some of these events meanwhile".into()));
                }
                new.extend(flags);
            }
            Conn::Postgres(conn) => {
                let rows: Vec<(String, String)> =
                    bind_events!(sqlx::query_as(&sql), chunk, arrived).fetch_all(&mut **conn).await?;
                let mut inserted = Keys::new();
                for (unit, id) in rows {
                    inserted.entry(unit).or_default().insert(id);
                }
                new.extend(chunk.iter().map(|e| contains(&inserted, e)));
            }
        }
    }
    Ok(new)
}

fn counter_upsert(c: &Conn<'_>, table: &str, period: &str, rows: usize) -> String {
    let names = COUNT_NAMES.join(", ");
    let sets: Vec<String> = COUNT_NAMES.iter().map(|n| format!("{n} = {table}.{n} + excluded.{n}")).collect();
    format!(
        "INSERT INTO {table} (unit, procedure, {period}, {names}) VALUES {} \
         ON CONFLICT (unit, procedure, {period}) DO UPDATE SET {}",
        placeholders(c, rows, 3 + COUNT_NAMES.len()),
        sets.join(", ")
    )
}

async fn add_counts(c: &mut Conn<'_>, table: &str, period: &str, rows: &[(RowKey, Counts)]) -> Result<()> {
    for chunk in rows.chunks(ROLLUP_CHUNK) {
        let sql = counter_upsert(c, table, period, chunk.len());
        exec!(c, |c| {
            let mut q = sqlx::query(&sql);
            for ((unit, procedure, day), counts) in chunk {
                q = q.bind(unit.as_str()).bind(procedure.as_str()).bind(*day);
                for n in counts.to_array() {
                    q = q.bind(n);
                }
            }
            q
        })?;
    }
    Ok(())
}

async fn add_rollup(c: &mut Conn<'_>, rollup: &Rollup, arrived: i64) -> Result<()> {
    add_counts(c, "measure_days", "day", &rollup.days()).await?;
    add_counts(c, "measure_months", "month", &rollup.months()).await?;
    for chunk in rollup.loads().chunks(ROLLUP_CHUNK) {
        let sql = format!(
            "INSERT INTO measure_load (unit, day, bucket, views) VALUES {} \
             ON CONFLICT (unit, day, bucket) DO UPDATE SET views = measure_load.views + excluded.views",
            placeholders(c, chunk.len(), 4)
        );
        exec!(c, |c| {
            let mut q = sqlx::query(&sql);
            for ((unit, day, bucket), views) in chunk {
                q = q.bind(unit.as_str()).bind(*day).bind(*bucket).bind(*views);
            }
            q
        })?;
    }
    for (unit, feed) in rollup.feeds() {
        exec!(c, |c| sqlx::query(
            "INSERT INTO measure_feeds (unit, first_arrived, last_arrived, last_event_at, events)
             VALUES ($1, $2, $2, $3, $4)
             ON CONFLICT (unit) DO UPDATE SET
                 first_arrived = CASE WHEN excluded.first_arrived < measure_feeds.first_arrived
                     THEN excluded.first_arrived ELSE measure_feeds.first_arrived END,
                 last_arrived = CASE WHEN excluded.last_arrived > measure_feeds.last_arrived
                     THEN excluded.last_arrived ELSE measure_feeds.last_arrived END,
                 last_event_at = CASE WHEN excluded.last_event_at > measure_feeds.last_event_at
                     THEN excluded.last_event_at ELSE measure_feeds.last_event_at END,
                 events = measure_feeds.events + excluded.events"
        )
        .bind(unit.as_str())
        .bind(arrived)
        .bind(feed.last_event_at_ms)
        .bind(feed.events))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    unit: String,
    event_id: String,
    kind: String,
    procedure: String,
    dossier: Option<String>,
    at: i64,
    detail: Option<String>,
    flag: Option<i64>,
    number: Option<i64>,
}

impl EventRow {
    fn into_model(self) -> Result<Event> {
        let what = What::from_columns(&self.kind, self.detail.as_deref(), self.flag.map(|f| f != 0), self.number)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "event {} of {}: '{}' is not an event",
                    self.event_id, self.unit, self.kind
                ))
            })?;
        Ok(Event {
            unit: key("event unit", self.unit)?,
            event_id: self.event_id,
            procedure: self.procedure,
            dossier: self.dossier,
            at: millis(self.at),
            what,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    unit: String,
    first_arrived: i64,
    last_arrived: i64,
    last_event_at: i64,
    events: i64,
}

fn counts_of(row: &[i64]) -> Counts {
    let mut a = [0i64; 20];
    a.copy_from_slice(&row[..20]);
    Counts::from_array(a)
}

/// A row of sums as the database returns them: SUM over BIGINT is NUMERIC in
/// PostgreSQL, so it is cast back.
fn sum_columns() -> String {
    COUNT_NAMES.iter().map(|n| format!("CAST(SUM({n}) AS BIGINT) AS {n}")).collect::<Vec<_>>().join(", ")
}

#[derive(sqlx::FromRow)]
struct SumRow {
    key: String,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct CountsRow {
    received: i64,
    received_online: i64,
    received_in_person: i64,
    received_postal: i64,
    fully_online: i64,
    received_with_fee: i64,
    processed: i64,
    on_time: i64,
    late: i64,
    e_result: i64,
    digitised: i64,
    paid_online: i64,
    paid_amount: i64,
    synced: i64,
    feedback_received: i64,
    feedback_on_time: i64,
    feedback_late: i64,
    feedback_satisfied: i64,
    feedback_unsatisfied: i64,
    page_views: i64,
}

impl CountsRow {
    fn counts(&self) -> Counts {
        counts_of(&[
            self.received,
            self.received_online,
            self.received_in_person,
            self.received_postal,
            self.fully_online,
            self.received_with_fee,
            self.processed,
            self.on_time,
            self.late,
            self.e_result,
            self.digitised,
            self.paid_online,
            self.paid_amount,
            self.synced,
            self.feedback_received,
            self.feedback_on_time,
            self.feedback_late,
            self.feedback_satisfied,
            self.feedback_unsatisfied,
            self.page_views,
        ])
    }
}

impl Store {
    pub async fn procedures(&self) -> Result<Vec<Procedure>> {
        let mut pooled = self.acquire().await?;
        read_procedures(&mut pooled.conn()).await
    }

    /// Stores the events not stored before and adds exactly those to the roll-ups, in
    /// one transaction. Returns, for each event as sent, whether it was new.
    /// `with_fee` tells whether a procedure carries a fee.
    pub async fn ingest(
        &self,
        events: Vec<Event>,
        with_fee: &(dyn Fn(&str) -> bool + Sync),
        arrived: DateTime<Utc>,
    ) -> Result<Vec<bool>> {
        let batch = Batch::new(events, with_fee);
        let flags = self.ingest_batches(std::slice::from_ref(&batch), with_fee, arrived).await?;
        Ok(batch.places.iter().map(|p| p.is_some_and(|i| flags[0][i])).collect())
    }

    /// Stores several batches in one transaction (one flush to disk for them all).
    /// Returns, for each batch, whether each of its events was new.
    pub async fn ingest_batches(
        &self,
        batches: &[Batch],
        with_fee: &(dyn Fn(&str) -> bool + Sync),
        arrived: DateTime<Utc>,
    ) -> Result<Vec<Vec<bool>>> {
        let arrived_ms = arrived.timestamp_millis();
        let mut tx = self.begin().await?;
        let mut flags = Vec::with_capacity(batches.len());
        let mut rollup = Rollup::default();
        for batch in batches {
            let events: Vec<&Event> = batch.events.iter().collect();
            let new = insert_events(&mut tx.conn(), &events, arrived_ms).await?;
            rollup.merge(&batch.rollup);
            // What was stored already is taken back out of the batch's roll-up.
            for (e, _) in batch.events.iter().zip(&new).filter(|(_, n)| !**n) {
                rollup.remove(e, with_fee(&e.procedure));
            }
            flags.push(new);
        }
        if !rollup.is_empty() {
            add_rollup(&mut tx.conn(), &rollup, arrived_ms).await?;
        }
        tx.commit().await?;
        Ok(flags)
    }

    /// Recomputes every roll-up from the raw events, in one transaction. Returns the
    /// number of events read.
    pub async fn rebuild_rollups(&self, with_fee: &(dyn Fn(&str) -> bool + Sync)) -> Result<u64> {
        let mut tx = self.begin().await?;
        let mut c = tx.conn();
        for table in ["measure_days", "measure_months", "measure_load", "measure_feeds"] {
            exec!(&mut c, |c| sqlx::query(&format!("DELETE FROM {table}")))?;
        }
        let feeds: Vec<(String, i64, i64)> = run!(&mut c, |c| sqlx::query_as(
            "SELECT unit, CAST(MIN(arrived) AS BIGINT), CAST(MAX(arrived) AS BIGINT) FROM events GROUP BY unit"
        )
        .fetch_all(&mut *c)
        .await)?;
        let mut read = 0u64;
        let mut after: (String, String) = (String::new(), String::new());
        let mut rollup = Rollup::default();
        loop {
            let rows: Vec<EventRow> = run!(&mut c, |c| sqlx::query_as(
                "SELECT unit, event_id, kind, procedure, dossier, at, detail, flag, number FROM events
                 WHERE (unit, event_id) > ($1, $2) ORDER BY unit, event_id LIMIT 20000"
            )
            .bind(&after.0)
            .bind(&after.1)
            .fetch_all(&mut *c)
            .await)?;
            let Some(last) = rows.last() else { break };
            after = (last.unit.clone(), last.event_id.clone());
            read += rows.len() as u64;
            for row in rows {
                let e = row.into_model()?;
                rollup.add(&e, with_fee(&e.procedure));
            }
        }
        add_rollup(&mut c, &rollup, 0).await?;
        for (unit, first, last) in feeds {
            exec!(&mut c, |c| sqlx::query(
                "UPDATE measure_feeds SET first_arrived = $1, last_arrived = $2 WHERE unit = $3"
            )
            .bind(first)
            .bind(last)
            .bind(&unit))?;
        }
        tx.commit().await?;
        Ok(read)
    }

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
            let rows = rows.into_iter().map(|r| (r.key, r.procedure, r.period, r.counts.counts().to_array())).collect();
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
            sum_columns()
        );
        let rows = self.sum_rows(&sql, None, from, to).await?;
        rows.into_iter().map(|r| Ok((key("measured unit", r.key)?, r.counts.counts()))).collect()
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
            sum_columns()
        );
        let rows = self.sum_rows(&sql, Some(unit.as_str()), from, to).await?;
        Ok(rows.into_iter().map(|r| (r.key, r.counts.counts())).collect())
    }

    /// One unit's totals per day from `from` to `to` (inclusive).
    pub async fn daily_totals(
        &self,
        unit: &UnitKey,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counts)>> {
        let sql = format!(
            "SELECT day AS period, {} FROM measure_days WHERE day >= $1 AND day <= $2 AND unit = $3 GROUP BY day ORDER BY day",
            sum_columns()
        );
        let mut pooled = self.acquire().await?;
        let rows: Vec<DayRow> = run!(&mut pooled.conn(), |c| sqlx::query_as(&sql)
            .bind(from)
            .bind(to)
            .bind(unit.as_str())
            .fetch_all(&mut *c)
            .await)?;
        Ok(rows.into_iter().map(|r| (r.period, r.counts.counts())).collect())
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
        rows.into_iter().map(|r| Ok((key("measured unit", r.key)?, r.counts.counts()))).collect()
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

#[derive(sqlx::FromRow)]
struct DayRow {
    period: NaiveDate,
    #[sqlx(flatten)]
    counts: CountsRow,
}
