//! The read model: pages and read endpoints answer from a snapshot in memory, rebuilt
//! off the request path when the data moves. A write is visible on the next read after
//! its rebuild; a second server on the same database, which nobody tells of the write,
//! finds it by the data version and converges on its own.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use testkit::TestDb;
use tower::ServiceExt;

const ASKED: &str = "/api/v1/values?indicator=dx.edoc_rate&unit=ha-noi&period=2025";

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn shown(app: &axum::Router) -> Vec<String> {
    let (status, body) = get(app, ASKED).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    page["items"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap().to_owned()).collect()
}

async fn import(db: &TestDb, csv: &str) {
    ops::import(&db.store, &[("figures.csv".to_owned(), csv.as_bytes())], |_| {}).await.unwrap();
}

async fn writes_become_visible(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let one = web::AppState::new(db.store.clone()).await.unwrap();
    let first = web::app(one.clone());
    // A second server: its own pool on the same database, its own read model.
    let other_store = store::Store::connect(&db.url).await.unwrap();
    let second = web::app(web::AppState::new(other_store).await.unwrap());
    assert!(shown(&first).await.is_empty() && shown(&second).await.is_empty());
    let before = one.read.snapshot().version;

    // A write, as `dxmon import` makes it beside the running servers.
    import(db, "indicator,unit,period,value,source\ndx.edoc_rate,ha-noi,2025,91.5,\n").await;
    one.read.caught_up().await.unwrap();
    assert!(one.read.snapshot().version > before, "the data version moved with the write");
    assert_eq!(shown(&first).await, ["91.5"], "the next read after the rebuild shows it");
    let page = get(&first, "/units/ha-noi").await.1;
    assert!(page.contains("91,5"), "and so does the unit's page");

    // The second server was told nothing: it finds the new version on its own.
    let mut waited = 0;
    while shown(&second).await.is_empty() {
        assert!(waited < 100, "the second server never converged");
        waited += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown(&second).await, ["91.5"]);

    // A later revision replaces it on both.
    import(db, "indicator,unit,period,value,source\ndx.edoc_rate,ha-noi,2025,93,\n").await;
    one.read.caught_up().await.unwrap();
    assert_eq!(shown(&first).await, ["93"]);
}

/// Public reads carry an ETag made of the snapshot's version, the live figures, the
/// day, the address and the language: asked again with it, the answer is 304 until the
/// data moves. Pages and JSON come gzipped to clients that take it.
async fn tags_and_compression(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let state = web::AppState::new(db.store.clone()).await.unwrap();
    let app = web::app(state.clone());
    let ask = |uri: &str, tag: Option<&str>, extra: Option<(&str, &str)>| {
        let mut req = Request::get(uri);
        if let Some(t) = tag {
            req = req.header("if-none-match", t);
        }
        if let Some((k, v)) = extra {
            req = req.header(k, v);
        }
        app.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    for uri in ["/", "/units/ha-noi", "/rankings", "/reports/2022?format=md", ASKED] {
        let first = ask(uri, None, None).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK, "{uri}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(first.headers()["cache-control"], "public, no-cache");
        let again = ask(uri, Some(&etag), None).await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{uri}");
        assert!(axum::body::to_bytes(again.into_body(), usize::MAX).await.unwrap().is_empty());
        // Another language is another answer.
        let english = ask(uri, Some(&etag), Some(("cookie", "dxmon_lang=en"))).await.unwrap();
        assert_eq!(english.status(), StatusCode::OK, "{uri} in English");
    }
    let etag = ask("/", None, None).await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
    import(db, "indicator,unit,period,value,source\ndx.edoc_rate,ha-noi,2025,91.5,\n").await;
    state.read.caught_up().await.unwrap();
    let moved = ask("/", Some(&etag), None).await.unwrap();
    assert_eq!(moved.status(), StatusCode::OK, "a write makes a new answer");
    assert_ne!(moved.headers()["etag"].to_str().unwrap(), etag);
    // Compressed for those that take it.
    let zipped = ask("/", None, Some(("accept-encoding", "gzip"))).await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let json = ask(ASKED, None, Some(("accept-encoding", "gzip"))).await.unwrap();
    assert_eq!(json.headers()["content-encoding"], "gzip");
    // What depends on who asks is never kept.
    let signed = ask("/", None, Some(("cookie", "dxmon_session=abc"))).await.unwrap();
    assert!(signed.headers().get("etag").is_none());
    assert_eq!(signed.headers()["cache-control"], "private, no-store");
}

testkit::on_both_backends! {
    visible => crate::writes_become_visible,
    tags => crate::tags_and_compression,
}
