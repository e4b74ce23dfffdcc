//! A unit's profile: what it is and was, its latest figures with their provenance and
//! trends, the targets it leads and its tasks, with where each stands.

use chrono::NaiveDate;
use model::{IndicatorKind, Lang, Period, Unit, display};

use super::{target_class, task_class};
use crate::read::Snapshot;

pub struct FigureRow {
    pub name: String,
    pub period: String,
    pub value: String,
    pub provenance: String,
    pub source: String,
}

pub struct UnitProfile {
    pub key: String,
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
}

impl UnitProfile {
    /// The profile of `unit` (by key, code or any spelling).
    pub fn of(
        snapshot: &Snapshot,
        key: &str,
        lang: Lang,
        today: NaiveDate,
    ) -> Result<UnitProfile, model::ResolveError> {
        let facts = &snapshot.facts;
        let unit: Unit = facts.registry.resolve(key, None)?.clone();
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
                series.iter().filter_map(|v| Some((*v, crate::facts::number(v)?))).collect();
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
                let names = |keys: &[model::UnitKey]| {
                    keys.iter().map(|k| facts.unit_name(k, lang)).collect::<Vec<_>>().join(", ")
                };
                format!("{}: {} → {}", display::date(e.effective, lang), names(&e.from), names(&e.to))
            })
            .collect();
        let mut led: Vec<&model::Target> = facts
            .targets
            .iter()
            .filter(|t| {
                matches!(&t.scope, model::Scope::Unit(u) if *u == unit.key)
                    || crate::progress::leads(facts, t).iter().any(|a| facts.names(a, &unit.key))
            })
            .collect();
        led.sort_by_key(|t| std::cmp::Reverse(t.period.end()));
        let targets = led
            .into_iter()
            .take(20)
            .map(|t| {
                let p = crate::progress::target_progress(facts, t, today);
                let class = target_class(p.status);
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
                let state = crate::progress::task_progress(t, today).state;
                let class = task_class(state);
                let due =
                    t.deadline_label.clone().unwrap_or_else(|| t.deadline.map(|d| d.to_string()).unwrap_or_default());
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
        Ok(UnitProfile {
            key: unit.key.to_string(),
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
        })
    }
}
