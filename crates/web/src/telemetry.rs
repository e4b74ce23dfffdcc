//! What a request leaves behind for whoever runs the server: an id (`x-request-id`,
//! taken from the proxy or made here) on the answer, in every log line the request
//! writes (through its span, which also names the matched route) and in its problem
//! details, so that a user's report of an error leads to its log.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const REQUEST_ID: &str = "x-request-id";

/// A request's id, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// An id a proxy sent is kept if it looks like one: up to 64 letters, digits and
/// `-_.:`; anything else is replaced, so a client cannot write what it likes into logs.
fn taken(req: &Request) -> Option<String> {
    let id = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    (!id.is_empty() && id.len() <= 64 && id.chars().all(plain)).then(|| id.to_owned())
}

/// Gives every request an id, answers with it, and puts it in problem details.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = taken(&req).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let response = next.run(req).await;
    let mut response = with_id_in_problem(response, &id).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// A problem's body with `request_id` added; any other answer as it is.
async fn with_id_in_problem(response: Response, id: &str) -> Response {
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.insert("request_id".into(), serde_json::Value::String(id.to_owned()));
            serde_json::to_vec(&fields).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// The span of a request: method, matched route (not the raw path, which would make
/// as many kinds of span as addresses) and id.
pub fn span(req: &axum::http::Request<Body>) -> tracing::Span {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
    let id = req.extensions().get::<RequestId>().map_or("", |r| r.0.as_str());
    tracing::info_span!("request", method = %req.method(), route, request_id = id)
}
