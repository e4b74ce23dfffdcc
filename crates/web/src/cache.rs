//! HTTP caching of public reads. What an anonymous reader is shown depends only on the
//! read model's snapshot, the live figures, the day, the address asked for and the
//! language chosen: together they make the answer's ETag. A client that sends it back
//! (`If-None-Match`) gets 304 without anything being computed; every answer tells
//! clients to ask again each time (`no-cache`), so none shows a figure the server has
//! since changed.

use std::hash::{Hash, Hasher};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::SESSION_COOKIE;
use crate::pages::LANG_COOKIE;

/// Paths whose answers differ by who asks, or change with every request: never tagged.
const PRIVATE: &[&str] =
    &["/health", "/metrics", "/login", "/logout", "/lang/", "/workspace", "/agency", "/api/v1/measurements/"];

/// Whether an anonymous reader's request for `path` can be answered from its tag.
fn public_read(req: &Request) -> bool {
    let path = req.uri().path();
    let anonymous = req.headers().get(header::AUTHORIZATION).is_none()
        && !req.headers().get_all(header::COOKIE).iter().any(|c| c.to_str().is_ok_and(|c| c.contains(SESSION_COOKIE)));
    matches!(*req.method(), Method::GET | Method::HEAD) && anonymous && !PRIVATE.iter().any(|p| path.starts_with(p))
}

/// The language cookie's value: the one thing of the request besides its address that
/// changes a public page.
fn lang_cookie(req: &Request) -> String {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|c| c.trim().strip_prefix(LANG_COOKIE).and_then(|v| v.strip_prefix('=')))
        .unwrap_or("")
        .to_owned()
}

fn tag(state: &AppState, req: &Request) -> HeaderValue {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    req.uri().path_and_query().map(|p| p.as_str()).hash(&mut hasher);
    lang_cookie(req).hash(&mut hasher);
    let live = state.read.live();
    live.version.hash(&mut hasher);
    model::measure::local_day(chrono::Utc::now()).hash(&mut hasher);
    let etag = format!("W/\"{}-{:x}\"", state.read.snapshot().version, hasher.finish());
    HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// ETag, `If-None-Match` and `Cache-Control` for public reads; `private, no-store` for
/// everything else.
pub async fn conditional(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !public_read(&req) {
        let mut response = next.run(req).await;
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return response;
    }
    let etag = tag(&state, &req);
    let matched = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == etag.to_str().unwrap_or("") || t.trim() == "*");
    let mut response = if matched { StatusCode::NOT_MODIFIED.into_response() } else { next.run(req).await };
    if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        let headers = response.headers_mut();
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Encoding"));
    }
    response
}
