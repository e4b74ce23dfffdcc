//! Work that keeps a processor busy (rendering a report or a workbook, reading an
//! upload, drawing thousands of weightings, inflating and checking a batch of events,
//! hashing a password) runs on blocking threads, never on the threads that answer
//! requests, and a bounded number of pieces at once: so a burst of heavy requests
//! queues instead of starving `/health` and the public pages, and never starts more
//! threads than the machine can run. Reports and the like leave one core to the rest;
//! event batches, the one heavy thing machines send all day, may use them all, as the
//! ingestion's throughput depends on it.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

/// The kinds of work, each with its own bound, so that one kind cannot hold every
/// thread another needs (sign-ins do not wait behind reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reports, workbooks, uploads, sensitivity draws.
    Compute,
    /// Event batches: inflating, checking, rolling up.
    Events,
    /// Password hashes: memory-hard by design, so fewer at once.
    Hash,
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

static COMPUTE: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(cores().saturating_sub(1).max(1))));
static EVENTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(cores())));
static HASH: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(cores().div_ceil(2))));

/// Why a piece of work gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The work panicked: a fault of ours, logged; the server goes on.
    #[error("the work failed: {0}")]
    Failed(String),
}

/// Runs `f` on a blocking thread once a slot of its kind is free. The slot is held by
/// the thread, not by the caller: a request that gives up waiting does not let more
/// work start than the bound.
pub async fn run<T: Send + 'static>(kind: Kind, f: impl FnOnce() -> T + Send + 'static) -> Result<T, WorkError> {
    let slots = match kind {
        Kind::Compute => &*COMPUTE,
        Kind::Events => &*EVENTS,
        Kind::Hash => &*HASH,
    };
    let slot = slots.clone().acquire_owned().await.map_err(|e| WorkError::Failed(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        f()
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "blocking work failed");
        WorkError::Failed(e.to_string())
    })
}

/// `run` for compute work.
pub async fn compute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, WorkError> {
    run(Kind::Compute, f).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_run_at_once_than_the_bound_and_a_panic_is_an_error() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(run(Kind::Hash, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let bound = cores().div_ceil(2);
        assert!(most.load(Ordering::SeqCst) <= bound, "{} at once, bound {bound}", most.load(Ordering::SeqCst));
        let failed = compute(|| -> u8 { panic!("a fault") }).await;
        assert!(matches!(failed, Err(WorkError::Failed(_))));
        assert_eq!(compute(|| 2 + 2).await.unwrap(), 4);
    }
}
