//! Automatic measurement: procedures, the raw events units' systems send, and the
//! roll-ups they add to. An event is stored once (its unit and event id are the key);
//! only events stored for the first time are added to the roll-ups, in the same
//! transaction, so sending a batch again changes nothing and a crash loses or doubles
//! nothing. Roll-up rows are updated as `column = column + added`, which concurrent
//! servers can do to the same row without losing a count.

mod read;
mod sink;
mod sqlite_writer;

pub use read::{Feed, RollupSnapshot};
pub use sink::{EventSink, Failure, WithFee};
pub use sqlite_writer::{Checkpointer, EventWriter, WriteAheadLog};

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use model::measure::{Batch, COUNT_NAMES, Counts, Event, Procedure, Rollup, RowKey, Stored, What};

use crate::bulk::{fixed_chunks, keys_table, numbered, placeholders};
use crate::conn::{Conn, exec, run};
use crate::rows::key;
use crate::{Result, Store, StoreError};

/// The most a roll-up's amount column holds: a sum of amounts stops here.
pub(crate) const MAX_AMOUNT: i64 = 9_000_000_000_000_000_000;

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

pub(super) fn millis(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at).unwrap_or_default()
}

/// An event's ten columns, in the order every INSERT of events binds them.
const EVENT_INSERT: &str =
    "INSERT INTO events (unit, event_id, kind, procedure, dossier, at, detail, flag, number, arrived) VALUES";

/// Adds what a set of events tells of a unit's system: parameters unit, arrival, the
/// latest event's moment and the count of events.
const FEED_UPSERT: &str = "INSERT INTO measure_feeds (unit, first_arrived, last_arrived, last_event_at, events)
     VALUES ($1, $2, $2, $3, $4)
     ON CONFLICT (unit) DO UPDATE SET
         first_arrived = CASE WHEN excluded.first_arrived < measure_feeds.first_arrived
             THEN excluded.first_arrived ELSE measure_feeds.first_arrived END,
         last_arrived = CASE WHEN excluded.last_arrived > measure_feeds.last_arrived
             THEN excluded.last_arrived ELSE measure_feeds.last_arrived END,
         last_event_at = CASE WHEN excluded.last_event_at > measure_feeds.last_event_at
             THEN excluded.last_event_at ELSE measure_feeds.last_event_at END,
         events = measure_feeds.events + excluded.events";

fn load_upsert(numbered: bool, rows: usize) -> String {
    format!(
        "INSERT INTO measure_load (unit, day, bucket, views) VALUES {} \
         ON CONFLICT (unit, day, bucket) DO UPDATE SET views = measure_load.views + excluded.views",
        placeholders(numbered, rows, 4)
    )
}

/// Event ids, by unit.
type Keys = std::collections::HashMap<String, HashSet<String>>;

/// What an event says, as stored, but for its key and arrival: a repeat says the same,
/// a reused id something else.
#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
struct Content {
    kind: String,
    procedure: String,
    dossier: Option<String>,
    at: i64,
    detail: Option<String>,
    flag: Option<i64>,
    number: Option<i64>,
}

impl Content {
    fn of(e: &Event) -> Content {
        let col = e.what.columns();
        Content {
            kind: col.kind.to_owned(),
            procedure: e.procedure.clone(),
            dossier: e.dossier.clone(),
            at: e.at.timestamp_millis(),
            detail: col.detail.map(str::to_owned),
            flag: col.flag.map(i64::from),
            number: col.number,
        }
    }

    /// A stored event whose key came again: the same, or a conflict.
    fn compare(stored: Option<&Content>, sent: &Event) -> Stored {
        if stored == Some(&Content::of(sent)) { Stored::Duplicate } else { Stored::Conflict }
    }
}

#[derive(sqlx::FromRow)]
struct KeyedContent {
    unit: String,
    event_id: String,
    #[sqlx(flatten)]
    content: Content,
}

