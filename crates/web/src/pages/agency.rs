//! The standing agency's workspace: the queue of submissions to verify, who has
//! reported for a period (on time, late, not yet), one submission against what is
//! published, approve or return with a comment, and the audit log (with CSV export).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use model::collection::SubmissionStatus;
use model::{Lang, Period, display};
use serde::Deserialize;

use super::{PageFrame, PageLang, render, to_login};
use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;

pub struct QueueLine {
    pub id: i64,
    pub regime: String,
    pub unit: String,
    pub period: String,
    pub submitted: String,
}

pub struct CompletenessView {
    pub regime: String,
    pub period: String,
    pub expected: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    /// (unit, status, submitted on, css class).
    pub rows: Vec<(String, String, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "agency.html")]
pub struct HomePage {
    pub page: PageFrame,
    pub queue: Vec<QueueLine>,
    pub completeness: Vec<CompletenessView>,
}

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

fn reviewer(caller: &Caller, back: &str) -> Result<Option<Response>, ApiError> {
    match caller.principal.as_ref() {
        None => Ok(Some(to_login(back))),
        Some(p) if !p.can_review() => {
            Err(ApiError::Forbidden("the agency's workspace is for the standing agency".into()))
        }
        Some(_) => Ok(None),
    }
}

pub async fn home(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    if let Some(r) = reviewer(&caller, "/agency")? {
        return Ok(r);
    }
    let who = caller.require()?;
    let registry = ops::registry(&state.store).await?;
    let name =
        |u: &model::UnitKey| registry.get(u.as_str()).map_or_else(|| u.to_string(), |x| x.name_in(lang).to_owned());
    let regimes = state.store.regimes().await?;
    let regime_name = |key: &model::RegimeKey| {
        regimes
            .iter()
            .find(|r| &r.key == key)
            .map_or_else(|| key.to_string(), |r| lang.pick(&r.name, r.name_en.as_deref()).to_owned())
    };
    let queue = ops::collection::list(
        &state.store,
        who,
        store::SubmissionFilter { status: Some(SubmissionStatus::Submitted), ..Default::default() },
    )
    .await?
    .into_iter()
    .map(|s| QueueLine {
        id: s.id,
        regime: regime_name(&s.regime),
        unit: name(&s.unit),
        period: display::period(s.period, lang),
        submitted: s.first_submitted_at.map(|t| display::date(t.date_naive(), lang)).unwrap_or_default(),
    })
    .collect();
    let today = chrono::Utc::now().date_naive();
    let mut completeness = Vec::new();
    for r in &regimes {
        let period: Period = match q.period.as_deref().map(str::parse::<Period>) {
            Some(Ok(p)) if r.fits(p) => p,
            Some(Err(e)) => return Err(ApiError::BadRequest(format!("period: {e}"))),
            _ => Period::of_kind_containing(r.period_kind, today).previous(),
        };
        let (_, standings) = ops::collection::completeness(&state.store, who, r.key.as_str(), period).await?;
        let rows = standings
            .iter()
            .map(|s| {
                let (status, class) = match (s.status, s.late, s.overdue) {
                    (_, _, true) => (lang.pick("Chưa nộp, quá hạn", Some("Not submitted, overdue")).to_owned(), "bad"),
                    (Some(st), true, _) => (
                        format!(
                            "{} ({})",
                            ops::collection::status_label(st, lang),
                            lang.pick("nộp muộn", Some("late"))
                        ),
                        "bad",
                    ),
                    (Some(st), false, _) => (
                        ops::collection::status_label(st, lang).to_owned(),
                        if st == SubmissionStatus::Draft { "muted" } else { "good" },
                    ),
                    (None, _, _) => (lang.pick("Chưa nộp", Some("Not submitted")).to_owned(), "muted"),
                };
                (name(&s.unit), status, s.submitted_on.map(|d| display::date(d, lang)).unwrap_or_default(), class)
            })
            .collect();
        completeness.push(CompletenessView {
            regime: lang.pick(&r.name, r.name_en.as_deref()).to_owned(),
            period: display::period(period, lang),
            expected: standings.len(),
            on_time: standings.iter().filter(|s| s.submitted_on.is_some() && !s.late).count(),
            late: standings.iter().filter(|s| s.late).count(),
            missing: standings.iter().filter(|s| s.submitted_on.is_none()).count(),
            rows,
        });
    }
    Ok(render(&HomePage { page: PageFrame::new(lang, &caller, "/agency"), queue, completeness }))
}

pub struct ValueLine {
    pub name: String,
    pub submitted: String,
    pub published: String,
    pub note: String,
    pub changed: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub page: PageFrame,
    pub id: i64,
    pub regime: String,
    pub unit: String,
    pub unit_key: String,
    pub period: String,
    pub status: String,
    pub status_class: String,
    pub can_decide: bool,
    pub values: Vec<ValueLine>,
    pub history: Vec<(String, String, String, String)>,
    pub error: Option<String>,
}

