//! One connection type over both backends. Every query is written once and compiled
//! for each backend by `run!`, which hands the body a native connection; parameters
//! are collected as `Param`s so that dynamically built queries bind the same way.

use chrono::NaiveDate;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs `$body` with `$c` bound to the native connection of either backend. The body
/// is compiled twice, so it must use only what both backends support.
macro_rules! run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::conn::Conn::Sqlite($c) => {
                let $c: &mut sqlx::SqliteConnection = &mut **$c;
                $body
            }
            $crate::conn::Conn::Postgres($c) => {
                let $c: &mut sqlx::PgConnection = &mut **$c;
                $body
            }
        }
    };
}
pub(crate) use run;

/// Executes one statement on either backend; returns the number of rows affected.
macro_rules! exec {
    ($conn:expr, |$c:ident| $query:expr) => {
        $crate::conn::run!($conn, |$c| $query.execute(&mut *$c).await.map(|r| r.rows_affected()))
    };
}
pub(crate) use exec;

pub(crate) enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// A query parameter of a type both backends bind.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
    Date(NaiveDate),
}

/// A SELECT assembled from optional filters. Conditions are written with `?` for their
/// parameter, which becomes `$1`, `$2`, ... (both backends read `$n`).
pub(crate) struct Select {
    pub sql: String,
    pub params: Vec<Param>,
    has_where: bool,
}

impl Select {
    pub fn new(base: &str) -> Self {
        Select { sql: base.to_owned(), params: Vec::new(), has_where: false }
    }

    pub fn and(&mut self, condition: &str, params: impl IntoIterator<Item = Param>) -> &mut Self {
        let mut cond = String::new();
        let mut rest = condition;
        let mut params = params.into_iter();
        while let Some(i) = rest.find('?') {
            cond.push_str(&rest[..i]);
            if let Some(p) = params.next() {
                self.params.push(p);
            }
            cond.push_str(&format!("${}", self.params.len()));
            rest = &rest[i + 1..];
        }
        cond.push_str(rest);
        self.sql.push_str(if self.has_where { " AND " } else { " WHERE " });
        self.sql.push_str(&cond);
        self.has_where = true;
        self
    }

    /// Appends `ORDER BY columns`.
    pub fn order_by(&mut self, columns: &str) -> &mut Self {
        self.sql.push_str(" ORDER BY ");
        self.sql.push_str(columns);
        self
    }

    /// Appends LIMIT and OFFSET as parameters.
    pub fn page(&mut self, limit: i64, offset: i64) -> &mut Self {
        self.params.push(Param::Int(limit));
        self.params.push(Param::Int(offset));
        let n = self.params.len();
        self.sql.push_str(&format!(" LIMIT ${} OFFSET ${}", n - 1, n));
        self
    }
}

/// Binds `Select` parameters onto a query of either backend.
macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut q = $query;
        for p in $params {
            q = match p {
                $crate::conn::Param::Text(s) => q.bind(s.clone()),
                $crate::conn::Param::Int(i) => q.bind(*i),
                $crate::conn::Param::Date(d) => q.bind(*d),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut s = Select::new("SELECT * FROM units");
        s.and("kind = ?", [Param::Text("province".into())]);
        s.and("(valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR ? <= valid_to)", {
            let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            [Param::Date(d), Param::Date(d)]
        });
        s.order_by("key").page(10, 20);
        assert_eq!(
            s.sql,
            "SELECT * FROM units WHERE kind = $1 AND (valid_from IS NULL OR valid_from <= $2) AND (valid_to IS NULL OR $3 <= valid_to) ORDER BY key LIMIT $4 OFFSET $5"
        );
        assert_eq!(s.params.len(), 5);
    }
}
