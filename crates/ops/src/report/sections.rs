//! The sections of a report, each from the facts of the period; a section the period
//! has nothing for says so.

use chrono::NaiveDate;
use model::{Lang, Period, UnitKey, display};
use report::{Block, Cell, Chart, ChartKind, Column, RowGroup, Section, Series, Table};
use score::status::{TargetStatus, TaskState};

use super::format::{self, t};
use super::targets;
use crate::facts::{Facts, number};
use crate::progress::{TaskProgress, leads, task_progress};

pub struct Context<'a> {
    pub facts: &'a Facts,
    pub period: Period,
    pub as_of: NaiveDate,
    pub lang: Lang,
    /// One agency's report.
    pub unit: Option<UnitKey>,
}

impl Context<'_> {
    pub fn t(&self, vi: &str, en: &str) -> String {
        t(self.lang, vi, en)
    }

    fn no_data(&self) -> Block {
        Block::NoData(match self.lang {
            Lang::Vi => format!("Chưa có số liệu cho {}.", display::period(self.period, self.lang)),
            Lang::En => format!("No data for {}.", display::period(self.period, self.lang)),
        })
    }

    /// Whether the report covers this target: all of them, or those the agency leads.
    fn covers_target(&self, target: &model::Target) -> bool {
        match &self.unit {
            None => true,
            Some(u) => {
                matches!(&target.scope, model::Scope::Unit(s) if s == u)
                    || leads(self.facts, target).iter().any(|a| self.facts.names(a, u))
            }
        }
    }

    fn covers_task(&self, task: &model::Task) -> bool {
        match &self.unit {
            None => true,
            Some(u) => task.responsible.iter().any(|a| self.facts.names(a, u)),
        }
    }
}

fn section(key: String, heading: String, blocks: Vec<Block>) -> Option<Section> {
    Some(Section { key, heading, blocks })
}

/// "13 chỉ tiêu: 9 đã hoàn thành (69,2%), 4 chưa hoàn thành (30,8%)".
fn counts_line(counts: &score::status::StatusCounts, lang: Lang) -> String {
    let parts: Vec<String> = TargetStatus::ALL
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| {
            let label = lang.pick(s.label_vi(), Some(s.label_en())).to_lowercase();
            format!("{} {label} ({}%)", counts.get(*s), display::number(counts.percent(*s), 1, lang))
        })
        .collect();
    let noun = if counts.total == 1 { t(lang, "chỉ tiêu", "target") } else { t(lang, "chỉ tiêu", "targets") };
    format!("{} {noun}: {}", counts.total, parts.join(", "))
}

pub fn targets(cx: &Context<'_>, summary: &mut Vec<String>) -> Option<Section> {
    let plans = targets::plans(cx.facts, cx.period, cx.as_of, cx.lang, &|x| cx.covers_target(x));
    let mut blocks = Vec::new();
    for plan in &plans {
        let mut line = counts_line(&plan.counts(), cx.lang);
        let parts: usize = plan.rows.iter().map(|r| r.parts.len()).sum();
        if parts != plan.rows.len() {
            line.push_str(&match cx.lang {
                Lang::Vi => format!(" ({parts} chỉ tiêu thành phần)"),
                Lang::En => format!(" ({parts} targets counting their parts)"),
            });
        }
        summary.push(format!("{}: {line}", plan.name));
        blocks.push(Block::Paragraph(line));
        blocks.push(targets::table(cx.facts, plan, cx.lang));
    }
    if blocks.is_empty() {
        blocks.push(cx.no_data());
    }
    section(cx.t("Chỉ tiêu", "Targets"), cx.t("Kết quả thực hiện các chỉ tiêu", "Targets and results"), blocks)
}

