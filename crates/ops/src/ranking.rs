//! Rankings as the API and the command line show them: one row per unit with its
//! movement (and, on request, how stable its rank is under other weights), the leaders
//! of each main index, and the units in each grade band or category.

use model::{IndicatorKind, Lang, UnitKey, UnitRegistry};
use score::rank::{Ranked, bottom, distribution, leaders, rank, top};
use serde::Serialize;

use super::scoring::{IndicatorRanking, Scored, ScoringError};

/// How far and how often the weights are shaken to see how stable each rank is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensitivity {
    pub draws: usize,
    pub spread: f64,
    pub seed: u64,
}

impl Sensitivity {
    /// At most this many draws are made for one request.
    pub const MAX_DRAWS: usize = 10_000;
    /// At most this many for a caller who is not signed in: the draws cost the server
    /// in proportion to their number, and anyone may ask.
    pub const MAX_ANONYMOUS_DRAWS: usize = 1_000;

    pub fn new(draws: usize, spread: f64, seed: u64) -> Result<Self, ScoringError> {
        if draws == 0 || draws > Self::MAX_DRAWS {
            return Err(ScoringError::BadRequest(format!("draws must be between 1 and {}", Self::MAX_DRAWS)));
        }
        if !(spread.is_finite() && spread > 0.0 && spread < 1.0) {
            return Err(ScoringError::BadRequest(format!(
                "spread is a share above 0 and below 1 (0.2 moves each weight by up to ±20%), not {spread}"
            )));
        }
        Ok(Sensitivity { draws, spread, seed })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub key: String,
    pub name: String,
}

/// One line of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RankRow {
    /// None for a unit without any data: listed, not ranked.
    pub rank: Option<u32>,
    pub unit: String,
    pub name: String,
    /// The index value (points ÷ maximum), or the indicator's value.
    pub value: Option<f64>,
    pub points: Option<f64>,
    /// The maximum that counted: components left out for want of data do not.
    pub max: Option<f64>,
    pub grade: Option<String>,
    pub previous_rank: Option<u32>,
    /// Places gained (positive) or lost (negative) since the previous period.
    pub rank_change: Option<i64>,
    pub value_change: Option<f64>,
    /// Not ranked in the previous period: new, not a mover.
    pub new: bool,
    /// With a sensitivity analysis: the median rank and the 5-95% interval over the draws.
    pub median_rank: Option<f64>,
    pub rank_low: Option<u32>,
    pub rank_high: Option<u32>,
    /// Components without data, by key.
    pub missing: Vec<String>,
}

/// The units ranked first on one main index.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Leaders {
    pub index: String,
    pub name: String,
    pub units: Vec<UnitRef>,
}

/// The units in one grade band or category, the best first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Band {
    pub label: String,
    pub name: Option<String>,
    pub units: Vec<UnitRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub methodology: Option<String>,
    pub version: Option<String>,
    pub indicator: Option<String>,
    pub title: String,
    pub period: String,
    pub group: Option<String>,
    /// Decimals the values are shown with: the methodology's, or as many as the
    /// indicator's values need (0 or 2).
    pub decimals: u32,
    pub rows: Vec<RankRow>,
    pub leaders: Vec<Leaders>,
    /// Grade bands of a methodology, or the categories of a category indicator.
    pub bands: Vec<Band>,
}

fn unit_ref(registry: &UnitRegistry, unit: &UnitKey, lang: Lang) -> UnitRef {
    let name = registry.get(unit.as_str()).map_or_else(|| unit.to_string(), |u| u.name_in(lang).to_owned());
    UnitRef { key: unit.to_string(), name }
}

/// Keeps the rows of the first and last `n` places (with ties), and the unranked.
fn cut(rows: Vec<RankRow>, ranked: &[Ranked], n: Option<usize>) -> Vec<RankRow> {
    let Some(n) = n else { return rows };
    let keep: Vec<&UnitKey> = top(ranked, n).iter().chain(bottom(ranked, n)).map(|r| &r.unit).collect();
    rows.into_iter().filter(|r| r.rank.is_none() || keep.iter().any(|k| k.as_str() == r.unit)).collect()
}

