//! A fresh database for each test: a SQLite file in a temporary directory, and, when
//! DXMON_TEST_POSTGRES_URL is set, a PostgreSQL schema of its own that is dropped
//! afterwards. Without the variable, PostgreSQL tests say that they were skipped.

// Test scaffolding: a failure to set up is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod fuzz;

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use model::collection::{Submission, SubmissionStatus, SubmittedValue};
use model::{Datum, Period, UnitKey};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use store::Store;

/// A small methodology in the file format with every rule, a view and a formula, over
/// indicators of the tests' own ("rate", "share", "meetings", "has_plan", "grade",
/// "load_time"): tests replace parts of its text to make each kind of mistake.
pub const METHODOLOGY: &str = include_str!("../fixtures/methodology.toml");

/// A draft submission of `unit` for `period` under `regime`, holding `values` as the
/// figures a reporter typed: what a filled template or form is made from in tests.
pub fn draft_submission(regime: &str, unit: &str, period: Period, values: &[(&str, Datum)]) -> Submission {
    let key = |what: &str, text: &str| -> String { format!("{what} '{text}' in a test fixture") };
    Submission {
        id: 0,
        regime: regime.parse().unwrap_or_else(|e| panic!("{}: {e}", key("regime", regime))),
        unit: UnitKey::parse(unit).unwrap_or_else(|e| panic!("{}: {e}", key("unit", unit))),
        period,
        status: SubmissionStatus::Draft,
        values: values
            .iter()
            .map(|(indicator, value)| SubmittedValue {
                indicator: indicator.parse().unwrap_or_else(|e| panic!("{}: {e}", key("indicator", indicator))),
                value: value.clone(),
                numerator: None,
                denominator: None,
                note: None,
            })
            .collect(),
        comment: None,
        updated_at: chrono::Utc::now(),
        first_submitted_at: None,
        decided_at: None,
        decided_by: None,
    }
}

pub const POSTGRES_ENV: &str = "DXMON_TEST_POSTGRES_URL";

pub struct TestDb {
    pub store: Store,
    /// A URL that reaches this database, for running the `dxmon` binary against it.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("test.db");
    let store = Store::open_sqlite(SqliteConnectOptions::new().filename(&path), false).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    TestDb { store, url: format!("sqlite:{}", path.display()), _dir: Some(dir), schema: None }
}

/// The base PostgreSQL URL, or None after saying that the test is skipped. Where
/// `DXMON_REQUIRE_POSTGRES` is set (CI sets it), a missing URL fails the test instead:
/// a skipped test must not pass for a run one.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("DXMON_REQUIRE_POSTGRES").is_some() => {
            panic!("DXMON_REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not: the PostgreSQL tests cannot run")
        }
        Err(_) => {
            // Written past the test harness's capture, so that the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "skipped: PostgreSQL test needs {POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

pub async fn postgres() -> Option<TestDb> {
    let base = postgres_url()?;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin =
        sqlx::PgPool::connect_with(PgConnectOptions::from_str(&base).expect("PostgreSQL URL")).await.expect("connect");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.expect("create schema");
    admin.close().await;
    let options =
        PgConnectOptions::from_str(&base).expect("PostgreSQL URL").options([("search_path", schema.as_str())]);
    let store = Store::open_postgres(options).await.expect("connect to schema");
    store.migrate().await.expect("migrate PostgreSQL");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Some(TestDb { store, url, _dir: None, schema: Some((base, schema)) })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, schema)) = self.schema.take() else { return };
        // Dropping runs outside the test's runtime, so it gets one of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                let Ok(options) = PgConnectOptions::from_str(&url) else { return };
                if let Ok(pool) = sqlx::PgPool::connect_with(options).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&pool).await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// The repository's seed dataset directory.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The shipped methodology files.
pub fn methodologies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../methodologies")
}

fn files_in(dir: &std::path::Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("seed directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "toml"))
        .map(|p| {
            (
                format!("{prefix}/{}", p.file_name().unwrap_or_default().to_string_lossy()),
                std::fs::read(&p).expect("seed file"),
            )
        })
        .collect();
    files.sort();
    files
}

/// The seed files, then the shipped methodologies, as (name, content), in name order:
/// what `dxmon demo` loads.
pub fn seed_files() -> Vec<(String, Vec<u8>)> {
    let mut files = files_in(&data_dir(), "data");
    files.extend(files_in(&methodologies_dir(), "methodologies"));
    files
}

/// Defines `$name::sqlite` and `$name::postgres`, each running `$story(db)` with a
/// fresh `TestDb`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $story:path),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let db = $crate::sqlite().await;
                    $story(&db).await;
                }

                #[tokio::test]
                async fn postgres() {
                    let Some(db) = $crate::postgres().await else { return };
                    $story(&db).await;
                }
            }
        )*
    };
}

/// Debian's Chromium for the browser tests. Without it a test says it was skipped,
/// unless DXMON_REQUIRE_CHROMIUM is set (as `.ci/run` does), when it fails.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        let out = std::process::Command::new("which").arg(name).output().ok()?;
        out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    });
    if found.is_none() {
        assert!(std::env::var_os("DXMON_REQUIRE_CHROMIUM").is_none(), "chromium is required but not installed");
        eprintln!("skipped: the browser test needs chromium (Debian package `chromium`)");
    }
    found
}

/// Where tests keep what a person may want to look at: screenshots, printed pages.
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts");
    std::fs::create_dir_all(&dir).expect("test-artifacts directory");
    dir
}
