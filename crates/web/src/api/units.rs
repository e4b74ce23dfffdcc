//! Units, their lineage, and groups.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::dto::{GroupDto, LineageEventDto, UnitDetail, UnitDto, UnitPage};
use super::{ApiPath, ApiQuery, page, parse};
use crate::AppState;
use crate::error::{ApiError, Problem, Result};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// nation, ministry, ministerial_agency, government_agency, province, department,
    /// district, commune or organisation.
    pub kind: Option<String>,
    /// A group key, such as provinces.
    pub group: Option<String>,
    /// Only units that existed on this day (2025-07-01 or 1/7/2025).
    pub valid_on: Option<String>,
    /// Part of a name, with or without diacritics ("da nang").
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Units, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/units", params(UnitQuery), tag = "units",
    responses((status = 200, body = UnitPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<UnitQuery>) -> Result<Json<UnitPage>> {
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let valid_on = match q.valid_on.as_deref() {
        Some(d) => Some(model::period::parse_date(d).map_err(|e| ApiError::BadRequest(format!("valid_on: {e}")))?),
        None => None,
    };
    let filter = store::UnitFilter { kind: parse("kind", q.kind.as_deref())?, group: q.group, valid_on, q: q.q };
    let found = state.store.units(&filter, window).await?;
    Ok(Json(UnitPage {
        items: found.items.into_iter().map(UnitDto::from).collect(),
        page: page_no,
        per_page,
        total: found.total,
    }))
}

/// One unit with its lineage: the mergers, splits and renames that made it or ended it.
#[utoipa::path(get, path = "/api/v1/units/{key}", tag = "units",
    params(("key" = String, Path, description = "The unit's key, e.g. bac-ninh-2025")),
    responses((status = 200, body = UnitDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(State(state): State<AppState>, ApiPath(key): ApiPath<String>) -> Result<Json<UnitDetail>> {
    let snapshot = state.read.snapshot();
    let reference = &snapshot.facts.reference;
    let unit = reference
        .units
        .iter()
        .find(|u| u.key.as_str() == key)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("no unit with key '{key}'")))?;
    let lineage = reference
        .lineage
        .iter()
        .filter(|e| e.from.contains(&unit.key) || e.to.contains(&unit.key))
        .map(LineageEventDto::from)
        .collect();
    Ok(Json(UnitDetail { unit: unit.into(), lineage }))
}

/// Groups in which units are ranked and counted, with their members.
#[utoipa::path(get, path = "/api/v1/groups", tag = "units", responses((status = 200, body = [GroupDto])))]
pub async fn groups(State(state): State<AppState>) -> Result<Json<Vec<GroupDto>>> {
    let snapshot = state.read.snapshot();
    let reference = &snapshot.facts.reference;
    let groups = reference
        .groups
        .iter()
        .map(|g| GroupDto {
            members: reference.units.iter().filter(|u| u.groups.contains(&g.key)).map(|u| u.key.to_string()).collect(),
            key: g.key.to_string(),
            name: g.name.clone(),
            name_en: g.name_en.clone(),
        })
        .collect();
    Ok(Json(groups))
}
