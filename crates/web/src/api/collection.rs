//! Collection through the API: regimes, a unit's submission (enter figures, submit),
//! review (approve, return), completeness, and the audit log. Who may do what is
//! decided in `ops::collection`; a write with a session also needs its X-CSRF-Token.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use model::collection::{Regime, Standing, Submission};
use model::{Period, UnitKey};
use ops::collection::ValueInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiPath, ApiQuery, page, parse};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, Result};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeDto {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    /// month, quarter, half or year.
    pub period_kind: String,
    /// Days after the period's end by which a submission is due.
    pub due_days: u32,
    pub indicators: Vec<String>,
    /// Units, or group:KEY for every member of a group.
    pub units: Vec<String>,
}

impl From<Regime> for RegimeDto {
    fn from(r: Regime) -> Self {
        RegimeDto {
            key: r.key.to_string(),
            name: r.name,
            name_en: r.name_en,
            period_kind: r.period_kind.as_str().to_owned(),
            due_days: r.due_days,
            indicators: r.indicators.iter().map(ToString::to_string).collect(),
            units: r.units.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedValueDto {
    pub indicator: String,
    pub value: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionDto {
    pub id: i64,
    pub regime: String,
    pub unit: String,
    pub period: String,
    /// draft, submitted, approved or returned.
    pub status: String,
    pub values: Vec<SubmittedValueDto>,
    /// The reviewer's comment when returned.
    pub comment: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}

impl From<Submission> for SubmissionDto {
    fn from(s: Submission) -> Self {
        SubmissionDto {
            id: s.id,
            regime: s.regime.to_string(),
            unit: s.unit.to_string(),
            period: s.period.to_string(),
            status: s.status.as_str().to_owned(),
            values: s
                .values
                .into_iter()
                .map(|v| SubmittedValueDto {
                    indicator: v.indicator.to_string(),
                    value: v.value.to_text(),
                    numerator: v.numerator.map(|x| x.to_string()),
                    denominator: v.denominator.map(|x| x.to_string()),
                    note: v.note,
                })
                .collect(),
            comment: s.comment,
            updated_at: s.updated_at,
            first_submitted_at: s.first_submitted_at,
            decided_at: s.decided_at,
            decided_by: s.decided_by,
        }
    }
}

/// Every reporting regime.
#[utoipa::path(get, path = "/api/v1/regimes", tag = "collection", responses((status = 200, body = [RegimeDto])))]
pub async fn regimes(State(state): State<AppState>) -> Result<Json<Vec<RegimeDto>>> {
    Ok(Json(state.store.regimes().await?.into_iter().map(RegimeDto::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    pub regime: Option<String>,
    pub unit: Option<String>,
    pub period: Option<String>,
    /// draft, submitted, approved or returned.
    pub status: Option<String>,
}

/// Submissions the caller may read: a reporter's or machine's own units, everything for
/// the standing agency.
#[utoipa::path(get, path = "/api/v1/submissions", params(SubmissionQuery), tag = "collection",
    responses((status = 200, body = [SubmissionDto]), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SubmissionQuery>,
) -> Result<Json<Vec<SubmissionDto>>> {
    let who = caller.require()?;
    let units = match q.unit.as_deref() {
        Some(u) => Some(vec![UnitKey::parse(u).map_err(|e| ApiError::BadRequest(format!("unit: {e}")))?]),
        None => None,
    };
    let filter = store::SubmissionFilter {
        regime: q.regime,
        units,
        period: parse("period", q.period.as_deref())?,
        status: parse("status", q.status.as_deref())?,
    };
    let found = ops::collection::list(&state.store, who, filter).await?;
    Ok(Json(found.into_iter().map(SubmissionDto::from).collect()))
}

/// One submission, if the caller may read it.
#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "collection", params(("id" = i64, Path)),
    responses((status = 200, body = SubmissionDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SubmissionDto>> {
    let who = caller.require()?;
    Ok(Json(ops::collection::get(&state.store, who, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiguresBody {
    /// The figures to enter; a figure not listed keeps its value.
    pub values: Vec<ValueInput>,
}

/// A body the server could not take: too large (413), JSON of the wrong shape (422,
/// naming the field: a misspelt or unknown one is refused, not ignored), or not JSON
/// (400).
fn json_error(e: axum::extract::rejection::JsonRejection) -> ApiError {
    use axum::extract::rejection::JsonRejection;
    match e {
        e if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(e.body_text()),
        JsonRejection::JsonDataError(e) => ApiError::Unprocessable(e.body_text()),
        e => ApiError::BadRequest(e.body_text()),
    }
}

fn period_of(text: &str) -> Result<Period> {
    text.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))
}

/// Enters figures for a unit under a regime for a period (a draft is created if need
/// be). Every figure is checked; if any is wrong, none is stored and each error is
/// listed.
#[utoipa::path(put, path = "/api/v1/submissions/{regime}/{unit}/{period}", tag = "collection",
    params(("regime" = String, Path), ("unit" = String, Path, description = "unit key"), ("period" = String, Path)),
    request_body = FiguresBody,
    responses((status = 200, body = SubmissionDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath((regime, unit, period)): ApiPath<(String, String, String)>,
    body: Result<Json<FiguresBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SubmissionDto>> {
    let who = caller.for_api_write(&headers)?;
    let Json(body) = body.map_err(json_error)?;
    let unit = UnitKey::parse(&unit).map_err(|e| ApiError::BadRequest(format!("unit: {e}")))?;
    ops::collection::check_listed(&body.values).map_err(ops::collection::CollectionError::Invalid)?;
    let sub =
        ops::collection::save(&state.store, who, &regime, &unit, period_of(&period)?, &body.values, Vec::new()).await?;
    Ok(Json(sub.into()))
}

/// Submits a draft for review; every indicator of the regime needs a figure.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/submit", tag = "collection", params(("id" = i64, Path)),
    responses((status = 200, body = SubmissionDto), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SubmissionDto>> {
    let who = caller.for_api_write(&headers)?;
    Ok(Json(ops::collection::submit(&state.store, who, id).await?.into()))
}

/// Approves a submission: its figures are published as verified values.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/approve", tag = "collection", params(("id" = i64, Path)),
    responses((status = 200, body = SubmissionDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SubmissionDto>> {
    let who = caller.for_api_write(&headers)?;
    let approved = ops::collection::review(&state.store, who, id, true, None).await?;
    // Published figures: the read model is built again at once.
    state.read.changed();
    Ok(Json(approved.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// What the unit must correct.
    pub comment: String,
}

/// Returns a submission to its unit with a comment.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/return", tag = "collection", params(("id" = i64, Path)),
    request_body = ReturnBody,
    responses((status = 200, body = SubmissionDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn send_back(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ReturnBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SubmissionDto>> {
    let who = caller.for_api_write(&headers)?;
    let Json(body) = body.map_err(json_error)?;
    Ok(Json(ops::collection::review(&state.store, who, id, false, Some(&body.comment)).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDto {
    pub unit: String,
    pub status: Option<String>,
    pub submitted_on: Option<NaiveDate>,
    pub late: bool,
    pub overdue: bool,
}

impl From<Standing> for StandingDto {
    fn from(s: Standing) -> Self {
        StandingDto {
            unit: s.unit.to_string(),
            status: s.status.map(|x| x.as_str().to_owned()),
            submitted_on: s.submitted_on,
            late: s.late,
            overdue: s.overdue,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    pub period: String,
}

/// Who has reported under a regime for a period, on time or late, and who has not.
#[utoipa::path(get, path = "/api/v1/regimes/{key}/completeness", tag = "collection", params(("key" = String, Path), PeriodQuery),
    responses((status = 200, body = [StandingDto]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn completeness(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Vec<StandingDto>>> {
    let who = caller.require()?;
    let (_, standings) = ops::collection::completeness(&state.store, who, &key, period_of(&q.period)?).await?;
    Ok(Json(standings.into_iter().map(StandingDto::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries whose subject starts with this ("submission:12").
    pub subject: Option<String>,
    pub unit: Option<String>,
    pub actor: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub unit: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<store::AuditEntry> for AuditDto {
    fn from(e: store::AuditEntry) -> Self {
        AuditDto {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            unit: e.unit,
            before: e.before,
            after: e.after,
        }
    }
}

/// The audit log, newest first: who changed what, when, from what to what.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), tag = "collection",
    responses((status = 200, body = AuditPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>> {
    let who = caller.require()?;
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let filter = store::AuditFilter { subject: q.subject, unit: q.unit, actor: q.actor };
    let found = ops::collection::audit(&state.store, who, &filter, window).await?;
    Ok(Json(AuditPage {
        items: found.items.into_iter().map(AuditDto::from).collect(),
        page: page_no,
        per_page,
        total: found.total,
    }))
}
