//! Errors as RFC 9457 problem details (`application/problem+json`). Client errors say
//! what was wrong; server errors are logged and answered with a generic message.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use store::ErrorKind;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a query parameter or path segment could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid session or token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: the resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the state does not allow it (a submission under review), or changed meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is too large.
    #[error("{0}")]
    TooLarge(String),
    /// 429 (with Retry-After): the client sent more than its share; it waits.
    #[error("{0}")]
    TooMany(String),
    /// 415: a body in a type or encoding the endpoint does not read.
    #[error("{0}")]
    UnsupportedMedia(String),
    /// 422: figures that cannot be taken, each with its place and reason.
    #[error("{0}")]
    Invalid(String, Vec<ops::collection::FieldError>),
    /// 422: what is stored cannot be used as asked (a methodology that no longer fits
    /// the indicators).
    #[error("{0}")]
    Unprocessable(String),
    /// 500: a page or workbook could not be rendered; logged.
    #[error("the report could not be rendered")]
    Render(String),
    /// 500: work off the runtime failed; logged, not shown.
    #[error("the server failed")]
    Work(#[from] ops::work::WorkError),
    /// 500: the store failed; logged, not shown.
    #[error("the database failed")]
    Store(#[from] store::StoreError),
    /// 503 with Retry-After: the server cannot take this now (the database does not
    /// answer, the event writer stopped); trying again later may succeed.
    #[error("{0}")]
    Unavailable(String),
}

/// An error in the form of RFC 9457.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI that names the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For 422: each figure that could not be taken.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ops::collection::FieldError>,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(e) => match e.kind() {
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::Conflict => StatusCode::CONFLICT,
                ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                // A busy database, a serialisation failure, a stopped writer: trying again may do.
                ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Render(_) | ApiError::Work(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Store(e) if e.kind() != ErrorKind::Internal => tracing::warn!(error = %e, "the store refused"),
            ApiError::Store(e) => tracing::error!(error = %e, "request failed in the store"),
            ApiError::Render(e) => tracing::error!(error = %e, "a report could not be rendered"),
            ApiError::Work(e) => tracing::error!(error = %e, "work off the runtime failed"),
            _ => {}
        }
        let status = self.status();
        let slug = match status {
            StatusCode::BAD_REQUEST => "bad-request",
            StatusCode::NOT_FOUND => "not-found",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "too-large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
            StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            StatusCode::TOO_MANY_REQUESTS => "too-many-requests",
            _ => "internal",
        };
        let unauthorized = matches!(self, ApiError::Unauthorized(_));
        let detail = match &self {
            // Said to the client as the store says it: what is missing, what is in the way.
            ApiError::Store(e) => match (e, e.kind()) {
                (
                    store::StoreError::NotFound(m) | store::StoreError::Conflict(m) | store::StoreError::Invalid(m),
                    _,
                ) => m.clone(),
                (_, ErrorKind::Conflict) => "this conflicts with what is stored; reload and try again".into(),
                (_, ErrorKind::Invalid) => {
                    "this names something that does not exist or leaves out what is required".into()
                }
                (_, ErrorKind::Unavailable) => "the server cannot take this now; try again later".into(),
                _ => self.to_string(),
            },
            _ => self.to_string(),
        };
        let errors = match self {
            ApiError::Invalid(_, errors) => errors,
            _ => Vec::new(),
        };
        let problem = Problem {
            kind: format!("https://dxmon.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if unauthorized {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl From<ops::collection::CollectionError> for ApiError {
    fn from(e: ops::collection::CollectionError) -> Self {
        use ops::collection::CollectionError as C;
        match e {
            C::Unauthenticated => {
                ApiError::Unauthorized("sign in, or send a token: Authorization: Bearer dxm_...".into())
            }
            C::Forbidden(m) => ApiError::Forbidden(m),
            C::NotFound(m) => ApiError::NotFound(m),
            C::BadRequest(m) => ApiError::BadRequest(m),
            C::Invalid(errors) => {
                ApiError::Invalid(format!("{} figure(s) could not be taken; nothing was stored", errors.len()), errors)
            }
            C::Workflow(w) => ApiError::Conflict(w.to_string()),
            C::Store(s) => ApiError::Store(s),
            C::Work(w) => ApiError::Work(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::StoreError;

    #[test]
    fn store_errors_keep_their_meaning() {
        let answer = |e: StoreError| {
            let response = ApiError::Store(e).into_response();
            (response.status(), response.headers().get(header::RETRY_AFTER).is_some())
        };
        assert_eq!(answer(StoreError::NotFound("no submission 9".into())), (StatusCode::NOT_FOUND, false));
        assert_eq!(answer(StoreError::Conflict("the name is taken".into())), (StatusCode::CONFLICT, false));
        assert_eq!(
            answer(StoreError::Unavailable("the writer stopped".into())),
            (StatusCode::SERVICE_UNAVAILABLE, true)
        );
        assert_eq!(answer(StoreError::Invalid("no unit 'xx'".into())), (StatusCode::UNPROCESSABLE_ENTITY, false));
        assert_eq!(answer(StoreError::Corrupt("a bad row".into())), (StatusCode::INTERNAL_SERVER_ERROR, false));
    }
}
