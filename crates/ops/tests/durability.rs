//! Acknowledged means durable. When a flush of SQLite's event log to disk fails, the
//! events of that commit are not acknowledged, and since a later flush that succeeds
//! proves nothing of them, no event is answered as stored, or as a duplicate of one that
//! may not be on disk, until the server restarts and reads what the disk holds.
//!
//! A test binary of its own: the injected failure is process-wide.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use model::UnitKey;
use model::access::{Principal, Role};
use ops::measure::{IngestError, Ingestor};
use store::StoreError;

/// Events `e{i}` for `ids`, all dated the same moment, so that a batch sent again says
/// the same.
fn batch(ids: std::ops::Range<usize>) -> Vec<u8> {
    static AT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| Utc::now().to_rfc3339());
    let now = &*AT;
    ids.map(|i| {
        format!(
            r#"{{"event_id":"e{i}","type":"dossier.received","unit":"ha-noi","procedure":"ho-tich.khai-sinh","dossier":"HS{i}","at":"{now}","channel":"online"}}"#
        )
    })
    .collect::<Vec<_>>()
    .join("\n")
    .into_bytes()
}

fn unavailable(result: Result<ops::measure::Outcome, IngestError>) -> bool {
    matches!(result, Err(IngestError::Store(StoreError::Unavailable(_))))
}

#[tokio::test]
async fn a_failed_flush_is_never_acknowledged_nor_called_a_duplicate() {
    let db = testkit::sqlite().await;
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let who = Principal {
        id: "token:1".into(),
        name: "hn".into(),
        role: Role::Machine,
        units: vec![UnitKey::parse("ha-noi").unwrap()],
    };
    let ingest = Ingestor::new(db.store.clone());
    let first = ingest.ingest(&who, batch(0..10), false, true).await.unwrap();
    assert_eq!(first.accepted, 10);

    fail::cfg("wal-flush", "return").unwrap();
    assert!(unavailable(ingest.ingest(&who, batch(10..20), false, true).await));
    fail::remove("wal-flush");
    // The disk answers again, but nothing committed meanwhile can be vouched for: the
    // retry is refused, not counted as a duplicate; so is anything new.
    assert!(unavailable(ingest.ingest(&who, batch(10..20), false, true).await));
    assert!(unavailable(ingest.ingest(&who, batch(20..30), false, true).await));
    assert!(ingest.failure().is_some_and(|why| why.contains("injected")));
    drop(ingest);

    // Restarted, the server takes what the disk holds: every event of the retried batch
    // is counted once, stored or new.
    let restarted = Ingestor::new(db.store.clone());
    assert!(restarted.failure().is_none());
    let retry = restarted.ingest(&who, batch(10..30), false, true).await.unwrap();
    assert_eq!(retry.accepted + retry.duplicate, 20, "{retry:?}");
    assert_eq!(retry.conflict, 0);
    assert_eq!(db.store.event_count().await.unwrap(), 30);
}
