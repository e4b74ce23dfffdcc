//! The SQLite event writer. SQLite takes one writer at a time, so what storing an event
//! costs that writer decides how many events a server takes in a second. This writer
//! has a connection of its own and statements prepared once and run row by row: an
//! insert that skips a stored key tells by its change count whether the event was new,
//! so no event is looked up twice, and no value is copied through a driver's worker
//! thread. Its calls block: it belongs on a thread of its own.
//!
//! Two pieces of the writer's work are done beside it, so that it can go on storing the
//! next events meanwhile: flushing the write-ahead log to disk (`WriteAheadLog::flush`),
//! which makes committed events durable, and copying the log back into the database
//! file (`Checkpointer`). The log starts again from its beginning only when a checkpoint
//! copies all of it with no transaction in between; a writer that never pauses would
//! never leave such a moment, so once the log is long the checkpointer asks the writer
//! to wait between two transactions (`Turns`) while it copies the rest.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use model::measure::{Batch, Counts, Rollup, RowKey, Stored};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use super::{Content, EVENT_INSERT, FEED_UPSERT, counter_upsert, load_upsert, new_rollup};
use crate::{Result, Store, StoreError, WAL_CHECKPOINT_PAGES};

pub struct EventWriter {
    conn: Connection,
    path: PathBuf,
    turns: Arc<Turns>,
}

/// The write-ahead log of the writer's database, as a file to flush.
pub struct WriteAheadLog {
    file: File,
}

/// A connection that copies the write-ahead log back into the database file, and starts
/// the log again from its beginning once it has grown to `limit` pages.
pub struct Checkpointer {
    conn: Connection,
    limit: i64,
    turns: Arc<Turns>,
}

/// Whose turn it is on the database: the writer's transactions, or the checkpointer's
/// restart of the log, which the writer waits for before its next transaction.
#[derive(Default)]
struct Turns {
    state: Mutex<TurnState>,
    changed: Condvar,
}

#[derive(Default)]
struct TurnState {
    writing: bool,
    restarting: bool,
}

/// The writer's turn, for one transaction.
struct Writing<'a>(&'a Turns);

/// The checkpointer's turn: the writer waits until it ends.
struct Restarting<'a>(&'a Turns);

impl Turns {
    fn lock(&self) -> MutexGuard<'_, TurnState> {
        // The state is two flags set whole; a thread that panicked left them valid.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, state: MutexGuard<'a, TurnState>) -> MutexGuard<'a, TurnState> {
        self.changed.wait(state).unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> Writing<'_> {
        let mut state = self.lock();
        while state.restarting {
            state = self.wait(state);
        }
        state.writing = true;
        Writing(self)
    }

    fn restart(&self) -> Restarting<'_> {
        let mut state = self.lock();
        state.restarting = true;
        while state.writing {
            state = self.wait(state);
        }
        Restarting(self)
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.lock().writing = false;
        self.0.changed.notify_all();
    }
}

impl Drop for Restarting<'_> {
    fn drop(&mut self) {
        self.0.lock().restarting = false;
        self.0.changed.notify_all();
    }
}

fn open(path: &Path, busy: Duration) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(busy)?;
    Ok(conn)
}

