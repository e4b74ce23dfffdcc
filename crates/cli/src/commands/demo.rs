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
    #[arg(long)]
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
    demo_accounts(&store).await?;
    serve(store, &args.listen).await?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the seed dataset, reporting each file.
pub async fn load_seed(store: &Store) -> anyhow::Result<bool> {
    let files = crate::seed::files();
    super::import::import_all(store, &files, &mut std::io::stdout()).await
}

/// Accounts to try the workflow with, each with a fresh random password, printed once.
async fn demo_accounts(store: &Store) -> anyhow::Result<()> {
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
    Ok(())
}

fn chrono_stamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    now.to_string()
}
