//! Values, values on a later map of units, and the consistency check.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use model::{Lang, Period};
use serde::Deserialize;

use super::dto::{FindingDto, RemappedDto, ValueDto, ValuePage};
use super::{ApiQuery, LangQuery, page, parse};
use crate::AppState;
use crate::error::{ApiError, Problem, Result};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueQuery {
    pub indicator: Option<String>,
    /// A unit key.
    pub unit: Option<String>,
    /// Values of exactly this period: 2023, 2023-H1, 2023-Q2 or 2023-06.
    pub period: Option<String>,
    /// Values of any period within this one.
    pub within: Option<String>,
    /// reported, verified, measured or estimated.
    pub provenance: Option<String>,
    /// true for every revision, not only the current one.
    pub revisions: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Values, the current revision of each unless revisions=true.
#[utoipa::path(get, path = "/api/v1/values", params(ValueQuery), tag = "values",
    responses((status = 200, body = ValuePage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<ValueQuery>) -> Result<Json<ValuePage>> {
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let filter = store::ValueFilter {
        indicator: q.indicator,
        unit: q.unit,
        period: parse("period", q.period.as_deref())?,
        within: parse("within", q.within.as_deref())?,
        provenance: parse("provenance", q.provenance.as_deref())?,
        revisions: q.revisions.unwrap_or(false),
    };
    let snapshot = state.read.snapshot();
    let skip = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let take = usize::try_from(window.limit).unwrap_or(0);
    let (found, total) = snapshot.facts.values_page(&filter, skip, take);
    let items = found.into_iter().cloned().map(ValueDto::from).collect();
    Ok(Json(ValuePage { items, page: page_no, per_page, total: i64::try_from(total).unwrap_or(i64::MAX) }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// The indicator to show.
    pub indicator: String,
    /// The period the values were reported for.
    pub period: String,
    /// The day whose map of units to show them on (2025-07-01 for the 34 provinces).
    pub date: String,
}

/// Values reported on an old map of units, shown on the map of a later day: counts and
/// amounts add, ratios are recomputed from numerators and denominators, and what does
/// not add says so.
#[utoipa::path(get, path = "/api/v1/values/on-map", params(MapQuery), tag = "values",
    responses((status = 200, body = [RemappedDto]), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn on_map(State(state): State<AppState>, ApiQuery(q): ApiQuery<MapQuery>) -> Result<Json<Vec<RemappedDto>>> {
    let period = Period::from_str(&q.period).map_err(|e| ApiError::BadRequest(format!("period: {e}")))?;
    let date = model::period::parse_date(&q.date).map_err(|e| ApiError::BadRequest(format!("date: {e}")))?;
    let snapshot = state.read.snapshot();
    let facts = &snapshot.facts;
    let indicator = facts
        .indicator(&q.indicator)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator with code '{}'", q.indicator)))?;
    let registry = &facts.registry;
    let reported: Vec<model::remap::Reported> = facts
        .of_period(&q.indicator, period)
        .into_iter()
        .map(|v| model::remap::Reported {
            unit: v.unit.clone(),
            value: v.value.clone(),
            numerator: v.numerator,
            denominator: v.denominator,
        })
        .collect();
    let mapped = model::remap::remap(indicator, period, &reported, registry, date);
    let out = mapped
        .into_iter()
        .map(|r| RemappedDto {
            unit_name: registry.get(r.unit.as_str()).map_or_else(|| r.unit.to_string(), |u| u.name.clone()),
            unit: r.unit.to_string(),
            value: r.value.map(|v| v.to_text()),
            numerator: r.numerator.map(|x| x.to_string()),
            denominator: r.denominator.map(|x| x.to_string()),
            rule: r.rule.as_str().to_owned(),
            from: r.from.iter().map(ToString::to_string).collect(),
            missing: r.missing.iter().map(ToString::to_string).collect(),
        })
        .collect();
    Ok(Json(out))
}

/// Figures that contradict themselves: errors first, then warnings, then revisions.
#[utoipa::path(get, path = "/api/v1/checks", params(LangQuery), tag = "values",
    responses((status = 200, body = [FindingDto]), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn checks(State(state): State<AppState>, ApiQuery(q): ApiQuery<LangQuery>) -> Result<Json<Vec<FindingDto>>> {
    let lang: Lang = parse("lang", q.lang.as_deref())?.unwrap_or_default();
    let snapshot = state.read.snapshot();
    let out = snapshot
        .findings
        .iter()
        .map(|f| FindingDto {
            severity: format!("{:?}", f.severity).to_lowercase(),
            kind: serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            subject: f.subject.get(lang).to_owned(),
            message: f.message.get(lang).to_owned(),
            sources: f.sources.clone(),
        })
        .collect();
    Ok(Json(out))
}
