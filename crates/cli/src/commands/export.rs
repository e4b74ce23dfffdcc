//! `dxmon export`: everything, every revision included, as files `dxmon import` reads.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Directory to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let data = store.everything().await?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, content) in dataset::write::files(&data) {
        let path = args.out.join(&name);
        std::fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let counts: Vec<String> = data.counts().iter().map(|(k, n)| format!("{n} {k}")).collect();
    println!("exported to {}: {}", args.out.display(), counts.join(", "));
    Ok(ExitCode::SUCCESS)
}
