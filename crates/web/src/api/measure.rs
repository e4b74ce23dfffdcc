//! Automatic measurement: units' systems post events; anyone reads the live figures
//! the roll-ups give, per unit and period, and which systems are connected.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use chrono::Utc;
use model::Period;
use model::measure::{Counts, Rates};
use ops::measure::{IngestError, LoadSummary, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiPath, ApiQuery, parse};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, Result};

#[derive(Debug, Serialize, ToSchema)]
pub struct LineErrorDto {
    /// The line of an NDJSON body, or the item of a JSON array, from 1.
    pub line: usize,
    pub event_id: Option<String>,
    pub error: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    /// Stored for the first time.
    pub accepted: usize,
    /// Stored before with the same content (the same unit and event_id), or repeated
    /// within the request: nothing changed.
    pub duplicate: usize,
    /// Their unit and event_id were stored before with other content, which is kept:
    /// the sending system reused an id.
    pub conflict: usize,
    /// Refused, each for a reason listed in `errors`.
    pub rejected: usize,
    /// The first 100 refused lines; ids and echoed text cut to 64 characters.
    pub errors: Vec<LineErrorDto>,
    /// Refused lines beyond those listed.
    pub errors_not_listed: usize,
    /// The first 100 conflicting lines.
    pub conflicts: Vec<LineErrorDto>,
    /// Conflicting lines beyond those listed.
    pub conflicts_not_listed: usize,
}

impl From<ops::measure::intake::LineError> for LineErrorDto {
    fn from(e: ops::measure::intake::LineError) -> Self {
        LineErrorDto { line: e.line, event_id: e.event_id, error: e.error }
    }
}

impl From<Outcome> for OutcomeDto {
    fn from(o: Outcome) -> Self {
        OutcomeDto {
            accepted: o.accepted,
            duplicate: o.duplicate,
            conflict: o.conflict,
            rejected: o.rejected,
            errors: o.errors.into_iter().map(Into::into).collect(),
            errors_not_listed: o.errors_not_listed,
            conflicts: o.conflicts.into_iter().map(Into::into).collect(),
            conflicts_not_listed: o.conflicts_not_listed,
        }
    }
}

/// Whether the body is NDJSON (true) or a JSON array (false), from its content type.
fn ndjson(headers: &HeaderMap) -> Result<bool> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(false),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" | "application/x-jsonlines" => Ok(true),
        _ => Err(ApiError::UnsupportedMedia(format!(
            "send events as application/json (an array) or application/x-ndjson (one per line), not '{kind}'"
        ))),
    }
}

/// Whether the body came gzipped, from its content encoding.
fn gzipped(headers: &HeaderMap) -> Result<bool> {
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    match encoding.trim().to_ascii_lowercase().as_str() {
        "identity" | "" => Ok(false),
        "gzip" | "x-gzip" => Ok(true),
        other => Err(ApiError::UnsupportedMedia(format!(
            "content encoding '{}' is not read; send gzip or none",
            ops::measure::intake::clip(other)
        ))),
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Batch(
                ops::measure::intake::BatchError::TooMany(_) | ops::measure::intake::BatchError::Inflates,
            ) => ApiError::TooLarge(e.to_string()),
            IngestError::Batch(_) => ApiError::BadRequest(e.to_string()),
            IngestError::OtherUnit { .. } | IngestError::NotMachine => ApiError::Forbidden(e.to_string()),
            IngestError::Store(s) => ApiError::Store(s),
            IngestError::Work(w) => ApiError::Work(w),
        }
    }
}

