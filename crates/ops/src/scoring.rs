//! Scoring a group of units with a stored methodology, and ranking by one indicator.

use std::collections::HashMap;

use model::methodology::Methodology;
use model::{Datum, Direction, GroupKey, Indicator, IndicatorKind, Period, UnitKey, UnitRegistry};
use rust_decimal::prelude::ToPrimitive;
use score::method::{Cell, Compiled, IndicatorInfo, Table, UnitScore, compile};
use score::rank::{Movement, Ranked, movements, published, rank};
use store::{Store, StoreError};

use crate::facts::Facts;

#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    #[error("no methodology '{0}'")]
    UnknownMethodology(String),
    #[error("methodology '{id}' has no version that applies to {period}")]
    NoVersion { id: String, period: Period },
    #[error("no indicator '{0}'")]
    UnknownIndicator(String),
    #[error("no group '{0}'")]
    UnknownGroup(String),
    #[error("no unit '{0}'")]
    UnknownUnit(String),
    #[error("say which group to rank: the methodology names none")]
    NoGroup,
    #[error("the stored methodology does not compile: {0}")]
    Invalid(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A group scored with a methodology for a period, ranked, with movement against the
/// previous period.
pub struct Scored {
    pub compiled: Compiled,
    pub period: Period,
    pub group: GroupKey,
    /// In the order of the ranking.
    pub scores: Vec<UnitScore>,
    pub ranked: Vec<Ranked>,
    pub movements: Vec<Movement>,
    pub registry: UnitRegistry,
}

/// Members of a group that existed during the period.
fn members(registry: &UnitRegistry, group: &GroupKey, period: Period) -> Vec<UnitKey> {
    registry
        .members(group)
        .into_iter()
        .filter(|u| u.existed_during(period.start(), period.end()))
        .map(|u| u.key.clone())
        .collect()
}

fn cell(datum: &Datum) -> Option<Cell> {
    match datum {
        Datum::Number(n) => n.to_f64().map(Cell::Num),
        Datum::YesNo(b) => Some(Cell::Bool(*b)),
        Datum::Category(c) => Some(Cell::Cat(c.clone())),
        Datum::Date(_) => None,
    }
}

fn score_units(facts: &Facts, compiled: &Compiled, units: Vec<UnitKey>, period: Period) -> Vec<UnitScore> {
    let mut table = Table::new(units, compiled.slots.len());
    for row in 0..table.units.len() {
        let unit = table.units[row].to_string();
        for (slot, code) in compiled.slots.iter().enumerate() {
            if let Some(c) = facts.current(code.as_str(), &unit, period).and_then(|v| cell(&v.value)) {
                table.set(row, slot, c);
            }
        }
    }
    compiled.score(&table)
}

/// Values of the units that have data for at least one component.
fn with_data(scores: &[UnitScore]) -> Vec<(UnitKey, f64)> {
    scores
        .iter()
        .filter(|u| u.components.iter().any(|c| c.status == score::method::Status::Scored))
        .map(|u| (u.unit.clone(), u.value))
        .collect()
}

/// The version of methodology `id` that applies to `period` (the latest without one).
pub fn methodology<'a>(facts: &'a Facts, id: &str, period: Option<Period>) -> Option<&'a Methodology> {
    let versions = facts.reference.methodologies.iter().filter(|m| m.id == id);
    match period {
        Some(p) => versions.filter(|m| m.applies_to_period(p)).max_by_key(|m| m.applies_from),
        None => versions.max_by_key(|m| m.applies_from),
    }
}

/// Scores the members of `group` (by default the methodology's population) with
/// methodology `id` in the version that applies to `period`, from the store.
pub async fn score(store: &Store, id: &str, period: Period, group: Option<&str>) -> Result<Scored, ScoringError> {
    score_in(&Facts::load(store).await?, id, period, group)
}

