//! Where a server's events are stored, and the promise it keeps: a batch is answered as
//! stored only once it is on disk.
//!
//! With SQLite, which has one writer at a time, batches are queued to a single writer
//! thread that stores every batch waiting in one transaction (group commit), while the
//! requests that follow are checked in parallel. Beside it, a flusher thread makes each
//! committed group durable before its batches are answered, while the writer already
//! stores the next group; and a checkpointer thread copies the write-ahead log back
//! into the database file. PostgreSQL takes each batch in its own transaction; its
//! roll-up updates are additive, so servers sharing a database count exactly.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use chrono::{DateTime, Utc};
use model::measure::{Batch, Stored};
use tokio::sync::{mpsc, oneshot};

use super::{Checkpointer, EventWriter, WriteAheadLog};
use crate::{Backend, Store, StoreError};

/// Whether a procedure carries a fee: what an event's roll-ups depend on beside the
/// event itself.
pub type WithFee = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// The most events one group commit stores.
const GROUP_EVENTS: usize = 100_000;
/// How often the log is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

type Reply = oneshot::Sender<Result<Vec<Stored>, StoreError>>;

/// Set once a flush of the log has failed. After that, nothing committed since the last
/// good flush can be said to be on disk, and a later flush that succeeds proves nothing
/// of it (the system may have dropped the pages it failed to write): so the writer
/// takes nothing more, and no event it holds is ever called a duplicate of one that may
/// not be on disk. The server must be restarted, and then reads what the disk holds.
/// PostgreSQL stops the same way on a failed flush.
#[derive(Debug, Default)]
pub struct Failure(OnceLock<String>);

impl Failure {
    pub fn reason(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }

    fn refusal(&self) -> Option<StoreError> {
        self.reason().map(|why| {
            StoreError::Unavailable(format!(
                "events are not taken: a flush to disk failed ({why}); the server must be restarted"
            ))
        })
    }
}

struct Job {
    batch: Batch,
    with_fee: WithFee,
    /// When the batch was taken in: what its events are recorded at.
    now: DateTime<Utc>,
    reply: Reply,
}

/// A committed group, answered once its log is on disk.
struct Committed {
    log: Arc<WriteAheadLog>,
    replies: Vec<(Reply, Vec<Stored>)>,
}

/// Stores batches of events for a server, durably, on either backend.
pub struct EventSink {
    store: Store,
    /// With SQLite: the writer's queue, and where it tells of a failed flush.
    queue: Option<(mpsc::Sender<Job>, Arc<Failure>)>,
}

impl EventSink {
    /// A sink for `store`; with SQLite it starts the writer and flusher threads, which
    /// end when the sink is dropped. Should they not start, batches go through the
    /// pool: as exact, slower.
    pub fn start(store: Store) -> EventSink {
        let queue = match store.backend() {
            Backend::Sqlite => start(store.clone()),
            Backend::Postgres => None,
        };
        EventSink { store, queue }
    }

    /// Why events are no longer taken, once a flush to disk has failed.
    pub fn failure(&self) -> Option<&str> {
        self.queue.as_ref().and_then(|(_, f)| f.reason())
    }

    /// Stores a batch received at `now`; says for each of its distinct events what
    /// became of it, once that is on disk. A store that cannot take it now (a failed
    /// flush, a stopped writer, a database busy past the retries) says `Unavailable`.
    pub async fn store(&self, batch: Batch, with_fee: WithFee, now: DateTime<Utc>) -> Result<Vec<Stored>, StoreError> {
        match &self.queue {
            Some((queue, _)) => {
                let (reply, answer) = oneshot::channel();
                queue.send(Job { batch, with_fee, now, reply }).await.map_err(|_| stopped())?;
                answer.await.map_err(|_| stopped())?
            }
            None => {
                let batches = std::slice::from_ref(&batch);
                let mut flags = crate::retry::transient(|| self.store.ingest_batches(batches, &*with_fee, now)).await?;
                Ok(flags.pop().unwrap_or_default())
            }
        }
    }
}

/// Starts the writer and its flusher; returns the writer's queue and where a failure to
/// flush is told, or `None` if a thread could not start. Both end when the queue's last
/// sender is dropped.
fn start(store: Store) -> Option<(mpsc::Sender<Job>, Arc<Failure>)> {
    let failure = Arc::new(Failure::default());
    let (to_flusher, committed) = channel();
    let flush_failure = failure.clone();
    thread::Builder::new().name("dxmon-flush".into()).spawn(move || flusher(committed, &flush_failure)).ok()?;
    let (queue, jobs) = mpsc::channel(1024);
    let write_failure = failure.clone();
    thread::Builder::new()
        .name("dxmon-events".into())
        .spawn(move || writer(store, jobs, to_flusher, &write_failure))
        .ok()?;
    Some((queue, failure))
}