async fn review_page(
    state: &AppState,
    lang: Lang,
    caller: &Caller,
    id: i64,
    error: Option<String>,
) -> Result<ReviewPage, ApiError> {
    let who = caller.require()?;
    let sub = ops::collection::get(&state.store, who, id).await?;
    let cx = ops::collection::context(&state.store, sub.regime.as_str()).await?;
    let published = state
        .store
        .values(
            &store::ValueFilter { unit: Some(sub.unit.to_string()), period: Some(sub.period), ..Default::default() },
            store::Page::ALL,
        )
        .await?
        .items;
    let values = cx
        .indicators
        .iter()
        .map(|i| {
            let mine = sub.values.iter().find(|v| v.indicator == i.code);
            let now = published.iter().find(|v| v.indicator == i.code);
            let submitted = mine.map(|v| v.value.to_text()).unwrap_or_default();
            let shown = now.map(|v| v.value.to_text()).unwrap_or_default();
            ValueLine {
                name: i.name_in(lang).to_owned(),
                changed: !submitted.is_empty() && submitted != shown,
                submitted,
                published: shown,
                note: mine.and_then(|v| v.note.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let history = ops::collection::audit(
        &state.store,
        who,
        &store::AuditFilter { subject: Some(format!("submission:{id}")), ..Default::default() },
        store::Page { limit: 50, offset: 0 },
    )
    .await?
    .items
    .into_iter()
    .filter(|e| e.subject == format!("submission:{id}"))
    .map(|e| (display::date(e.at.date_naive(), lang), e.actor, e.action, e.after.unwrap_or_default()))
    .collect();
    Ok(ReviewPage {
        page: PageFrame::new(lang, caller, &format!("/agency/submissions/{id}")),
        id,
        regime: lang.pick(&cx.regime.name, cx.regime.name_en.as_deref()).to_owned(),
        unit: cx.registry.get(sub.unit.as_str()).map_or_else(|| sub.unit.to_string(), |u| u.name_in(lang).to_owned()),
        unit_key: sub.unit.to_string(),
        period: display::period(sub.period, lang),
        status: ops::collection::status_label(sub.status, lang).to_owned(),
        status_class: sub.status.as_str().to_owned(),
        can_decide: who.can_review() && sub.status == SubmissionStatus::Submitted,
        values,
        history,
        error,
    })
}

pub async fn submission(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    if let Some(r) = reviewer(&caller, &format!("/agency/submissions/{id}"))? {
        return Ok(r);
    }
    Ok(render(&review_page(&state, lang, &caller, id, None).await?))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    pub csrf: String,
    pub action: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, ApiError> {
    let who = caller.for_form(&form.csrf)?;
    let approve = match form.action.as_str() {
        "approve" => true,
        "return" => false,
        other => return Err(ApiError::BadRequest(format!("unknown action '{other}'"))),
    };
    match ops::collection::review(&state.store, who, id, approve, Some(&form.comment)).await {
        Ok(_) => {
            if approve {
                state.read.changed();
            }
            Ok(Redirect::to("/agency").into_response())
        }
        Err(e) if e.is_conflict() => {
            let page = review_page(&state, lang, &caller, id, Some(e.message(lang))).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub subject: Option<String>,
    pub unit: Option<String>,
    pub actor: Option<String>,
    pub page: Option<u32>,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub page: PageFrame,
    pub entries: Vec<store::AuditEntry>,
    pub subject: String,
    pub unit: String,
    pub actor: String,
    pub page_no: u32,
    pub pages: u32,
    pub query: String,
}

const PER_PAGE: u32 = 100;

fn filter_of(q: &AuditQuery) -> store::AuditFilter {
    let some = |s: &Option<String>| s.clone().filter(|x| !x.trim().is_empty());
    store::AuditFilter { subject: some(&q.subject), unit: some(&q.unit), actor: some(&q.actor) }
}

pub async fn audit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    if let Some(r) = reviewer(&caller, "/agency/audit")? {
        return Ok(r);
    }
    let who = caller.require()?;
    let page_no = q.page.unwrap_or(1).max(1);
    let found = ops::collection::audit(
        &state.store,
        who,
        &filter_of(&q),
        store::Page { limit: i64::from(PER_PAGE), offset: i64::from((page_no - 1) * PER_PAGE) },
    )
    .await?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("subject", &q.subject), ("unit", &q.unit), ("actor", &q.actor)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(k, v);
        }
    }
    let page = AuditPage {
        page: PageFrame::new(lang, &caller, "/agency/audit"),
        pages: u32::try_from(found.total).unwrap_or(u32::MAX).div_ceil(PER_PAGE).max(1),
        entries: found.items,
        subject: q.subject.clone().unwrap_or_default(),
        unit: q.unit.clone().unwrap_or_default(),
        actor: q.actor.clone().unwrap_or_default(),
        page_no,
        query: query.finish(),
    };
    Ok(render(&page))
}

/// The audit log as CSV, for the filters given, every entry.
pub async fn audit_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let who = caller.require()?;
    let found = ops::collection::audit(&state.store, who, &filter_of(&q), store::Page::ALL).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Render(e.to_string());
    w.write_record(["id", "at", "actor", "action", "subject", "unit", "before", "after"]).map_err(fail)?;
    for e in found.items {
        w.write_record([
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.actor,
            e.action,
            e.subject,
            e.unit.unwrap_or_default(),
            e.before.unwrap_or_default(),
            e.after.unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| ApiError::Render(e.to_string()))?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"dxmon-audit.csv\""));
    Ok(response)
}
