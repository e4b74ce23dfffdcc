//! Taking in a batch: check every line, refuse the batch if it speaks for a unit the
//! sender may not, store the good events, answer with counts and reasons.
//!
//! With SQLite, batches go to the single writer (`writer`). PostgreSQL takes each batch
//! in its own transaction; its roll-up updates are additive, so servers sharing a
//! database count exactly.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use model::access::{Principal, Role};
use model::measure::Batch;
use serde::Serialize;
use store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use super::intake::{BatchError, Catalogue, LineError, check, split_body};
use super::writer::{self, Job};

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub accepted: usize,
    pub duplicate: usize,
    pub rejected: usize,
    pub errors: Vec<LineError>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error("this token may send events only for {allowed}; line {line} is for '{unit}'. Nothing was stored.")]
    OtherUnit { line: usize, unit: String, allowed: String },
    #[error("only a unit's system (a machine token) sends events")]
    NotMachine,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the event writer has stopped")]
    Stopped,
}

/// Units and procedures are read again after this long, so an import reaches a running
/// server without a restart.
const CATALOGUE_AGE: Duration = Duration::from_secs(30);
pub struct Ingestor {
    store: Store,
    queue: Option<mpsc::Sender<Job>>,
    catalogue: RwLock<Option<(Instant, Arc<Catalogue>)>>,
}

impl Ingestor {
    /// An ingestor for `store`; with SQLite it starts the writer thread, which ends
    /// when the ingestor is dropped.
    pub fn new(store: Store) -> Ingestor {
        let queue = match store.backend() {
            // Should the thread not start, batches go through the pool: as exact, slower.
            store::Backend::Sqlite => writer::start(store.clone()),
            store::Backend::Postgres => None,
        };
        Ingestor { store, queue, catalogue: RwLock::new(None) }
    }

    pub async fn catalogue(&self) -> Result<Arc<Catalogue>, StoreError> {
        if let Ok(guard) = self.catalogue.read()
            && let Some((at, c)) = guard.as_ref()
            && at.elapsed() < CATALOGUE_AGE
        {
            return Ok(c.clone());
        }
        let units = self.store.reference().await?.units;
        let procedures = self.store.procedures().await?;
        let fresh = Arc::new(Catalogue::new(units, &procedures));
        if let Ok(mut guard) = self.catalogue.write() {
            *guard = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Takes in one request's body for `who`.
    pub async fn ingest(&self, who: &Principal, body: &[u8], ndjson: bool) -> Result<Outcome, IngestError> {
        if who.role != Role::Machine {
            return Err(IngestError::NotMachine);
        }
        let lines = split_body(body, ndjson)?;
        let catalogue = self.catalogue().await?;
        let now = Utc::now();
        let mut outcome = Outcome::default();
        let mut events = Vec::with_capacity(lines.len());
        for (line, text) in lines {
            match check(text, &catalogue, now) {
                Ok(e) if !who.units.contains(&e.unit) => {
                    let allowed: Vec<&str> = who.units.iter().map(|u| u.as_str()).collect();
                    return Err(IngestError::OtherUnit { line, unit: e.unit.to_string(), allowed: allowed.join(", ") });
                }
                Ok(e) => events.push(e),
                Err((event_id, error)) => outcome.errors.push(LineError { line, event_id, error }),
            }
        }
        outcome.rejected = outcome.errors.len();
        if events.is_empty() {
            return Ok(outcome);
        }
        let sent = events.len();
        let batch = Batch::new(events, &|p| catalogue.with_fee(p));
        let new = self.store_batch(batch, catalogue).await?;
        outcome.accepted = new.iter().filter(|n| **n).count();
        outcome.duplicate = sent - outcome.accepted;
        metrics::counter!("dxmon_events_accepted_total").increment(outcome.accepted as u64);
        metrics::counter!("dxmon_events_duplicate_total").increment(outcome.duplicate as u64);
        metrics::counter!("dxmon_events_rejected_total").increment(outcome.rejected as u64);
        Ok(outcome)
    }

    /// Stores a batch; says for each of its distinct events whether it was new.
    async fn store_batch(&self, batch: Batch, catalogue: Arc<Catalogue>) -> Result<Vec<bool>, IngestError> {
        match &self.queue {
            Some(queue) => {
                let (reply, answer) = oneshot::channel();
                queue.send(Job { batch, catalogue, reply }).await.map_err(|_| IngestError::Stopped)?;
                Ok(answer.await.map_err(|_| IngestError::Stopped)??)
            }
            None => {
                let mut flags = with_retries(&self.store, std::slice::from_ref(&batch), &catalogue).await?;
                Ok(flags.pop().unwrap_or_default())
            }
        }
    }
}

/// Stores with retries when PostgreSQL picks this transaction as a deadlock victim or
/// cannot serialise it; the retry is safe because the transaction left nothing.
async fn with_retries(store: &Store, batches: &[Batch], catalogue: &Catalogue) -> Result<Vec<Vec<bool>>, StoreError> {
    let mut attempt = 0;
    loop {
        match store.ingest_batches(batches, &|p| catalogue.with_fee(p), now()).await {
            Err(e) if attempt < 5 && e.is_transient() => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
            }
            other => return other,
        }
    }
}

fn now() -> DateTime<Utc> {
    Utc::now()
}
