//! The unit's workspace: its regimes and where each report stands, what was returned
//! and why, its overdue tasks; and one report: the form, the Excel template to download
//! and upload, submitting. Every read and write goes through `ops::collection`, which
//! checks that the account reports for the unit.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use model::collection::{Submission, SubmissionStatus};
use model::{Lang, Period, UnitKey, display};
use ops::collection::{CollectionError, FieldError, ValueInput};
use serde::Deserialize;

use super::{PageFrame, PageLang, render, to_login};
use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;

/// Uploaded workbooks may be this large.
pub const MAX_UPLOAD: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct ReportLine {
    pub href: String,
    pub regime: String,
    pub unit: String,
    pub period: String,
    pub due: String,
    pub status: String,
    pub status_class: String,
    pub comment: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace.html")]
pub struct HomePage {
    pub page: PageFrame,
    pub lines: Vec<ReportLine>,
    pub returned: Vec<ReportLine>,
    pub overdue_tasks: Vec<(String, String, String)>,
}

fn href(regime: &str, unit: &UnitKey, period: Period) -> String {
    format!("/workspace/{regime}/{unit}/{period}")
}

pub async fn home(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
) -> Result<Response, ApiError> {
    let Some(who) = caller.principal.as_ref() else { return Ok(to_login("/workspace")) };
    if who.can_review() {
        return Ok(Redirect::to("/agency").into_response());
    }
    let registry = ops::registry(&state.store).await?;
    let today = chrono::Utc::now().date_naive();
    let mut lines = Vec::new();
    let mut returned = Vec::new();
    for (regime, _) in ops::collection::my_regimes(&state.store, who, None).await? {
        let current = Period::of_kind_containing(regime.period_kind, today);
        for period in [current.previous(), current] {
            for unit in
                ops::collection::regime_units(&registry, &regime, period).into_iter().filter(|u| who.can_report_for(u))
            {
                let sub = ops::collection::open(&state.store, who, &regime.key, &unit, period).await?;
                let status = sub.as_ref().map(|s| s.status);
                let line = ReportLine {
                    href: href(regime.key.as_str(), &unit, period),
                    regime: lang.pick(&regime.name, regime.name_en.as_deref()).to_owned(),
                    unit: registry.get(unit.as_str()).map_or_else(|| unit.to_string(), |u| u.name_in(lang).to_owned()),
                    period: display::period(period, lang),
                    due: display::date(regime.due(period), lang),
                    status: status.map_or_else(
                        || lang.pick("Chưa nhập", Some("Not started")).to_owned(),
                        |s| ops::collection::status_label(s, lang).to_owned(),
                    ),
                    status_class: status.map_or("", |s| s.as_str()).to_owned(),
                    comment: sub
                        .as_ref()
                        .and_then(|s| s.comment.clone())
                        .filter(|_| status == Some(SubmissionStatus::Returned)),
                };
                if status == Some(SubmissionStatus::Returned) {
                    returned.push(line.clone());
                }
                lines.push(line);
            }
        }
    }
    // The unit's own overdue tasks.
    let snapshot = state.read.snapshot();
    let overdue_tasks = ops::progress::overdue_tasks_of(&snapshot.facts, &who.units, today)
        .into_iter()
        .map(|t| {
            let due = t.deadline_label.clone().unwrap_or_else(|| t.deadline.map(|d| d.to_string()).unwrap_or_default());
            (t.title.clone(), due, t.result.clone().unwrap_or_default())
        })
        .collect();
    Ok(render(&HomePage { page: PageFrame::new(lang, &caller, "/workspace"), lines, returned, overdue_tasks }))
}

pub struct FieldView {
    pub code: String,
    pub name: String,
    pub uom: String,
    pub previous: String,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub note: String,
    pub has_parts: bool,
    /// (field, message) for this indicator.
    pub errors: Vec<(String, String)>,
}

impl FieldView {
    pub fn bad(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }
}

#[derive(Template)]
#[template(path = "submission.html")]
pub struct SubmissionPage {
    pub page: PageFrame,
    pub base: String,
    pub regime: String,
    pub unit: String,
    pub period: String,
    pub due: String,
    pub status: String,
    pub status_class: String,
    pub comment: Option<String>,
    pub editable: bool,
    pub can_submit: bool,
    pub fields: Vec<FieldView>,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// Every error with its place, as a list above the form.
    pub error_list: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

struct Target {
    regime: String,
    unit: UnitKey,
    period: Period,
}

fn target(regime: String, unit: &str, period: &str) -> Result<Target, ApiError> {
    Ok(Target {
        regime,
        unit: UnitKey::parse(unit).map_err(|e| ApiError::BadRequest(format!("unit: {e}")))?,
        period: period.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?,
    })
}

/// Builds the page: the stored figures, or what was typed when it was refused.
async fn page_for(
    state: &AppState,
    lang: Lang,
    caller: &Caller,
    t: &Target,
    typed: Option<&[ValueInput]>,
    errors: &[FieldError],
) -> Result<SubmissionPage, ApiError> {
    let who = caller.require()?;
    let cx = ops::collection::context(&state.store, &t.regime).await?;
    let sub: Option<Submission> = ops::collection::open(&state.store, who, &cx.regime.key, &t.unit, t.period).await?;
    let previous = ops::collection::previous_values(&state.store, &t.unit, t.period).await?;
    let fields = cx
        .indicators
        .iter()
        .map(|i| {
            let code = i.code.to_string();
            let stored = sub.as_ref().and_then(|s| s.values.iter().find(|v| v.indicator == i.code));
            let typed = typed.and_then(|ts| ts.iter().find(|x| x.indicator == code));
            let shown = |typed: Option<&String>, stored: Option<String>| {
                typed.cloned().unwrap_or_else(|| stored.unwrap_or_default())
            };
            FieldView {
                value: shown(typed.map(|x| &x.value), stored.map(|v| v.value.to_text())),
                numerator: shown(typed.map(|x| &x.numerator), stored.and_then(|v| v.numerator.map(|x| x.to_string()))),
                denominator: shown(
                    typed.map(|x| &x.denominator),
                    stored.and_then(|v| v.denominator.map(|x| x.to_string())),
                ),
                note: shown(typed.map(|x| &x.note), stored.and_then(|v| v.note.clone())),
                previous: previous.get(&code).cloned().unwrap_or_default(),
                has_parts: matches!(i.kind, model::IndicatorKind::Ratio | model::IndicatorKind::Percentage),
                errors: errors
                    .iter()
                    .filter(|e| e.indicator == code)
                    .map(|e| (e.field.clone(), e.in_lang(lang).to_owned()))
                    .collect(),
                name: i.name_in(lang).to_owned(),
                uom: i.unit_of_measure.clone(),
                code,
            }
        })
        .collect();
    let status = sub.as_ref().map(|s| s.status);
    let reporter = who.can_report_for(&t.unit);
    let unit_name = cx.registry.get(t.unit.as_str()).map_or_else(|| t.unit.to_string(), |u| u.name_in(lang).to_owned());
    let error_list = errors
        .iter()
        .map(|e| {
            let place = e.place.clone().unwrap_or_else(|| e.indicator.clone());
            match lang {
                Lang::Vi => format!("Ô {place} ({}): {}", e.indicator, e.in_lang(lang)),
                Lang::En => format!("Cell {place} ({}): {}", e.indicator, e.in_lang(lang)),
            }
        })
        .collect();
    Ok(SubmissionPage {
        page: PageFrame::new(lang, caller, &href(&t.regime, &t.unit, t.period)),
        base: href(&t.regime, &t.unit, t.period),
        regime: lang.pick(&cx.regime.name, cx.regime.name_en.as_deref()).to_owned(),
        unit: unit_name,
        period: display::period(t.period, lang),
        due: display::date(cx.regime.due(t.period), lang),
        status: status.map_or_else(
            || lang.pick("Chưa nhập", Some("Not started")).to_owned(),
            |s| ops::collection::status_label(s, lang).to_owned(),
        ),
        status_class: status.map_or("", |s| s.as_str()).to_owned(),
        comment: sub.as_ref().and_then(|s| s.comment.clone()).filter(|_| status == Some(SubmissionStatus::Returned)),
        editable: reporter && status.is_none_or(|s| s.editable()),
        can_submit: reporter && status == Some(SubmissionStatus::Draft),
        fields,
        flash: None,
        error: None,
        error_list,
    })
}

pub async fn submission(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath((regime, unit, period)): ApiPath<(String, String, String)>,
    ApiQuery(q): ApiQuery<DoneQuery>,
) -> Result<Response, ApiError> {
    let t = target(regime, &unit, &period)?;
    if caller.principal.is_none() {
        return Ok(to_login(&href(&t.regime, &t.unit, t.period)));
    }
    let mut page = page_for(&state, lang, &caller, &t, None, &[]).await?;
    page.flash = q.done.as_deref().map(|d| {
        match (d, lang) {
            ("saved", Lang::Vi) => "Đã lưu số liệu.",
            ("saved", Lang::En) => "Figures saved.",
            ("uploaded", Lang::Vi) => "Đã nhận số liệu từ tệp Excel.",
            ("uploaded", Lang::En) => "Figures taken from the workbook.",
            ("submitted", Lang::Vi) => "Đã nộp báo cáo; báo cáo đang chờ thẩm định.",
            (_, _) => "Submitted for review.",
        }
        .to_owned()
    });
    Ok(render(&page))
}

/// The page again, with what went wrong; nothing was stored.
async fn refused(
    state: &AppState,
    lang: Lang,
    caller: &Caller,
    t: &Target,
    typed: Option<&[ValueInput]>,
    e: CollectionError,
) -> Result<Response, ApiError> {
    let (errors, status) = match &e {
        CollectionError::Invalid(errors) => (errors.clone(), StatusCode::UNPROCESSABLE_ENTITY),
        e if e.is_conflict() => (Vec::new(), StatusCode::CONFLICT),
        CollectionError::BadRequest(_) => (Vec::new(), StatusCode::BAD_REQUEST),
        _ => return Err(e.into()),
    };
    let mut page = page_for(state, lang, caller, t, typed, &errors).await?;
    page.error = Some(e.message(lang));
    Ok((status, render(&page)).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath((regime, unit, period)): ApiPath<(String, String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let t = target(regime, &unit, &period)?;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let who = caller.for_form(field("csrf").unwrap_or(""))?;
    if !who.can_report_for(&t.unit) {
        return Err(ApiError::Forbidden("this account does not report for this unit".into()));
    }
    let mut inputs: Vec<ValueInput> = Vec::new();
    let mut place: HashMap<&str, usize> = HashMap::new();
    for (k, v) in &form {
        let Some((part, code)) = k.split_once('.') else { continue };
        let i = *place.entry(code).or_insert_with(|| {
            inputs.push(ValueInput { indicator: code.to_owned(), ..Default::default() });
            inputs.len() - 1
        });
        if inputs.len() > ops::collection::MAX_FIGURES {
            return Err(ApiError::TooLarge(format!(
                "the form holds more than {} figures",
                ops::collection::MAX_FIGURES
            )));
        }
        match part {
            "v" => inputs[i].value = v.clone(),
            "n" => inputs[i].numerator = v.clone(),
            "d" => inputs[i].denominator = v.clone(),
            "note" => inputs[i].note = v.clone(),
            _ => {}
        }
    }
    let submit = field("action") == Some("submit");
    let saved = match ops::collection::save(&state.store, who, &t.regime, &t.unit, t.period, &inputs, Vec::new()).await
    {
        Ok(s) => s,
        Err(e) => return refused(&state, lang, &caller, &t, Some(&inputs), e).await,
    };
    if submit && let Err(e) = ops::collection::submit(&state.store, who, saved.id).await {
        return refused(&state, lang, &caller, &t, None, e).await;
    }
    let done = if submit { "submitted" } else { "saved" };
    Ok(Redirect::to(&format!("{}?done={done}", href(&t.regime, &t.unit, t.period))).into_response())
}

pub async fn template(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath((regime, unit, period)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let t = target(regime, &unit, &period)?;
    let Some(who) = caller.principal.as_ref() else { return Ok(to_login(&href(&t.regime, &t.unit, t.period))) };
    if !who.can_report_for(&t.unit) {
        return Err(ApiError::Forbidden("this account does not report for this unit".into()));
    }
    let bytes = ops::collection::template(&state.store, who, &t.regime, &t.unit, t.period, lang)
        .await?
        .map_err(|e| ApiError::Render(e.to_string()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    let name = format!("attachment; filename=\"bieu-mau-{}-{}-{}.xlsx\"", t.regime, t.unit, t.period);
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

pub async fn upload(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath((regime, unit, period)): ApiPath<(String, String, String)>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let t = target(regime, &unit, &period)?;
    // Who sends it is known before the body is read: a stranger's upload is not read.
    let reporter = caller.require()?;
    if !reporter.can_report_for(&t.unit) {
        return Err(ApiError::Forbidden("this account does not report for this unit".into()));
    }
    let mut csrf = String::new();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| ApiError::BadRequest(e.body_text()))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| ApiError::BadRequest(e.body_text()))?,
            Some("file") => {
                let bytes = field.bytes().await.map_err(|e| ApiError::BadRequest(e.body_text()))?;
                if bytes.len() > MAX_UPLOAD {
                    return Err(ApiError::TooLarge(format!(
                        "the workbook is larger than {} MB",
                        MAX_UPLOAD / 1024 / 1024
                    )));
                }
                file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    let who = caller.for_form(&csrf)?;
    if !who.can_report_for(&t.unit) {
        return Err(ApiError::Forbidden("this account does not report for this unit".into()));
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return refused(
            &state,
            lang,
            &caller,
            &t,
            None,
            CollectionError::BadRequest(lang.pick("Chưa chọn tệp.", Some("No file was chosen.")).to_owned()),
        )
        .await;
    };
    let cx = std::sync::Arc::new(ops::collection::context(&state.store, &t.regime).await?);
    let (inputs, cell_errors) = match ops::collection::read_template(bytes, cx, t.unit.clone(), t.period).await {
        Ok(read) => read,
        Err(e) => {
            let message = match lang {
                Lang::Vi => e.vi(),
                Lang::En => e.to_string(),
            };
            return refused(&state, lang, &caller, &t, None, CollectionError::BadRequest(message)).await;
        }
    };
    match ops::collection::save(&state.store, who, &t.regime, &t.unit, t.period, &inputs, cell_errors).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=uploaded", href(&t.regime, &t.unit, t.period))).into_response()),
        Err(e) => refused(&state, lang, &caller, &t, Some(&inputs), e).await,
    }
}