/// The national index and its pillars, year by year up to the period.
pub fn index(cx: &Context<'_>, summary: &mut Vec<String>) -> Option<Section> {
    if cx.unit.is_some() {
        return None;
    }
    let nation = cx.facts.registry.units().find(|u| u.kind == model::UnitKind::Nation)?.key.clone();
    // The index first, then its pillars in the order the reports give them.
    let order = ["dti.national", "dti.national.government", "dti.national.economy", "dti.national.society"];
    let mut codes: Vec<&model::Indicator> =
        cx.facts.reference.indicators.iter().filter(|i| i.code.as_str().starts_with("dti.national")).collect();
    codes.sort_by_key(|i| order.iter().position(|o| *o == i.code.as_str()).unwrap_or(order.len()));
    let mut years: Vec<i32> = codes
        .iter()
        .flat_map(|i| cx.facts.series(i.code.as_str(), nation.as_str()))
        .filter(|v| matches!(v.period, Period::Year(_)) && v.period.end() <= cx.as_of)
        .map(|v| v.period.year())
        .collect();
    years.sort();
    years.dedup();
    let heading = cx.t("Chỉ số chuyển đổi số quốc gia", "National digital transformation index");
    let key = cx.t("Chỉ số quốc gia", "National index");
    if years.is_empty() {
        return section(key, heading, vec![cx.no_data()]);
    }
    let mut columns = vec![Column { name: cx.t("Chỉ số", "Index"), numeric: false }];
    columns.extend(years.iter().map(|y| Column { name: y.to_string(), numeric: true }));
    let change_label = match (years.len(), cx.lang) {
        (n, Lang::Vi) if n > 1 => Some(format!("Tăng so với năm {}", years[n - 2])),
        (n, Lang::En) if n > 1 => Some(format!("Change since {}", years[n - 2])),
        _ => None,
    };
    if let Some(l) = &change_label {
        columns.push(Column { name: l.clone(), numeric: true });
    }
    let mut rows = Vec::new();
    let mut series = Vec::new();
    for i in &codes {
        let values: Vec<Option<&model::ValueRecord>> =
            years.iter().map(|y| cx.facts.current(i.code.as_str(), nation.as_str(), Period::Year(*y))).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        let mut row = vec![Cell::text(i.name_in(cx.lang))];
        row.extend(values.iter().map(|v| v.map_or_else(|| Cell::text("—"), |v| format::value(v, Some(i), cx.lang))));
        if change_label.is_some() {
            let last = values.last().copied().flatten().and_then(number);
            let before = values.get(values.len().wrapping_sub(2)).copied().flatten().and_then(number);
            row.push(match (last, before) {
                (Some(a), Some(b)) if b != 0.0 => {
                    let pct = (a - b) / b * 100.0;
                    Cell::figure(
                        format!("{}%", display::number(pct, 1, cx.lang)),
                        report::Figure { value: pct, decimals: 1, percent: true },
                    )
                }
                _ => Cell::text("—"),
            });
        }
        rows.push(row);
        series.push(Series {
            name: i.name_in(cx.lang).to_owned(),
            values: values.iter().map(|v| v.and_then(number)).collect(),
        });
    }
    let headline = codes.first().and_then(|i| {
        let last = years.last()?;
        let v = cx.facts.current(i.code.as_str(), nation.as_str(), Period::Year(*last))?;
        Some(format!(
            "{} {}: {}",
            i.name_in(cx.lang),
            display::period(Period::Year(*last), cx.lang),
            format::value(v, Some(i), cx.lang).text
        ))
    });
    summary.extend(headline);
    let chart = Chart {
        kind: ChartKind::Line,
        title: heading.clone(),
        categories: years.iter().map(ToString::to_string).collect(),
        series,
        max: Some(1.0),
        decimals: 2,
    };
    let table = Table { title: None, columns, groups: vec![RowGroup { heading: None, rows }], footnotes: Vec::new() };
    section(key, heading, vec![Block::Table(table), Block::Chart(chart)])
}