/// What is stored under the keys of `events`.
async fn stored_contents(c: &mut Conn<'_>, events: &[&Event]) -> Result<Vec<KeyedContent>> {
    let mut found = Vec::with_capacity(events.len());
    for chunk in fixed_chunks(events, EVENT_CHUNK) {
        let sql = format!(
            "{} SELECT e.unit, e.event_id, e.kind, e.procedure, e.dossier, e.at, e.detail, e.flag, e.number
             FROM keys JOIN events e ON e.unit = keys.unit AND e.event_id = keys.event_id",
            keys_table(numbered(c), &["unit", "event_id"], chunk.len())
        );
        let rows: Vec<KeyedContent> = run!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for e in chunk {
                q = q.bind(e.unit.as_str()).bind(&e.event_id);
            }
            q.fetch_all(&mut *c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// Inserts the events not stored yet; says for each whether it was new, the same as
/// one stored before, or a conflict with it. The database answers which rows it
/// inserted, which is exact however many servers insert at once.
async fn insert_events(c: &mut Conn<'_>, events: &[&Event], arrived: i64) -> Result<Vec<Stored>> {
    let mut new = Vec::with_capacity(events.len());
    for chunk in fixed_chunks(events, EVENT_CHUNK) {
        let sql = format!(
            "{EVENT_INSERT} {} ON CONFLICT (unit, event_id) DO NOTHING RETURNING unit, event_id",
            placeholders(numbered(c), chunk.len(), 10)
        );
        let rows: Vec<(String, String)> = run!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for e in chunk {
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
                    .bind(arrived);
            }
            q.fetch_all(&mut *c).await
        })?;
        let mut inserted = Keys::new();
        for (unit, id) in rows {
            inserted.entry(unit).or_default().insert(id);
        }
        let is_new = |e: &Event| inserted.get(e.unit.as_str()).is_some_and(|ids| ids.contains(&e.event_id));
        let again: Vec<&Event> = chunk.iter().copied().filter(|e| !is_new(e)).collect();
        let stored: std::collections::HashMap<(String, String), Content> = if again.is_empty() {
            Default::default()
        } else {
            stored_contents(c, &again).await?.into_iter().map(|r| ((r.unit, r.event_id), r.content)).collect()
        };
        new.extend(chunk.iter().map(|e| {
            if is_new(e) {
                Stored::New
            } else {
                Content::compare(stored.get(&(e.unit.to_string(), e.event_id.clone())), e)
            }
        }));
    }
    Ok(new)
}

fn counter_upsert(numbered: bool, table: &str, period: &str, rows: usize) -> String {
    let names = COUNT_NAMES.join(", ");
    // Amounts of money add up fast: their sum stops short of BIGINT's end (both engines
    // would fail the statement, and every later one for the row, past it).
    let sets: Vec<String> = COUNT_NAMES
        .iter()
        .map(|n| match *n {
            "paid_amount" => format!(
                "{n} = CASE WHEN {table}.{n} > {MAX_AMOUNT} - excluded.{n} THEN {MAX_AMOUNT} ELSE {table}.{n} + excluded.{n} END"
            ),
            _ => format!("{n} = {table}.{n} + excluded.{n}"),
        })
        .collect();
    format!(
        "INSERT INTO {table} (unit, procedure, {period}, {names}) VALUES {} \
         ON CONFLICT (unit, procedure, {period}) DO UPDATE SET {}",
        placeholders(numbered, rows, 3 + COUNT_NAMES.len()),
        sets.join(", ")
    )
}

async fn add_counts(c: &mut Conn<'_>, table: &str, period: &str, rows: &[(RowKey, Counts)]) -> Result<()> {
    for chunk in fixed_chunks(rows, ROLLUP_CHUNK) {
        let sql = counter_upsert(numbered(c), table, period, chunk.len());
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

/// What the events of `batches` flagged new add to the roll-ups: each batch's roll-up,
/// with what was stored already taken back out.
fn new_rollup(batches: &[Batch], flags: &[Vec<Stored>], with_fee: &dyn Fn(&str) -> bool) -> Rollup {
    let mut rollup = Rollup::default();
    for (batch, new) in batches.iter().zip(flags) {
        rollup.merge(&batch.rollup);
        for (e, _) in batch.events.iter().zip(new).filter(|(_, n)| **n != Stored::New) {
            rollup.remove(e, with_fee(&e.procedure));
        }
    }
    rollup
}

async fn add_rollup(c: &mut Conn<'_>, rollup: &Rollup, arrived: i64) -> Result<()> {
    add_counts(c, "measure_days", "day", &rollup.days()).await?;
    add_counts(c, "measure_months", "month", &rollup.months()).await?;
    for chunk in fixed_chunks(&rollup.loads(), ROLLUP_CHUNK) {
        let sql = load_upsert(numbered(c), chunk.len());
        exec!(c, |c| {
            let mut q = sqlx::query(&sql);
            for ((unit, day, bucket), views) in chunk {
                q = q.bind(unit.as_str()).bind(*day).bind(*bucket).bind(*views);
            }
            q
        })?;
    }
    for (unit, feed) in rollup.feeds() {
        exec!(c, |c| sqlx::query(FEED_UPSERT)
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

impl Store {
    pub async fn procedures(&self) -> Result<Vec<Procedure>> {
        let mut pooled = self.acquire().await?;
        read_procedures(&mut pooled.conn()).await
    }

    /// Stores batches of events not stored before and adds exactly those to the
    /// roll-ups, in one transaction (one flush to disk for them all). Returns, for each
    /// batch, what became of each of its events (new, a duplicate or a conflict). `with_fee` tells whether a procedure
    /// carries a fee. A server on SQLite stores through an `EventWriter`, which does
    /// the same faster; this works on both backends.
    pub async fn ingest_batches(
        &self,
        batches: &[Batch],
        with_fee: &(dyn Fn(&str) -> bool + Sync),
        arrived: DateTime<Utc>,
    ) -> Result<Vec<Vec<Stored>>> {
        let arrived_ms = arrived.timestamp_millis();
        let mut tx = self.begin().await?;
        let mut flags = Vec::with_capacity(batches.len());
        for batch in batches {
            let events: Vec<&Event> = batch.events.iter().collect();
            flags.push(insert_events(&mut tx.conn(), &events, arrived_ms).await?);
        }
        let rollup = new_rollup(batches, &flags, with_fee);
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
}

#[cfg(test)]
mod tests {
    use crate::bulk::fixed_chunks;

    #[test]
    fn statements_come_in_a_few_sizes() {
        let items: Vec<u32> = (0..2_345).collect();
        let sizes: Vec<usize> = fixed_chunks(&items, 1000).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![1000, 1000, 256, 64, 16, 8, 1]);
        assert_eq!(sizes.iter().sum::<usize>(), items.len());
        assert!(fixed_chunks(&items[..0], 1000).is_empty());
    }
}
