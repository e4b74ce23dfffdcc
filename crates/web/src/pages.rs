//! Server-rendered pages, Vietnamese first (`?lang=en` for English).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use model::{Lang, Period};

use crate::AppState;
use crate::api::{ApiQuery, LangQuery};
use crate::error::ApiError;

pub struct IndexRow {
    pub name: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub vi: bool,
    pub years: Vec<String>,
    pub index_rows: Vec<IndexRow>,
    pub units: i64,
    pub indicators: i64,
    pub values: i64,
    pub targets: i64,
    pub tasks: i64,
    pub errors: usize,
    pub warnings: usize,
    /// Links to the periodic reports: (period, label).
    pub reports: Vec<(String, String)>,
}

const INDEX_CODES: [&str; 4] =
    ["dti.national", "dti.national.government", "dti.national.economy", "dti.national.society"];

pub async fn index(State(state): State<AppState>, ApiQuery(q): ApiQuery<LangQuery>) -> Result<Response, ApiError> {
    let lang: Lang = match q.lang.as_deref() {
        Some(l) => l.parse().map_err(ApiError::BadRequest)?,
        None => Lang::Vi,
    };
    let store = &state.store;
    let years: Vec<Period> = (2020..=2022).map(Period::Year).collect();
    let mut index_rows = Vec::new();
    for code in INDEX_CODES {
        let Some(indicator) = store.indicator(code).await? else { continue };
        let filter =
            store::ValueFilter { indicator: Some(code.to_owned()), unit: Some("vn".to_owned()), ..Default::default() };
        let values = store.values(&filter, store::Page::ALL).await?.items;
        let cells = years
            .iter()
            .map(|y| {
                values.iter().find(|v| v.period == *y).and_then(|v| v.value.as_number()).map_or_else(
                    || "—".to_owned(),
                    |x| if lang == Lang::Vi { model::number::format_vi(x) } else { x.to_string() },
                )
            })
            .collect();
        index_rows.push(IndexRow { name: indicator.name_in(lang).to_owned(), cells });
    }
    // A report for each plan's year and its first half.
    let mut plan_years: Vec<i32> =
        store.reference().await?.programmes.iter().filter_map(|p| p.period).map(|p| p.year()).collect();
    plan_years.sort();
    plan_years.dedup();
    let reports = plan_years
        .iter()
        .flat_map(|y| [Period::Half(*y, 1), Period::Year(*y)])
        .map(|p| (p.to_string(), model::display::period(p, lang)))
        .collect();
    let one = store::Page { limit: 1, offset: 0 };
    let today = chrono::Utc::now().date_naive();
    let findings = ops::findings(store).await?;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let page = IndexPage {
        vi: lang == Lang::Vi,
        years: years.iter().map(ToString::to_string).collect(),
        index_rows,
        units: store.units(&store::UnitFilter { valid_on: Some(today), ..Default::default() }, one).await?.total,
        indicators: store.indicators(&store::IndicatorFilter::default(), one).await?.total,
        values: store.values(&store::ValueFilter { revisions: true, ..Default::default() }, one).await?.total,
        targets: store.targets(&store::TargetFilter::default(), one).await?.total,
        tasks: store.tasks(&store::TaskFilter::default(), one).await?.total,
        errors: count(score::check::Severity::Error),
        warnings: count(score::check::Severity::Warning),
        reports,
    };
    match page.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "page did not render");
            Ok((StatusCode::INTERNAL_SERVER_ERROR, "page did not render").into_response())
        }
    }
}