/// Task lists with tasks due in the period, each split into completed and not. A list
/// is an appendix and is shown whole: the tasks of Q2 include those carried over from
/// earlier months.
pub fn tasks(cx: &Context<'_>, summary: &mut Vec<String>) -> Option<Section> {
    let mut blocks = Vec::new();
    for list in &cx.facts.reference.task_lists {
        let of_list: Vec<&model::Task> = cx.facts.tasks.iter().filter(|x| x.list == list.key).collect();
        if !of_list.iter().any(|x| x.deadline.as_ref().is_some_and(|d| cx.period.contains_date(d.end()))) {
            continue;
        }
        let due: Vec<TaskProgress<'_>> =
            of_list.into_iter().filter(|x| cx.covers_task(x)).map(|x| task_progress(x, cx.as_of)).collect();
        if due.is_empty() {
            continue;
        }
        let name = cx.lang.pick(&list.name, list.name_en.as_deref()).to_owned();
        let (done, open): (Vec<_>, Vec<_>) = due.iter().partition(|p| p.state.is_done());
        let overdue = open.iter().filter(|p| p.state == TaskState::Overdue).count();
        summary.push(match cx.lang {
            Lang::Vi => format!(
                "{name}: {} nhiệm vụ, {} đã hoàn thành, {} chưa hoàn thành ({overdue} quá hạn)",
                due.len(),
                done.len(),
                open.len()
            ),
            Lang::En => {
                format!("{name}: {} tasks, {} done, {} not done ({overdue} overdue)", due.len(), done.len(), open.len())
            }
        });
        blocks.push(Block::Paragraph(name));
        for (title, items) in [
            (cx.t("Nhiệm vụ đã hoàn thành", "Tasks completed"), done),
            (cx.t("Nhiệm vụ chưa hoàn thành", "Tasks not completed"), open),
        ] {
            blocks.push(task_table(cx, format!("{title} ({})", items.len()), &items));
        }
    }
    if blocks.is_empty() {
        if cx.unit.is_some() {
            return None;
        }
        blocks.push(Block::NoData(match cx.lang {
            Lang::Vi => format!("Không có nhiệm vụ có thời hạn trong {}.", display::period(cx.period, cx.lang)),
            Lang::En => format!("No task falls due in {}.", display::period(cx.period, cx.lang)),
        }));
    }
    section(cx.t("Nhiệm vụ", "Tasks"), cx.t("Tiến độ thực hiện nhiệm vụ", "Progress of tasks"), blocks)
}

fn task_table(cx: &Context<'_>, title: String, items: &[&TaskProgress<'_>]) -> Block {
    let columns = [
        ("TT", "No."),
        ("Nhiệm vụ", "Task"),
        ("Kết quả cần đạt", "Required result"),
        ("Thời hạn", "Due"),
        ("Cơ quan chủ trì", "Responsible"),
        ("Kết quả thực hiện", "Result"),
        ("Tình trạng", "Status"),
    ]
    .iter()
    .map(|(vi, en)| Column { name: cx.t(vi, en), numeric: false })
    .collect();
    let rows = items
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let task = p.task;
            let due = task.deadline_label.clone().or_else(|| {
                task.deadline.as_ref().map(|d| match d {
                    model::DateOrPeriod::Date(d) => display::date(*d, cx.lang),
                    model::DateOrPeriod::Period(p) => display::period(*p, cx.lang),
                })
            });
            let agencies: Vec<String> = task.responsible.iter().map(|a| cx.facts.agency_name(a, cx.lang)).collect();
            vec![
                Cell::text((n + 1).to_string()),
                Cell::text(task.title.clone()),
                Cell::text(task.required_result.clone().unwrap_or_default()),
                Cell::text(due.unwrap_or_default()),
                Cell::text(agencies.join(", ")),
                Cell::text(task.result.clone().unwrap_or_default()),
                Cell::text(cx.lang.pick(p.state.label_vi(), Some(p.state.label_en()))),
            ]
        })
        .collect();
    Block::Table(Table {
        title: Some(title),
        columns,
        groups: vec![RowGroup { heading: None, rows }],
        footnotes: Vec::new(),
    })
}

