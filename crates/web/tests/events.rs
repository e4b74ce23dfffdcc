//! POST /api/v1/events over HTTP on both backends: JSON arrays and NDJSON, gzip, tokens
//! bound to units, per-line reasons, and every refusal of a whole request with its
//! status; then the live figures the roll-ups give.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use model::access::Role;
use serde_json::{Value, json};
use testkit::TestDb;
use tower::ServiceExt;

async fn setup(db: &TestDb) -> (axum::Router, String, web::AppState) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let (_, token) =
        ops::accounts::create_token(&db.store, "Một cửa Hà Nội", Role::Machine, &["ha-noi".into()], "test")
            .await
            .unwrap();
    let state = web::AppState::new(db.store.clone()).await.unwrap();
    (web::app(state.clone()), token, state)
}

async fn post(
    app: &axum::Router,
    token: &str,
    content_type: &str,
    encoding: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/events")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type);
    if let Some(e) = encoding {
        request = request.header(header::CONTENT_ENCODING, e);
    }
    let response = app.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn event(id: &str, unit: &str, kind: &str) -> Value {
    let now = chrono::Utc::now().to_rfc3339();
    match kind {
        "received" => {
            json!({"event_id": id, "type": "dossier.received", "unit": unit, "procedure": "ho-tich.khai-sinh",
                             "dossier": format!("HS-{id}"), "at": now, "channel": "online", "fully_online": true})
        }
        "returned" => {
            json!({"event_id": id, "type": "dossier.returned", "unit": unit, "procedure": "ho-tich.khai-sinh",
                             "dossier": format!("HS-{id}"), "at": now, "on_time": true})
        }
        _ => json!({"event_id": id, "type": "portal.view", "unit": unit, "at": now, "load_ms": 850, "page": "/"}),
    }
}

fn ndjson(events: &[Value]) -> Vec<u8> {
    events.iter().map(Value::to_string).collect::<Vec<_>>().join("\n").into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

async fn events_over_http(db: &TestDb) {
    let (app, token, state) = setup(db).await;
    // A JSON array, the unit by key and by statistics code.
    let array = serde_json::to_vec(&json!([event("a1", "ha-noi", "received"), event("a2", "01", "returned")])).unwrap();
    let (status, body) = post(&app, &token, "application/json", None, array.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["accepted"].as_u64(), body["duplicate"].as_u64(), body["rejected"].as_u64()),
        (Some(2), Some(0), Some(0))
    );
    // The same again: nothing new.
    let (_, again) = post(&app, &token, "application/json; charset=utf-8", None, array).await;
    assert_eq!((again["accepted"].as_u64(), again["duplicate"].as_u64()), (Some(0), Some(2)));

    // NDJSON, gzip, a bad line among good ones.
    let mut lines = ndjson(&[event("a3", "ha-noi", "view"), event("a4", "ha-noi", "received")]);
    lines.extend_from_slice(b"\n{\"event_id\": \"a5\", \"type\": \"dossier.received\"\n");
    let (status, body) = post(&app, &token, "application/x-ndjson", Some("gzip"), gzip(&lines)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["accepted"].as_u64(), body["rejected"].as_u64()), (Some(2), Some(1)));
    assert_eq!(body["errors"][0]["line"], 3);
    assert!(body["errors"][0]["error"].as_str().unwrap().starts_with("not JSON"), "{body}");

    // Another unit's event: 403, and nothing of the request is stored.
    let before = db.store.event_count().await.unwrap();
    let (status, body) = post(
        &app,
        &token,
        "application/x-ndjson",
        None,
        ndjson(&[event("b1", "ha-noi", "view"), event("b2", "79", "view")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("line 2"), "{body}");
    assert_eq!(db.store.event_count().await.unwrap(), before);

    // Refusals of a whole request.
    let (status, _) = post(&app, "dxm_not-a-token", "application/json", None, b"[]".to_vec()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post(&app, &token, "text/csv", None, b"a,b".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, _) = post(&app, &token, "application/json", Some("br"), b"[]".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = post(&app, &token, "application/json", None, b"{\"event_id\": 1}".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = post(&app, &token, "application/x-ndjson", None, vec![b' '; web::HARD_BODY_LIMIT + 10]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let many: Vec<Value> = (0..20_001).map(|i| event(&format!("m{i}"), "ha-noi", "view")).collect();
    let (status, body) = post(&app, &token, "application/x-ndjson", Some("gzip"), gzip(&ndjson(&many))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    // A person's session is not a unit's system.
    let (_, viewer) = ops::accounts::create_token(&db.store, "Người xem", Role::Viewer, &[], "test").await.unwrap();
    let (status, _) = post(
        &app,
        &viewer,
        "application/json",
        None,
        serde_json::to_vec(&json!([event("v1", "ha-noi", "view")])).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // What was stored shows as live figures.
    let response =
        app.clone().oneshot(Request::get("/api/v1/measurements/ha-noi").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let live: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(live["counts"]["received"], 2);
    assert_eq!(live["counts"]["on_time"], 1);
    assert_eq!(live["rates"]["online_dossier_rate"], 100.0);
    assert_eq!(live["connection"]["connected"], true);
    assert_eq!(live["load_times"]["views"], 1);
    // Pages show live figures as read every few seconds: read them now.
    state.read.refresh_live().await.unwrap();
    let page = app.clone().oneshot(Request::get("/units/ha-noi").body(Body::empty()).unwrap()).await.unwrap();
    let html = String::from_utf8(axum::body::to_bytes(page.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(
        html.contains("Đang kết nối") && html.contains("Hồ sơ tiếp nhận trực tuyến"),
        "the profile shows the live figures"
    );
    let openapi = app.clone().oneshot(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await.unwrap();
    let doc: Value =
        serde_json::from_slice(&axum::body::to_bytes(openapi.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert!(doc["paths"]["/api/v1/events"]["post"].is_object());
    assert!(doc["components"]["schemas"]["Event"]["properties"]["fully_online"].is_object());
}

testkit::on_both_backends! {
    events => crate::events_over_http,
}
