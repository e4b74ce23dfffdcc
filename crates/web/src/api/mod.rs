//! The JSON API under /api/v1. Reads: units (with lineage), indicators, values (with
//! revisions, and on a later map of units), targets, tasks, the consistency check,
//! methodologies, rankings, a unit's scores, live measurements and connections. Writes:
//! submissions of figures and their review (a session or a unit's token), and units'
//! systems' events. Lists are paginated; errors are problem details.

mod collection;
pub mod dto;
mod figures;
mod framework;
mod measure;
mod plans;
mod rankings;
mod units;

use std::str::FromStr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::routing::{any, get};
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// One page of what `items` holds, converted, and how many it holds in all.
fn one_page<'a, T: Clone + 'a, D: From<T>>(items: impl Iterator<Item = &'a T>, window: store::Page) -> (Vec<D>, i64) {
    let skip = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let take = usize::try_from(window.limit).unwrap_or(0);
    let mut total = 0i64;
    let mut page = Vec::new();
    for (i, item) in items.enumerate() {
        total += 1;
        if i >= skip && page.len() < take {
            page.push(D::from(item.clone()));
        }
    }
    (page, total)
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

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; the API is described at /api/v1/openapi.json".into())
}

/// The API's routes, each declared once: its path, method and documentation come from
/// the handler's `#[utoipa::path]`, so the router and the document cannot differ.
fn documented() -> OpenApiRouter<AppState> {
    let events = OpenApiRouter::new()
        .routes(routes!(measure::post_events))
        .layer(axum::extract::DefaultBodyLimit::max(crate::HARD_BODY_LIMIT));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(units::list))
        .routes(routes!(units::one))
        .routes(routes!(units::groups))
        .routes(routes!(framework::programmes))
        .routes(routes!(framework::sources))
        .routes(routes!(framework::list))
        .routes(routes!(framework::one))
        .routes(routes!(figures::list))
        .routes(routes!(figures::on_map))
        .routes(routes!(plans::targets))
        .routes(routes!(plans::tasks))
        .routes(routes!(figures::checks))
        .routes(routes!(collection::regimes))
        .routes(routes!(collection::completeness))
        .routes(routes!(collection::list))
        .routes(routes!(collection::one))
        .routes(routes!(collection::save))
        .routes(routes!(collection::submit))
        .routes(routes!(collection::approve))
        .routes(routes!(collection::send_back))
        .routes(routes!(collection::audit))
        .routes(routes!(rankings::list))
        .routes(routes!(rankings::one))
        .routes(routes!(rankings::rankings))
        .routes(routes!(rankings::unit_scores))
        .routes(routes!(measure::list))
        .routes(routes!(measure::one))
        .routes(routes!(measure::connections))
        .merge(events)
}

/// The OpenAPI document of the routes `router` serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

/// The routes and their document, with what every operation may answer added to each.
fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut doc) = documented().split_for_parts();
    answers_of_every_operation(&mut doc);
    (api, doc)
}

/// Every operation reads or writes the database, so any may be answered 503 (with
/// Retry-After) when the database is busy or unreachable or the event writer stopped.
fn answers_of_every_operation(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder, header::HeaderBuilder};
    let unavailable = ResponseBuilder::new()
        .description(
            "The server cannot take this now (the database is busy or unreachable, the event writer stopped); \
             the same request may be sent again after Retry-After seconds.",
        )
        .header("Retry-After", HeaderBuilder::new().description(Some("seconds to wait")).build())
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build();
    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            operation.responses.responses.entry("503".into()).or_insert_with(|| unavailable.clone().into());
        }
    }
}

/// The API under /api/v1, with its document at /api/v1/openapi.json and problem details
/// for any other address under it.
pub fn router() -> Router<AppState> {
    let (api, doc) = parts();
    let json = Bytes::from(doc.to_json().unwrap_or_default());
    let document = move || {
        let json = json.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], json) }
    };
    api.route("/api/v1/openapi.json", get(document))
        .route("/api/v1", any(not_found))
        .route("/api/v1/{*rest}", any(not_found))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dxmon API",
        description = "The units, indicators, values, targets, tasks, indices, rankings and live measurements \
                       of a national digital-transformation programme to read; units' submissions of figures, \
                       their review, and units' systems' events to write. Errors are RFC 9457 problem details; \
                       503 with Retry-After means the server cannot take the request now and it may be sent again.",
    ),
    components(schemas(Problem, ops::collection::FieldError)),
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
