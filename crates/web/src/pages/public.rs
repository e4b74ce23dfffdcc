//! Public pages: rankings with a group filter and movement, a unit's profile with its
//! figures and trends, and the list of reports. What each shows comes from the read
//! model (`ops::read::views`); these only frame and render it.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use model::{Period, display};
use ops::read::views::{LiveFigures, RankingsQuery, RankingsView, UnitProfile};
use serde::Deserialize;

use super::{PageFrame, PageLang, render};
use crate::AppState;
use crate::api::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct RankingQuery {
    pub indicator: Option<String>,
    pub period: Option<String>,
    pub group: Option<String>,
}

#[derive(Template)]
#[template(path = "rankings.html")]
pub struct RankingsPage {
    pub page: PageFrame,
    pub v: Arc<RankingsView>,
}

pub async fn rankings(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> Result<Response, ApiError> {
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let period = match nonempty(q.period) {
        Some(p) => Some(p.parse::<Period>().map_err(|e| ApiError::BadRequest(format!("period: {e}")))?),
        None => None,
    };
    // An empty group is every unit.
    let query = RankingsQuery { indicator: nonempty(q.indicator), period, group: nonempty(q.group) };
    let snapshot = state.read.snapshot();
    let key = (query.clone(), lang);
    let v = match snapshot.views.rankings.get(&key) {
        Some(v) => v,
        None => {
            let made = snapshot.clone();
            let view = ops::work::compute(move || RankingsView::of(&made, &query, lang)).await??;
            snapshot.views.rankings.put(key, view)
        }
    };
    Ok(render(&RankingsPage { page: PageFrame::new(lang, &caller, "/rankings"), v }))
}

#[derive(Template)]
#[template(path = "unit.html")]
pub struct UnitPage {
    pub page: PageFrame,
    pub v: Arc<UnitProfile>,
    pub live: Option<LiveFigures>,
}

pub async fn unit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Response, ApiError> {
    let snapshot = state.read.snapshot();
    let today = chrono::Utc::now().date_naive();
    let memo_key = (key.clone(), lang, today);
    let v = match snapshot.views.units.get(&memo_key) {
        Some(v) => v,
        None => {
            let made = snapshot.clone();
            let profile = ops::work::compute(move || UnitProfile::of(&made, &key, lang, today))
                .await?
                .map_err(|e| ApiError::NotFound(e.to_string()))?;
            snapshot.views.units.put(memo_key, profile)
        }
    };
    let unit = model::UnitKey::parse(&v.key).map_err(|e| ApiError::NotFound(e.to_string()))?;
    let live = LiveFigures::unit(&state.read.live(), &unit, lang);
    Ok(render(&UnitPage { page: PageFrame::new(lang, &caller, &format!("/units/{}", v.key)), v, live }))
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub page: PageFrame,
    pub periods: Vec<(String, String)>,
}

pub async fn reports(State(state): State<AppState>, PageLang(lang): PageLang, caller: Caller) -> Response {
    let snapshot = state.read.snapshot();
    let mut years: Vec<i32> =
        snapshot.facts.reference.programmes.iter().filter_map(|p| p.period).map(|p| p.year()).collect();
    let today = chrono::Utc::now().date_naive();
    years.push(Period::of_kind_containing(model::period::PeriodKind::Year, today).year());
    years.sort();
    years.dedup();
    let periods = years
        .iter()
        .rev()
        .flat_map(|y| [Period::Year(*y), Period::Half(*y, 2), Period::Half(*y, 1)])
        .filter(|p| p.start() <= today)
        .map(|p| (p.to_string(), display::period(p, lang)))
        .collect();
    render(&ReportsPage { page: PageFrame::new(lang, &caller, "/reports"), periods })
}
