//! The public overview, from the read model (`ops::read::views::Overview`).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ops::read::views::{LiveFigures, Overview};

use super::{PageFrame, PageLang, render};
use crate::AppState;
use crate::auth::Caller;

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub page: PageFrame,
    pub v: Arc<Overview>,
    pub live: Option<LiveFigures>,
}

pub async fn index(State(state): State<AppState>, PageLang(lang): PageLang, caller: Caller) -> Response {
    let snapshot = state.read.snapshot();
    let today = chrono::Utc::now().date_naive();
    let v = snapshot.views.overview.get_or((lang, today), || Overview::of(&snapshot, lang, today));
    let live = LiveFigures::nation(&state.read.live(), lang);
    render(&IndexPage { page: PageFrame::new(lang, &caller, "/"), v, live })
}
