//! The read model: what the public pages and read endpoints show, held in memory as
//! immutable snapshots that requests share (`Arc`) and never wait for.
//!
//! A `Snapshot` holds the registry, the framework, every value with its revisions,
//! targets, tasks and the consistency check's findings, with the version of the data it
//! was built from. The store's version (`Store::data_version`) grows with every write of
//! those; a server compares it with its snapshot's every second, and after a write of its
//! own at once, and builds a new snapshot off the request path when it has moved, one
//! build at a time, swapping it in whole. Several servers on one database converge the
//! same way. `Live` holds this month's figures from the roll-ups, built again every few
//! seconds, as events never stop.

mod live;
mod memo;
mod snapshot;
pub mod views;

pub use live::{Live, LiveUnit};
pub use memo::Memo;
pub use snapshot::Snapshot;

pub use crate::scoring::methodology;

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use store::{Store, StoreError};
use tokio::sync::Notify;

/// How often a server asks the store whether its data has moved.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often live figures are read again.
pub const LIVE_EVERY: Duration = Duration::from_secs(5);

pub struct ReadModel {
    store: Store,
    snapshot: ArcSwap<Snapshot>,
    live: ArcSwap<Live>,
    /// One build of each at a time.
    building: tokio::sync::Mutex<()>,
    building_live: tokio::sync::Mutex<()>,
    /// A write made here: check at once rather than at the next tick.
    wake: Arc<Notify>,
}

/// A snapshot of what the store holds now, its build counted and timed.
async fn built(store: &Store) -> Result<Snapshot, StoreError> {
    let started = Instant::now();
    let fresh = Snapshot::build(store).await?;
    metrics::counter!("dxmon_snapshot_builds_total").increment(1);
    metrics::histogram!("dxmon_snapshot_build_seconds").record(started.elapsed().as_secs_f64());
    metrics::gauge!("dxmon_snapshot_version").set(fresh.version as f64);
    tracing::info!(
        version = fresh.version,
        values = fresh.facts.values.len(),
        took_ms = started.elapsed().as_millis() as u64,
        "read model built"
    );
    Ok(fresh)
}

impl ReadModel {
    /// Builds the first snapshots: a server answers from the start with what the store
    /// holds.
    pub async fn open(store: Store) -> Result<Arc<ReadModel>, StoreError> {
        let snapshot = built(&store).await?;
        let live = Live::build(&store, chrono::Utc::now()).await?;
        Ok(Arc::new(ReadModel {
            store,
            snapshot: ArcSwap::from_pointee(snapshot),
            live: ArcSwap::from_pointee(live),
            building: tokio::sync::Mutex::new(()),
            building_live: tokio::sync::Mutex::new(()),
            wake: Arc::new(Notify::new()),
        }))
    }

    /// The snapshot now: never waits.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    pub fn live(&self) -> Arc<Live> {
        self.live.load_full()
    }

    /// Says that this server wrote what pages show: the next check comes at once.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    /// Builds a new snapshot if the store's data has moved since the current one was
    /// built, and no other build is under way. Whether one was swapped in.
    pub async fn refresh(&self) -> Result<bool, StoreError> {
        let Ok(_building) = self.building.try_lock() else { return Ok(false) };
        let version = self.store.data_version().await?;
        if version == self.snapshot.load().version {
            return Ok(false);
        }
        let fresh = built(&self.store).await?;
        self.snapshot.store(Arc::new(fresh));
        Ok(true)
    }

    /// Reads the live figures again.
    pub async fn refresh_live(&self) -> Result<(), StoreError> {
        let Ok(_building) = self.building_live.try_lock() else { return Ok(()) };
        let fresh = Live::build(&self.store, chrono::Utc::now()).await?;
        self.live.store(Arc::new(fresh));
        Ok(())
    }

    /// Waits until the snapshot reflects the store's current data, building it if need
    /// be: for a caller that has just written and must read its own write (tests, a
    /// command that imports then serves).
    pub async fn caught_up(&self) -> Result<(), StoreError> {
        loop {
            let version = self.store.data_version().await?;
            if self.snapshot.load().version >= version {
                return Ok(());
            }
            if !self.refresh().await? {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }

    /// Keeps the snapshots fresh for as long as the model lives: checks the store's
    /// version every `CHECK_EVERY` (at once after `changed`), reads live figures every
    /// `LIVE_EVERY`. A failure is logged and tried again at the next tick.
    pub fn keep_fresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut last_live = Instant::now();
            loop {
                let Some(model) = weak.upgrade() else { return };
                let (open, idle) = model.store.pool_stats();
                metrics::gauge!("dxmon_db_connections", "state" => "idle").set(idle as f64);
                metrics::gauge!("dxmon_db_connections", "state" => "in_use")
                    .set(open.saturating_sub(idle as u32) as f64);
                if let Err(e) = model.refresh().await {
                    tracing::warn!(error = %e, "the read model could not be rebuilt");
                }
                if last_live.elapsed() >= LIVE_EVERY {
                    last_live = Instant::now();
                    if let Err(e) = model.refresh_live().await {
                        tracing::warn!(error = %e, "live figures could not be read");
                    }
                }
                // Not kept alive by its own waiting.
                let wake = model.wake.clone();
                drop(model);
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(CHECK_EVERY) => {}
                }
            }
        })
    }
}
