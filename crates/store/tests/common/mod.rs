//! A fresh database for each test: a SQLite file in a temporary directory, and, when
//! DXMON_TEST_POSTGRES_URL is set, a PostgreSQL schema of its own that is dropped
//! afterwards. Without the variable, PostgreSQL tests say that they were skipped.

// Test scaffolding: a failure to set up is a failed test.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use store::Store;

pub const POSTGRES_ENV: &str = "DXMON_TEST_POSTGRES_URL";

pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let options = SqliteConnectOptions::new().filename(dir.path().join("test.db"));
    let store = Store::open_sqlite(options, false).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    TestDb { store, _dir: Some(dir), schema: None }
}

pub async fn postgres() -> Option<TestDb> {
    let Ok(url) = std::env::var(POSTGRES_ENV) else {
        // Written past the test harness's capture, so that the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: PostgreSQL test needs {POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/test)"
        );
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Store::open_postgres(PgConnectOptions::from_str(&url).expect("PostgreSQL URL")).await.expect("connect");
    if let Store::Postgres(pool) = &admin {
        sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(pool).await.expect("create schema");
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url).expect("PostgreSQL URL").options([("search_path", schema.as_str())]);
    let store = Store::open_postgres(options).await.expect("connect to schema");
    store.migrate().await.expect("migrate PostgreSQL");
    Some(TestDb { store, _dir: None, schema: Some((url, schema)) })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, schema)) = self.schema.take() else { return };
        // Dropping runs outside the test's runtime, so it gets one of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                let Ok(options) = PgConnectOptions::from_str(&url) else { return };
                if let Ok(Store::Postgres(pool)) = Store::open_postgres(options).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&pool).await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// Defines `$name::sqlite` and `$name::postgres`, each running `$story(store)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $story:path),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let db = $crate::common::sqlite().await;
                    $story(db.store.clone()).await;
                }

                #[tokio::test]
                async fn postgres() {
                    let Some(db) = $crate::common::postgres().await else { return };
                    $story(db.store.clone()).await;
                }
            }
        )*
    };
}