/// `score` over facts already loaded (a read model's snapshot).
#[tracing::instrument(skip(facts), err(level = "info"))]
pub fn score_in(facts: &Facts, id: &str, period: Period, group: Option<&str>) -> Result<Scored, ScoringError> {
    let Some(method) = methodology(facts, id, Some(period)) else {
        return Err(if methodology(facts, id, None).is_some() {
            ScoringError::NoVersion { id: id.to_owned(), period }
        } else {
            ScoringError::UnknownMethodology(id.to_owned())
        });
    };
    let lookup = |code: &str| facts.indicator(code).map(IndicatorInfo::from);
    let compiled = compile(method, &lookup)
        .map_err(|e| ScoringError::Invalid(e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    let group = match group.map(str::to_owned).or_else(|| method.population.as_ref().map(ToString::to_string)) {
        Some(g) => facts.registry.group(&g).map(|g| g.key.clone()).ok_or(ScoringError::UnknownGroup(g))?,
        None => return Err(ScoringError::NoGroup),
    };
    let mut scores = score_units(facts, &compiled, members(&facts.registry, &group, period), period);
    let decimals = compiled.method.decimals;
    // Units without any data are listed, not ranked.
    let ranked = rank(&with_data(&scores), true, decimals);
    let order: HashMap<&UnitKey, usize> = ranked.iter().enumerate().map(|(i, r)| (&r.unit, i)).collect();
    scores.sort_by_key(|s| order.get(&s.unit).copied().unwrap_or(usize::MAX));

    // Movement against the previous period, scored by the version that applies then.
    let previous = period.previous();
    let before = match methodology(facts, id, Some(previous)).map(|m| compile(m, &lookup)) {
        Some(Ok(c)) => {
            let s = score_units(facts, &c, members(&facts.registry, &group, previous), previous);
            rank(&with_data(&s), true, c.method.decimals)
        }
        _ => Vec::new(),
    };
    let movements = movements(&ranked, &before, decimals);
    Ok(Scored { compiled, period, group, scores, ranked, movements, registry: facts.registry.clone() })
}

/// Units ranked by one indicator's values for a period (lower first where lower is
/// better), or, for a category indicator, grouped by category.
pub struct IndicatorRanking {
    pub indicator: Indicator,
    pub ranked: Vec<Ranked>,
    pub movements: Vec<Movement>,
    /// For category indicators: the units of each category, in the indicator's order.
    pub categories: Vec<(String, Vec<UnitKey>)>,
    pub period: Period,
    pub group: Option<GroupKey>,
    pub registry: UnitRegistry,
}

/// Ranks units by one indicator's values, from the store.
pub async fn rank_indicator(
    store: &Store,
    code: &str,
    period: Period,
    group: Option<&str>,
) -> Result<IndicatorRanking, ScoringError> {
    rank_indicator_in(&Facts::load(store).await?, code, period, group)
}

/// `rank_indicator` over facts already loaded (a read model's snapshot).
#[tracing::instrument(skip(facts), err(level = "info"))]
pub fn rank_indicator_in(
    facts: &Facts,
    code: &str,
    period: Period,
    group: Option<&str>,
) -> Result<IndicatorRanking, ScoringError> {
    let indicator = facts.indicator(code).cloned().ok_or_else(|| ScoringError::UnknownIndicator(code.to_owned()))?;
    let group = match group {
        Some(g) => Some(
            facts.registry.group(g).map(|g| g.key.clone()).ok_or_else(|| ScoringError::UnknownGroup(g.to_owned()))?,
        ),
        None => None,
    };
    let allowed: Option<Vec<UnitKey>> = group.as_ref().map(|g| members(&facts.registry, g, period));
    let of_period = |p: Period| facts.of_period(code, p);
    let keep = |u: &UnitKey| allowed.as_ref().is_none_or(|a| a.contains(u));
    let now = of_period(period);
    let higher = !matches!(indicator.direction, Direction::LowerIsBetter);
    let numbers = |values: &[&model::ValueRecord]| -> Vec<(UnitKey, f64)> {
        values
            .iter()
            .filter(|v| keep(&v.unit))
            .filter_map(|v| Some((v.unit.clone(), v.value.as_number()?.to_f64()?)))
            .collect()
    };
    let decimals = 4;
    // A published rank is kept as published: the places of a group's top and bottom ten
    // are 1-10 and 54-63, not 1-20.
    let order = |items: &[(UnitKey, f64)]| {
        if indicator.kind == IndicatorKind::Rank { published(items) } else { rank(items, higher, decimals) }
    };
    let ranked = order(&numbers(&now));
    let before = order(&numbers(&of_period(period.previous())));
    let movements = movements(&ranked, &before, decimals);
    let categories = indicator
        .categories
        .iter()
        .map(|c| {
            let mut units: Vec<UnitKey> = now
                .iter()
                .filter(|v| keep(&v.unit) && v.value == Datum::Category(c.clone()))
                .map(|v| v.unit.clone())
                .collect();
            units.sort();
            (c.clone(), units)
        })
        .collect();
    Ok(IndicatorRanking { indicator, ranked, movements, categories, period, group, registry: facts.registry.clone() })
}
