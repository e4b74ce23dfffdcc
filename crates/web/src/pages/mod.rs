//! Server-rendered pages, readable without JavaScript: the public overview, rankings,
//! unit profiles and reports; sign-in; the unit's workspace and the standing agency's.
//! Vietnamese first; the language chosen is kept in a cookie.

mod agency;
mod index;
mod public;
mod session;
mod workspace;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use model::Lang;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub const LANG_COOKIE: &str = "dxmon_lang";

/// The pages; `login_limit` is the stricter rate limit of sign-in attempts.
pub fn router(login_limit: Option<crate::protect::RateLimit>) -> Router<AppState> {
    let sign_in = match login_limit {
        Some(limit) => post(session::login).layer(limit),
        None => post(session::login),
    };
    Router::new()
        .route("/", get(index::index))
        .route("/lang/{lang}", get(session::set_lang))
        .route("/login", get(session::login_form).merge(sign_in))
        .route("/logout", post(session::logout))
        .route("/rankings", get(public::rankings))
        .route("/units/{key}", get(public::unit))
        .route("/reports", get(public::reports))
        .route("/workspace", get(workspace::home))
        .route("/workspace/{regime}/{unit}/{period}", get(workspace::submission).post(workspace::save))
        .route("/workspace/{regime}/{unit}/{period}/template.xlsx", get(workspace::template))
        .route(
            "/workspace/{regime}/{unit}/{period}/upload",
            post(workspace::upload).layer(axum::extract::DefaultBodyLimit::max(workspace::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/agency", get(agency::home))
        .route("/agency/submissions/{id}", get(agency::submission).post(agency::decide))
        .route("/agency/audit", get(agency::audit))
        .route("/agency/audit.csv", get(agency::audit_csv))
}

/// The language of a page: `?lang=` if given, else the cookie, else Vietnamese.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if k == "lang" {
                return v.parse().map(PageLang).map_err(ApiError::BadRequest);
            }
        }
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(PageLang(jar.get(LANG_COOKIE).and_then(|c| c.value().parse().ok()).unwrap_or(Lang::Vi)))
    }
}

/// What every page's frame shows: language, who is signed in, the form token.
pub struct PageFrame {
    pub vi: bool,
    pub user: Option<String>,
    pub csrf: String,
    pub reviewer: bool,
    pub reporter: bool,
    /// This page's path, to come back to after switching language.
    pub path: String,
}

impl PageFrame {
    pub fn new(lang: Lang, caller: &Caller, path: &str) -> Self {
        let p = caller.principal.as_ref();
        PageFrame {
            vi: lang == Lang::Vi,
            user: p.map(|p| p.name.clone()),
            csrf: caller.csrf().unwrap_or_default().to_owned(),
            reviewer: p.is_some_and(|p| p.can_review()),
            reporter: p.is_some_and(|p| p.role.needs_units()),
            path: path.to_owned(),
        }
    }
}

/// Renders a page, or a plain 500 if the template fails.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = Html(html).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page did not render").into_response()
        }
    }
}

/// A page that needs a signed-in person sends others to the sign-in page.
pub fn to_login(back: &str) -> Response {
    let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("back", back).finish();
    Redirect::to(&format!("/login?{q}")).into_response()
}

/// A path of this site to return to, or `/`. Browsers drop tabs and line breaks from a
/// URL and read `\\` as `/`, so `/\t/evil.example` would leave the site: a path with
/// any control character, space or backslash, or one that does not start with a single
/// `/`, is ignored.
pub fn safe_back(back: Option<&str>) -> String {
    let local = |b: &str| {
        b.len() <= 2048
            && b.starts_with('/')
            && !b[1..].starts_with('/')
            && !b.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match back {
        Some(b) if local(b) => b.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        for local in ["/", "/workspace", "/units/ha-noi?lang=en", "/units/hà-nội"] {
            assert_eq!(safe_back(Some(local)), local);
        }
        for away in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example",
            "evil.example",
            "/ /evil.example",
            "/\u{7f}x",
            "",
        ] {
            assert_eq!(safe_back(Some(away)), "/", "{away:?}");
        }
        assert_eq!(safe_back(None), "/");
    }
}