/// Events from a unit's system: a JSON array or NDJSON (optionally gzip), at most
/// 20.000 per request and 8 MiB on the wire. Each good event is stored before the
/// answer; each bad line is named with its reason and costs nothing else. An event
/// for a unit the token is not bound to refuses the whole request (403).
#[utoipa::path(post, path = "/api/v1/events", tag = "measurement",
    request_body(content = Vec<ops::measure::intake::Wire>, description = "application/json array, or application/x-ndjson with one event per line"),
    security(("token" = [])),
    responses((status = 200, body = OutcomeDto),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json")))]
pub async fn post_events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<OutcomeDto>> {
    let who = caller.for_api_write(&headers)?;
    let ndjson = ndjson(&headers)?;
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => ApiError::TooLarge(format!(
            "a request to /api/v1/events carries at most {} MiB",
            crate::HARD_BODY_LIMIT >> 20
        )),
        other => ApiError::BadRequest(other.to_string()),
    })?;
    let gzip = gzipped(&headers)?;
    let outcome = state.ingest.ingest(who, body, gzip, ndjson).await?;
    Ok(Json(outcome.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// A period (2026-11, 2026-Q4, 2026-H2, 2026); this month by default.
    pub period: Option<String>,
    /// Only units of this group (provinces, ministries).
    pub group: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasuredDto {
    pub unit: String,
    pub name: Option<String>,
    /// Every counter of the roll-up, summed over the period.
    #[schema(value_type = Object)]
    pub counts: Counts,
    /// The rates in percent; null when nothing they are a share of happened.
    #[schema(value_type = Object)]
    pub rates: Rates,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasuredList {
    pub period: String,
    pub items: Vec<MeasuredDto>,
}

fn period_or_now(text: Option<&str>) -> Result<Period> {
    Ok(parse::<Period>("period", text)?.unwrap_or_else(|| ops::measure::this_month(Utc::now())))
}

/// Live figures per unit for a period, from the roll-ups (and the nation, `vn`).
#[utoipa::path(get, path = "/api/v1/measurements", params(MeasureQuery), tag = "measurement",
    responses((status = 200, body = MeasuredList), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<MeasureQuery>) -> Result<Json<MeasuredList>> {
    let period = period_or_now(q.period.as_deref())?;
    let snapshot = state.read.snapshot();
    let registry = &snapshot.facts.registry;
    let group = match q.group.as_deref() {
        Some(g) => {
            Some(registry.group(g).ok_or_else(|| ApiError::BadRequest(format!("unknown group '{g}'")))?.key.clone())
        }
        None => None,
    };
    // This month comes from the live figures read every few seconds; another period
    // from the roll-ups.
    let live = state.read.live();
    let totals =
        if period == live.period { live.totals.clone() } else { ops::measure::totals(&state.store, period).await? };
    let items = totals
        .into_iter()
        .filter_map(|(unit, counts)| {
            let known = registry.get(unit.as_str());
            if let Some(g) = &group
                && !known.is_some_and(|u| u.groups.contains(g))
            {
                return None;
            }
            Some(MeasuredDto {
                name: known.map(|u| u.name.clone()),
                unit: unit.to_string(),
                rates: counts.rates(),
                counts,
            })
        })
        .collect();
    Ok(Json(MeasuredList { period: period.to_string(), items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitMeasuredDto {
    pub unit: String,
    pub period: String,
    #[schema(value_type = Object)]
    pub counts: Counts,
    #[schema(value_type = Object)]
    pub rates: Rates,
    /// Per procedure: its code and counts.
    #[schema(value_type = Object)]
    pub procedures: Vec<(String, Counts)>,
    /// Page load times over the period.
    #[schema(value_type = Object)]
    pub load_times: Option<LoadSummary>,
    #[schema(value_type = Object)]
    pub connection: Option<ops::measure::Connection>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// A period (2026-11, 2026-Q4, 2026-H2, 2026); this month by default.
    pub period: Option<String>,
}

/// One unit's live figures: totals, rates, per procedure, page load times and whether
/// its system is connected.
#[utoipa::path(get, path = "/api/v1/measurements/{unit}", params(("unit" = String, Path, description = "Unit key, code or name"), PeriodQuery), tag = "measurement",
    responses((status = 200, body = UnitMeasuredDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    ApiPath(unit): ApiPath<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<UnitMeasuredDto>> {
    let period = period_or_now(q.period.as_deref())?;
    let snapshot = state.read.snapshot();
    let unit = snapshot.facts.registry.resolve(&unit, None).map_err(|e| ApiError::NotFound(e.to_string()))?.key.clone();
    let (from, to) = ops::measure::months(period);
    let procedures = state.store.procedure_totals(&unit, from, to).await?;
    let mut counts = Counts::default();
    procedures.iter().for_each(|(_, c)| counts.merge(c));
    let load_times = ops::measure::load_times(&state.store, Some(&unit), period).await?;
    let connection = ops::measure::connections(&state.store, Utc::now()).await?.into_iter().find(|c| c.unit == unit);
    Ok(Json(UnitMeasuredDto {
        unit: unit.to_string(),
        period: period.to_string(),
        rates: counts.rates(),
        counts,
        procedures,
        load_times,
        connection,
    }))
}

/// Every unit's system that has sent events: when it last sent, and whether it counts
/// as connected (within the last 24 hours).
#[utoipa::path(get, path = "/api/v1/connections", tag = "measurement",
    responses((status = 200, body = Object)))]
pub async fn connections(State(state): State<AppState>) -> Result<Json<Vec<ops::measure::Connection>>> {
    Ok(Json(state.read.live().connections.clone()))
}
