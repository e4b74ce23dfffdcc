//! Rankings and grades as the reports print them: the first and last ten of each
//! ranking group with their movement, and the units in each grade, ministries and
//! provinces apart.

use std::collections::HashMap;

use model::{GroupKey, IndicatorKind, Period, UnitKey, UnitKind, ValueRecord, display};
use report::{Block, Cell, Chart, ChartKind, Column, RowGroup, Section, Series, Table};
use score::rank::{Ranked, bottom, published, top};

use super::format;
use super::sections::Context;
use crate::facts::number;

/// The latest period of an indicator that has ended by the report's day and does not
/// end after the report's period: the ranking a report of H1 2023 shows is 2022's.
fn latest(cx: &Context<'_>, code: &str, within: bool) -> Option<Period> {
    cx.facts
        .periods_of(code)
        .into_iter()
        .rfind(|p| p.end() <= cx.as_of && p.end() <= cx.period.end() && (!within || cx.period.contains(p)))
}

/// Units and their published places.
type Places = Vec<(UnitKey, f64)>;

/// The group each unit is ranked in: the populations of the methodologies are the
/// ranking groups (provinces; ministries with and without public services).
fn ranking_group(cx: &Context<'_>, unit: &UnitKey) -> Option<GroupKey> {
    let mut groups: Vec<&GroupKey> =
        cx.facts.reference.methodologies.iter().filter_map(|m| m.population.as_ref()).collect();
    groups.sort();
    groups.dedup();
    groups.into_iter().find(|g| cx.facts.registry.members(g).iter().any(|m| &m.key == unit)).cloned()
}

pub fn rankings(cx: &Context<'_>) -> Option<Section> {
    let mut blocks = Vec::new();
    for indicator in cx.facts.reference.indicators.iter().filter(|i| i.kind == IndicatorKind::Rank) {
        let code = indicator.code.as_str();
        let Some(period) = latest(cx, code, false) else { continue };
        let values = cx.facts.of_period(code, period);
        let change_code = format!("{code}_change");
        let change_of = |unit: &UnitKey| -> Option<i64> {
            cx.facts.current(&change_code, unit.as_str(), period).and_then(number).map(|c| c.round() as i64)
        };
        let title = format!("{} — {}", indicator.name_in(cx.lang), display::period(period, cx.lang));
        let mut by_group: Vec<(Option<GroupKey>, Places)> = Vec::new();
        for v in &values {
            if cx.unit.as_ref().is_some_and(|u| u != &v.unit) {
                continue;
            }
            let Some(place) = number(v) else { continue };
            let g = ranking_group(cx, &v.unit);
            match by_group.iter_mut().find(|(k, _)| *k == g) {
                Some((_, list)) => list.push((v.unit.clone(), place)),
                None => by_group.push((g, vec![(v.unit.clone(), place)])),
            }
        }
        for (group, places) in by_group {
            let ranked = published(&places);
            let group_name = group
                .as_ref()
                .and_then(|g| cx.facts.registry.group(g.as_str()))
                .map(|g| cx.lang.pick(&g.name, g.name_en.as_deref()).to_owned());
            blocks.push(rank_table(
                cx,
                group_name.map_or_else(|| title.clone(), |g| format!("{title} ({g})")),
                &ranked,
                &change_of,
            ));
        }
        let movers: Vec<(UnitKey, i64)> = cx
            .facts
            .of_period(&change_code, period)
            .into_iter()
            .filter(|v| cx.unit.as_ref().is_none_or(|u| u == &v.unit))
            .filter_map(|v| Some((v.unit.clone(), number(v)?.round() as i64)))
            .filter(|(_, c)| *c != 0)
            .collect();
        if !movers.is_empty() && cx.unit.is_none() {
            blocks.push(movers_table(cx, indicator.name_in(cx.lang), period, movers));
        }
    }
    let heading = cx.t("Xếp hạng mức độ chuyển đổi số", "Digital transformation rankings");
    let key = cx.t("Xếp hạng", "Rankings");
    if blocks.is_empty() {
        if cx.unit.is_some() {
            return None;
        }
        blocks
            .push(Block::NoData(cx.t("Chưa có kết quả xếp hạng đến kỳ này.", "No ranking published by this period.")));
    }
    Some(Section { key, heading, blocks })
}

fn rank_table(
    cx: &Context<'_>,
    title: String,
    ranked: &[Ranked],
    change_of: &dyn Fn(&UnitKey) -> Option<i64>,
) -> Block {
    let columns = vec![
        Column { name: cx.t("Hạng", "Rank"), numeric: true },
        Column { name: cx.t("Đơn vị", "Unit"), numeric: false },
        Column { name: cx.t("Thay đổi so với năm trước", "Change since the previous year"), numeric: true },
    ];
    let row = |r: &Ranked| {
        vec![
            Cell::figure(r.rank.to_string(), report::Figure { value: f64::from(r.rank), decimals: 0, percent: false }),
            Cell::text(cx.facts.unit_name(&r.unit, cx.lang)),
            Cell::text(change_of(&r.unit).map(format::change).unwrap_or_default()),
        ]
    };
    let (first, last) = (top(ranked, 10), bottom(ranked, 10));
    let apart = first.len() + last.len() <= ranked.len();
    let groups = if apart && cx.unit.is_none() {
        vec![
            RowGroup { heading: Some(cx.t("Nhóm dẫn đầu", "Leading")), rows: first.iter().map(row).collect() },
            RowGroup { heading: Some(cx.t("Nhóm cuối bảng", "Trailing")), rows: last.iter().map(row).collect() },
        ]
    } else {
        vec![RowGroup { heading: None, rows: ranked.iter().map(row).collect() }]
    };
    Block::Table(Table { title: Some(title), columns, groups, footnotes: Vec::new() })
}

