//! `dxmon serve`: the API and pages over an existing database.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use store::Store;

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub listen: ListenArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ListenArgs {
    /// Address to listen on.
    #[arg(long, env = "DXMON_BIND", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "DXMON_PORT", default_value_t = 8080)]
    pub port: u16,
    /// When the session cookie is marked Secure (sent over HTTPS only). auto: always,
    /// except on a loopback address, where only when a trusted proxy says the request
    /// came over HTTPS (a TLS proxy in front, or development without one).
    #[arg(long, env = "DXMON_COOKIE_SECURE", value_enum, default_value_t = CookieMode::Auto)]
    pub cookie_secure: CookieMode,
    /// The same as --cookie-secure never.
    #[arg(long, env = "DXMON_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Requests per second each client may make (with a burst of four times as many).
    #[arg(long, env = "DXMON_RATE", default_value_t = 50)]
    pub rate: u32,
    /// Sign-in attempts per minute each client may make (with a burst of a third as many).
    #[arg(long, env = "DXMON_LOGIN_RATE", default_value_t = 30)]
    pub login_rate: u32,
    /// Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or
    /// networks (10.0.0.0/8), comma-separated. The client's address (for rate limits
    /// and sign-in attempts) and scheme are then what they say.
    #[arg(long, env = "DXMON_TRUSTED_PROXIES", value_delimiter = ',', value_parser = network)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// Seconds within which a request's head must arrive, from the connection's opening
    /// or its last answer (so idle kept-alive connections close after it too).
    #[arg(long, env = "DXMON_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds after which a connection on which nothing moves either way is closed.
    #[arg(long, env = "DXMON_IDLE_TIMEOUT", default_value_t = 60)]
    pub idle_timeout: u64,
    /// Connections open at once, in all.
    #[arg(long, env = "DXMON_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Connections open at once from one client address (trusted proxies excepted).
    #[arg(long, env = "DXMON_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 128)]
    pub max_connections_per_client: usize,
    /// Serve /metrics on this address (such as 127.0.0.1:9090) instead of the main one,
    /// so that it is not exposed with the site.
    #[arg(long, env = "DXMON_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieMode {
    Auto,
    Always,
    Never,
}

/// An address (a network of one) or a network.
fn network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("'{text}' is not an address or a network (10.0.0.0/8)"))
}

impl ListenArgs {
    fn settings(&self) -> web::Settings {
        let cookies = match (self.cookie_secure, self.insecure_cookies) {
            (_, true) | (CookieMode::Never, _) => web::CookieSecurity::Never,
            (CookieMode::Always, _) => web::CookieSecurity::Always,
            (CookieMode::Auto, _) if self.bind.is_loopback() => web::CookieSecurity::IfHttps,
            (CookieMode::Auto, _) => web::CookieSecurity::Always,
        };
        web::Settings {
            cookies,
            rate_per_second: self.rate.max(1),
            rate_burst: self.rate.max(1).saturating_mul(4),
            logins_per_minute: self.login_rate.max(1),
            login_burst: (self.login_rate / 3).max(1),
            trusted_proxies: self.trusted_proxy.clone(),
            limits: web::listen::Limits {
                header_timeout: std::time::Duration::from_secs(self.header_timeout.max(1)),
                idle_timeout: std::time::Duration::from_secs(self.idle_timeout.max(1)),
                max_connections: self.max_connections.max(1),
                max_per_client: self.max_connections_per_client.max(1),
            },
            metrics_here: self.metrics_addr.is_none(),
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(path) = args.database.url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//").split('?').next().unwrap_or(path);
        anyhow::ensure!(
            path.contains(":memory:") || std::path::Path::new(path).exists(),
            "no database at {path}; create one with `dxmon import` or try `dxmon demo`"
        );
    }
    let store = args.database.open().await?;
    serve(store, &args.listen, |_| {}).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serves `store` until Ctrl-C or SIGTERM, printing the address once listening and
/// handing it to `ready`. Meanwhile, every ten minutes, the measured rates of the
/// periods that have just ended are recorded as indicator values.
pub async fn serve(store: Store, listen: &ListenArgs, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let addr = SocketAddr::new(listen.bind, listen.port);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    if let Some(metrics) = listen.metrics_addr {
        let listener =
            tokio::net::TcpListener::bind(metrics).await.with_context(|| format!("cannot listen on {metrics}"))?;
        println!("metrics on http://{}/metrics", listener.local_addr()?);
        tokio::spawn(async move {
            if let Err(e) = web::serve_metrics(listener, shutdown_signal()).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    println!("dxmon is serving on http://{local}/  (API: http://{local}/api/v1/openapi.json)");
    ready(local);
    tokio::spawn(record_measured(store.clone()));
    let state = web::AppState::with_settings(store, listen.settings()).await?;
    web::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Records the measured values of ended periods now and every ten minutes.
async fn record_measured(store: Store) {
    loop {
        match ops::measure::publish_ended(&store, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(values = n, "measured values recorded"),
            Err(e) => tracing::warn!(error = %e, "measured values could not be recorded"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
