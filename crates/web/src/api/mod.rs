//! The JSON API under /api/v1: read access to units (with lineage), indicators, values
//! (with revisions, and on a later map of units), targets, tasks and the consistency
//! check; methodologies, rankings and a unit's scores. Lists are paginated; errors are problem details.

mod collection;
pub mod dto;
mod figures;
mod framework;
mod measure;
mod plans;
mod rankings;
mod units;

use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ApiError, Problem, Result};

/// `Query` whose rejections are problem details.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections are problem details.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

const DEFAULT_PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 500;

/// The requested page, checked: pages count from 1, and at most 500 items come at once.
fn page(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32, store::Page)> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 {
        return Err(ApiError::BadRequest("page counts from 1".into()));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::BadRequest(format!("per_page must be between 1 and {MAX_PER_PAGE}")));
    }
    let offset = i64::from(page - 1) * i64::from(per_page);
    Ok((page, per_page, store::Page { limit: i64::from(per_page), offset }))
}

/// A query parameter parsed with the model's own parser; its error is the message.
fn parse<T: FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| v.parse::<T>().map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))).transpose()
}

/// `?lang=vi|en`, Vietnamese by default.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// vi (default) or en.
    pub lang: Option<String>,
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; the API is described at /api/v1/openapi.json".into())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(units::list))
        .route("/units/{key}", get(units::one))
        .route("/groups", get(units::groups))
        .route("/programmes", get(framework::programmes))
        .route("/sources", get(framework::sources))
        .route("/indicators", get(framework::list))
        .route("/indicators/{code}", get(framework::one))
        .route("/values", get(figures::list))
        .route("/values/on-map", get(figures::on_map))
        .route("/targets", get(plans::targets))
        .route("/tasks", get(plans::tasks))
        .route("/checks", get(figures::checks))
        .route("/regimes", get(collection::regimes))
        .route("/regimes/{key}/completeness", get(collection::completeness))
        .route("/submissions", get(collection::list))
        .route("/submissions/{id}", get(collection::one))
        .route("/submissions/{regime}/{unit}/{period}", put(collection::save))
        .route("/submissions/{id}/submit", post(collection::submit))
        .route("/submissions/{id}/approve", post(collection::approve))
        .route("/submissions/{id}/return", post(collection::send_back))
        .route("/audit", get(collection::audit))
        .route("/methodologies", get(rankings::list))
        .route("/methodologies/{id}", get(rankings::one))
        .route("/rankings", get(rankings::rankings))
        .route("/units/{key}/scores", get(rankings::unit_scores))
        .route(
            "/events",
            post(measure::post_events).layer(axum::extract::DefaultBodyLimit::max(crate::HARD_BODY_LIMIT)),
        )
        .route("/measurements", get(measure::list))
        .route("/measurements/{unit}", get(measure::one))
        .route("/connections", get(measure::connections))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dxmon API",
        description = "Read access to the units, indicators, values, targets, tasks, indices and rankings \
                       of a national digital-transformation programme. Errors are RFC 9457 problem details.",
    ),
    paths(
        units::list,
        units::one,
        units::groups,
        framework::programmes,
        framework::sources,
        framework::list,
        framework::one,
        figures::list,
        figures::on_map,
        figures::checks,
        plans::targets,
        plans::tasks,
        rankings::list,
        rankings::one,
        rankings::rankings,
        rankings::unit_scores,
        collection::regimes,
        collection::completeness,
        collection::list,
        collection::one,
        collection::save,
        collection::submit,
        collection::approve,
        collection::send_back,
        collection::audit,
        measure::post_events,
        measure::list,
        measure::one,
        measure::connections,
    ),
    components(schemas(Problem, ops::collection::FieldError, measure::EventDoc)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer token in the OpenAPI document.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("dxm_...").build()),
        );
    }
}
