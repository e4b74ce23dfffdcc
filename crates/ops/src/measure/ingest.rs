//! Taking in a batch: check every line, refuse the batch if it speaks for a unit the
//! sender may not, store the good events through the store's `EventSink` (which
//! answers once they are on disk), answer with counts and reasons.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use model::UnitKey;
use model::access::{Principal, Role};
use model::measure::{Batch, Stored};
use serde::Serialize;
use store::{EventSink, Store, StoreError};

use super::intake::{BatchError, Catalogue, LineError, check, clip, inflate, split_body};
use crate::work::{self, WorkError};

/// At most this many refused lines, and as many conflicts, are listed in an answer; the
/// rest are counted. A sender learns what is wrong from the first ones, and a body of
/// bad lines cannot make an answer larger than the request.
pub const MAX_LISTED: usize = 100;

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Stored for the first time.
    pub accepted: usize,
    /// Stored before with the same content (or repeated within the request): nothing
    /// changed.
    pub duplicate: usize,
    /// Their unit and event id were stored before with other content, which is kept.
    pub conflict: usize,
    pub rejected: usize,
    /// The first `MAX_LISTED` refused lines, with why.
    pub errors: Vec<LineError>,
    /// Refused lines beyond those listed.
    pub errors_not_listed: usize,
    /// The first `MAX_LISTED` conflicting lines.
    pub conflicts: Vec<LineError>,
    /// Conflicting lines beyond those listed.
    pub conflicts_not_listed: usize,
}

impl Outcome {
    fn refuse(&mut self, e: LineError) {
        self.rejected += 1;
        if self.errors.len() < MAX_LISTED {
            self.errors.push(e);
        } else {
            self.errors_not_listed += 1;
        }
    }

    fn conflicting(&mut self, line: usize, event_id: &str) {
        self.conflict += 1;
        if self.conflicts.len() < MAX_LISTED {
            self.conflicts.push(LineError {
                line,
                event_id: Some(clip(event_id)),
                error: "this event_id was stored before with other content; the stored event is kept".into(),
            });
        } else {
            self.conflicts_not_listed += 1;
        }
    }
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
    #[error(transparent)]
    Work(#[from] WorkError),
}

/// Units and procedures are read again after this long, so an import reaches a running
/// server without a restart.
const CATALOGUE_AGE: Duration = Duration::from_secs(30);

/// Where an ingestor reads the time: what "in the future" means for an event, and when
/// it was recorded. The system clock, except in tests that replay a fixed month.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct Ingestor {
    store: Store,
    clock: Clock,
    sink: EventSink,
    catalogue: RwLock<Option<(Instant, Arc<Catalogue>)>>,
}

/// A request's events, read and checked: the batch to store, the line of each event of
/// it as sent, and the outcome so far (the refused lines).
struct Read {
    batch: Batch,
    lines: Vec<usize>,
    outcome: Outcome,
}

/// Inflates, splits and checks a body: CPU work, done off the runtime.
fn read(
    body: &[u8],
    gzip: bool,
    ndjson: bool,
    catalogue: &Catalogue,
    units: &[UnitKey],
    now: DateTime<Utc>,
) -> Result<Read, IngestError> {
    let inflated;
    let body = if gzip {
        inflated = inflate(body)?;
        &inflated[..]
    } else {
        body
    };
    let mut outcome = Outcome::default();
    let mut events = Vec::new();
    let mut lines = Vec::new();
    for (line, text) in split_body(body, ndjson)? {
        match check(text, catalogue, now) {
            Ok(e) if !units.contains(&e.unit) => {
                let allowed: Vec<&str> = units.iter().map(|u| u.as_str()).collect();
                return Err(IngestError::OtherUnit { line, unit: e.unit.to_string(), allowed: allowed.join(", ") });
            }
            Ok(e) => {
                events.push(e);
                lines.push(line);
            }
            Err((event_id, error)) => outcome.refuse(LineError { line, event_id, error }),
        }
    }
    let batch = Batch::new(events, &|p| catalogue.with_fee(p));
    Ok(Read { batch, lines, outcome })
}

impl Ingestor {
    /// An ingestor for `store`; with SQLite it starts the writer thread, which ends
    /// when the ingestor is dropped.
    pub fn new(store: Store) -> Ingestor {
        Ingestor {
            sink: EventSink::start(store.clone()),
            store,
            clock: Arc::new(Utc::now),
            catalogue: RwLock::new(None),
        }
    }

    /// The same ingestor reading the time from `clock`.
    pub fn with_clock(self, clock: Clock) -> Ingestor {
        Ingestor { clock, ..self }
    }

    /// Why events are no longer taken, once a flush to disk has failed.
    pub fn failure(&self) -> Option<&str> {
        self.sink.failure()
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

    /// Takes in one request's body for `who`: gzip-compressed or not, NDJSON or a JSON
    /// array.
    #[tracing::instrument(skip_all, err(level = "info"), fields(who = %who.id, bytes = body.as_ref().len(), gzip, ndjson))]
    pub async fn ingest(
        &self,
        who: &Principal,
        body: impl AsRef<[u8]> + Send + 'static,
        gzip: bool,
        ndjson: bool,
    ) -> Result<Outcome, IngestError> {
        if who.role != Role::Machine {
            return Err(IngestError::NotMachine);
        }
        let catalogue = self.catalogue().await?;
        let (units, now, reading) = (who.units.clone(), (self.clock)(), catalogue.clone());
        let Read { batch, lines, mut outcome } =
            work::run(work::Kind::Events, move || read(body.as_ref(), gzip, ndjson, &reading, &units, now)).await??;
        if batch.places.is_empty() {
            return Ok(outcome);
        }
        // Each event kept in the batch, by the index it was sent at.
        let mut sent_at = vec![0; batch.events.len()];
        for (i, place) in batch.places.iter().enumerate() {
            if let Some(k) = place {
                sent_at[*k] = i;
            }
        }
        let repeats = batch.places.iter().filter(|p| p.is_none()).count();
        let within: Vec<(usize, String)> =
            batch.conflicting.iter().map(|&(i, k)| (lines[i], batch.events[k].event_id.clone())).collect();
        let ids: Vec<String> = batch.events.iter().map(|e| e.event_id.clone()).collect();
        let with_fee: store::WithFee = Arc::new(move |p: &str| catalogue.with_fee(p));
        let stored = self.sink.store(batch, with_fee, now).await?;
        for (k, s) in stored.iter().enumerate() {
            match s {
                Stored::New => outcome.accepted += 1,
                Stored::Duplicate => outcome.duplicate += 1,
                Stored::Conflict => outcome.conflicting(lines[sent_at[k]], &ids[k]),
            }
        }
        outcome.duplicate += repeats - within.len();
        for (line, id) in within {
            outcome.conflicting(line, &id);
        }
        outcome.conflicts.sort_by_key(|c| c.line);
        metrics::counter!("dxmon_events_accepted_total").increment(outcome.accepted as u64);
        metrics::counter!("dxmon_events_duplicate_total").increment(outcome.duplicate as u64);
        metrics::counter!("dxmon_events_conflict_total").increment(outcome.conflict as u64);
        metrics::counter!("dxmon_events_rejected_total").increment(outcome.rejected as u64);
        Ok(outcome)
    }
}
