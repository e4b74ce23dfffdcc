//! `dxmon scores`: one unit's points by pillar, main index and component under a
//! methodology, with what would raise it most.

use std::fmt::Write as _;
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
    let scored = ops::score(&store, &args.methodology, args.period, args.group.as_deref()).await?;
    let unit = scored.registry.resolve(&args.unit, Some(args.period.into()))?.key.clone();
    let detail = ops::unit_detail(&scored, &unit, args.lang)
        .ok_or_else(|| anyhow::anyhow!("{unit} is not in group {} during {}", scored.group, scored.period))?;
    if args.json {
        super::out(&(serde_json::to_string_pretty(&detail)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let vi = args.lang == Lang::Vi;
    let n = |x: f64, d: usize| {
        let t = format!("{x:.d$}");
        if vi { t.parse::<rust_decimal::Decimal>().map(model::number::format_vi).unwrap_or(t) } else { t }
    };
    let d = scored.compiled.method.decimals as usize;
    let mut text = String::new();
    writeln!(text, "{} — {} — {}", detail.name, detail.title, detail.period)?;
    let rank = match detail.rank {
        Some(r) => format!(", {} {r}/{}", if vi { "hạng" } else { "rank" }, detail.ranked),
        None => format!(", {}", if vi { "chưa xếp hạng: không có số liệu" } else { "not ranked: no data" }),
    };
    writeln!(
        text,
        "{}: {} ({}/{}){rank}{}",
        if vi { "Giá trị" } else { "Value" },
        n(detail.value, d),
        n(detail.points, 1),
        n(detail.max, 0),
        detail.grade.as_ref().map(|g| format!(", {} {g}", if vi { "xếp loại" } else { "grade" })).unwrap_or_default()
    )?;
    for part in detail.pillars.iter().chain(&detail.views) {
        writeln!(text, "  {} {} ({}/{})", part.name, n(part.value, d), n(part.points, 1), n(part.max, 0))?;
    }
    writeln!(text, "{}", if vi { "Theo chỉ số chính và chỉ số thành phần:" } else { "By main index and component:" })?;
    for index in &detail.indexes {
        writeln!(text, "  {} {} ({}/{})", index.name, n(index.value, d), n(index.points, 1), n(index.max, 0))?;
        for c in detail.components.iter().filter(|c| c.index == index.key) {
            writeln!(text, "    {:<60} {}/{} {}", c.name, n(c.points, 1), n(c.max, 0), status(&c.status, vi))?;
        }
    }
    if !detail.explanation.is_empty() {
        writeln!(
            text,
            "{}",
            if vi {
                "Tăng điểm nhiều nhất nếu đạt mức tốt nhất của nhóm ở:"
            } else {
                "What would raise it most (reaching the group's best):"
            }
        )?;
        for g in detail.explanation.iter().take(10) {
            writeln!(
                text,
                "  {:<60} +{} ({} +{})",
                g.name,
                n(g.gain, 1),
                if vi { "giá trị" } else { "value" },
                n(g.value_gain, d)
            )?;
        }
    }
    super::out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// How a component's points came about, in the reader's language.
fn status(status: &str, vi: bool) -> &str {
    match (status, vi) {
        ("scored", true) => "có số liệu",
        ("missing", true) => "thiếu số liệu, tính 0 điểm",
        ("imputed", true) => "thiếu số liệu, lấy điểm trung bình của nhóm",
        ("excluded", true) => "thiếu số liệu, không tính",
        ("scored", false) => "scored",
        ("missing", false) => "no data, counted as zero",
        ("imputed", false) => "no data, given the group's mean",
        ("excluded", false) => "no data, left out",
        (other, _) => other,
    }
}
