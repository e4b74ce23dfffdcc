//! The SQLite event writer. SQLite takes one writer at a time, so what storing an event
//! costs that writer decides how many events a server takes in a second. This writer
//! has a connection of its own and statements prepared once and run row by row: an
//! insert that skips a stored key tells by its change count whether the event was new,
//! so no event is looked up twice, and no value is copied through a driver's worker
//! thread. Its calls block: it belongs on a thread of its own.

use std::time::Duration;

use chrono::{DateTime, Utc};
use model::measure::{Batch, Counts, Rollup, RowKey};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use super::{EVENT_INSERT, FEED_UPSERT, counter_upsert, load_upsert, new_rollup};
use crate::{Result, Store, StoreError, WAL_CHECKPOINT_PAGES};

pub struct EventWriter {
    conn: Connection,
}

impl EventWriter {
    /// A writer for the SQLite database of `store`, which must be a file (an in-memory
    /// database cannot be reached from a second connection).
    pub fn open(store: &Store) -> Result<EventWriter> {
        let Store::Sqlite(pool) = store else {
            return Err(StoreError::Conflict(
                "the event writer is for SQLite; PostgreSQL takes batches directly".into(),
            ));
        };
        let options = pool.connect_options();
        let path = options.get_filename();
        if !path.is_file() {
            return Err(StoreError::Conflict(format!(
                "automatic measurement needs a database file, not {}",
                path.display()
            )));
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // As the pool's connections: flushed at every commit, the same checkpoints. A
        // larger page cache than theirs, because the event B-tree is written here; it is
        // bounded all the same.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES};"
        ))?;
        Ok(EventWriter { conn })
    }

    /// Stores the events of `batches` not stored before and adds exactly those to the
    /// roll-ups, in one transaction; returns, for each batch, whether each of its events
    /// was new. The same contract as `Store::ingest_batches`.
    pub fn ingest(
        &mut self,
        batches: &[Batch],
        with_fee: &dyn Fn(&str) -> bool,
        arrived: DateTime<Utc>,
    ) -> Result<Vec<Vec<bool>>> {
        let arrived = arrived.timestamp_millis();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut flags = Vec::with_capacity(batches.len());
        {
            let mut insert = tx.prepare_cached(&format!(
                "{EVENT_INSERT} (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (unit, event_id) DO NOTHING"
            ))?;
            for batch in batches {
                let mut new = Vec::with_capacity(batch.events.len());
                for e in &batch.events {
                    let col = e.what.columns();
                    let stored = insert.execute(params![
                        e.unit.as_str(),
                        e.event_id,
                        col.kind,
                        e.procedure,
                        e.dossier,
                        e.at.timestamp_millis(),
                        col.detail,
                        col.flag,
                        col.number,
                        arrived
                    ])?;
                    new.push(stored == 1);
                }
                flags.push(new);
            }
        }
        let rollup = new_rollup(batches, &flags, with_fee);
        if !rollup.is_empty() {
            add_rollup(&tx, &rollup, arrived)?;
        }
        tx.commit()?;
        Ok(flags)
    }
}

fn add_counts(tx: &Connection, table: &str, period: &str, rows: &[(RowKey, Counts)]) -> Result<()> {
    let mut upsert = tx.prepare_cached(&counter_upsert(false, table, period, 1))?;
    for ((unit, procedure, day), counts) in rows {
        let key = [&unit.as_str() as &dyn rusqlite::ToSql, procedure, &day.format("%F").to_string()];
        let counts = counts.to_array();
        let values = key.into_iter().chain(counts.iter().map(|n| n as &dyn rusqlite::ToSql));
        upsert.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

fn add_rollup(tx: &Connection, rollup: &Rollup, arrived: i64) -> Result<()> {
    add_counts(tx, "measure_days", "day", &rollup.days())?;
    add_counts(tx, "measure_months", "month", &rollup.months())?;
    let mut loads = tx.prepare_cached(&load_upsert(false, 1))?;
    for ((unit, day, bucket), views) in rollup.loads() {
        loads.execute(params![unit.as_str(), day.format("%F").to_string(), bucket, views])?;
    }
    let mut feeds = tx.prepare_cached(FEED_UPSERT)?;
    for (unit, feed) in rollup.feeds() {
        feeds.execute(params![unit.as_str(), arrived, feed.last_event_at_ms, feed.events])?;
    }
    Ok(())
}
