//! A database made before a schema change keeps its records through the change.

// Test scaffolding: a failure to set up is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use store::Store;

const EVENT: &str = "INSERT INTO events (unit, event_id, kind, procedure, dossier, at, detail, flag, number, arrived)
                     VALUES (?, ?, 'received', 'P1', ?, 1000, 'online', 1, NULL, ?)";

/// Applies the SQLite migrations numbered up to `last`, as an older dxmon would have.
async fn migrate_up_to(pool: &SqlitePool, last: u32, scratch: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    std::fs::create_dir_all(scratch).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let number: u32 = name[..4].parse().unwrap();
        if number <= last {
            std::fs::copy(&path, scratch.join(&name)).unwrap();
        }
    }
    Migrator::new(scratch).await.unwrap().run(pool).await.unwrap();
}

#[tokio::test]
async fn events_stored_before_the_arrival_layout_are_kept_and_still_unique() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let options = SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let old = SqlitePool::connect_with(options.clone()).await.unwrap();
    migrate_up_to(&old, 5, &dir.path().join("migrations")).await;
    // Stored in key order, arrived in another.
    for (id, arrived) in [("a-1", 30), ("b-1", 10), ("c-1", 20)] {
        sqlx::query(EVENT).bind("P01").bind(id).bind(id).bind(arrived).execute(&old).await.unwrap();
    }
    old.close().await;

    let store = Store::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert_eq!(store.event_count().await.unwrap(), 3);
    store.close().await;

    let pool = SqlitePool::connect_with(options).await.unwrap();
    let rows: Vec<(String, String, i64, String, i64)> =
        sqlx::query_as("SELECT event_id, dossier, at, detail, arrived FROM events ORDER BY rowid")
            .fetch_all(&pool)
            .await
            .unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ids, ["b-1", "c-1", "a-1"], "kept in the order they arrived");
    assert!(rows.iter().all(|r| r.0 == r.1 && r.2 == 1000 && r.3 == "online"), "every column kept: {rows:?}");

    // The key is still unique, and the conflict target the writers use still names it.
    let again = format!("{EVENT} ON CONFLICT (unit, event_id) DO NOTHING");
    let done = sqlx::query(&again).bind("P01").bind("a-1").bind("a-1").bind(40).execute(&pool).await.unwrap();
    assert_eq!(done.rows_affected(), 0);
    let other_unit = sqlx::query(&again).bind("P02").bind("a-1").bind("a-1").bind(40).execute(&pool).await.unwrap();
    assert_eq!(other_unit.rows_affected(), 1);
    assert!(sqlx::query(EVENT).bind("P01").bind("b-1").bind("b-1").bind(50).execute(&pool).await.is_err());
}
