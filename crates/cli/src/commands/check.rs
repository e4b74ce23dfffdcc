//! `dxmon check`: figures that contradict themselves. Exits with 1 when it finds any
//! contradiction, so that it can guard a pipeline.

use std::process::ExitCode;

use model::Lang;
use score::check::{Finding, Severity};

use super::DatabaseArg;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Language of the messages: vi or en.
    #[arg(long, default_value = "vi")]
    pub lang: Lang,
    /// Also list revisions made by later reports, which are not contradictions.
    #[arg(long)]
    pub all: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let findings = ops::findings(&store).await?;
    let shown: Vec<&Finding> = findings.iter().filter(|f| args.all || f.severity != Severity::Info).collect();
    match args.format {
        Format::Json => super::out(&(serde_json::to_string_pretty(&shown)? + "\n"))?,
        Format::Text => super::out(&render(&shown, &findings, args.lang))?,
    }
    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if errors { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn render(shown: &[&Finding], all: &[Finding], lang: Lang) -> String {
    let mut out = String::new();
    for f in shown {
        out.push_str(&format!("[{}] {}\n", f.severity.label(lang), f.subject.get(lang)));
        out.push_str(&format!("    {}\n", f.message.get(lang)));
        if !f.sources.is_empty() {
            let label = if lang == Lang::Vi { "nguồn" } else { "source" };
            out.push_str(&format!("    {label}: {}\n", f.sources.join("; ")));
        }
    }
    let count = |s: Severity| all.iter().filter(|f| f.severity == s).count();
    let (e, w, i) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    out.push_str(&match lang {
        Lang::Vi => format!("\n{e} mâu thuẫn, {w} cần xem lại, {i} điều chỉnh số liệu\n"),
        Lang::En => format!("\n{e} errors, {w} warnings, {i} revisions\n"),
    });
    out
}
