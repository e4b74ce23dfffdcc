//! One module per subcommand.

pub mod accounts;
pub mod bench;
pub mod bench_data;
pub mod check;
pub mod demo;
pub mod export;
pub mod import;
pub mod measure;
pub mod methodology;
pub mod rank;
pub mod report;
pub mod scores;
pub mod serve;

use std::io::Write;

use anyhow::Context;
use store::Store;

/// Writes a command's output. A reader that stops early (`dxmon rank ... | head`) is
/// not an error.
pub fn out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A data file's bytes, read no further than one byte past the largest file an
/// import takes: a larger one is then refused by the import, with its name, without
/// being read into memory whole.
pub fn read_data_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(dataset::fields::MAX_FILE as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

/// The database to work on: `--database`, else DXMON_DATABASE_URL, else `dxmon.db`
/// in the current directory.
#[derive(clap::Args, Clone)]
pub struct DatabaseArg {
    /// sqlite:PATH or postgres://USER@HOST/DB
    #[arg(long = "database", env = "DXMON_DATABASE_URL", default_value = "sqlite:dxmon.db", hide_env_values = true)]
    pub url: String,
}

impl std::fmt::Debug for DatabaseArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseArg").field("url", &self.shown()).finish()
    }
}

impl DatabaseArg {
    pub async fn open(&self) -> anyhow::Result<Store> {
        Store::connect(&self.url).await.with_context(|| format!("cannot open database {}", self.shown()))
    }

    /// The URL as it may be printed: without its password.
    pub fn shown(&self) -> String {
        store::redact_url(&self.url)
    }
}
