//! `dxmon rank`: a group ranked by a methodology (with movement, leaders per main index,
//! the grade distribution and, on request, the stability of each rank), or ranked by
//! one indicator's values.

use std::process::ExitCode;

use model::{Lang, Period, UnitKey, UnitRegistry};
use score::rank::{bottom, top};
use serde::Serialize;
use web::ops::{IndicatorRanking, Scored};

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
    /// Rank by this indicator's values instead.
    #[arg(long)]
    pub indicator: Option<String>,
    /// The period: 2023, 2023-H1, 2023-Q2 or 2023-06.
    #[arg(long)]
    pub period: Period,
    /// Group to rank (by default the methodology's population; all units for an
    /// indicator).
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[arg(long, default_value = "vi")]
    pub lang: Lang,
    /// Show only the first and last N.
    #[arg(long)]
    pub top: Option<usize>,
    /// Draws for the sensitivity of each rank to the weights (0 for none).
    #[arg(long, default_value_t = 0)]
    pub sensitivity: usize,
    /// How far each weight may move in a draw, as a share (0.2 is ±20%).
    #[arg(long, default_value_t = 0.2)]
    pub spread: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// One line of a ranking, as printed and as JSON or CSV.
#[derive(Debug, Serialize)]
pub struct Row {
    pub rank: Option<u32>,
    pub unit: String,
    pub name: String,
    pub value: Option<f64>,
    pub points: Option<f64>,
    pub max: Option<f64>,
    pub grade: Option<String>,
    pub rank_change: Option<i64>,
    pub value_change: Option<f64>,
    pub new: bool,
    pub median_rank: Option<f64>,
    pub rank_low: Option<u32>,
    pub rank_high: Option<u32>,
    /// Components without data.
    pub gaps: Vec<String>,
}

fn name(registry: &UnitRegistry, unit: &UnitKey, lang: Lang) -> String {
    registry.get(unit.as_str()).map_or_else(|| unit.to_string(), |u| u.name_in(lang).to_owned())
}

