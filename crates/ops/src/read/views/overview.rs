//! The public overview: the national index and its pillars with their trend, where the
//! current plan's targets stand, what the system holds, the consistency check, and the
//! reports.

use chrono::NaiveDate;
use model::{Lang, Period, display};
use score::check::Severity;
use score::status::TargetStatus;

use super::target_class;
use crate::read::Snapshot;

pub struct IndexRow {
    pub name: String,
    pub cells: Vec<String>,
}

pub struct PlanLine {
    pub name: String,
    pub total: usize,
    /// (label, count, css class).
    pub parts: Vec<(String, usize, &'static str)>,
}

pub struct Overview {
    pub years: Vec<String>,
    pub index_rows: Vec<IndexRow>,
    /// The index's trend as SVG.
    pub chart: Option<String>,
    pub plans: Vec<PlanLine>,
    pub plans_period: String,
    pub units: usize,
    pub indicators: usize,
    pub values: usize,
    pub targets: usize,
    pub tasks: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Links to the periodic reports: (period, label).
    pub reports: Vec<(String, String)>,
}

const INDEX_CODES: [&str; 4] =
    ["dti.national", "dti.national.government", "dti.national.economy", "dti.national.society"];

impl Overview {
    pub fn of(snapshot: &Snapshot, lang: Lang, today: NaiveDate) -> Overview {
        let facts = &snapshot.facts;
        let nation = facts.registry.units().find(|u| u.kind == model::UnitKind::Nation).map(|u| u.key.to_string());
        let mut years: Vec<i32> = INDEX_CODES
            .iter()
            .flat_map(|c| nation.iter().flat_map(move |n| facts.series(c, n)))
            .filter(|v| matches!(v.period, Period::Year(_)))
            .map(|v| v.period.year())
            .collect();
        years.sort();
        years.dedup();
        let mut index_rows = Vec::new();
        let mut series = Vec::new();
        for code in INDEX_CODES {
            let (Some(indicator), Some(n)) = (facts.indicator(code), nation.as_deref()) else { continue };
            let values: Vec<Option<&model::ValueRecord>> =
                years.iter().map(|y| facts.current(code, n, Period::Year(*y))).collect();
            let cells = values
                .iter()
                .map(|v| {
                    v.and_then(|v| v.value.as_number()).map_or_else(|| "—".to_owned(), |x| display::decimal(x, lang))
                })
                .collect();
            series.push(report::Series {
                name: indicator.name_in(lang).to_owned(),
                values: values.iter().map(|v| v.and_then(crate::facts::number)).collect(),
            });
            index_rows.push(IndexRow { name: indicator.name_in(lang).to_owned(), cells });
        }
        let chart = (!years.is_empty()).then(|| report::Chart {
            kind: report::ChartKind::Line,
            title: lang.pick("Chỉ số chuyển đổi số quốc gia", Some("National digital transformation index")).to_owned(),
            categories: years.iter().map(ToString::to_string).collect(),
            series,
            max: Some(1.0),
            decimals: 2,
        });
        // Where this year's plan stands today.
        let this_year = Period::of_kind_containing(model::period::PeriodKind::Year, today);
        let plan_year = facts
            .targets
            .iter()
            .map(|t| t.period)
            .filter(|p| p.start() <= today)
            .max_by_key(|p| p.end())
            .unwrap_or(this_year);
        let plans = crate::report::plan_counts(facts, plan_year, plan_year.end().min(today), lang)
            .into_iter()
            .map(|(name, c)| PlanLine {
                name,
                total: c.total,
                parts: TargetStatus::ALL
                    .iter()
                    .filter(|s| c.get(**s) > 0)
                    .map(|s| {
                        let class = target_class(*s);
                        (lang.pick(s.label_vi(), Some(s.label_en())).to_owned(), c.get(*s), class)
                    })
                    .collect(),
            })
            .collect();
        let mut plan_years: Vec<i32> =
            facts.reference.programmes.iter().filter_map(|p| p.period).map(|p| p.year()).collect();
        plan_years.sort();
        plan_years.dedup();
        let reports = plan_years
            .iter()
            .flat_map(|y| [Period::Half(*y, 1), Period::Year(*y)])
            .map(|p| (p.to_string(), display::period(p, lang)))
            .collect();
        let count = |s| snapshot.findings.iter().filter(|f| f.severity == s).count();
        Overview {
            years: years.iter().map(ToString::to_string).collect(),
            index_rows,
            chart: chart.as_ref().and_then(|c| report::chart_svg(c, lang)),
            plans,
            plans_period: display::period(plan_year, lang),
            units: facts.registry.units().filter(|u| u.valid_on(today)).count(),
            indicators: facts.reference.indicators.len(),
            values: facts.values.len(),
            targets: facts.targets.len(),
            tasks: facts.tasks.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            reports,
        }
    }
}
