//! Methodologies, rankings (by a methodology or by one indicator) and one unit's scores.

use axum::Json;
use axum::extract::State;
use model::methodology::Methodology;
use model::{Lang, Period};
use serde::{Deserialize, Serialize};

use super::{ApiPath, ApiQuery, parse};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, Result};
use ops::{Ranking, ScoringError, Sensitivity, UnitScores};

impl From<ScoringError> for ApiError {
    fn from(e: ScoringError) -> Self {
        match e {
            ScoringError::UnknownMethodology(_)
            | ScoringError::NoVersion { .. }
            | ScoringError::UnknownIndicator(_)
            | ScoringError::UnknownGroup(_)
            | ScoringError::UnknownUnit(_) => ApiError::NotFound(e.to_string()),
            ScoringError::NoGroup | ScoringError::BadRequest(_) => ApiError::BadRequest(e.to_string()),
            ScoringError::Invalid(_) => ApiError::Unprocessable(e.to_string()),
            ScoringError::Store(s) => ApiError::Store(s),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GradeDto {
    pub label: String,
    pub name: Option<String>,
    /// Points from `min` (included) to `max` (excluded, but for the top band).
    pub min: f64,
    pub max: f64,
}

/// A methodology version, without its tree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MethodologySummary {
    pub id: String,
    pub version: String,
    pub name: String,
    pub name_en: Option<String>,
    /// The first and last periods the version applies to.
    pub applies_from: String,
    pub applies_to: Option<String>,
    /// The group ranked by default.
    pub population: Option<String>,
    pub max: f64,
    /// What a component without data counts as: zero, exclude or impute.
    pub missing: String,
    pub pillars: usize,
    pub indexes: usize,
    pub components: usize,
    pub grades: Vec<GradeDto>,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl From<&Methodology> for MethodologySummary {
    fn from(m: &Methodology) -> Self {
        MethodologySummary {
            id: m.id.clone(),
            version: m.version.clone(),
            name: m.name.clone(),
            name_en: m.name_en.clone(),
            applies_from: m.applies_from.to_string(),
            applies_to: m.applies_to.map(|p| p.to_string()),
            population: m.population.as_ref().map(ToString::to_string),
            max: m.max,
            missing: m.missing.as_str().to_owned(),
            pillars: m.pillars.len(),
            indexes: m.pillars.iter().map(|p| p.indexes.len()).sum(),
            components: m.components().count(),
            grades: m
                .grades
                .iter()
                .map(|g| GradeDto { label: g.label.clone(), name: g.name.clone(), min: g.min, max: g.max })
                .collect(),
            source: m.source.clone(),
            note: m.note.clone(),
        }
    }
}

/// Every stored methodology version.
#[utoipa::path(get, path = "/api/v1/methodologies", tag = "rankings",
    responses((status = 200, body = [MethodologySummary])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<MethodologySummary>>> {
    let snapshot = state.read.snapshot();
    Ok(Json(snapshot.facts.reference.methodologies.iter().map(MethodologySummary::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version that applies to this period; the latest without it.
    pub period: Option<String>,
}

/// One methodology in full, in the form of its file: pillars, main indexes, components
/// with their indicators and rules, grade bands and views.
#[utoipa::path(get, path = "/api/v1/methodologies/{id}", tag = "rankings", params(("id" = String, Path), VersionQuery),
    responses((status = 200, body = Object), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<Methodology>> {
    let period: Option<Period> = parse("period", q.period.as_deref())?;
    let snapshot = state.read.snapshot();
    let found = ops::read::methodology(&snapshot.facts, &id, period).cloned();
    found.map(Json).ok_or_else(|| match period {
        Some(p) => ApiError::NotFound(format!("methodology '{id}' has no version that applies to {p}")),
        None => ApiError::NotFound(format!("no methodology '{id}'")),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Rank by this methodology (e.g. dti-province) ...
    pub methodology: Option<String>,
    /// ... or by this indicator's values (a published rank keeps its places).
    pub indicator: Option<String>,
    /// 2023, 2023-H1, 2023-Q2 or 2023-06.
    pub period: String,
    /// The group to rank; by default the methodology's population, or every unit with
    /// a value of the indicator.
    pub group: Option<String>,
    /// Only the first and last N places.
    pub top: Option<usize>,
    /// Draws for the stability of each rank under other weights (1 to 10000; at most
    /// 1000 without a session or token).
    pub draws: Option<usize>,
    /// How far each weight may move in a draw, as a share (default 0.2: ±20%).
    pub spread: Option<f64>,
    /// Seed of the draws (default 1): the same seed gives the same answer.
    pub seed: Option<u64>,
    /// vi (default) or en.
    pub lang: Option<String>,
}

/// A group ranked by a methodology (with movement against the previous period, leaders
/// per main index, the units in each grade band and, with `draws`, the stability of
/// each rank), or ranked by one indicator.
#[utoipa::path(get, path = "/api/v1/rankings", params(RankingQuery), tag = "rankings",
    responses((status = 200, body = Ranking), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn rankings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> Result<Json<Ranking>> {
    let period: Period = q.period.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?;
    let lang: Lang = parse("lang", q.lang.as_deref())?.unwrap_or_default();
    let group = q.group.as_deref();
    match (&q.methodology, &q.indicator) {
        (Some(id), None) => {
            let sensitivity = match q.draws {
                Some(d) if caller.principal.is_none() && d > Sensitivity::MAX_ANONYMOUS_DRAWS => {
                    return Err(ApiError::BadRequest(format!(
                        "draws: at most {} without signing in or a token",
                        Sensitivity::MAX_ANONYMOUS_DRAWS
                    )));
                }
                Some(d) => Some(Sensitivity::new(d, q.spread.unwrap_or(0.2), q.seed.unwrap_or(1))?),
                None => None,
            };
            let snapshot = state.read.snapshot();
            let key = ((id.clone(), period, group.map(str::to_owned)), true, q.top, lang);
            if sensitivity.is_none()
                && let Some(kept) = snapshot.rankings.get(&key)
            {
                return Ok(Json(kept.as_ref().clone()));
            }
            let (made, id, group, top) = (snapshot.clone(), id.clone(), group.map(str::to_owned), q.top);
            let ranking = ops::work::compute(move || {
                let scored = made.scored(&id, period, group.as_deref())?;
                Ok::<_, ops::ScoringError>(ops::methodology_ranking(&scored, lang, sensitivity, top))
            })
            .await??;
            if sensitivity.is_none() {
                snapshot.rankings.put(key, ranking.clone());
            }
            Ok(Json(ranking))
        }
        (None, Some(code)) => {
            if q.draws.is_some() {
                return Err(ApiError::BadRequest("draws shake a methodology's weights; an indicator has none".into()));
            }
            let snapshot = state.read.snapshot();
            let key = ((code.clone(), period, group.map(str::to_owned)), false, q.top, lang);
            if let Some(kept) = snapshot.rankings.get(&key) {
                return Ok(Json(kept.as_ref().clone()));
            }
            let (made, code, group, top) = (snapshot.clone(), code.clone(), group.map(str::to_owned), q.top);
            let ranking = ops::work::compute(move || {
                let ranked = made.ranked(&code, period, group.as_deref())?;
                Ok::<_, ops::ScoringError>(ops::indicator_ranking(&ranked, lang, top))
            })
            .await??;
            Ok(Json(snapshot.rankings.put(key, ranking).as_ref().clone()))
        }
        _ => Err(ApiError::BadRequest("give either methodology or indicator".into())),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoresQuery {
    pub methodology: String,
    pub period: String,
    /// The group compared with; by default the methodology's population.
    pub group: Option<String>,
    /// vi (default) or en.
    pub lang: Option<String>,
}

/// One unit's points by pillar, main index, view and component, how each component's
/// points came about (scored, or missing and then counted as zero, imputed or left out),
/// and the components where reaching the group's best would add the most.
#[utoipa::path(get, path = "/api/v1/units/{key}/scores", tag = "rankings",
    params(("key" = String, Path, description = "The unit's key (da-nang), code (48) or name (Đà Nẵng), as meant during the period"), ScoresQuery),
    responses((status = 200, body = UnitScores), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn unit_scores(
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<ScoresQuery>,
) -> Result<Json<UnitScores>> {
    let period: Period = q.period.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?;
    let lang: Lang = parse("lang", q.lang.as_deref())?.unwrap_or_default();
    let snapshot = state.read.snapshot();
    let scored = {
        let (made, id, group) = (snapshot.clone(), q.methodology.clone(), q.group.clone());
        ops::work::compute(move || made.scored(&id, period, group.as_deref())).await??
    };
    // The unit by key, or by code or name as meant during the period.
    let unit = scored.registry.resolve(&key, Some(period.into())).map_err(|e| ApiError::NotFound(e.to_string()))?;
    ops::unit_detail(&scored, &unit.key, lang)
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("unit '{key}' is not in group '{}' during {period}", scored.group)))
}
