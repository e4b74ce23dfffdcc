//! `dxmon`: measures, monitors and reports a national digital-transformation
//! programme. Run `dxmon demo` for the seed dataset on a local server.

mod commands;
mod seed;

use clap::{Parser, Subcommand};

/// Large imports and many small requests allocate in the millions: the system allocator
/// spends more time consolidating its free lists than the database spends writing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "dxmon", version, about = "Measure, monitor and report a national digital-transformation programme")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a fresh database with the seed dataset and serve it.
    Demo(commands::demo::Args),
    /// Serve the API and pages over an existing SQLite or PostgreSQL database.
    Serve(commands::serve::Args),
    /// Load CSV or TOML files (or directories of them) into the database.
    Import(commands::import::Args),
    /// Write everything in the database to a directory of CSV and TOML files.
    Export(commands::export::Args),
    /// List figures that contradict themselves.
    Check(commands::check::Args),
    /// Check methodology files.
    #[command(subcommand)]
    Methodology(commands::methodology::Command),
    /// Rank a group by a methodology, or by one indicator.
    Rank(commands::rank::Args),
    /// One unit's scores under a methodology, and what would raise it most.
    Scores(commands::scores::Args),
    /// The periodic report, for the nation or one agency: HTML, Markdown or Excel.
    Report(commands::report::Args),
    /// Accounts for people.
    #[command(subcommand)]
    User(commands::accounts::UserCommand),
    /// API tokens for units' systems.
    #[command(subcommand)]
    Token(commands::accounts::TokenCommand),
    /// Generate units' events: into the database, to a server, or to a file.
    Simulate(commands::measure::SimulateArgs),
    /// Roll-ups of measured events.
    #[command(subcommand)]
    Rollup(commands::measure::RollupCommand),
    /// Measured indicator values.
    #[command(subcommand)]
    Measure(commands::measure::MeasureCommand),
    /// The ingestion benchmark's pieces (bench/ingest.sh runs them).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DXMON_LOG")
                .unwrap_or_else(|_| "warn,dxmon=info,web=info,ops=info".into()),
        )
        .with_writer(std::io::stderr);
    // One JSON object a line, for a log collector; readable lines otherwise.
    if std::env::var("DXMON_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args).await,
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Import(args) => commands::import::run(args).await,
        Command::Export(args) => commands::export::run(args).await,
        Command::Check(args) => commands::check::run(args).await,
        Command::Methodology(command) => commands::methodology::run(command).await,
        Command::Rank(args) => commands::rank::run(args).await,
        Command::Scores(args) => commands::scores::run(args).await,
        Command::Report(args) => commands::report::run(args).await,
        Command::User(command) => commands::accounts::user(command).await,
        Command::Token(command) => commands::accounts::token(command).await,
        Command::Simulate(args) => commands::measure::simulate(args).await,
        Command::Rollup(command) => commands::measure::rollup(command).await,
        Command::Measure(command) => commands::measure::measure(command).await,
        Command::Bench(command) => commands::bench::run(command).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
