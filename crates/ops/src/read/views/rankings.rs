//! The rankings page: units ranked by any indicator worth ranking, for a period and a
//! group, with their movement since the period before.

use std::collections::{BTreeSet, HashMap};

use model::{IndicatorKind, Lang, Period, display};

use crate::read::Snapshot;
use crate::{ScoringError, indicator_ranking};

/// What the page was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RankingsQuery {
    pub indicator: Option<String>,
    pub period: Option<Period>,
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

pub struct RankingsView {
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

impl RankingsView {
    pub fn of(snapshot: &Snapshot, q: &RankingsQuery, lang: Lang) -> Result<RankingsView, ScoringError> {
        let facts = &snapshot.facts;
        // Indicators worth ranking: published ranks and grades, and any with figures from
        // several units.
        let mut codes: BTreeSet<String> = BTreeSet::new();
        let mut units_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
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
        let indicator = facts.indicator(&code).ok_or_else(|| ScoringError::UnknownIndicator(code.clone()))?;
        let periods = facts.periods_of(&code);
        let period = q.period.or_else(|| periods.last().copied()).unwrap_or_else(|| {
            Period::of_kind_containing(model::period::PeriodKind::Year, chrono::Utc::now().date_naive())
        });
        let ranking = snapshot.ranked(&code, period, q.group.as_deref())?;
        let view = indicator_ranking(&ranking, lang, None);
        let value_text = |v: f64| display::number(v, view.decimals, lang);
        let rows = view
            .rows
            .iter()
            .map(|r| {
                let (change, class) = match (r.new, r.rank_change) {
                    (true, _) => (lang.pick("mới", Some("new")).to_owned(), "muted"),
                    (_, Some(0)) => ("=".to_owned(), "muted"),
                    (_, Some(c)) if c > 0 => (format!("▲{c}"), "good"),
                    (_, Some(c)) => (format!("▼{}", c.unsigned_abs()), "bad"),
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
        Ok(RankingsView {
            title: format!("{} — {}", indicator.name_in(lang), display::period(period, lang)),
            indicators: selected(indicators, &code),
            periods: selected(
                periods.iter().rev().map(|p| (p.to_string(), display::period(*p, lang))).collect(),
                &period.to_string(),
            ),
            groups: selected(groups, q.group.as_deref().unwrap_or("")),
            rows,
            bands,
        })
    }
}
