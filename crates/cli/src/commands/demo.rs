//! `dxmon demo`: a fresh SQLite database in a directory of its own, loaded with the
//! seed dataset that is built into the binary, then served.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use store::Store;

use super::serve::{ListenArgs, serve};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory for the demo database (a new one under the system's temporary
    /// directory if not given). It must not hold a database already.
    #[arg(long, env = "DXMON_DEMO_DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub listen: ListenArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = match args.dir {
        Some(d) => d,
        None => {
            let stamp = chrono_stamp();
            std::env::temp_dir().join(format!("dxmon-demo-{stamp}-{}", std::process::id()))
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let db = dir.join("dxmon.db");
    anyhow::ensure!(!db.exists(), "{} already holds a database; choose another --dir", dir.display());
    let url = format!("sqlite:{}", db.display());
    println!("demo database: {}", db.display());
    let store = Store::connect(&url).await.with_context(|| format!("cannot create {url}"))?;
    if !load_seed(&store).await? {
        anyhow::bail!("the built-in seed dataset did not load");
    }
    let token = demo_accounts(&store).await?;
    let simulator = super::measure::simulator(&store, demo_simulation(), history_start()).await?;
    let feeder_store = store.clone();
    serve(store, &args.listen, move |addr| {
        tokio::spawn(feed_demo(feeder_store, simulator, format!("http://{addr}"), token));
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's systems: a hundredth of the national volume of dossiers.
fn demo_simulation() -> ops::simulate::Settings {
    ops::simulate::Settings { seed: 2026, scale: 0.01, ..ops::simulate::Settings::default() }
}

/// The simulated history starts on the first of last month, so that a whole month has
/// ended and has measured values.
fn history_start() -> chrono::DateTime<chrono::Utc> {
    use chrono::Datelike;
    let today = model::measure::local_day(chrono::Utc::now());
    let last_month = today.with_day(1).and_then(|d| d.pred_opt()).and_then(|d| d.with_day(1)).unwrap_or(today);
    super::measure::local_midnight(last_month)
}

/// Sends the simulated history to the demo server through the API, as the units'
/// systems would, records the ended periods' measured values, then keeps sending live.
async fn feed_demo(store: Store, mut sim: ops::simulate::Simulator, url: String, token: String) {
    let mut sink = super::measure::Sink::Server { endpoint: format!("{url}/api/v1/events"), token };
    match super::measure::feed(&mut sim, &mut sink, 5000, chrono::Utc::now()).await {
        Ok((sent, accepted, _)) => println!("simulated systems sent {sent} events ({accepted} new); live feed running"),
        Err(e) => {
            eprintln!("the simulated feed stopped: {e:#}");
            return;
        }
    }
    if let Err(e) = ops::measure::publish_ended(&store, chrono::Utc::now()).await {
        eprintln!("measured values could not be recorded: {e}");
    }
    if let Err(e) = super::measure::live(&mut sim, &mut sink).await {
        eprintln!("the simulated feed stopped: {e:#}");
    }
}

/// Loads the seed dataset, reporting each file.
pub async fn load_seed(store: &Store) -> anyhow::Result<bool> {
    let files = crate::seed::files();
    super::import::import_all(store, &files, &mut std::io::stdout()).await
}

/// Accounts to try the workflow with, each with a fresh random password, printed once.
/// Returns the token of the simulated systems of every province and ministry.
async fn demo_accounts(store: &Store) -> anyhow::Result<String> {
    use model::access::Role;
    let accounts: [(&str, &str, Role, &[&str]); 4] = [
        ("quantri", "Quản trị hệ thống", Role::Admin, &[]),
        ("thamdinh", "Cán bộ thẩm định (Cục Chuyển đổi số quốc gia)", Role::Evaluator, &[]),
        ("hanoi", "Cán bộ báo cáo, TP. Hà Nội", Role::Reporter, &["ha-noi"]),
        ("bocongan", "Cán bộ báo cáo, Bộ Công an", Role::Reporter, &["bo-cong-an"]),
    ];
    let mut lines = String::from("demo accounts (passwords are new each run):\n");
    for (username, name, role, units) in accounts {
        let password: String = {
            use rand::RngExt;
            let mut rng = rand::rng();
            (0..14).map(|_| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[rng.random_range(0..32)])).collect()
        };
        let units: Vec<String> = units.iter().map(|u| (*u).to_owned()).collect();
        ops::accounts::add_user(store, username, name, role, &units, &password, "demo").await?;
        lines.push_str(&format!("  {username:<10} {password}  ({role})\n"));
    }
    let (_, token) = ops::accounts::create_token(
        store,
        "Hệ thống một cửa điện tử TP. Hà Nội (demo)",
        Role::Machine,
        &["ha-noi".to_owned()],
        "demo",
    )
    .await?;
    lines.push_str(&format!("  API token for TP. Hà Nội's system: {token}\n"));
    print!("{lines}");
    let (_, feeds) = ops::accounts::create_token(
        store,
        "Hệ thống một cửa điện tử của các bộ, tỉnh (giả lập)",
        Role::Machine,
        &["group:provinces".to_owned(), "group:ministries".to_owned()],
        "demo",
    )
    .await?;
    Ok(feeds)
}

fn chrono_stamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    now.to_string()
}
