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
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Send the session cookie over plain HTTP too. By default it is HTTPS-only, except
    /// on the loopback address, where there is no one to listen in.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Requests per second each client may make (with a burst of four times as many).
    #[arg(long, default_value_t = 50)]
    pub rate: u32,
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
    println!("dxmon is serving on http://{local}/  (API: http://{local}/api/v1/openapi.json)");
    ready(local);
    tokio::spawn(record_measured(store.clone()));
    let settings = web::Settings {
        secure_cookies: !(listen.insecure_cookies || listen.bind.is_loopback()),
        rate_per_second: listen.rate.max(1),
        rate_burst: listen.rate.max(1) * 4,
    };
    web::serve(listener, web::AppState::with_settings(store, settings), shutdown_signal()).await?;
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
