//! Accounts, machine tokens and sessions: passwords hashed with argon2, tokens and
//! session ids random and kept only as their SHA-256, a locked account after repeated
//! failures, and who a request speaks for (`Principal`).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use model::UnitKey;
use model::access::{Principal, Role};
use sha2::{Digest, Sha256};
use store::{NewAudit, NewUser, Store, StoreError, Token, User};

use crate::work::{self, Kind};

/// Sign-in attempts per account name and client address: five failures in a row are
/// checked, then the pair is locked for one minute, then two, four, eight, and fifteen
/// at most; an hour without failure forgets them.
pub const LOGIN_RULE: store::LoginRule = store::LoginRule {
    failures: 5,
    lock: Duration::minutes(1),
    longest: Duration::minutes(15),
    forget: Duration::hours(1),
};
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;
/// Passwords longer than this are refused unchecked (no account has one).
pub const MAX_PASSWORD: usize = 1024;
pub const MIN_PASSWORD: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The one answer to a refused sign-in, whatever the cause (an unknown name, a wrong
/// password, too many failures): it never tells which.
pub fn refusal(lang: model::Lang) -> &'static str {
    lang.pick(
        "Tên đăng nhập hoặc mật khẩu không đúng. Sau 5 lần sai liên tiếp, việc đăng nhập từ máy này bị tạm khóa ít phút.",
        Some("Wrong username or password. After 5 failures in a row, signing in from this device is paused for a few minutes."),
    )
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A random secret: 32 bytes as hex, with a prefix that says what it is.
fn secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", hex::encode(bytes))
}