impl EventWriter {
    /// A writer for the SQLite database of `store`, which must be a file (an in-memory
    /// database cannot be reached from a second connection).
    pub fn open(store: &Store) -> Result<EventWriter> {
        let Store::Sqlite(pool) = store else {
            return Err(StoreError::Unavailable(
                "the event writer is for SQLite; PostgreSQL takes batches directly".into(),
            ));
        };
        let options = pool.connect_options();
        let path = options.get_filename();
        if !path.is_file() {
            return Err(StoreError::Unavailable(format!(
                "automatic measurement needs a database file, not {}",
                path.display()
            )));
        }
        let conn = open(path, Duration::from_secs(10))?;
        // A commit only hands the log to the operating system: `WriteAheadLog::flush`
        // makes it durable, on another thread, while this one stores the next events.
        // This connection never checkpoints: a checkpoint that does not flush could
        // leave the database file behind a log that is then overwritten. The
        // `Checkpointer`, which flushes, does it. A larger page cache than the pool's,
        // because the event B-tree is written here; it is bounded all the same.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;",
        )?;
        Ok(EventWriter { conn, path: path.to_path_buf(), turns: Arc::default() })
    }

    /// The write-ahead log this writer commits to. It exists once the writer is open in
    /// WAL mode, and stays the same file while the writer is open.
    pub fn log(&self) -> Result<WriteAheadLog> {
        let mut name = self.path.clone().into_os_string();
        name.push("-wal");
        Ok(WriteAheadLog { file: OpenOptions::new().read(true).write(true).open(name)? })
    }

    /// A checkpointer for this writer's database, which restarts the log once it holds
    /// `limit` pages (`None`: 1 GiB of 4 KiB pages).
    pub fn checkpointer(&self, limit: Option<u32>) -> Result<Checkpointer> {
        // The writer waits while this connection waits for readers to leave the log: not
        // long, then; a restart cut short is tried again at the next run.
        let conn = open(&self.path, Duration::from_secs(1))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;")?;
        let limit = i64::from(limit.unwrap_or(WAL_CHECKPOINT_PAGES));
        Ok(Checkpointer { conn, limit, turns: self.turns.clone() })
    }

    /// Stores the events of `batches` not stored before and adds exactly those to the
    /// roll-ups, in one transaction; returns, for each batch, what became of each of its
    /// events. The same contract as `Store::ingest_batches`, but for durability: the
    /// events are on disk once a `WriteAheadLog::flush` begun after this call returns.
    pub fn ingest(
        &mut self,
        batches: &[Batch],
        with_fee: &dyn Fn(&str) -> bool,
        arrived: DateTime<Utc>,
    ) -> Result<Vec<Vec<Stored>>> {
        let arrived = arrived.timestamp_millis();
        let _turn = self.turns.write();
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
                    new.push(if stored == 1 { Stored::New } else { Content::compare(stored_as(&tx, e)?.as_ref(), e) });
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

impl Drop for EventWriter {
    /// The last connection to close copies the log into the database file and deletes
    /// it; should that be this one, the copy must be flushed, as the `Checkpointer`'s.
    fn drop(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA synchronous = FULL");
    }
}

impl WriteAheadLog {
    /// Flushes what has been written to the log to disk: every transaction committed
    /// before this call survives a crash of the machine once it returns.
    pub fn flush(&self) -> Result<()> {
        #[cfg(feature = "failpoints")]
        fail::fail_point!("wal-flush", |_| Err(StoreError::Disk(std::io::Error::other("injected: the disk failed"))));
        Ok(self.file.sync_data()?)
    }
}

impl Checkpointer {
    /// Copies the pages of the log into the database file without waiting for the
    /// writer. A copied log starts again from its beginning at the writer's next
    /// transaction, but only if nothing was committed during the copy; so once the log
    /// holds `limit` pages this waits for the writer's transaction to end, holds its
    /// next one and copies the rest, so that the log cannot grow without end. Returns
    /// the pages the log held.
    pub fn run(&self) -> Result<i64> {
        let (_, pages) = self.checkpoint("PASSIVE")?;
        if pages >= self.limit {
            let _turn = self.turns.restart();
            self.checkpoint("RESTART")?;
        }
        Ok(pages)
    }

    /// Whether the checkpoint was cut short by another, and the pages in the log.
    fn checkpoint(&self, mode: &str) -> Result<(bool, i64)> {
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        Ok(self.conn.query_row(&sql, [], |r| Ok((r.get::<_, i64>(0)? != 0, r.get(1)?)))?)
    }
}

/// What is stored under the key of `e`, looked up only when its key came again.
fn stored_as(tx: &Connection, e: &model::measure::Event) -> Result<Option<Content>> {
    let mut select = tx.prepare_cached(
        "SELECT kind, procedure, dossier, at, detail, flag, number FROM events WHERE unit = ?1 AND event_id = ?2",
    )?;
    let mut rows = select.query(params![e.unit.as_str(), e.event_id])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(Content {
        kind: r.get(0)?,
        procedure: r.get(1)?,
        dossier: r.get(2)?,
        at: r.get(3)?,
        detail: r.get(4)?,
        flag: r.get(5)?,
        number: r.get(6)?,
    }))
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
