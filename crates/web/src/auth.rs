//! Who a request speaks for: a session cookie (people, in the browser) or a bearer
//! token (machines, and scripts). A write made with a session must carry the session's
//! form token (the `csrf` field of a form, or the `X-CSRF-Token` header), so another
//! site cannot make the browser write on the user's behalf; a token needs none.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use model::access::Principal;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "dxmon_session";

#[derive(Debug, Clone)]
pub enum Via {
    Anonymous,
    Session { secret: String, csrf: String },
    Token,
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub via: Via,
}

impl Caller {
    /// The principal, or 401.
    pub fn require(&self) -> Result<&Principal, ApiError> {
        self.principal
            .as_ref()
            .ok_or_else(|| ApiError::Unauthorized("sign in, or send a token: Authorization: Bearer dxm_...".into()))
    }

    pub fn csrf(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf, .. } => Some(csrf),
            _ => None,
        }
    }

    /// A write through the API: with a session it needs the X-CSRF-Token header.
    pub fn for_api_write(&self, headers: &HeaderMap) -> Result<&Principal, ApiError> {
        let who = self.require()?;
        if let Via::Session { csrf, .. } = &self.via {
            let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|sent| same_token(sent, csrf)) {
                return Err(ApiError::Forbidden("a write with a session needs its X-CSRF-Token header".into()));
            }
        }
        Ok(who)
    }

    /// A form post: the form's `csrf` field must be the session's.
    pub fn for_form(&self, sent: &str) -> Result<&Principal, ApiError> {
        let who = self.require()?;
        match &self.via {
            Via::Session { csrf, .. } if same_token(sent, csrf) => Ok(who),
            Via::Session { .. } => {
                Err(ApiError::Forbidden("the form has expired; reload the page and try again".into()))
            }
            _ => Ok(who),
        }
    }
}

/// Whether a form token sent is the session's, compared in constant time: how long a
/// wrong guess takes to refuse says nothing of how much of it was right.
fn same_token(sent: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    sent.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            let principal = ops::accounts::token_principal(&state.store, token).await?;
            return match principal {
                Some(p) => Ok(Caller { principal: Some(p), via: Via::Token }),
                None => Err(ApiError::Unauthorized("the token is not valid or was revoked".into())),
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(SESSION_COOKIE) {
            let secret = cookie.value().to_owned();
            if let Some((principal, csrf)) = ops::accounts::session_principal(&state.store, &secret).await? {
                return Ok(Caller { principal: Some(principal), via: Via::Session { secret, csrf } });
            }
        }
        Ok(Caller { principal: None, via: Via::Anonymous })
    }
}

/// The session cookie: not readable by scripts, sent only to this site, and only over
/// HTTPS unless the server runs without it.
pub fn session_cookie(secret: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, secret);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c.set_max_age(cookie_age());
    c
}

fn cookie_age() -> cookie::time::Duration {
    cookie::time::Duration::hours(ops::accounts::SESSION_HOURS)
}

pub fn clear_cookie() -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, "");
    c.set_path("/");
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_tokens_are_compared_whole() {
        assert!(super::same_token("a1b2c3", "a1b2c3"));
        assert!(!super::same_token("a1b2c4", "a1b2c3"));
        assert!(!super::same_token("a1b2c", "a1b2c3"));
        assert!(!super::same_token("", "a1b2c3"));
    }
}
