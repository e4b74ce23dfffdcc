//! The targets against their results, as section I of the yearly report lays them out:
//! one table per plan, the targets met first, each row with its lead agency, the result
//! (the latest revision, the revision noted) and the target.

use model::{Lang, Period, Target, display};
use report::{Block, Cell, Column, RowGroup, Table};
use score::status::{StatusCounts, TargetStatus};

use super::Notes;
use super::format::{self, roman, t};
use crate::facts::Facts;
use crate::progress::{TargetProgress, leads, target_progress};

/// Targets that cite the same row of their source are its parts ("Chỉ tiêu 10" for two
/// kinds of one-stop desk) and make one row.
pub struct Row<'a> {
    pub parts: Vec<TargetProgress<'a>>,
    pub status: TargetStatus,
}

pub struct Plan<'a> {
    pub name: String,
    pub rows: Vec<Row<'a>>,
}

impl Plan<'_> {
    pub fn counts(&self) -> StatusCounts {
        StatusCounts::of(self.rows.iter().map(|r| r.status))
    }
}

/// Plans with targets for a period overlapping `period`, each row judged on `as_of`.
/// `keep` picks the targets (all of them, or one agency's).
pub fn plans<'a>(
    facts: &'a Facts,
    period: Period,
    as_of: chrono::NaiveDate,
    lang: Lang,
    keep: &dyn Fn(&Target) -> bool,
) -> Vec<Plan<'a>> {
    let mut programmes: Vec<&model::Programme> = facts.reference.programmes.iter().collect();
    programmes.sort_by_key(|p| (p.period.map(|x| x.end()), p.key.to_string()));
    let mut out = Vec::new();
    for programme in programmes {
        let targets: Vec<&Target> = facts
            .targets
            .iter()
            .filter(|x| x.programme == programme.key)
            .filter(|x| x.period.contains(&period) || period.contains(&x.period))
            .filter(|x| keep(x))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let mut rows: Vec<Row<'a>> = Vec::new();
        for target in targets {
            let progress = target_progress(facts, target, as_of);
            match rows.iter_mut().find(|r| target.source.is_some() && r.parts[0].target.source == target.source) {
                Some(row) => row.parts.push(progress),
                None => rows.push(Row { parts: vec![progress], status: TargetStatus::Met }),
            }
        }
        for row in &mut rows {
            row.status = row.parts.iter().map(|p| p.status).max().unwrap_or(TargetStatus::NoData);
        }
        // In the order of their source (row 2 before row 10), then of indicator.
        rows.sort_by_key(|r| {
            (source_order(r.parts[0].target.source.as_deref()), r.parts[0].target.indicator.to_string())
        });
        out.push(Plan { name: lang.pick(&programme.name, programme.name_en.as_deref()).to_owned(), rows });
    }
    out
}