/// A group scored with a methodology, as a ranking.
pub fn methodology_ranking(
    scored: &Scored,
    lang: Lang,
    sensitivity: Option<Sensitivity>,
    top_n: Option<usize>,
) -> Ranking {
    let m = &scored.compiled.method;
    let is_ranked = |u: &UnitKey| scored.ranked.iter().any(|r| &r.unit == u);
    let ranked_scores: Vec<_> = scored.scores.iter().filter(|s| is_ranked(&s.unit)).cloned().collect();
    let stability = sensitivity
        .map(|s| score::sensitivity::sensitivity(&scored.compiled, &ranked_scores, s.draws, s.spread, s.seed));
    let rows = scored
        .scores
        .iter()
        .map(|s| {
            let movement = scored.movements.iter().find(|m| m.unit == s.unit);
            let stable = stability.as_ref().and_then(|st| st.iter().find(|x| x.unit == s.unit));
            RankRow {
                rank: movement.map(|m| m.rank),
                unit: s.unit.to_string(),
                name: unit_ref(&scored.registry, &s.unit, lang).name,
                value: movement.map(|_| s.value),
                points: movement.map(|_| s.total.points),
                max: movement.map(|_| s.total.max),
                grade: s.grade.clone(),
                previous_rank: movement.and_then(|m| m.previous_rank),
                rank_change: movement.and_then(|m| m.rank_change),
                value_change: movement.and_then(|m| m.value_change),
                new: movement.is_some_and(|m| m.new),
                median_rank: stable.map(|x| x.median_rank),
                rank_low: stable.map(|x| x.low),
                rank_high: stable.map(|x| x.high),
                missing: s.gaps(&scored.compiled).into_iter().map(str::to_owned).collect(),
            }
        })
        .collect();

    let index_names =
        m.pillars.iter().flat_map(|p| &p.indexes).map(|i| lang.pick(&i.name, i.name_en.as_deref()).to_owned());
    let leaders = scored
        .compiled
        .indexes()
        .zip(index_names)
        .enumerate()
        .filter(|(i, _)| ranked_scores.iter().any(|s| s.indexes[*i].max > 0.0))
        .map(|(i, ((key, _), name))| {
            let values: Vec<(UnitKey, f64)> = ranked_scores
                .iter()
                .filter(|s| s.indexes[i].max > 0.0)
                .map(|s| (s.unit.clone(), s.indexes[i].value()))
                .collect();
            let ranked = rank(&values, true, m.decimals);
            let units = leaders(&ranked).into_iter().map(|u| unit_ref(&scored.registry, u, lang)).collect();
            Leaders { index: key.to_owned(), name, units }
        })
        .collect();

    let grades: Vec<(UnitKey, Option<String>)> =
        ranked_scores.iter().map(|s| (s.unit.clone(), s.grade.clone())).collect();
    let bands = distribution(&grades, &m.grades)
        .into_iter()
        .filter(|(label, _)| !label.is_empty())
        .map(|(label, units)| {
            let band = m.grades.iter().find(|g| g.label == label);
            Band {
                name: band.and_then(|g| g.name.as_deref().map(|n| lang.pick(n, g.name_en.as_deref()).to_owned())),
                label,
                units: units.into_iter().map(|u| unit_ref(&scored.registry, u, lang)).collect(),
            }
        })
        .collect();

    Ranking {
        methodology: Some(m.id.clone()),
        version: Some(m.version.clone()),
        indicator: None,
        title: lang.pick(&m.name, m.name_en.as_deref()).to_owned(),
        period: scored.period.to_string(),
        group: Some(scored.group.to_string()),
        decimals: m.decimals,
        rows: cut(rows, &scored.ranked, top_n),
        leaders,
        bands,
    }
}

/// Units ranked by one indicator's values, or grouped by its categories.
pub fn indicator_ranking(r: &IndicatorRanking, lang: Lang, top_n: Option<usize>) -> Ranking {
    let rows: Vec<RankRow> = r
        .movements
        .iter()
        .map(|m| RankRow {
            rank: Some(m.rank),
            unit: m.unit.to_string(),
            name: unit_ref(&r.registry, &m.unit, lang).name,
            value: Some(m.value),
            points: None,
            max: None,
            grade: None,
            previous_rank: m.previous_rank,
            rank_change: m.rank_change,
            value_change: m.value_change,
            new: m.new,
            median_rank: None,
            rank_low: None,
            rank_high: None,
            missing: Vec::new(),
        })
        .collect();
    let bands = if r.indicator.kind == IndicatorKind::Category {
        r.categories
            .iter()
            .map(|(label, units)| Band {
                label: label.clone(),
                name: None,
                units: units.iter().map(|u| unit_ref(&r.registry, u, lang)).collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ranking {
        methodology: None,
        version: None,
        indicator: Some(r.indicator.code.to_string()),
        title: r.indicator.name_in(lang).to_owned(),
        period: r.period.to_string(),
        group: r.group.as_ref().map(ToString::to_string),
        decimals: if r.movements.iter().all(|m| m.value.fract() == 0.0) { 0 } else { 2 },
        rows: cut(rows, &r.ranked, top_n),
        leaders: Vec::new(),
        bands,
    }
}
