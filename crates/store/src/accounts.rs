//! Accounts, machine tokens and sessions. Passwords arrive hashed (argon2, by the
//! caller) and tokens and session ids as their SHA-256: nothing that grants access is
//! stored in the clear.

use chrono::{DateTime, SubsecRound, Utc};
use model::UnitKey;
use model::access::Role;

use crate::conn::{exec, run};
use crate::rows::{key, parse};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub units: Vec<UnitKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub units: Vec<UnitKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub units: Vec<UnitKey>,
}

/// How sign-in attempts are throttled, per account name and client address.
#[derive(Debug, Clone, Copy)]
pub struct LoginRule {
    /// Failures in a row that are checked before the pair is locked.
    pub failures: i64,
    /// The first lock; each lock after it lasts twice the one before...
    pub lock: chrono::Duration,
    /// ... up to this.
    pub longest: chrono::Duration,
    /// Failures and locks older than this are forgotten.
    pub forget: chrono::Duration,
}

/// Whether an attempt's password may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub may_check: bool,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    name: String,
    role: String,
    password_hash: String,
    disabled: bool,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn units_of(rows: Vec<(String,)>) -> Result<Vec<UnitKey>> {
    rows.into_iter().map(|(u,)| key("unit of an account", u)).collect()
}

