//! dxmon's HTTP server: the JSON API under `/api/v1` (documented at
//! `/api/v1/openapi.json`), a health check, server-rendered pages and the periodic
//! report at `/reports/{period}`.

pub mod api;
pub mod auth;
pub mod error;
mod pages;
mod protect;
mod reports;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::routing::get;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach. The server keeps nothing else: state lives in the
/// database, so several servers can share one.
#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub settings: Settings,
    /// Takes in units' events; with SQLite, the one writer that batches them.
    pub ingest: Arc<ops::measure::Ingestor>,
}

/// How the server behaves, beyond its database.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Session cookies only over HTTPS. Off for a server on the local machine without TLS.
    pub secure_cookies: bool,
    /// Requests per second each client may make, and the burst it may save up.
    pub rate_per_second: u32,
    pub rate_burst: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { secure_cookies: true, rate_per_second: 50, rate_burst: 200 }
    }
}

impl AppState {
    /// The state for `store`; must be made inside the runtime (it may start the event
    /// writer).
    pub fn new(store: store::Store) -> Self {
        AppState::with_settings(store, Settings::default())
    }

    pub fn with_settings(store: store::Store, settings: Settings) -> Self {
        let ingest = Arc::new(ops::measure::Ingestor::new(store.clone()));
        AppState { store, settings, ingest }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    protect::prometheus();
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
    };
    let per_request = std::time::Duration::from_nanos(1_000_000_000 / u64::from(state.settings.rate_per_second.max(1)));
    let governor = GovernorConfigBuilder::default()
        .period(per_request)
        .burst_size(state.settings.rate_burst.max(1))
        .key_extractor(protect::ClientAddress)
        .finish()
        .map(|c| GovernorLayer::new(Arc::new(c)));
    let router = Router::new()
        .merge(pages::router())
        .route("/health", get(health))
        .route("/metrics", get(protect::metrics_page))
        .route("/reports/{period}", get(reports::report))
        .nest("/api/v1", api::router())
        .with_state(state)
        .layer(axum::middleware::from_fn(protect::measure))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let router = match governor {
        Some(g) => router.layer(g),
        None => router,
    };
    router
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "same-origin"))
        .layer(header(
            "content-security-policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .layer(RequestBodyLimitLayer::new(HARD_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http())
}

/// Bodies the API and forms read may be this large; uploads of workbooks, larger.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// No request body at all may be larger.
pub const HARD_BODY_LIMIT: usize = 8 * 1024 * 1024;

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> error::Result<&'static str> {
    if let Some(why) = state.ingest.failure() {
        return Err(error::ApiError::Unavailable(format!("events are not taken: a flush to disk failed ({why})")));
    }
    state.store.ping().await.map_err(|_| error::ApiError::Unavailable("the database is not available".into()))?;
    Ok("ok")
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