/// An open writer, its log, and the checkpointer thread that lives as long as it.
struct OpenWriter {
    events: EventWriter,
    log: Arc<WriteAheadLog>,
    _stop_checkpoints: Sender<()>,
}

impl OpenWriter {
    fn new(store: &Store) -> Result<OpenWriter, StoreError> {
        let events = EventWriter::open(store)?;
        let log = Arc::new(events.log()?);
        let checkpointer = events.checkpointer(None)?;
        let (stop, stopped) = channel();
        thread::Builder::new().name("dxmon-checkpoint".into()).spawn(move || checkpoints(&checkpointer, &stopped))?;
        Ok(OpenWriter { events, log, _stop_checkpoints: stop })
    }
}

/// Takes every batch waiting, stores them in one transaction, hands them to the
/// flusher. The writer is opened at the first batch and again after a failure, which
/// is then the answer to the batches that met it.
fn writer(store: Store, mut queue: mpsc::Receiver<Job>, flusher: Sender<Committed>, failure: &Failure) {
    let mut open: Option<OpenWriter> = None;
    while let Some(first) = queue.blocking_recv() {
        let mut count = first.batch.events.len();
        let mut jobs = vec![first];
        while count < GROUP_EVENTS {
            match queue.try_recv() {
                Ok(job) => {
                    count += job.batch.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        metrics::histogram!("dxmon_event_group_events").record(count as f64);
        metrics::gauge!("dxmon_event_queue_depth").set(queue.len() as f64);
        let (with_fee, now) = (jobs[jobs.len() - 1].with_fee.clone(), jobs[jobs.len() - 1].now);
        let (batches, replies): (Vec<Batch>, Vec<Reply>) = jobs.into_iter().map(|j| (j.batch, j.reply)).unzip();
        if failure.reason().is_some() {
            open = None;
            for reply in replies {
                let _ = reply.send(Err(failure.refusal().unwrap_or_else(stopped)));
            }
            continue;
        }
        match store_group(&store, &mut open, &batches, &*with_fee, now) {
            Ok((flags, log)) => {
                let committed = Committed { log, replies: replies.into_iter().zip(flags).collect() };
                if let Err(unsent) = flusher.send(committed) {
                    for (reply, _) in unsent.0.replies {
                        let _ = reply.send(Err(stopped()));
                    }
                }
            }
            Err(e) => {
                // The transaction left nothing: trying again may succeed.
                open = None;
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Unavailable(format!("the events could not be stored: {e}"))));
                }
            }
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the event log's flusher has stopped".into())
}

/// One group commit, tried again while SQLite is busy with another writer.
fn store_group(
    store: &Store,
    open: &mut Option<OpenWriter>,
    batches: &[Batch],
    with_fee: &(dyn Fn(&str) -> bool + Send + Sync),
    now: DateTime<Utc>,
) -> Result<(Vec<Vec<Stored>>, Arc<WriteAheadLog>), StoreError> {
    crate::retry::transient_blocking(|| {
        let writer = match open {
            Some(w) => w,
            None => open.insert(OpenWriter::new(store)?),
        };
        let flags = writer.events.ingest(batches, with_fee, now)?;
        Ok((flags, writer.log.clone()))
    })
}

/// Flushes the log of every group committed, then answers them: one flush for every
/// group that was committed while the last flush ran. Once a flush has failed, nothing
/// is answered as stored again (see `Failure`).
fn flusher(committed: Receiver<Committed>, failure: &Failure) {
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        groups.extend(committed.try_iter());
        // A writer opened again after a failure has a log handle of its own.
        let mut logs: Vec<&Arc<WriteAheadLog>> = Vec::new();
        for group in &groups {
            if !logs.iter().any(|l| Arc::ptr_eq(l, &group.log)) {
                logs.push(&group.log);
            }
        }
        let started = std::time::Instant::now();
        let flushed = if failure.reason().is_none() { logs.iter().try_for_each(|log| log.flush()) } else { Ok(()) };
        metrics::histogram!("dxmon_event_flush_seconds").record(started.elapsed().as_secs_f64());
        if let Err(e) = flushed {
            tracing::error!(error = %e, "the event log could not be flushed to disk; no more events are taken");
            let _ = failure.0.set(e.to_string());
        }
        for (reply, flags) in groups.into_iter().flat_map(|g| g.replies) {
            let _ = reply.send(match failure.refusal() {
                None => Ok(flags),
                Some(refused) => Err(refused),
            });
        }
    }
}

/// Checkpoints every `CHECKPOINT_EVERY` until told to stop (or its writer is dropped).
fn checkpoints(checkpointer: &Checkpointer, stop: &Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        let started = std::time::Instant::now();
        match checkpointer.run() {
            Ok(pages) => metrics::gauge!("dxmon_event_log_pages").set(pages as f64),
            Err(e) => tracing::warn!("the write-ahead log could not be copied into the database file: {e}"),
        }
        metrics::histogram!("dxmon_event_checkpoint_seconds").record(started.elapsed().as_secs_f64());
    }
}
