//! Public pages: rankings with a group filter and movement, a unit's profile with its
//! figures and trends, and the list of reports.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use model::{IndicatorKind, Lang, Period, display};
use serde::Deserialize;

use super::{Chrome, PageLang, render};
use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct RankingQuery {
    pub indicator: Option<String>,
    pub period: Option<String>,
    pub group: Option<String>,
}

pub struct Row {
    pub rank: String,
    pub unit: String,
    pub name: String,
    pub value: String,
    pub change: String,
    pub change_class: &'static str,
}

#[derive(Template)]
#[template(path = "rankings.html")]
pub struct RankingsPage {
    pub page: Chrome,
    pub title: String,
    /// (code, name, selected).
    pub indicators: Vec<(String, String, bool)>,
    pub periods: Vec<(String, String, bool)>,
    pub groups: Vec<(String, String, bool)>,
    pub rows: Vec<Row>,
    /// For a category indicator: (category, names).
    pub bands: Vec<(String, String)>,
}

fn selected(list: Vec<(String, String)>, current: &str) -> Vec<(String, String, bool)> {
    list.into_iter().map(|(k, n)| (k.clone(), n, k == current)).collect()
}

pub async fn rankings(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> Result<Response, ApiError> {
    let facts = ops::facts::Facts::load(&state.store).await?;
    // Indicators worth ranking: published ranks and grades, and any with figures from
    // several units.
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut units_of: std::collections::HashMap<&str, BTreeSet<&str>> = Default::default();
    for v in &facts.values {
        units_of.entry(v.indicator.as_str()).or_default().insert(v.unit.as_str());
    }
    for i in &facts.reference.indicators {
        let several = units_of.get(i.code.as_str()).is_some_and(|u| u.len() >= 2);
        if several && !matches!(i.kind, IndicatorKind::Date | IndicatorKind::YesNo) {
            codes.insert(i.code.to_string());
        }
    }
    let code = q.indicator.clone().unwrap_or_else(|| "dti.province.rank".to_owned());
    codes.insert(code.clone());
    let indicator = facts.indicator(&code).ok_or_else(|| ApiError::NotFound(format!("no indicator '{code}'")))?;
    let periods = facts.periods_of(&code);
    let period: Period = match q.period.as_deref() {
        Some(p) => p.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?,
        None => periods.last().copied().unwrap_or_else(|| {
            Period::of_kind_containing(model::period::PeriodKind::Year, chrono::Utc::now().date_naive())
        }),
    };
    let ranking = ops::rank_indicator(&state.store, &code, period, q.group.as_deref()).await?;
    let view = ops::indicator_ranking(&ranking, lang, None);
    let value_text = |v: f64| model::display::number(v, view.decimals, lang);
    let rows = view
        .rows
        .iter()
        .map(|r| {
            let (change, class) = match (r.new, r.rank_change) {
                (true, _) => (lang.pick("mới", Some("new")).to_owned(), "muted"),
                (_, Some(0)) => ("=".to_owned(), "muted"),
                (_, Some(c)) if c > 0 => (format!("▲{c}"), "good"),
                (_, Some(c)) => (format!("▼{}", -c), "bad"),
                _ => (String::new(), "muted"),
            };
            Row {
                rank: r.rank.map(|x| x.to_string()).unwrap_or_default(),
                unit: r.unit.clone(),
                name: r.name.clone(),
                value: r.value.map(value_text).unwrap_or_default(),
                change,
                change_class: class,
            }
        })
        .collect();
    let bands = view
        .bands
        .iter()
        .map(|b| (b.label.clone(), b.units.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join("; ")))
        .collect();
    let mut groups: Vec<(String, String)> = vec![(String::new(), lang.pick("Tất cả", Some("All")).to_owned())];
    groups.extend(
        facts.registry.groups().map(|g| (g.key.to_string(), lang.pick(&g.name, g.name_en.as_deref()).to_owned())),
    );
    let indicators =
        codes.iter().filter_map(|c| facts.indicator(c).map(|i| (c.clone(), i.name_in(lang).to_owned()))).collect();
    let page = RankingsPage {
        page: Chrome::new(lang, &caller, "/rankings"),
        title: format!("{} — {}", indicator.name_in(lang), display::period(period, lang)),
        indicators: selected(indicators, &code),
        periods: selected(
            periods.iter().rev().map(|p| (p.to_string(), display::period(*p, lang))).collect(),
            &period.to_string(),
        ),
        groups: selected(groups, q.group.as_deref().unwrap_or("")),
        rows,
        bands,
    };
    Ok(render(&page))
}

pub struct FigureRow {
    pub name: String,
    pub period: String,
    pub value: String,
    pub provenance: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
pub struct UnitPage {
    pub page: Chrome,
    pub name: String,
    pub kind: String,
    pub code: String,
    pub validity: String,
    pub groups: Vec<String>,
    pub lineage: Vec<String>,
    pub figures: Vec<FigureRow>,
    pub charts: Vec<String>,
    /// Targets the unit leads: (indicator, period, target, status, css class).
    pub targets: Vec<(String, String, String, String, &'static str)>,
    /// Its tasks: (title, due, state, css class).
    pub tasks: Vec<(String, String, String, &'static str)>,
    pub reports: Vec<(String, String)>,
    pub live: Option<super::live::LiveFigures>,
}

pub async fn unit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Response, ApiError> {
    let facts = ops::facts::Facts::load(&state.store).await?;
    let unit = facts.registry.resolve(&key, None).map_err(|e| ApiError::NotFound(e.to_string()))?.clone();
    let mut figures = Vec::new();
    let mut charts = Vec::new();
    for i in &facts.reference.indicators {
        let series = facts.series(i.code.as_str(), unit.key.as_str());
        let Some(last) = series.last() else { continue };
        let provenance = match lang {
            Lang::Vi => last.provenance.label_vi().to_owned(),
            Lang::En => last.provenance.as_str().to_owned(),
        };
        let value = match &last.value {
            model::Datum::Number(d) if i.unit_of_measure == "%" => format!("{}%", display::decimal(*d, lang)),
            model::Datum::Number(d) => display::decimal(*d, lang),
            other => other.to_text(),
        };
        figures.push(FigureRow {
            name: i.name_in(lang).to_owned(),
            period: display::period(last.period, lang),
            value,
            provenance,
            source: last.source.clone().unwrap_or_default(),
        });
        let points: Vec<(&model::ValueRecord, f64)> =
            series.iter().filter_map(|v| Some((*v, ops::facts::number(v)?))).collect();
        if points.len() >= 2 && charts.len() < 6 && i.kind != IndicatorKind::Rank {
            let chart = report::Chart {
                kind: report::ChartKind::Line,
                title: i.name_in(lang).to_owned(),
                categories: points.iter().map(|(v, _)| v.period.to_string()).collect(),
                series: vec![report::Series {
                    name: i.name_in(lang).to_owned(),
                    values: points.iter().map(|p| Some(p.1)).collect(),
                }],
                max: (i.unit_of_measure == "%").then_some(100.0),
                decimals: 1,
            };
            charts.extend(report::chart_svg(&chart, lang));
        }
    }
    let lineage = facts
        .reference
        .lineage
        .iter()
        .filter(|e| e.from.contains(&unit.key) || e.to.contains(&unit.key))
        .map(|e| {
            let names =
                |keys: &[model::UnitKey]| keys.iter().map(|k| facts.unit_name(k, lang)).collect::<Vec<_>>().join(", ");
            format!("{}: {} → {}", display::date(e.effective, lang), names(&e.from), names(&e.to))
        })
        .collect();
    let today = chrono::Utc::now().date_naive();
    let mut led: Vec<&model::Target> = facts
        .targets
        .iter()
        .filter(|t| {
            matches!(&t.scope, model::Scope::Unit(u) if *u == unit.key)
                || ops::progress::leads(&facts, t).iter().any(|a| facts.names(a, &unit.key))
        })
        .collect();
    led.sort_by_key(|t| std::cmp::Reverse(t.period.end()));
    let targets = led
        .into_iter()
        .take(20)
        .map(|t| {
            let p = ops::progress::target_progress(&facts, t, today);
            let class = match p.status {
                score::status::TargetStatus::Met | score::status::TargetStatus::OnTrack => "good",
                score::status::TargetStatus::AtRisk | score::status::TargetStatus::NotMet => "bad",
                _ => "muted",
            };
            let name = facts
                .indicator(t.indicator.as_str())
                .map_or_else(|| t.indicator.to_string(), |i| i.name_in(lang).to_owned());
            let goal = t.label.clone().unwrap_or_else(|| format!("{} {}", t.comparator, t.value.to_text()));
            (
                name,
                display::period(t.period, lang),
                goal,
                lang.pick(p.status.label_vi(), Some(p.status.label_en())).to_owned(),
                class,
            )
        })
        .collect();
    let mut mine: Vec<&model::Task> =
        facts.tasks.iter().filter(|t| t.responsible.iter().any(|a| facts.names(a, &unit.key))).collect();
    mine.sort_by_key(|t| std::cmp::Reverse(t.deadline.map(|d| d.end())));
    let tasks = mine
        .into_iter()
        .take(30)
        .map(|t| {
            let state = ops::progress::task_progress(t, today).state;
            let class = match state {
                score::status::TaskState::Done => "good",
                score::status::TaskState::Overdue | score::status::TaskState::DoneLate => "bad",
                score::status::TaskState::InProgress => "muted",
            };
            let due = t.deadline_label.clone().unwrap_or_else(|| t.deadline.map(|d| d.to_string()).unwrap_or_default());
            (t.title.clone(), due, lang.pick(state.label_vi(), Some(state.label_en())).to_owned(), class)
        })
        .collect();
    let reports = [
        Period::of_kind_containing(model::period::PeriodKind::Half, today).previous(),
        Period::of_kind_containing(model::period::PeriodKind::Year, today).previous(),
    ]
    .iter()
    .map(|p| (format!("/reports/{p}?unit={}", unit.key), display::period(*p, lang)))
    .collect();
    let validity = match (unit.valid_from, unit.valid_to) {
        (Some(a), Some(b)) => format!("{} – {}", display::date(a, lang), display::date(b, lang)),
        (Some(a), None) => format!("{} {}", lang.pick("từ", Some("from")), display::date(a, lang)),
        (None, Some(b)) => format!("{} {}", lang.pick("đến", Some("until")), display::date(b, lang)),
        (None, None) => String::new(),
    };
    let live = super::live::unit(&state.store, &unit.key, lang).await?;
    let page = UnitPage {
        live,
        page: Chrome::new(lang, &caller, &format!("/units/{}", unit.key)),
        name: unit.name_in(lang).to_owned(),
        kind: match lang {
            Lang::Vi => unit.kind.label_vi().to_owned(),
            Lang::En => unit.kind.label_en().to_owned(),
        },
        code: unit.code.clone().unwrap_or_default(),
        validity,
        groups: unit
            .groups
            .iter()
            .filter_map(|g| {
                facts.registry.group(g.as_str()).map(|g| lang.pick(&g.name, g.name_en.as_deref()).to_owned())
            })
            .collect(),
        lineage,
        figures,
        charts,
        targets,
        tasks,
        reports,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub page: Chrome,
    pub periods: Vec<(String, String)>,
}

pub async fn reports(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
) -> Result<Response, ApiError> {
    let reference = state.store.reference().await?;
    let mut years: Vec<i32> = reference.programmes.iter().filter_map(|p| p.period).map(|p| p.year()).collect();
    let today = chrono::Utc::now().date_naive();
    years.push(Period::of_kind_containing(model::period::PeriodKind::Year, today).year());
    years.sort();
    years.dedup();
    let periods = years
        .iter()
        .rev()
        .flat_map(|y| [Period::Year(*y), Period::Half(*y, 2), Period::Half(*y, 1)])
        .filter(|p| p.start() <= today)
        .map(|p| (p.to_string(), display::period(p, lang)))
        .collect();
    Ok(render(&ReportsPage { page: Chrome::new(lang, &caller, "/reports"), periods }))
}
