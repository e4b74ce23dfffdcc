//! Scoring a group of units with a stored methodology, and ranking by one indicator.

use std::collections::HashMap;

use model::{Datum, GroupKey, Indicator, IndicatorKind, Period, UnitKey};
use model::{Direction, UnitRegistry};
use rust_decimal::prelude::ToPrimitive;
use score::method::{Cell, Compiled, IndicatorInfo, Table, UnitScore, compile};
use score::rank::{Movement, Ranked, movements, published, rank};
use store::{Page, Store, StoreError, ValueFilter};

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

struct Context {
    registry: UnitRegistry,
    indicators: HashMap<String, Indicator>,
}

async fn context(store: &Store) -> Result<Context, StoreError> {
    let r = store.reference().await?;
    let indicators = r.indicators.iter().map(|i| (i.code.to_string(), i.clone())).collect();
    let registry = UnitRegistry::new(r.units, r.groups, r.lineage)
        .map_err(|e| StoreError::Corrupt(format!("the stored units are inconsistent ({} problems)", e.len())))?;
    Ok(Context { registry, indicators })
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

/// The current values of a period, by indicator and unit.
async fn values_of(store: &Store, period: Period) -> Result<HashMap<(String, String), Datum>, StoreError> {
    let filter = ValueFilter { period: Some(period), ..Default::default() };
    let found = store.values(&filter, Page::ALL).await?.items;
    Ok(found.into_iter().map(|v| ((v.indicator.to_string(), v.unit.to_string()), v.value)).collect())
}

async fn score_units(
    store: &Store,
    compiled: &Compiled,
    units: Vec<UnitKey>,
    period: Period,
) -> Result<Vec<UnitScore>, StoreError> {
    let values = values_of(store, period).await?;
    let mut table = Table::new(units, compiled.slots.len());
    for row in 0..table.units.len() {
        let unit = table.units[row].to_string();
        for (slot, code) in compiled.slots.iter().enumerate() {
            if let Some(c) = values.get(&(code.to_string(), unit.clone())).and_then(cell) {
                table.set(row, slot, c);
            }
        }
    }
    Ok(compiled.score(&table))
}

/// Values of the units that have data for at least one component.
fn with_data(scores: &[UnitScore]) -> Vec<(UnitKey, f64)> {
    scores
        .iter()
        .filter(|u| u.components.iter().any(|c| c.status == score::method::Status::Scored))
        .map(|u| (u.unit.clone(), u.value))
        .collect()
}

/// Scores the members of `group` (by default the methodology's population) with
/// methodology `id` in the version that applies to `period`.
pub async fn score(store: &Store, id: &str, period: Period, group: Option<&str>) -> Result<Scored, ScoringError> {
    let Some(method) = store.methodology(id, Some(period)).await? else {
        return Err(if store.methodology(id, None).await?.is_some() {
            ScoringError::NoVersion { id: id.to_owned(), period }
        } else {
            ScoringError::UnknownMethodology(id.to_owned())
        });
    };
    let cx = context(store).await?;
    let lookup = |code: &str| cx.indicators.get(code).map(IndicatorInfo::from);
    let compiled = compile(&method, &lookup)
        .map_err(|e| ScoringError::Invalid(e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    let group = match group.map(str::to_owned).or_else(|| method.population.as_ref().map(ToString::to_string)) {
        Some(g) => cx.registry.group(&g).map(|g| g.key.clone()).ok_or(ScoringError::UnknownGroup(g))?,
        None => return Err(ScoringError::NoGroup),
    };
    let mut scores = score_units(store, &compiled, members(&cx.registry, &group, period), period).await?;
    let decimals = compiled.method.decimals;
    // Units without any data are listed, not ranked.
    let ranked = rank(&with_data(&scores), true, decimals);
    let order: HashMap<&UnitKey, usize> = ranked.iter().enumerate().map(|(i, r)| (&r.unit, i)).collect();
    scores.sort_by_key(|s| order.get(&s.unit).copied().unwrap_or(usize::MAX));

    // Movement against the previous period, scored by the version that applies then.
    let previous = period.previous();
    let before = match store.methodology(id, Some(previous)).await? {
        Some(m) => match compile(&m, &lookup) {
            Ok(c) => {
                let s = score_units(store, &c, members(&cx.registry, &group, previous), previous).await?;
                rank(&with_data(&s), true, c.method.decimals)
            }
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    };
    let movements = movements(&ranked, &before, decimals);
    Ok(Scored { compiled, period, group, scores, ranked, movements, registry: cx.registry })
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

pub async fn rank_indicator(
    store: &Store,
    code: &str,
    period: Period,
    group: Option<&str>,
) -> Result<IndicatorRanking, ScoringError> {
    let cx = context(store).await?;
    let indicator = cx.indicators.get(code).cloned().ok_or_else(|| ScoringError::UnknownIndicator(code.to_owned()))?;
    let group = match group {
        Some(g) => {
            Some(cx.registry.group(g).map(|g| g.key.clone()).ok_or_else(|| ScoringError::UnknownGroup(g.to_owned()))?)
        }
        None => None,
    };
    let allowed: Option<Vec<UnitKey>> = group.as_ref().map(|g| members(&cx.registry, g, period));
    let of_period = |p: Period| {
        let filter = ValueFilter { indicator: Some(code.to_owned()), period: Some(p), ..Default::default() };
        async move { store.values(&filter, Page::ALL).await.map(|v| v.items) }
    };
    let keep = |u: &UnitKey| allowed.as_ref().is_none_or(|a| a.contains(u));
    let now = of_period(period).await?;
    let higher = !matches!(indicator.direction, Direction::LowerIsBetter);
    let numbers = |values: &[model::ValueRecord]| -> Vec<(UnitKey, f64)> {
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
    let before = order(&numbers(&of_period(period.previous()).await?));
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
    Ok(IndicatorRanking { indicator, ranked, movements, categories, period, group, registry: cx.registry })
}
