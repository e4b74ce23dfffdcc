//! dxmon's HTTP server: the JSON API under `/api/v1` (documented at
//! `/api/v1/openapi.json`), a health check, server-rendered pages and the periodic
//! report at `/reports/{period}`.

pub mod api;
pub mod auth;
mod cache;
pub mod error;
pub mod listen;
mod pages;
mod protect;
mod reports;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{And, DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach. State lives in the database, so several servers can
/// share one: the read model is a copy each keeps fresh from it.
#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub settings: Settings,
    /// Takes in units' events; with SQLite, the one writer that batches them.
    pub ingest: Arc<ops::measure::Ingestor>,
    /// What the public pages and read endpoints show, in memory.
    pub read: Arc<ops::read::ReadModel>,
}

/// How the server behaves, beyond its database.
#[derive(Debug, Clone)]
pub struct Settings {
    /// When the session cookie is marked Secure (sent over HTTPS only).
    pub cookies: CookieSecurity,
    /// Requests per second each client may make, and the burst it may save up.
    pub rate_per_second: u32,
    pub rate_burst: u32,
    /// Sign-in attempts per minute each client may make, and the burst: fewer than
    /// other requests, as each costs a password hash.
    pub logins_per_minute: u32,
    pub login_burst: u32,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed: the
    /// client's address and scheme are then what they say.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Limits on connections.
    pub limits: listen::Limits,
    /// Whether `/metrics` is served here (not when metrics have an address of their own).
    pub metrics_here: bool,
}

/// When the session cookie is marked Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// Always: the server is reached over HTTPS only.
    Always,
    /// When the request came over HTTPS (as a trusted proxy says): a server on the
    /// loopback address, reached directly in development or through a TLS proxy.
    IfHttps,
    /// Never (plain HTTP on a trusted network).
    Never,
}

impl CookieSecurity {
    pub fn secure(self, https: bool) -> bool {
        match self {
            CookieSecurity::Always => true,
            CookieSecurity::IfHttps => https,
            CookieSecurity::Never => false,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cookies: CookieSecurity::Always,
            rate_per_second: 50,
            rate_burst: 200,
            logins_per_minute: 30,
            login_burst: 10,
            trusted_proxies: Vec::new(),
            limits: listen::Limits::default(),
            metrics_here: true,
        }
    }
}

impl Settings {
    pub fn trusts(&self, ip: std::net::IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

impl AppState {
    /// The state for `store`: the event writer started (with SQLite), the read model
    /// built and kept fresh from then on.
    pub async fn new(store: store::Store) -> Result<Self, store::StoreError> {
        AppState::with_settings(store, Settings::default()).await
    }

    pub async fn with_settings(store: store::Store, settings: Settings) -> Result<Self, store::StoreError> {
        // Before anything records: the first snapshot's build counts too.
        protect::prometheus();
        let ingest = Arc::new(ops::measure::Ingestor::new(store.clone()));
        let read = ops::read::ReadModel::open(store.clone()).await?;
        read.keep_fresh();
        Ok(AppState { store, settings, ingest, read })
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    protect::prometheus();
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
    };
    let settings = Arc::new(state.settings.clone());
    let per_request = Duration::from_nanos(1_000_000_000 / u64::from(settings.rate_per_second.max(1)));
    let per_login = Duration::from_millis(60_000 / u64::from(settings.logins_per_minute.max(1)));
    let mut router = Router::new()
        .merge(pages::router(protect::rate_limit(per_login, settings.login_burst)))
        .route("/health", get(health))
        .route("/reports/{period}", get(reports::report));
    if settings.metrics_here {
        router = router.route("/metrics", get(protect::metrics_page));
    }
    let router = router
        .merge(api::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::conditional))
        .with_state(state)
        .layer(axum::middleware::from_fn(protect::measure))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let router = match protect::rate_limit(per_request, settings.rate_burst) {
        Some(g) => router.layer(g),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn_with_state(settings, protect::identify))
        .layer(axum::middleware::from_fn(protect::plain_address))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "same-origin"))
        .layer(header(
            "content-security-policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .layer(compression())
        .layer(RequestBodyLimitLayer::new(HARD_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http().make_span_with(telemetry::span))
        .layer(axum::middleware::from_fn(telemetry::request_id))
}

/// Pages, JSON and Markdown compressed for clients that take gzip; workbooks are
/// compressed already.
fn compression() -> CompressionLayer<And<DefaultPredicate, NotForContentType>> {
    CompressionLayer::new().compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    )
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

/// Serves `app` on `listener` until `shutdown` completes, within the settings' limits
/// on connections.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = state.settings.clone();
    let limits = settings.limits;
    listen::serve(listener, app(state), limits, move |ip| settings.trusts(ip), shutdown).await
}

/// Serves Prometheus metrics alone on `listener`, so that they can be kept off the
/// public address.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    protect::prometheus();
    let app = Router::new().route("/metrics", get(protect::metrics_page));
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