/// A hash to check against when there is no account, or the attempt may not be
/// checked: the same parameters as real hashes, so every refusal costs the same.
const NO_ACCOUNT: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAA";

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Invalid(format!("the password could not be hashed: {e}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// `hash_password` off the runtime, with the other hashes (see `crate::work`).
async fn hashed(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    work::run(Kind::Hash, move || hash_password(&password))
        .await
        .map_err(|e| AccountError::Invalid(format!("the password could not be hashed: {e}")))?
}

fn principal_of_user(u: &User) -> Principal {
    Principal { id: format!("user:{}", u.username), name: u.name.clone(), role: u.role, units: u.units.clone() }
}

fn principal_of_token(t: &Token) -> Principal {
    Principal { id: format!("token:{}", t.id), name: t.name.clone(), role: t.role, units: t.units.clone() }
}

/// Resolves unit names (keys, codes or any spelling) to keys, as of today.
async fn unit_keys(store: &Store, units: &[String]) -> Result<Vec<UnitKey>, AccountError> {
    let registry = crate::registry(store).await?;
    let mut out = Vec::new();
    for u in units {
        // group:KEY binds every unit that is or was in the group (a system that
        // reports for all provinces, before and after a merger).
        let found: Vec<UnitKey> = match u.strip_prefix("group:") {
            Some(g) => {
                let group = registry.group(g).ok_or_else(|| AccountError::Invalid(format!("unknown group '{g}'")))?;
                registry.members(&group.key).into_iter().map(|m| m.key.clone()).collect()
            }
            None => vec![registry.resolve(u, None).map_err(|e| AccountError::Invalid(e.to_string()))?.key.clone()],
        };
        for key in found {
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    Ok(out)
}

fn check_binding(role: Role, units: &[UnitKey]) -> Result<(), AccountError> {
    match (role.needs_units(), units.is_empty()) {
        (true, true) => Err(AccountError::Invalid(format!("a {role} is bound to at least one unit"))),
        (false, false) => Err(AccountError::Invalid(format!("a {role} is not bound to units"))),
        _ => Ok(()),
    }
}

/// Adds an account. `actor` is who does it, for the audit log.
pub async fn add_user(
    store: &Store,
    username: &str,
    name: &str,
    role: Role,
    units: &[String],
    password: &str,
    actor: &str,
) -> Result<i64, AccountError> {
    let valid = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !valid {
        return Err(AccountError::Invalid(format!(
            "'{username}' is not a username: use 1-64 characters a-z, 0-9, '.', '_' or '-'"
        )));
    }
    if role == Role::Machine {
        return Err(AccountError::Invalid("machines use tokens, not accounts: dxmon token create".into()));
    }
    plain("name", name)?;
    if password.chars().count() < MIN_PASSWORD {
        return Err(AccountError::Invalid(format!("the password needs at least {MIN_PASSWORD} characters")));
    }
    if password.len() > MAX_PASSWORD {
        return Err(AccountError::Invalid(format!("the password may have at most {MAX_PASSWORD} bytes")));
    }
    let units = unit_keys(store, units).await?;
    check_binding(role, &units)?;
    let new = NewUser {
        username: username.to_owned(),
        name: if name.trim().is_empty() { username.to_owned() } else { name.trim().to_owned() },
        role,
        password_hash: hashed(password).await?,
        units,
    };
    let id = store.add_user(&new).await?;
    store
        .record(&NewAudit {
            actor,
            action: "add_user",
            subject: format!("user:{username}"),
            unit: None,
            before: None,
            after: Some(format!("{} {}", role, store_units(&new.units))),
        })
        .await?;
    Ok(id)
}

/// A name a person reads: at most 200 characters, none of them control characters.
fn plain(field: &str, text: &str) -> Result<(), AccountError> {
    if text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(AccountError::Invalid(format!("the {field} has control characters or more than 200 characters")));
    }
    Ok(())
}

fn store_units(units: &[UnitKey]) -> String {
    units.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
}

/// Creates a token; returns its id and its text, which is shown once and not kept.
pub async fn create_token(
    store: &Store,
    name: &str,
    role: Role,
    units: &[String],
    actor: &str,
) -> Result<(i64, String), AccountError> {
    if name.trim().is_empty() {
        return Err(AccountError::Invalid("a token has a name saying whose system uses it".into()));
    }
    plain("name", name)?;
    if !matches!(role, Role::Machine | Role::Viewer) {
        return Err(AccountError::Invalid(format!("tokens are for machines and viewers, not for a {role}")));
    }
    let units = unit_keys(store, units).await?;
    check_binding(role, &units)?;
    let text = secret("dxm_");
    let id = store.add_token(name.trim(), &sha256_hex(&text), role, &units).await?;
    store
        .record(&NewAudit {
            actor,
            action: "create_token",
            subject: format!("token:{id}"),
            unit: None,
            before: None,
            after: Some(format!("{name} {role} {}", store_units(&units))),
        })
        .await?;
    Ok((id, text))
}

pub async fn revoke_token(store: &Store, id: i64, actor: &str) -> Result<bool, AccountError> {
    let done = store.revoke_token(id).await?;
    if done {
        store
            .record(&NewAudit {
                actor,
                action: "revoke_token",
                subject: format!("token:{id}"),
                unit: None,
                before: None,
                after: None,
            })
            .await?;
    }
    Ok(done)
}

/// Who a bearer token speaks for.
pub async fn token_principal(store: &Store, text: &str) -> Result<Option<Principal>, StoreError> {
    if !text.starts_with("dxm_") {
        return Ok(None);
    }
    Ok(store.token_by_hash(&sha256_hex(text)).await?.as_ref().map(principal_of_token))
}

/// A started session: the cookie's secret, the form token, and who it is.
pub struct SessionStart {
    pub secret: String,
    pub csrf: String,
    pub principal: Principal,
    pub expires: DateTime<Utc>,
}

/// Checks a sign-in from `client` (its address). The attempt is counted, and whether
/// it may be checked decided, before the password is: so parallel guesses are no
/// better than guesses one by one. An unknown name, a wrong password and an attempt
/// that may not be checked cost the same hash and get the same refusal.
#[tracing::instrument(skip_all, fields(client))]
pub async fn login(store: &Store, username: &str, password: &str, client: &str) -> Result<SessionStart, Refused> {
    // Control characters are in no name; PostgreSQL would refuse some of them.
    let name: String = username.trim().to_lowercase().chars().filter(|c| !c.is_control()).take(64).collect();
    let attempt = store.login_attempt(&name, client, &LOGIN_RULE).await?;
    let user = store.user_by_name(&name).await?.filter(|u| !u.disabled);
    let checked = attempt.may_check && password.len() <= MAX_PASSWORD;
    let hash = match &user {
        Some(u) if checked => u.password_hash.clone(),
        _ => NO_ACCOUNT.to_owned(),
    };
    let password: String = password.chars().take(MAX_PASSWORD).collect();
    let right = work::run(Kind::Hash, move || verify_password(&hash, &password))
        .await
        .map_err(|e| Refused::Store(StoreError::Unavailable(e.to_string())))?;
    let Some(user) = user.filter(|_| right && checked) else {
        return Err(Refused::Invalid);
    };
    store.login_succeeded(&name, client, &LOGIN_RULE).await?;
    let secret = secret("");
    let csrf = secret_short();
    let expires = Utc::now() + Duration::hours(SESSION_HOURS);
    store.create_session(&sha256_hex(&secret), user.id, &csrf, expires).await?;
    Ok(SessionStart { secret, csrf, principal: principal_of_user(&user), expires })
}

fn secret_short() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Refused; `refusal` says so, whatever the cause.
    #[error("login refused")]
    Invalid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who a session cookie speaks for, and the session's form token.
pub async fn session_principal(store: &Store, secret: &str) -> Result<Option<(Principal, String)>, StoreError> {
    Ok(store.session(&sha256_hex(secret)).await?.map(|(u, csrf)| (principal_of_user(&u), csrf)))
}

pub async fn logout(store: &Store, secret: &str) -> Result<(), StoreError> {
    store.end_session(&sha256_hex(secret)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("mật khẩu đủ dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "mật khẩu đủ dài"));
        assert!(!verify_password(&h, "mật khẩu sai"));
        assert!(!verify_password("not a hash", "x"));
        assert_ne!(secret("dxm_"), secret("dxm_"));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
