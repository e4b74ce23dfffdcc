//! Statements of many rows at once: what makes storing many records cost one round trip
//! to the database for each thousand, not one for each.

use crate::conn::Conn;

/// Splits `items` into statements of a few fixed sizes: `max`, then powers of two. Each
/// size is prepared once and kept, so a connection holds a handful of statements
/// rather than one per size a batch happened to have (which would grow the server's
/// memory with the traffic, and prepare a large statement for nearly every batch).
pub(crate) fn fixed_chunks<T>(items: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let size = if rest.len() >= max { max } else { 1 << rest.len().ilog2() };
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

/// `rows` tuples of `per_row` parameters, numbered (`$1`, for PostgreSQL) or plain
/// (`?`, for SQLite: binding numbered parameters costs time in proportion to their
/// count, which makes a statement of thousands quadratic).
pub(crate) fn placeholders(numbered: bool, rows: usize, per_row: usize) -> String {
    let mut sql = String::with_capacity(rows * per_row * 5);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for i in 0..per_row {
            if i > 0 {
                sql.push(',');
            }
            if numbered {
                sql.push('$');
                sql.push_str(&(r * per_row + i + 1).to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

pub(crate) fn numbered(c: &Conn<'_>) -> bool {
    matches!(c, Conn::Postgres(_))
}

/// `WITH keys (names…) AS (VALUES …)`: a table of `rows` keys to join the stored rows
/// against. Looking keys up with `(a, b) IN (VALUES …)` instead reads well but SQLite
/// answers it by scanning the whole index once per statement, which makes a large
/// import quadratic; a join searches the index once per key on both databases.
pub(crate) fn keys_table(numbered: bool, names: &[&str], rows: usize) -> String {
    format!("WITH keys ({}) AS (VALUES {})", names.join(", "), placeholders(numbered, rows, names.len()))
}

/// The text of a statement for each size of chunk, made once per size: a statement of
/// thousands of parameters costs as much to write out as to run.
pub(crate) struct BySize<F> {
    make: F,
    made: Vec<(usize, String)>,
}

impl<F: Fn(usize) -> String> BySize<F> {
    pub(crate) fn new(make: F) -> Self {
        BySize { make, made: Vec::new() }
    }

    pub(crate) fn get(&mut self, rows: usize) -> &str {
        let at = match self.made.iter().position(|(n, _)| *n == rows) {
            Some(at) => at,
            None => {
                self.made.push((rows, (self.make)(rows)));
                self.made.len() - 1
            }
        };
        &self.made[at].1
    }
}
