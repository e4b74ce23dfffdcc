//! Targets and tasks.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::dto::{TargetPage, TaskPage};
use super::{ApiQuery, one_page, page, parse};
use crate::AppState;
use crate::error::{Problem, Result};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    pub indicator: Option<String>,
    /// The plan or programme that set the target, such as kh-2023.
    pub programme: Option<String>,
    pub period: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Targets, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/targets", params(TargetQuery), tag = "plans",
    responses((status = 200, body = TargetPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn targets(State(state): State<AppState>, ApiQuery(q): ApiQuery<TargetQuery>) -> Result<Json<TargetPage>> {
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let filter = store::TargetFilter {
        indicator: q.indicator,
        programme: q.programme,
        period: parse("period", q.period.as_deref())?,
    };
    let snapshot = state.read.snapshot();
    let (items, total) = one_page(snapshot.facts.targets_where(&filter), window);
    Ok(Json(TargetPage { items, page: page_no, per_page, total }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// A task list key.
    pub list: Option<String>,
    /// done, in_progress or not_started.
    pub status: Option<String>,
    /// Tasks a unit is responsible for, itself or through one of its groups.
    pub agency: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Tasks, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/tasks", params(TaskQuery), tag = "plans",
    responses((status = 200, body = TaskPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn tasks(State(state): State<AppState>, ApiQuery(q): ApiQuery<TaskQuery>) -> Result<Json<TaskPage>> {
    let (page_no, per_page, window) = page(q.page, q.per_page)?;
    let filter = store::TaskFilter { list: q.list, status: parse("status", q.status.as_deref())?, agency: q.agency };
    let snapshot = state.read.snapshot();
    let (items, total) = one_page(snapshot.facts.tasks_where(&filter), window);
    Ok(Json(TaskPage { items, page: page_no, per_page, total }))
}
