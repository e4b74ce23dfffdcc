//! Programmes with their pillars, sources, and indicators.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::dto::{IndicatorDto, IndicatorPage, PillarDto, ProgrammeDto, SourceDto};
use super::{ApiPath, ApiQuery, page, parse};
use crate::AppState;
use crate::error::{ApiError, Problem, Result};

/// Programmes and the Committee's yearly plans, with their pillars.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "framework", responses((status = 200, body = [ProgrammeDto])))]
pub async fn programmes(State(state): State<AppState>) -> Result<Json<Vec<ProgrammeDto>>> {
    let snapshot = state.read.snapshot();
    let reference = &snapshot.facts.reference;
    let out = reference
        .programmes
        .iter()
        .cloned()
        .map(|p| ProgrammeDto {
            pillars: reference
                .pillars
                .iter()
                .filter(|x| x.programme == p.key)
                .map(|x| PillarDto {
                    key: x.key.to_string(),
                    name: x.name.clone(),
                    name_en: x.name_en.clone(),
                    ordinal: x.ordinal,
                })
                .collect(),
            kind: match p.kind {
                model::ProgrammeKind::Programme => "programme".into(),
                model::ProgrammeKind::Plan => "plan".into(),
            },
            key: p.key.to_string(),
            name: p.name,
            name_en: p.name_en,
            period: p.period.map(|x| x.to_string()),
            source: p.source,
        })
        .collect();
    Ok(Json(out))
}

/// The documents that figures are cited from.
#[utoipa::path(get, path = "/api/v1/sources", tag = "framework", responses((status = 200, body = [SourceDto])))]
pub async fn sources(State(state): State<AppState>) -> Result<Json<Vec<SourceDto>>> {
    let snapshot = state.read.snapshot();
    let out = snapshot
        .facts
        .reference
        .sources
        .iter()
        .cloned()
        .map(|s| SourceDto {
            key: s.key.to_string(),
            title: s.title,
            title_en: s.title_en,
            issued: s.issued.map(|d| d.to_string()),
            publisher: s.publisher,
            file: s.file,
        })
        .collect();
    Ok(Json(out))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    pub pillar: Option<String>,
    pub programme: Option<String>,
    /// ratio, percentage, count, amount, yes_no, date, index, rank, category or number.
    pub kind: Option<String>,
    /// Part of a name or code, with or without diacritics.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Indicators, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/indicators", params(IndicatorQuery), tag = "framework",
    responses((status = 200, body = IndicatorPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<IndicatorQuery>) -> Result<Json<IndicatorPage>> {
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let filter = store::IndicatorFilter {
        pillar: q.pillar,
        programme: q.programme,
        kind: parse("kind", q.kind.as_deref())?,
        q: q.q,
    };
    let found = state.store.indicators(&filter, window).await?;
    Ok(Json(IndicatorPage {
        items: found.items.into_iter().map(IndicatorDto::from).collect(),
        page: page_no,
        per_page,
        total: found.total,
    }))
}

/// One indicator.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "framework",
    params(("code" = String, Path, description = "The indicator's code, e.g. dti.national")),
    responses((status = 200, body = IndicatorDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(State(state): State<AppState>, ApiPath(code): ApiPath<String>) -> Result<Json<IndicatorDto>> {
    let snapshot = state.read.snapshot();
    let found = snapshot.facts.indicator(&code).cloned();
    found.map(|i| Json(i.into())).ok_or_else(|| ApiError::NotFound(format!("no indicator with code '{code}'")))
}
