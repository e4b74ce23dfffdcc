//! `dxmon rank`: a group ranked by a methodology (with movement, leaders per main index,
//! the grade distribution and, on request, the stability of each rank), or ranked by
//! one indicator's values.

use std::process::ExitCode;

use model::{Lang, Period};
use ops::{Ranking, Sensitivity};

use super::DatabaseArg;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["methodology", "indicator"])))]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Methodology id, e.g. dti-province.
    #[arg(long)]
    pub methodology: Option<String>,
    /// Rank by this indicator's values instead (a published rank keeps its places).
    #[arg(long)]
    pub indicator: Option<String>,
    /// The period: 2023, 2023-H1, 2023-Q2 or 2023-06.
    #[arg(long)]
    pub period: Period,
    /// Group to rank (by default the methodology's population; every unit with a value
    /// for an indicator).
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[arg(long, default_value = "vi")]
    pub lang: Lang,
    /// Show only the first and last N places.
    #[arg(long)]
    pub top: Option<usize>,
    /// Draws for the stability of each rank under other weights (none by default).
    #[arg(long)]
    pub sensitivity: Option<usize>,
    /// How far each weight may move in a draw, as a share (0.2 is ±20%).
    #[arg(long, default_value_t = 0.2)]
    pub spread: f64,
    /// Seed of the draws: the same seed gives the same answer.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let group = args.group.as_deref();
    let ranking = match (&args.methodology, &args.indicator) {
        (Some(id), _) => {
            let sensitivity = args.sensitivity.map(|d| Sensitivity::new(d, args.spread, args.seed)).transpose()?;
            let scored = ops::score(&store, id, args.period, group).await?;
            ops::methodology_ranking(&scored, args.lang, sensitivity, args.top)
        }
        (None, Some(code)) => {
            if args.sensitivity.is_some() {
                anyhow::bail!("--sensitivity shakes a methodology's weights; an indicator has none");
            }
            let ranking = ops::rank_indicator(&store, code, args.period, group).await?;
            ops::indicator_ranking(&ranking, args.lang, args.top)
        }
        (None, None) => anyhow::bail!("say --methodology or --indicator"),
    };
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&ranking)? + "\n",
        Format::Csv => csv(&ranking)?,
        Format::Table => table(&ranking, args.lang),
    };
    super::out(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(ranking: &Ranking) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "unit",
        "name",
        "value",
        "points",
        "max",
        "grade",
        "previous_rank",
        "rank_change",
        "value_change",
        "new",
        "median_rank",
        "rank_low",
        "rank_high",
        "missing",
    ])?;
    fn opt<T: ToString>(x: Option<T>) -> String {
        x.map(|x| x.to_string()).unwrap_or_default()
    }
    for r in &ranking.rows {
        w.write_record([
            opt(r.rank),
            r.unit.clone(),
            r.name.clone(),
            opt(r.value),
            opt(r.points),
            opt(r.max),
            opt(r.grade.clone()),
            opt(r.previous_rank),
            opt(r.rank_change),
            opt(r.value_change),
            r.new.to_string(),
            opt(r.median_rank),
            opt(r.rank_low),
            opt(r.rank_high),
            r.missing.join(";"),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn number(x: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{x:.decimals$}");
    if lang == Lang::Vi {
        text.parse::<rust_decimal::Decimal>().map(model::number::format_vi).unwrap_or(text)
    } else {
        text
    }
}

fn table(ranking: &Ranking, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let mut out = match (&ranking.version, vi) {
        (Some(v), true) => format!("Xếp hạng theo «{}» (phiên bản {v}), kỳ {}", ranking.title, ranking.period),
        (Some(v), false) => format!("Ranking by “{}” (version {v}), period {}", ranking.title, ranking.period),
        (None, _) => format!("{} — {}", ranking.title, ranking.period),
    };
    if let Some(g) = &ranking.group {
        out.push_str(&format!(", {} {g}", if vi { "nhóm" } else { "group" }));
    }
    out.push('\n');
    let is_category = ranking.indicator.is_some() && !ranking.bands.is_empty();
    if !is_category {
        out.push_str(&rows(ranking, lang));
    }
    if ranking.methodology.is_some() && ranking.rows.iter().all(|r| r.rank.is_none()) {
        out.push_str(if vi {
            "\nChưa đơn vị nào có số liệu cho các chỉ số thành phần của kỳ này.\n"
        } else {
            "\nNo unit has figures for the components in this period.\n"
        });
    }
    if !ranking.leaders.is_empty() {
        out.push_str(if vi { "\nDẫn đầu các chỉ số chính:\n" } else { "\nLeaders per main index:\n" });
        for l in &ranking.leaders {
            let names: Vec<&str> = l.units.iter().map(|u| u.name.as_str()).collect();
            out.push_str(&format!("  {}: {}\n", l.name, names.join(", ")));
        }
    }
    if !ranking.bands.is_empty() {
        if !is_category {
            out.push_str(if vi { "\nPhân bố xếp loại:\n" } else { "\nGrade distribution:\n" });
        }
        for b in &ranking.bands {
            let names: Vec<&str> = b.units.iter().map(|u| u.name.as_str()).collect();
            let list = if names.is_empty() { "—".to_owned() } else { names.join(", ") };
            out.push_str(&format!("  {} ({}): {list}\n", b.label, names.len()));
        }
    }
    out
}

fn rows(ranking: &Ranking, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let header = if vi {
        [
            "Hạng",
            "Đơn vị",
            "Giá trị",
            "Điểm",
            "Xếp loại",
            "Thay đổi hạng",
            "Độ ổn định (trung vị; 5-95%)",
            "Thiếu số liệu",
        ]
    } else {
        ["Rank", "Unit", "Value", "Points", "Grade", "Rank change", "Stability (median; 5-95%)", "Missing data"]
    };
    let decimals = ranking.decimals as usize;
    let lines: Vec<[String; 8]> = ranking
        .rows
        .iter()
        .map(|r| {
            let change = match (r.new, r.rank_change) {
                (true, _) if r.rank.is_some() => (if vi { "mới" } else { "new" }).to_owned(),
                (_, Some(0)) => "=".to_owned(),
                (_, Some(c)) if c > 0 => format!("▲{c}"),
                (_, Some(c)) => format!("▼{}", -c),
                _ => String::new(),
            };
            [
                r.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                r.name.clone(),
                r.value
                    .map(|v| number(v, decimals, lang))
                    .unwrap_or_else(|| (if vi { "chưa có số liệu" } else { "no data" }).into()),
                match (r.points, r.max) {
                    (Some(p), Some(m)) => format!("{}/{}", number(p, 1, lang), number(m, 0, lang)),
                    _ => String::new(),
                },
                r.grade.clone().unwrap_or_default(),
                change,
                match (r.median_rank, r.rank_low, r.rank_high) {
                    (Some(m), Some(l), Some(h)) => format!("{}; {l}-{h}", number(m, 1, lang)),
                    _ => String::new(),
                },
                if r.missing.is_empty() { String::new() } else { r.missing.len().to_string() },
            ]
        })
        .collect();
    // Columns with nothing in them (no grades, no stability asked for, no points when
    // ranking by an indicator) are left out.
    let columns: Vec<usize> = (0..8).filter(|&c| c < 3 || lines.iter().any(|l| !l[c].is_empty())).collect();
    let widths: Vec<usize> = columns
        .iter()
        .map(|&c| lines.iter().map(|l| l[c].chars().count()).chain([header[c].chars().count()]).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let text: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(columns.iter().map(|&c| header[c]).collect());
    for l in &lines {
        line(columns.iter().map(|&c| l[c].as_str()).collect());
    }
    out
}