/// Per lead agency: its unfinished targets and overdue tasks (the monthly list).
pub fn agencies(cx: &Context<'_>) -> Option<Section> {
    if cx.unit.is_some() {
        return None;
    }
    let plans = targets::plans(cx.facts, cx.period, cx.as_of, cx.lang, &|_| true);
    let mut by_agency: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)> = Default::default();
    for row in plans.iter().flat_map(|p| &p.rows) {
        for part in row.parts.iter().filter(|p| p.status != TargetStatus::Met) {
            let name = cx
                .facts
                .indicator(part.target.indicator.as_str())
                .map_or_else(|| part.target.indicator.to_string(), |i| i.name_in(cx.lang).to_owned());
            for a in leads(cx.facts, part.target) {
                by_agency.entry(cx.facts.agency_name(a, cx.lang)).or_default().0.push(name.clone());
            }
        }
    }
    for task in &cx.facts.tasks {
        if task.deadline.as_ref().is_some_and(|d| d.end() <= cx.period.end())
            && task_progress(task, cx.as_of).state == TaskState::Overdue
        {
            for a in &task.responsible {
                by_agency.entry(cx.facts.agency_name(a, cx.lang)).or_default().1.push(task.title.clone());
            }
        }
    }
    let heading = cx.t(
        "Chỉ tiêu chưa hoàn thành và nhiệm vụ quá hạn theo cơ quan chủ trì",
        "Unfinished targets and overdue tasks by lead agency",
    );
    let key = cx.t("Theo cơ quan", "By agency");
    if by_agency.is_empty() {
        return section(key, heading, vec![Block::NoData(cx.t("Không có.", "None."))]);
    }
    let columns = vec![
        Column { name: cx.t("Cơ quan", "Agency"), numeric: false },
        Column { name: cx.t("Chỉ tiêu chưa hoàn thành", "Unfinished targets"), numeric: false },
        Column { name: cx.t("Nhiệm vụ quá hạn", "Overdue tasks"), numeric: false },
    ];
    let rows = by_agency
        .into_iter()
        .map(|(agency, (targets, tasks))| {
            let list =
                |items: Vec<String>| Cell::text(items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n"));
            vec![Cell::text(agency), list(targets), list(tasks)]
        })
        .collect();
    section(
        key,
        heading,
        vec![Block::Table(Table {
            title: None,
            columns,
            groups: vec![RowGroup { heading: None, rows }],
            footnotes: Vec::new(),
        })],
    )
}

/// One agency's own figures for the period.
pub fn unit_values(cx: &Context<'_>) -> Option<Section> {
    let unit = cx.unit.as_ref()?;
    let mut rows = Vec::new();
    let mut notes = super::Notes::default();
    for i in &cx.facts.reference.indicators {
        for v in cx.facts.series(i.code.as_str(), unit.as_str()).into_iter().filter(|v| cx.period.contains(&v.period)) {
            let mut value = format::value(v, Some(i), cx.lang);
            if let Some(s) = &v.source {
                value.notes.push(notes.add(super::cite(cx.facts, s, cx.lang)));
            }
            rows.push(vec![Cell::text(i.name_in(cx.lang)), Cell::text(display::period(v.period, cx.lang)), value]);
        }
    }
    let heading = cx.t("Số liệu của đơn vị", "The agency's figures");
    let key = cx.t("Số liệu", "Figures");
    if rows.is_empty() {
        return section(key, heading, vec![cx.no_data()]);
    }
    let columns = vec![
        Column { name: cx.t("Chỉ tiêu", "Indicator"), numeric: false },
        Column { name: cx.t("Kỳ", "Period"), numeric: false },
        Column { name: cx.t("Giá trị", "Value"), numeric: true },
    ];
    section(
        key,
        heading,
        vec![Block::Table(Table {
            title: None,
            columns,
            groups: vec![RowGroup { heading: None, rows }],
            footnotes: notes.into_list(),
        })],
    )
}

pub use super::standings::{grades, rankings};