/// "seed-001 §I.10" sorts after "seed-001 §I.2": numbers compare as numbers.
fn source_order(source: Option<&str>) -> Vec<(String, u64)> {
    let Some(s) = source else { return Vec::new() };
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((std::mem::take(&mut text), digits.parse().unwrap_or(0)));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

fn heading(status: TargetStatus, lang: Lang) -> String {
    match status {
        TargetStatus::Met => t(lang, "Các chỉ tiêu đã hoàn thành", "Targets met"),
        TargetStatus::OnTrack => t(lang, "Các chỉ tiêu có khả năng hoàn thành", "Targets on track"),
        TargetStatus::NoTrend => t(
            lang,
            "Các chỉ tiêu chưa hoàn thành, chưa đủ số liệu để dự báo",
            "Targets not yet met, too few figures to project",
        ),
        TargetStatus::AtRisk => t(lang, "Các chỉ tiêu có nguy cơ không hoàn thành", "Targets at risk"),
        TargetStatus::NotMet => t(lang, "Các chỉ tiêu chưa hoàn thành", "Targets not met"),
        TargetStatus::NoData => t(lang, "Các chỉ tiêu chưa có số liệu", "Targets without data"),
    }
}

/// The table of one plan.
pub fn table(facts: &Facts, plan: &Plan<'_>, lang: Lang) -> Block {
    let periods: Vec<Period> = plan.rows.iter().flat_map(|r| r.parts.iter().map(|p| p.target.period)).collect();
    let one_period = periods.windows(2).all(|w| w[0] == w[1]).then(|| periods.first().copied()).flatten();
    let suffix = one_period.map(|p| format!(" {}", display::period(p, lang))).unwrap_or_default();
    let projecting =
        plan.rows.iter().flat_map(|r| &r.parts).flat_map(|p| &p.units).any(|u| u.assessment.projection.is_some());
    let mut columns = vec![
        Column { name: t(lang, "TT", "No."), numeric: false },
        Column { name: t(lang, "Chỉ tiêu", "Indicator"), numeric: false },
        Column { name: t(lang, "Cơ quan chủ trì", "Lead agency"), numeric: false },
        Column { name: format!("{}{suffix}", t(lang, "Kết quả thực hiện", "Result")), numeric: true },
        Column { name: format!("{}{suffix}", t(lang, "Mục tiêu", "Target")), numeric: true },
    ];
    if one_period.is_none() {
        columns.push(Column { name: t(lang, "Thời hạn", "Due"), numeric: false });
    }
    if projecting {
        columns.push(Column {
            name: t(lang, "Dự báo đến thời hạn", "Projected by the deadline"), numeric: true
        });
    }
    let mut notes = Notes::default();
    let mut groups: Vec<RowGroup> = Vec::new();
    let mut number = 0;
    for status in TargetStatus::ALL {
        let rows: Vec<&Row<'_>> = plan.rows.iter().filter(|r| r.status == status).collect();
        if rows.is_empty() {
            continue;
        }
        let mut cells_rows = Vec::new();
        for row in rows {
            number += 1;
            cells_rows.push(cells(facts, row, number, lang, one_period.is_none(), projecting, &mut notes));
        }
        groups.push(RowGroup {
            heading: Some(format!("{}. {}", roman(groups.len()), heading(status, lang))),
            rows: cells_rows,
        });
    }
    Block::Table(Table { title: Some(plan.name.clone()), columns, groups, footnotes: notes.into_list() })
}

fn joined(parts: Vec<Cell>) -> Cell {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut notes: Vec<usize> = parts.iter().flat_map(|c| c.notes.clone()).collect();
    notes.sort();
    notes.dedup();
    Cell::text(parts.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("\n")).with_notes(notes)
}

fn cells(
    facts: &Facts,
    row: &Row<'_>,
    number: usize,
    lang: Lang,
    with_due: bool,
    projecting: bool,
    notes: &mut Notes,
) -> Vec<Cell> {
    let many = row.parts.len() > 1;
    let mut names = Vec::new();
    let mut results = Vec::new();
    let mut goals = Vec::new();
    let mut projections = Vec::new();
    let mut agencies: Vec<String> = Vec::new();
    for part in &row.parts {
        let indicator = facts.indicator(part.target.indicator.as_str());
        let name = indicator.map_or_else(|| part.target.indicator.to_string(), |i| i.name_in(lang).to_owned());
        names.push(if many { format!("- {name}") } else { name });
        for a in leads(facts, part.target) {
            let n = facts.agency_name(a, lang);
            if !agencies.contains(&n) {
                agencies.push(n);
            }
        }
        goals.push(Cell::text(format::target(part.target, indicator, lang)));
        let mut result = match part.single() {
            Some(u) => match u.value {
                Some(v) => {
                    let mut c = format::value(v, indicator, lang);
                    let mut refs = Vec::new();
                    if let Some(note) = &v.note {
                        refs.push(notes.add(note.clone()));
                    }
                    for earlier in &u.revised {
                        refs.push(notes.add(revision_note(facts, earlier, v, indicator, lang)));
                    }
                    c.notes = refs;
                    c
                }
                None => format::missing(lang),
            },
            None => group_result(part, lang),
        };
        if part.status == score::status::TargetStatus::NoTrend {
            result.notes.push(notes.add(t(
                lang,
                "Mới có một số liệu trước thời hạn, chưa đủ để dự báo.",
                "Only one figure before the deadline: too few to project.",
            )));
        }
        results.push(result);
        let projected = part.single().and_then(|u| u.assessment.projection);
        projections.push(match projected {
            Some(p) => format::figure(
                rust_decimal::Decimal::from_f64_retain(p.value).map(|d| d.round_dp(2)).unwrap_or_default(),
                indicator,
                lang,
            ),
            None => Cell::text(""),
        });
    }
    let mut out = vec![
        Cell::text(number.to_string()),
        Cell::text(names.join("\n")),
        Cell::text(agencies.join(", ")),
        joined(results),
        joined(goals),
    ];
    if with_due {
        out.push(Cell::text(display::period(row.parts[0].target.period, lang)));
    }
    if projecting {
        out.push(joined(projections));
    }
    out
}

/// For a target every member of a group must reach: how many have.
fn group_result(part: &TargetProgress<'_>, lang: Lang) -> Cell {
    let met = part.units.iter().filter(|u| u.assessment.status == TargetStatus::Met).count();
    let without = part.units.iter().filter(|u| u.value.is_none()).count();
    let mut text = format!("{met}/{} {}", part.units.len(), t(lang, "đơn vị đạt", "units met it"));
    if without > 0 {
        text.push_str(&format!(" ({without} {})", t(lang, "chưa có số liệu", "without data")));
    }
    Cell::text(text)
}

fn revision_note(
    facts: &Facts,
    earlier: &model::ValueRecord,
    now: &model::ValueRecord,
    indicator: Option<&model::Indicator>,
    lang: Lang,
) -> String {
    let was = format::value(earlier, indicator, lang).text;
    let is = format::value(now, indicator, lang).text;
    let cite = |s: &Option<String>| s.as_deref().map(|s| super::cite(facts, s, lang)).unwrap_or_default();
    match lang {
        Lang::Vi => format!(
            "Số liệu đã điều chỉnh: {was} theo {}; nay là {is} theo {}.",
            cite(&earlier.source),
            cite(&now.source)
        ),
        Lang::En => format!("Revised: {was} in {}; now {is} in {}.", cite(&earlier.source), cite(&now.source)),
    }
}
