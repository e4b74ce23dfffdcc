//! `dxmon report`: the periodic report, for the nation or one agency, as a printable
//! HTML page, Markdown or an Excel workbook.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use model::{Lang, Period};
use ops::report::ReportRequest;

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// The period: 2022, 2023-H1, 2024-Q2 or 2024-06.
    #[arg(long)]
    pub period: Period,
    #[arg(long, default_value = "vi")]
    pub lang: Lang,
    /// One agency's report: a unit by key, code or name.
    #[arg(long)]
    pub unit: Option<String>,
    /// html, md or xlsx.
    #[arg(long, default_value = "html")]
    pub format: report::Format,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let request = ReportRequest { period: args.period, unit: args.unit.clone(), lang: args.lang, as_of: None };
    let doc = ops::report::assemble(&store, &request).await?;
    let bytes = report::render(&doc, args.format, None)?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    super::out(&format!("{}: {} — {} ({} bytes)\n", args.out.display(), doc.title, doc.subtitle, bytes.len()))?;
    Ok(ExitCode::SUCCESS)
}
