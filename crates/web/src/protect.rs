//! What stands between the server and a careless or hostile client: who the client is
//! (its address, and whether it came over HTTPS, as a trusted proxy says), a rate limit
//! per client, secure headers on every response, and metrics for Prometheus at
//! `/metrics` (requests by route and status, and their durations).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Request as HttpRequest;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

use crate::Settings;
use crate::error::ApiError;

/// Who sent a request: the client's address (none for a request made in-process) and
/// whether it came over HTTPS. Behind a trusted proxy, what the proxy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<IpAddr>,
    pub https: bool,
}

impl Client {
    /// The address as a key: of rate limits, of sign-in attempts.
    pub fn key(&self) -> String {
        self.ip.map_or_else(|| "local".to_owned(), |ip| ip.to_string())
    }
}

/// The client behind `peer`: `peer` itself, unless it is a trusted proxy, in which case
/// the nearest address in `X-Forwarded-For` that is not a trusted proxy (the right-most
/// ones were added by our proxies; the left-most may be forged by anyone).
fn client_of(peer: Option<IpAddr>, forwarded_for: Option<&str>, proto: Option<&str>, settings: &Settings) -> Client {
    let Some(peer) = peer.filter(|ip| settings.trusts(*ip)) else {
        return Client { ip: peer, https: false };
    };
    let mut ip = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        let hop = hop.trim().trim_start_matches('[').split(']').next().unwrap_or("");
        match hop.parse::<IpAddr>() {
            Ok(h) => {
                ip = h;
                if !settings.trusts(h) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let https = proto.and_then(|p| p.rsplit(',').next()).is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    Client { ip: Some(ip), https }
}

/// Tells every request who its client is (`Client`, in its extensions).
pub async fn identify(State(settings): State<Arc<Settings>>, mut req: Request, next: Next) -> Response {
    let client = {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        client_of(peer, header("x-forwarded-for"), header("x-forwarded-proto"), &settings)
    };
    req.extensions_mut().insert(client);
    next.run(req).await
}

/// Limits each client by its address (as `identify` tells it). Requests without one
/// (in-process tests) share one bucket.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress;

impl KeyExtractor for ClientAddress {
    type Key = String;

    fn extract<T>(&self, req: &HttpRequest<T>) -> Result<Self::Key, GovernorError> {
        Ok(req.extensions().get::<Client>().map_or_else(|| "local".to_owned(), Client::key))
    }
}

pub type RateLimit = GovernorLayer<ClientAddress, governor::middleware::NoOpMiddleware, axum::body::Body>;

/// A rate limit per client: one request per `per`, with `burst` saved up. Beyond it,
/// 429 as problem details, with Retry-After.
pub fn rate_limit(per: Duration, burst: u32) -> Option<RateLimit> {
    let config =
        GovernorConfigBuilder::default().period(per).burst_size(burst.max(1)).key_extractor(ClientAddress).finish()?;
    Some(GovernorLayer::new(Arc::new(config)).error_handler(|e| {
        let wait = match &e {
            GovernorError::TooManyRequests { wait_time, .. } => Some(*wait_time),
            _ => None,
        };
        let mut response = ApiError::TooMany(wait.map_or_else(
            || "too many requests".to_owned(),
            |w| format!("too many requests from this address; try again in {} s", w.max(1)),
        ))
        .into_response();
        if let Some(w) = wait
            && let Ok(v) = axum::http::HeaderValue::from_str(&w.max(1).to_string())
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }))
}

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed once.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::warn!(error = %e, "metrics are not recorded");
                None
            }
        })
        .as_ref()
}

/// Refuses an address whose path, once decoded, holds a control character (no page
/// has one), or whose query holds NUL, which the database would refuse with an error of
/// its own (PostgreSQL takes no text with NUL). Other odd characters in a parameter are
/// for its own reading to refuse or ignore (a `back` that is not a path is ignored).
pub async fn plain_address(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let path_has_control = percent_decoded(uri.path()).iter().any(u8::is_ascii_control);
    let query_has_nul = uri
        .query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k.contains('\0') || v.contains('\0')));
    if path_has_control || query_has_nul {
        return ApiError::BadRequest("the address holds control characters".into()).into_response();
    }
    next.run(req).await
}

/// `%XX` escapes undone, bytes as they are otherwise.
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Counts each request and times it, by route (not by raw path, which would grow
/// without bound) and status.
pub async fn measure(req: Request, next: Next) -> Response {
    let start = Instant::now();
    // Labels must come from a small set, or a client sending made-up methods would grow
    // the metrics without bound.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("dxmon_http_requests_total", &labels).increment(1);
    metrics::histogram!("dxmon_http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    response
}

pub async fn metrics_page() -> Response {
    match prometheus() {
        Some(h) => ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response(),
        None => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "metrics are not recorded").into_response(),
    }
}
