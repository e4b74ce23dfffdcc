//! Trying again what failed for a passing reason: a deadlock or serialisation failure
//! in PostgreSQL, a database busy with another writer in SQLite. The failed transaction
//! left nothing, so the same work is simply done again, a little later each time.

use std::future::Future;
use std::time::Duration;

use crate::StoreError;

/// Tries after the first.
const RETRIES: u32 = 5;

fn pause(retry: u32) -> Duration {
    Duration::from_millis(20 * u64::from(retry))
}

/// Runs `work` until it succeeds, fails for good, or has been tried again `RETRIES` times.
pub(crate) async fn transient<T, F>(mut work: impl FnMut() -> F) -> Result<T, StoreError>
where
    F: Future<Output = Result<T, StoreError>>,
{
    let mut retry = 0;
    loop {
        match work().await {
            Err(e) if retry < RETRIES && e.is_transient() => {
                retry += 1;
                tokio::time::sleep(pause(retry)).await;
            }
            other => return other,
        }
    }
}

/// `transient` for a thread that may block.
pub(crate) fn transient_blocking<T>(mut work: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut retry = 0;
    loop {
        match work() {
            Err(e) if retry < RETRIES && e.is_transient() => {
                retry += 1;
                std::thread::sleep(pause(retry));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None))
    }

    #[test]
    fn tries_again_only_what_may_pass() {
        let mut calls = 0;
        let answer = transient_blocking(|| {
            calls += 1;
            if calls < 3 { Err(busy()) } else { Ok(calls) }
        });
        assert_eq!(answer.unwrap(), 3);
        let mut calls = 0;
        let answer: Result<(), _> = transient_blocking(|| {
            calls += 1;
            Err(StoreError::Conflict("taken".into()))
        });
        assert!(answer.is_err());
        assert_eq!(calls, 1, "a conflict is not tried again");
        let mut calls = 0;
        let answer: Result<(), _> = transient_blocking(|| {
            calls += 1;
            Err(busy())
        });
        assert!(answer.is_err());
        assert_eq!(calls, 1 + RETRIES, "tried again a bounded number of times");
    }
}
