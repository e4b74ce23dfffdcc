//! Signing in and out, and the language cookie.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use model::Lang;
use serde::Deserialize;

use super::{LANG_COOKIE, PageFrame, PageLang, render, safe_back};
use crate::AppState;
use crate::api::ApiPath;
use crate::auth::{Caller, Via, clear_cookie, session_cookie};
use crate::error::ApiError;
use crate::protect::Client;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub page: PageFrame,
    pub back: String,
    pub username: String,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BackQuery {
    pub back: Option<String>,
}

pub async fn login_form(
    PageLang(lang): PageLang,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<BackQuery>,
) -> Response {
    render(&LoginPage {
        page: PageFrame::new(lang, &caller, "/login"),
        back: safe_back(q.back.as_deref()),
        username: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub back: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    caller: Caller,
    axum::Extension(client): axum::Extension<Client>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    match ops::accounts::login(&state.store, &form.username, &form.password, &client.key()).await {
        Ok(started) => {
            let home = if started.principal.can_review() {
                "/agency"
            } else if started.principal.role.needs_units() {
                "/workspace"
            } else {
                "/"
            };
            let back = match safe_back(form.back.as_deref()) {
                b if b == "/" || b.starts_with("/login") => home.to_owned(),
                b => b,
            };
            tracing::info!(user = %started.principal.id, "signed in");
            let jar = jar.add(session_cookie(started.secret, state.settings.cookies.secure(client.https)));
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(ops::accounts::Refused::Invalid) => {
            let page = LoginPage {
                page: PageFrame::new(lang, &caller, "/login"),
                back: safe_back(form.back.as_deref()),
                username: form.username.chars().take(64).collect(),
                error: Some(ops::accounts::refusal(lang).to_owned()),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response())
        }
        Err(ops::accounts::Refused::Store(e)) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    caller.for_form(&form.csrf)?;
    if let Via::Session { secret, .. } = &caller.via {
        ops::accounts::logout(&state.store, secret).await?;
    }
    Ok((jar.add(clear_cookie()), Redirect::to("/")).into_response())
}

/// Switches the language and goes back where the reader was.
pub async fn set_lang(
    ApiPath(lang): ApiPath<String>,
    jar: CookieJar,
    axum::extract::Query(q): axum::extract::Query<BackQuery>,
) -> Result<Response, ApiError> {
    let lang: Lang = lang.parse().map_err(ApiError::BadRequest)?;
    let mut c = Cookie::new(LANG_COOKIE, if lang == Lang::Vi { "vi" } else { "en" });
    c.set_path("/");
    c.set_max_age(cookie::time::Duration::days(365));
    Ok((jar.add(c), Redirect::to(&safe_back(q.back.as_deref()))).into_response())
}
