//! The periodic report at `/reports/{period}`: the printable page, or with
//! `format=xlsx` the workbook (`format=md` for Markdown); `lang` and `unit` as for
//! `dxmon report`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use model::{Lang, Period};
use ops::report::{ReportError, ReportRequest};
use serde::Deserialize;

use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub lang: Option<String>,
    pub unit: Option<String>,
    pub format: Option<String>,
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::UnknownUnit(e) => ApiError::NotFound(e.to_string()),
            ReportError::Store(e) => ApiError::Store(e),
            ReportError::Render(e) => ApiError::Render(e),
            ReportError::Work(e) => ApiError::Work(e),
        }
    }
}

/// Links above the page: the other language, the workbook, the Markdown.
fn tools(period: Period, lang: Lang, unit: Option<&str>) -> String {
    let link = |lang: &str, format: Option<&str>| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("lang", lang);
        if let Some(u) = unit {
            q.append_pair("unit", u);
        }
        if let Some(f) = format {
            q.append_pair("format", f);
        }
        format!("/reports/{period}?{}", q.finish()).replace('&', "&amp;")
    };
    let (this, other, other_name) = match lang {
        Lang::Vi => ("vi", "en", "English"),
        Lang::En => ("en", "vi", "Tiếng Việt"),
    };
    let excel = lang.pick("Tải bảng tính Excel", Some("Download the Excel workbook"));
    let print = lang.pick("In báo cáo: Ctrl+P", Some("Print: Ctrl+P"));
    format!(
        r#"<a href="/">dxmon</a><a href="{}">{other_name}</a><a href="{}">{excel}</a><a href="{}">Markdown</a><span>{print}</span>"#,
        link(other, None),
        link(this, Some("xlsx")),
        link(this, Some("md"))
    )
}

pub async fn report(
    State(state): State<AppState>,
    ApiPath(period): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let period: Period = period.parse().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?;
    let lang: Lang = match q.lang.as_deref() {
        Some(l) => l.parse().map_err(ApiError::BadRequest)?,
        None => Lang::Vi,
    };
    let format: report::Format = match q.format.as_deref() {
        Some(f) => f.parse().map_err(ApiError::BadRequest)?,
        None => report::Format::Html,
    };
    let request = ReportRequest { period, unit: q.unit.clone(), lang, as_of: None };
    let tools = tools(period, lang, q.unit.as_deref());
    let bytes = ops::report::from_snapshot(state.read.snapshot(), request, format, Some(tools)).await?;
    let (content_type, extension) = match format {
        report::Format::Html => ("text/html; charset=utf-8", None),
        report::Format::Markdown => ("text/markdown; charset=utf-8", Some("md")),
        report::Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Some("xlsx")),
    };
    let mut response = axum::body::Body::from(bytes.as_ref().clone()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(ext) = extension {
        let name = format!("attachment; filename=\"dxmon-report-{period}.{ext}\"");
        if let Ok(v) = HeaderValue::from_str(&name) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(response)
}
