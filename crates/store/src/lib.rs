//! dxmon's persistence on SQLite (embedded, the default) and PostgreSQL (production).
//!
//! One crate, one `Store` enum over the two pools. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`, kept in step where the engines agree);
//! every query is written once in SQL both accept and compiled for each backend (see
//! `conn::run!`). Queries are checked at run time by the tests, which run against both
//! backends.

mod accounts;
mod bulk;
mod collection;
mod conn;
mod measure;
mod read;
mod retry;
mod rows;
mod write;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{Attempt, LoginRule, NewUser, Token, User};
pub use collection::{AuditEntry, AuditFilter, NewAudit, SubmissionFilter};
pub use measure::{Checkpointer, EventSink, EventWriter, Failure, Feed, RollupSnapshot, WithFee, WriteAheadLog};
pub use read::{IndicatorFilter, Page, Paged, TargetFilter, TaskFilter, UnitFilter, ValueFilter};
pub use write::ApplyReport;

use conn::{Pooled, Tx};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The write-ahead log is started again from its beginning once it holds this many
/// pages (1 GiB) rather than SQLite's 1.000. While events stream in, the same pages are
/// written by commit after commit; a log that is rarely restarted lets each be copied
/// back into the database file once for many commits. The price: a log of up to 1 GiB
/// beside the database, read again when a server starts after a crash.
const WAL_CHECKPOINT_PAGES: u32 = 262_144;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL '{}'; use sqlite:PATH or postgres://USER@HOST/DB", redact_url(.0))]
    Url(String),
    #[error(
        "no schema of the search path ({0}) exists in the database: create it first (psql -c 'CREATE SCHEMA name')"
    )]
    NoSchema(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The state of what is stored does not allow the write (a name taken, a revision
    /// already stored, a submission changed meanwhile).
    #[error("{0}")]
    Conflict(String),
    /// The store cannot take this now (its disk failed, its writer stopped); a client
    /// may try again later, against this server after a restart or another one.
    #[error("{0}")]
    Unavailable(String),
    /// What was given cannot be stored as it is (it names what does not exist, it
    /// leaves out what is required); sending it again will not help.
    #[error("{0}")]
    Invalid(String),
    #[error("could not write to disk: {0}")]
    Disk(#[from] std::io::Error),
}

/// What a failure means to the one who asked, whichever backend raised it: what a web
/// answer or a retry decides on, never on the variant or the database's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What was asked for does not exist.
    NotFound,
    /// The stored state does not allow this write; reload and decide again.
    Conflict,
    /// The request cannot be stored as it is.
    Invalid,
    /// Not now: the database is busy or gone, the disk or the writer failed. The same
    /// request may succeed later.
    Unavailable,
    /// A fault of the server or of the stored data.
    Internal,
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::Conflict(_) => ErrorKind::Conflict,
            StoreError::Invalid(_) => ErrorKind::Invalid,
            StoreError::Unavailable(_) | StoreError::Disk(_) => ErrorKind::Unavailable,
            e if e.is_transient() => ErrorKind::Unavailable,
            StoreError::Database(sqlx::Error::Database(e)) => match e.kind() {
                sqlx::error::ErrorKind::UniqueViolation => ErrorKind::Conflict,
                sqlx::error::ErrorKind::ForeignKeyViolation
                | sqlx::error::ErrorKind::NotNullViolation
                | sqlx::error::ErrorKind::CheckViolation => ErrorKind::Invalid,
                _ => ErrorKind::Internal,
            },
            StoreError::Database(sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => ErrorKind::Unavailable,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.extended_code {
                // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
                2067 | 1555 => ErrorKind::Conflict,
                // SQLITE_CONSTRAINT_FOREIGNKEY, _CHECK, _NOTNULL
                787 | 275 | 1299 => ErrorKind::Invalid,
                _ if e.code == rusqlite::ErrorCode::DiskFull || e.code == rusqlite::ErrorCode::SystemIoFailure => {
                    ErrorKind::Unavailable
                }
                _ => ErrorKind::Internal,
            },
            _ => ErrorKind::Internal,
        }
    }

    /// Whether trying again may succeed: a deadlock or serialisation failure in
    /// PostgreSQL, a busy database in SQLite. The failed transaction left nothing.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40P01" | "40001" | "5" | "517" | "6"))
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A database URL fit to print or log: a password in it, after the user name or as a
/// `password=` parameter, is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        let authority_end = out[rest..].find(['/', '?']).map_or(out.len(), |i| rest + i);
        if let Some(at) = out[rest..authority_end].rfind('@').map(|i| rest + i)
            && let Some(colon) = out[rest..at].find(':').map(|i| rest + i)
        {
            out.replace_range(colon + 1..at, "***");
        }
    }
    if let Some(query) = out.find('?') {
        let (head, tail) = out.split_at(query + 1);
        let params: Vec<String> = tail
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_owned(),
            })
            .collect();
        out = format!("{head}{}", params.join("&"));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Opens `sqlite:PATH` (created if missing) or `postgres://...`, and brings the
    /// schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        let store = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?;
            Store::open_sqlite(options, url.contains(":memory:")).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::open_postgres(PgConnectOptions::from_str(url)?).await?
        } else {
            return Err(StoreError::Url(url.to_owned()));
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A SQLite database in WAL mode, with foreign keys enforced; every commit is flushed
    /// to disk before it returns, so what was acknowledged survives a crash. An in-memory database
    /// lives in one connection, so its pool holds only one.
    pub async fn open_sqlite(options: SqliteConnectOptions, in_memory: bool) -> Result<Store> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // A 32 MiB page cache per connection: the event writer's B-trees stay in
            // memory, and memory stays bounded however many events are stored.
            .pragma("cache_size", "-32768")
            .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES.to_string());
        let pool =
            SqlitePoolOptions::new().max_connections(if in_memory { 1 } else { 8 }).connect_with(options).await?;
        Ok(Store::Sqlite(pool))
    }

    /// A PostgreSQL pool. The schema its search path names must exist: tables would
    /// otherwise have nowhere to go.
    pub async fn open_postgres(options: PgConnectOptions) -> Result<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let (schema,): (Option<String>,) = sqlx::query_as("SELECT current_schema()").fetch_one(&pool).await?;
        if schema.is_none() {
            let (path,): (String,) = sqlx::query_as("SHOW search_path").fetch_one(&pool).await?;
            pool.close().await;
            return Err(StoreError::NoSchema(path));
        }
        Ok(Store::Postgres(pool))
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }

    /// Connections of the pool: open, and idle among them.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self {
            Store::Sqlite(p) => (p.size(), p.num_idle()),
            Store::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut pooled = self.acquire().await?;
        conn::exec!(&mut pooled.conn(), |c| sqlx::query("SELECT 1"))?;
        Ok(())
    }

    async fn acquire(&self) -> Result<Pooled> {
        Ok(match self {
            Store::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Store::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }

    async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{ErrorKind, StoreError, redact_url};

    /// A constraint the database enforces means the same to the caller as the store's
    /// own refusal: a taken key is a conflict, a missing reference is invalid input.
    #[test]
    fn constraint_failures_have_their_meaning() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE unit (key TEXT PRIMARY KEY);
             CREATE TABLE value (unit TEXT NOT NULL REFERENCES unit(key), v REAL CHECK (v >= 0));
             INSERT INTO unit VALUES ('ha-noi');",
        )
        .unwrap();
        let kind = |sql: &str| StoreError::from(conn.execute(sql, []).unwrap_err()).kind();
        assert_eq!(kind("INSERT INTO unit VALUES ('ha-noi')"), ErrorKind::Conflict);
        assert_eq!(kind("INSERT INTO value VALUES ('hue', 1)"), ErrorKind::Invalid);
        assert_eq!(kind("INSERT INTO value VALUES ('ha-noi', -1)"), ErrorKind::Invalid);
        assert_eq!(kind("INSERT INTO value VALUES (NULL, 1)"), ErrorKind::Invalid);
        assert_eq!(kind("INSERT INTO nowhere VALUES (1)"), ErrorKind::Internal);
        assert_eq!(StoreError::NotFound("no submission 9".into()).kind(), ErrorKind::NotFound);
        assert_eq!(StoreError::Unavailable("the writer stopped".into()).kind(), ErrorKind::Unavailable);
    }

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact_url("postgres://app:s3cr:t@db.example:5432/dx"), "postgres://app:***@db.example:5432/dx");
        assert_eq!(
            redact_url("postgres://app@db/dx?password=s3cret&sslmode=require"),
            "postgres://app@db/dx?password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://app@db/dx"), "postgres://app@db/dx");
        assert_eq!(redact_url("sqlite:dxmon.db"), "sqlite:dxmon.db");
        assert_eq!(
            redact_url("postgresql://u:p@h/d?options=-c%20search_path%3Dx"),
            "postgresql://u:***@h/d?options=-c%20search_path%3Dx"
        );
    }
}