fn number(x: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{x:.decimals$}");
    if lang == Lang::Vi {
        text.parse::<rust_decimal::Decimal>().map(model::number::format_vi).unwrap_or(text)
    } else {
        text
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let group = args.group.as_deref();
    let out = match (&args.methodology, &args.indicator) {
        (Some(id), _) => {
            let scored = web::ops::score(&store, id, args.period, group).await?;
            by_methodology(&scored, &args)?
        }
        (None, Some(code)) => {
            let ranking = web::ops::rank_indicator(&store, code, args.period, group).await?;
            by_indicator(&ranking, &args)?
        }
        (None, None) => anyhow::bail!("say --methodology or --indicator"),
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn rows_of(scored: &Scored, args: &Args) -> Vec<Row> {
    let stability = (args.sensitivity > 0).then(|| {
        let ranked_units: Vec<_> = scored.scores.iter().filter(|s| scored.ranked.iter().any(|r| r.unit == s.unit)).cloned().collect();
        score::sensitivity::sensitivity(&scored.compiled, &ranked_units, args.sensitivity, args.spread, args.seed)
    });
    scored
        .scores
        .iter()
        .map(|s| {
            let movement = scored.movements.iter().find(|m| m.unit == s.unit);
            let stable = stability.as_ref().and_then(|st| st.iter().find(|x| x.unit == s.unit));
            Row {
                rank: movement.map(|m| m.rank),
                unit: s.unit.to_string(),
                name: name(&scored.registry, &s.unit, args.lang),
                value: movement.map(|_| s.value),
                points: movement.map(|_| s.total.points),
                max: Some(s.total.max),
                grade: s.grade.clone(),
                rank_change: movement.and_then(|m| m.rank_change),
                value_change: movement.and_then(|m| m.value_change),
                new: movement.is_some_and(|m| m.new),
                median_rank: stable.map(|x| x.median_rank),
                rank_low: stable.map(|x| x.low),
                rank_high: stable.map(|x| x.high),
                gaps: s.gaps(&scored.compiled).into_iter().map(str::to_owned).collect(),
            }
        })
        .collect()
}

/// Keeps the first and last `n` ranked rows, and the unranked after them.
fn cut(rows: Vec<Row>, ranked: &[score::rank::Ranked], n: Option<usize>) -> Vec<Row> {
    let Some(n) = n else { return rows };
    let keep: Vec<&UnitKey> = top(ranked, n).iter().chain(bottom(ranked, n)).map(|r| &r.unit).collect();
    rows.into_iter().filter(|r| keep.iter().any(|k| k.as_str() == r.unit)).collect()
}

fn by_methodology(scored: &Scored, args: &Args) -> anyhow::Result<String> {
    let rows = cut(rows_of(scored, args), &scored.ranked, args.top);
    let m = &scored.compiled.method;
    let decimals = m.decimals as usize;
    match args.format {
        Format::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                methodology: &'a str,
                version: &'a str,
                period: String,
                group: String,
                rows: &'a [Row],
            }
            let out = Out { methodology: &m.id, version: &m.version, period: scored.period.to_string(), group: scored.group.to_string(), rows: &rows };
            Ok(serde_json::to_string_pretty(&out)? + "\n")
        }
        Format::Csv => csv(&rows),
        Format::Table => {
            let vi = args.lang == Lang::Vi;
            let mut out = if vi {
                format!("Xếp hạng theo «{}» (phiên bản {}), kỳ {}, nhóm {}\n", m.name, m.version, scored.period, scored.group)
            } else {
                format!("Ranking by “{}” (version {}), period {}, group {}\n", m.name_en.as_deref().unwrap_or(&m.name), m.version, scored.period, scored.group)
            };
            out.push_str(&table(&rows, decimals, args.lang));
            // Leaders per main index.
            let (leaders_label, none) = if vi { ("Dẫn đầu các chỉ số chính", "chưa có số liệu") } else { ("Leaders per main index", "no data") };
            out.push_str(&format!("\n{leaders_label}:\n"));
            for (i, (_, index_name)) in scored.compiled.indexes().enumerate() {
                let values: Vec<(UnitKey, f64)> = scored
                    .scores
                    .iter()
                    .filter(|s| scored.ranked.iter().any(|r| r.unit == s.unit) && s.indexes[i].max > 0.0)
                    .map(|s| (s.unit.clone(), s.indexes[i].value()))
                    .collect();
                let ranked = score::rank::rank(&values, true, m.decimals);
                let leaders: Vec<String> = score::rank::leaders(&ranked).iter().map(|u| name(&scored.registry, u, args.lang)).collect();
                out.push_str(&format!("  {index_name}: {}\n", if leaders.is_empty() { none.to_owned() } else { leaders.join(", ") }));
            }
            if !m.grades.is_empty() {
                let grades: Vec<(UnitKey, Option<String>)> =
                    scored.scores.iter().filter(|s| scored.ranked.iter().any(|r| r.unit == s.unit)).map(|s| (s.unit.clone(), s.grade.clone())).collect();
                out.push_str(if vi { "\nPhân bố xếp loại:\n" } else { "\nGrade distribution:\n" });
                for (label, units) in score::rank::distribution(&grades, &m.grades) {
                    let names: Vec<String> = units.iter().map(|u| name(&scored.registry, u, args.lang)).collect();
                    out.push_str(&format!("  {label} ({}): {}\n", names.len(), names.join(", ")));
                }
            }
            Ok(out)
        }
    }
}

fn csv(rows: &[Row]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["rank", "unit", "name", "value", "points", "max", "grade", "rank_change", "value_change", "new", "median_rank", "rank_low", "rank_high", "gaps"])?;
    let opt = |x: Option<String>| x.unwrap_or_default();
    for r in rows {
        w.write_record([
            opt(r.rank.map(|x| x.to_string())),
            r.unit.clone(),
            r.name.clone(),
            opt(r.value.map(|x| x.to_string())),
            opt(r.points.map(|x| x.to_string())),
            opt(r.max.map(|x| x.to_string())),
            opt(r.grade.clone()),
            opt(r.rank_change.map(|x| x.to_string())),
            opt(r.value_change.map(|x| x.to_string())),
            r.new.to_string(),
            opt(r.median_rank.map(|x| x.to_string())),
            opt(r.rank_low.map(|x| x.to_string())),
            opt(r.rank_high.map(|x| x.to_string())),
            r.gaps.join(";"),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn table(rows: &[Row], decimals: usize, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let header = if vi {
        ["Hạng", "Đơn vị", "Giá trị", "Điểm", "Xếp loại", "Thay đổi hạng", "Độ ổn định (trung vị; 5-95%)", "Thiếu số liệu"]
    } else {
        ["Rank", "Unit", "Value", "Points", "Grade", "Rank change", "Stability (median; 5-95%)", "Missing data"]
    };
    let lines: Vec<[String; 8]> = rows
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
                r.value.map(|v| number(v, decimals, lang)).unwrap_or_else(|| (if vi { "chưa có số liệu" } else { "no data" }).into()),
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
                r.gaps.len().to_string(),
            ]
        })
        .collect();
    let show_stability = rows.iter().any(|r| r.median_rank.is_some());
    let columns: Vec<usize> = (0..8).filter(|&c| c != 6 || show_stability).collect();
    let widths: Vec<usize> = columns
        .iter()
        .map(|&c| lines.iter().map(|l| l[c].chars().count()).chain([header[c].chars().count()]).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let text: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(columns.iter().map(|&c| header[c]).collect());
    for l in &lines {
        line(columns.iter().map(|&c| l[c].as_str()).collect());
    }
    out
}

fn by_indicator(ranking: &IndicatorRanking, args: &Args) -> anyhow::Result<String> {
    let i = &ranking.indicator;
    let rows: Vec<Row> = ranking
        .movements
        .iter()
        .map(|m| Row {
            rank: Some(m.rank),
            unit: m.unit.to_string(),
            name: name(&ranking.registry, &m.unit, args.lang),
            value: Some(m.value),
            points: None,
            max: None,
            grade: None,
            rank_change: m.rank_change,
            value_change: m.value_change,
            new: m.new,
            median_rank: None,
            rank_low: None,
            rank_high: None,
            gaps: Vec::new(),
        })
        .collect();
    let rows = cut(rows, &ranking.ranked, args.top);
    match args.format {
        Format::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                indicator: &'a str,
                period: String,
                rows: &'a [Row],
                categories: Vec<(&'a str, Vec<&'a str>)>,
            }
            let categories = ranking.categories.iter().map(|(c, units)| (c.as_str(), units.iter().map(UnitKey::as_str).collect())).collect();
            let out = Out { indicator: i.code.as_str(), period: args.period.to_string(), rows: &rows, categories };
            Ok(serde_json::to_string_pretty(&out)? + "\n")
        }
        Format::Csv => csv(&rows),
        Format::Table => {
            let vi = args.lang == Lang::Vi;
            let mut out = format!("{} — {}\n", i.name_in(args.lang), args.period);
            if i.kind == model::IndicatorKind::Category {
                for (label, units) in &ranking.categories {
                    let names: Vec<String> = units.iter().map(|u| name(&ranking.registry, u, args.lang)).collect();
                    out.push_str(&format!("{} {label} ({}): {}\n", if vi { "Mức" } else { "Grade" }, names.len(), names.join(", ")));
                }
            } else {
                let decimals = rows.iter().filter_map(|r| r.value).map(|v| if v.fract() == 0.0 { 0 } else { 2 }).max().unwrap_or(0);
                out.push_str(&table(&rows, decimals, args.lang));
            }
            Ok(out)
        }
    }
}
