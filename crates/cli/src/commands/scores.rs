//! `dxmon scores`: one unit's points by main index and component under a methodology,
//! with what would raise it most.

use std::process::ExitCode;

use model::{Lang, Period};

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[arg(long)]
    pub methodology: String,
    #[arg(long)]
    pub period: Period,
    /// The unit, by key, code or name.
    #[arg(long)]
    pub unit: String,
    /// The group compared with (by default the methodology's population).
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long, default_value = "vi")]
    pub lang: Lang,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let scored = web::ops::score(&store, &args.methodology, args.period, args.group.as_deref()).await?;
    let unit = scored.registry.resolve(&args.unit, Some(args.period.into()))?.key.clone();
    let detail = web::ops::unit_detail(&scored, &unit).ok_or_else(|| anyhow::anyhow!("{unit} is not in group {}", scored.group))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&detail)?);
        return Ok(ExitCode::SUCCESS);
    }
    let vi = args.lang == Lang::Vi;
    let n = |x: f64, d: usize| {
        let t = format!("{x:.d$}");
        if vi { t.parse::<rust_decimal::Decimal>().map(model::number::format_vi).unwrap_or(t) } else { t }
    };
    let d = scored.compiled.method.decimals as usize;
    println!("{} — {} — {}", detail.name, scored.compiled.method.name, scored.period);
    println!(
        "{}: {} ({}/{}){}{}",
        if vi { "Giá trị" } else { "Value" },
        n(detail.value, d),
        n(detail.points, 1),
        n(detail.max, 0),
        detail.rank.map(|r| format!(", {} {r}", if vi { "hạng" } else { "rank" })).unwrap_or_default(),
        detail.grade.as_ref().map(|g| format!(", {} {g}", if vi { "xếp loại" } else { "grade" })).unwrap_or_default()
    );
    for index in &detail.indexes {
        println!("  {} {} ({}/{})", index.name, n(index.value, d), n(index.points, 1), n(index.max, 0));
        for c in detail.components.iter().filter(|c| c.index == index.key) {
            println!("    {:<60} {}/{} {}", c.name, n(c.points, 1), n(c.max, 0), c.status);
        }
    }
    if !detail.explanation.is_empty() {
        println!("{}", if vi { "Để tăng điểm nhiều nhất (đạt mức tốt nhất của nhóm):" } else { "What would raise it most (reaching the group's best):" });
        for g in detail.explanation.iter().take(10) {
            println!("  {:<60} +{} ({} +{})", g.name, n(g.gain, 1), if vi { "giá trị" } else { "value" }, n(g.value_gain, d));
        }
    }
    Ok(ExitCode::SUCCESS)
}
