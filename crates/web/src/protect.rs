//! What stands between the server and a careless or hostile client: a rate limit per
//! client address, secure headers on every response, and metrics for Prometheus at
//! `/metrics` (requests by route and status, and their durations).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::Request as HttpRequest;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

/// Limits each client by its address; behind no proxy, that is the client. Requests
/// without one (in-process tests) share one bucket.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress;

impl KeyExtractor for ClientAddress {
    type Key = String;

    fn extract<T>(&self, req: &HttpRequest<T>) -> Result<Self::Key, GovernorError> {
        Ok(req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "local".to_owned(), |c| c.0.ip().to_string()))
    }
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

/// Counts each request and times it, by route (not by raw path, which would grow
/// without bound) and status.
pub async fn measure(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
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