fn movers_table(cx: &Context<'_>, name: &str, period: Period, mut movers: Vec<(UnitKey, i64)>) -> Block {
    movers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let columns = vec![
        Column { name: cx.t("Đơn vị", "Unit"), numeric: false },
        Column { name: cx.t("Thay đổi thứ hạng", "Rank change"), numeric: true },
    ];
    let rows = movers
        .iter()
        .map(|(u, c)| vec![Cell::text(cx.facts.unit_name(u, cx.lang)), Cell::text(format::change(*c))])
        .collect();
    let title = match cx.lang {
        model::Lang::Vi => format!("Thay đổi thứ hạng nổi bật — {name}, {}", display::period(period, cx.lang)),
        model::Lang::En => format!("Largest moves — {name}, {}", display::period(period, cx.lang)),
    };
    Block::Table(Table {
        title: Some(title),
        columns,
        groups: vec![RowGroup { heading: None, rows }],
        footnotes: Vec::new(),
    })
}

/// Grades given within the period, ministries and provinces apart, with every name.
pub fn grades(cx: &Context<'_>) -> Option<Section> {
    let mut blocks = Vec::new();
    for indicator in cx.facts.reference.indicators.iter().filter(|i| i.kind == IndicatorKind::Category) {
        let code = indicator.code.as_str();
        let Some(period) = latest(cx, code, true) else { continue };
        let values: Vec<&ValueRecord> = cx
            .facts
            .of_period(code, period)
            .into_iter()
            .filter(|v| cx.unit.as_ref().is_none_or(|u| u == &v.unit))
            .collect();
        let kind_of = |u: &UnitKey| cx.facts.registry.get(u.as_str()).map(|u| u.kind);
        let blocs =
            [(cx.t("Khối bộ, ngành", "Ministries and agencies"), false), (cx.t("Khối địa phương", "Provinces"), true)];
        let mut series = Vec::new();
        let title = format!("{} — {}", indicator.name_in(cx.lang), display::period(period, cx.lang));
        for (bloc, provinces) in blocs {
            let mine: Vec<&&ValueRecord> = values
                .iter()
                .filter(|v| match kind_of(&v.unit) {
                    Some(UnitKind::Province) => provinces,
                    Some(UnitKind::Nation) | None => false,
                    Some(_) => !provinces,
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let mut by_label: HashMap<&str, Vec<String>> = HashMap::new();
            for v in &mine {
                if let model::Datum::Category(c) = &v.value {
                    by_label.entry(c.as_str()).or_default().push(cx.facts.unit_name(&v.unit, cx.lang));
                }
            }
            let rows: Vec<Vec<Cell>> = indicator
                .categories
                .iter()
                .map(|c| {
                    let mut names = by_label.remove(c.as_str()).unwrap_or_default();
                    // In Vietnamese alphabetical order, near enough: by the letters, then the marks.
                    names.sort_by_key(|n| (model::text::fold(n), n.clone()));
                    let n = names.len();
                    let share = n as f64 * 100.0 / mine.len() as f64;
                    vec![
                        Cell::text(c.clone()),
                        Cell::figure(n.to_string(), report::Figure { value: n as f64, decimals: 0, percent: false }),
                        Cell::figure(
                            format!("{}%", display::number(share, 1, cx.lang)),
                            report::Figure { value: share, decimals: 1, percent: true },
                        ),
                        Cell::text(if names.is_empty() { cx.t("Không có", "None") } else { names.join("; ") }),
                    ]
                })
                .collect();
            series.push(Series {
                name: bloc.clone(),
                values: rows.iter().map(|r| r[1].figure.map(|f| f.value)).collect(),
            });
            let columns = vec![
                Column { name: cx.t("Mức", "Grade"), numeric: false },
                Column { name: cx.t("Số lượng", "Count"), numeric: true },
                Column { name: cx.t("Tỷ lệ", "Share"), numeric: true },
                Column { name: cx.t("Đơn vị", "Units"), numeric: false },
            ];
            blocks.push(Block::Table(Table {
                title: Some(format!("{title} — {bloc} ({})", mine.len())),
                columns,
                groups: vec![RowGroup { heading: None, rows }],
                footnotes: indicator.description.iter().cloned().collect(),
            }));
        }
        if !series.is_empty() && cx.unit.is_none() {
            blocks.push(Block::Chart(Chart {
                kind: ChartKind::Bar,
                title,
                categories: indicator.categories.clone(),
                series,
                max: None,
                decimals: 0,
            }));
        }
    }
    if blocks.is_empty() {
        return None;
    }
    Some(Section {
        key: cx.t("Phân loại", "Grades"), heading: cx.t("Kết quả đánh giá, phân loại", "Grades"), blocks
    })
}