impl Store {
    /// Adds an account; a username already taken is a conflict.
    pub async fn add_user(&self, u: &NewUser) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = {
            let c = &mut tx.conn();
            let taken: Option<(i64,)> = run!(c, |c| sqlx::query_as("SELECT id FROM users WHERE username = $1")
                .bind(&u.username)
                .fetch_optional(&mut *c)
                .await)?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!("the username '{}' is taken", u.username)));
            }
            let (id,): (i64,) = run!(c, |c| {
                sqlx::query_as(
                "INSERT INTO users (username, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
            )
            .bind(&u.username)
            .bind(&u.name)
            .bind(u.role.as_str())
            .bind(&u.password_hash)
            .bind(now())
            .fetch_one(&mut *c)
            .await
            })?;
            for unit in &u.units {
                exec!(c, |c| sqlx::query("INSERT INTO user_units (user_id, unit) VALUES ($1, $2)")
                    .bind(id)
                    .bind(unit.as_str()))?;
            }
            id
        };
        tx.commit().await?;
        Ok(id)
    }

    async fn user_where(&self, column: &str, value: UserKey<'_>) -> Result<Option<User>> {
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let sql = format!("SELECT id, username, name, role, password_hash, disabled FROM users WHERE {column} = $1");
        let row: Option<UserRow> = match value {
            UserKey::Id(id) => run!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?,
            UserKey::Name(n) => run!(c, |c| sqlx::query_as(&sql).bind(n).fetch_optional(&mut *c).await)?,
        };
        let Some(row) = row else { return Ok(None) };
        let units: Vec<(String,)> =
            run!(c, |c| sqlx::query_as("SELECT unit FROM user_units WHERE user_id = $1 ORDER BY unit")
                .bind(row.id)
                .fetch_all(&mut *c)
                .await)?;
        Ok(Some(User {
            id: row.id,
            username: row.username,
            name: row.name,
            role: parse("role", &row.role)?,
            password_hash: row.password_hash,
            disabled: row.disabled,
            units: units_of(units)?,
        }))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        self.user_where("username", UserKey::Name(username)).await
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        self.user_where("id", UserKey::Id(id)).await
    }

    /// Counts a sign-in attempt for `username` from `client` before its password is
    /// checked, and decides in the same statement whether it may be checked: no more
    /// than `rule.failures` in a row are, after which the pair is locked for a while that
    /// doubles with each lock (up to `rule.longest`). A lock that expires, or failures
    /// older than `rule.forget`, start the count again. Attempts while locked are not
    /// counted, so a lock ends when it says. Deciding in one statement means that
    /// parallel guesses cannot all be checked.
    pub async fn login_attempt(&self, username: &str, client: &str, rule: &LoginRule) -> Result<Attempt> {
        let now = Utc::now().timestamp_millis();
        let forget = now - rule.forget.num_milliseconds();
        let lock = rule.lock.num_milliseconds();
        let longest = rule.longest.num_milliseconds();
        let mut pooled = self.acquire().await?;
        let (failures, locked_until): (i64, i64) = run!(&mut pooled.conn(), |c| {
            sqlx::query_as(
            "INSERT INTO login_attempts (username, client, failures, locks, last_failure, locked_until)
             VALUES ($1, $2, 1, 0, $3, 0)
             ON CONFLICT (username, client) DO UPDATE SET
                 failures = CASE
                     WHEN login_attempts.locked_until > $3 THEN login_attempts.failures
                     WHEN login_attempts.locked_until > 0 OR login_attempts.last_failure < $4 THEN 1
                     ELSE login_attempts.failures + 1 END,
                 locks = CASE
                     WHEN login_attempts.locked_until > $3 THEN login_attempts.locks
                     WHEN login_attempts.last_failure < $4 THEN 0
                     WHEN login_attempts.locked_until = 0 AND login_attempts.failures >= $5
                         THEN login_attempts.locks + 1
                     ELSE login_attempts.locks END,
                 locked_until = CASE
                     WHEN login_attempts.locked_until > $3 THEN login_attempts.locked_until
                     WHEN login_attempts.last_failure >= $4 AND login_attempts.locked_until = 0
                         AND login_attempts.failures >= $5
                         THEN $3 + CASE
                             WHEN login_attempts.locks >= 4 THEN $7
                             WHEN $6 * CASE login_attempts.locks WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 ELSE 8 END > $7
                                 THEN $7
                             ELSE $6 * CASE login_attempts.locks WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 ELSE 8 END
                             END
                     ELSE 0 END,
                 last_failure = CASE WHEN login_attempts.locked_until > $3 THEN login_attempts.last_failure ELSE $3 END
             RETURNING failures, locked_until"
        )
        .bind(username)
        .bind(client)
        .bind(now)
        .bind(forget)
        .bind(rule.failures)
        .bind(lock)
        .bind(longest)
        .fetch_one(&mut *c)
        .await
        })?;
        Ok(Attempt { may_check: locked_until <= now && failures <= rule.failures })
    }

    /// A sign-in that succeeded: the pair's count starts again. Pairs long quiet are
    /// cleared at the same time, so the table does not grow with names tried once.
    pub async fn login_succeeded(&self, username: &str, client: &str, rule: &LoginRule) -> Result<()> {
        let now = Utc::now().timestamp_millis();
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        exec!(c, |c| sqlx::query("DELETE FROM login_attempts WHERE username = $1 AND client = $2")
            .bind(username)
            .bind(client))?;
        exec!(c, |c| sqlx::query("DELETE FROM login_attempts WHERE last_failure < $1 AND locked_until < $2")
            .bind(now - rule.forget.num_milliseconds())
            .bind(now))?;
        Ok(())
    }

    /// Stores a token by the SHA-256 of its text.
    pub async fn add_token(&self, name: &str, hash: &str, role: Role, units: &[UnitKey]) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = {
            let c = &mut tx.conn();
            let (id,): (i64,) = run!(c, |c| sqlx::query_as(
                "INSERT INTO api_tokens (name, hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
            )
            .bind(name)
            .bind(hash)
            .bind(role.as_str())
            .bind(now())
            .fetch_one(&mut *c)
            .await)?;
            for unit in units {
                exec!(c, |c| sqlx::query("INSERT INTO token_units (token_id, unit) VALUES ($1, $2)")
                    .bind(id)
                    .bind(unit.as_str()))?;
            }
            id
        };
        tx.commit().await?;
        Ok(id)
    }

    async fn token_units(&self, id: i64) -> Result<Vec<UnitKey>> {
        let mut pooled = self.acquire().await?;
        let units: Vec<(String,)> = run!(&mut pooled.conn(), |c| sqlx::query_as(
            "SELECT unit FROM token_units WHERE token_id = $1 ORDER BY unit"
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await)?;
        units_of(units)
    }

    fn token_of(row: TokenRow, units: Vec<UnitKey>) -> Result<Token> {
        Ok(Token {
            id: row.id,
            name: row.name,
            role: parse("token role", &row.role)?,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
            units,
        })
    }

    /// The token with this hash, unless revoked.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>> {
        let mut pooled = self.acquire().await?;
        let row: Option<TokenRow> = run!(&mut pooled.conn(), |c| sqlx::query_as(
            "SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL"
        )
        .bind(hash)
        .fetch_optional(&mut *c)
        .await)?;
        drop(pooled);
        match row {
            Some(row) => {
                let units = self.token_units(row.id).await?;
                Ok(Some(Self::token_of(row, units)?))
            }
            None => Ok(None),
        }
    }

    pub async fn tokens(&self) -> Result<Vec<Token>> {
        let rows: Vec<TokenRow> = {
            let mut pooled = self.acquire().await?;
            run!(&mut pooled.conn(), |c| sqlx::query_as(
                "SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id"
            )
            .fetch_all(&mut *c)
            .await)?
        };
        let mut out = Vec::new();
        for row in rows {
            let units = self.token_units(row.id).await?;
            out.push(Self::token_of(row, units)?);
        }
        Ok(out)
    }

    /// Revokes a token; false if there was no such token still in use.
    pub async fn revoke_token(&self, id: i64) -> Result<bool> {
        let mut pooled = self.acquire().await?;
        let n = exec!(&mut pooled.conn(), |c| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
        )
        .bind(id)
        .bind(now()))?;
        Ok(n == 1)
    }

    pub async fn create_session(&self, hash: &str, user: i64, csrf: &str, expires: DateTime<Utc>) -> Result<()> {
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        // Expired sessions are cleared as new ones start.
        exec!(c, |c| sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now()))?;
        exec!(c, |c| sqlx::query(
            "INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(hash)
        .bind(user)
        .bind(csrf)
        .bind(now())
        .bind(expires))?;
        Ok(())
    }

    /// The account and CSRF secret of a live session.
    pub async fn session(&self, hash: &str) -> Result<Option<(User, String)>> {
        let row: Option<(i64, String)> = {
            let mut pooled = self.acquire().await?;
            run!(&mut pooled.conn(), |c| sqlx::query_as(
                "SELECT user_id, csrf FROM sessions WHERE hash = $1 AND expires_at > $2"
            )
            .bind(hash)
            .bind(now())
            .fetch_optional(&mut *c)
            .await)?
        };
        let Some((user, csrf)) = row else { return Ok(None) };
        Ok(self.user(user).await?.filter(|u| !u.disabled).map(|u| (u, csrf)))
    }

    pub async fn end_session(&self, hash: &str) -> Result<()> {
        let mut pooled = self.acquire().await?;
        exec!(&mut pooled.conn(), |c| sqlx::query("DELETE FROM sessions WHERE hash = $1").bind(hash))?;
        Ok(())
    }
}

enum UserKey<'a> {
    Id(i64),
    Name(&'a str),
}
