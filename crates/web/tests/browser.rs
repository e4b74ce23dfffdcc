//! The report page in headless Chromium: it renders with no console message (the page
//! has no script, so any message is an error: a resource that failed, a bad style), it
//! prints on A4, and a screenshot and the PDF are kept in `test-artifacts/`.
//!
//! Needs `chromium` on the PATH. Without it the test says it was skipped, unless
//! DXMON_REQUIRE_CHROMIUM is set (as `.ci/run` does), when it fails.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

#[tokio::test]
async fn the_report_page_renders_and_prints_on_a4() {
    let Some(browser) = testkit::chromium() else { return };
    let db = testkit::sqlite().await;
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let app = web::app(web::AppState::new(db.store.clone()).await.unwrap());
    let response = app.oneshot(Request::get("/reports/2023-H1").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report-2023-H1.html");
    std::fs::write(&page, &html).unwrap();
    let out = testkit::artifacts();
    let (png, pdf) = (out.join("report-2023-H1.png"), out.join("report-2023-H1.pdf"));
    let _ = std::fs::remove_file(&png);
    let _ = std::fs::remove_file(&pdf);
    let url = format!("file://{}", page.display());
    let run = |args: &[String]| {
        let mut all: Vec<String> = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
            .map(String::from)
            .to_vec();
        all.extend_from_slice(args);
        all.push(url.clone());
        let o = Command::new(&browser).args(&all).env("HOME", dir.path()).output().unwrap();
        assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let log = run(&["--window-size=1200,1600".into(), format!("--screenshot={}", png.display())]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "the page logged to the console: {console:?}");
    let shot = std::fs::read(&png).unwrap();
    assert!(shot.starts_with(b"\x89PNG") && shot.len() > 20_000, "not a screenshot of a page: {} bytes", shot.len());

    run(&["--no-pdf-header-footer".into(), format!("--print-to-pdf={}", pdf.display())]);
    let printed = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&printed);
    let boxes: Vec<&str> = text.match_indices("/MediaBox [").map(|(i, _)| &text[i..i + 40]).collect();
    assert!(boxes.len() >= 2, "a report of several pages: {}", boxes.len());
    for b in boxes {
        let numbers: Vec<f64> = b["/MediaBox [".len()..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        // A4 is 595 × 842 points.
        assert!((numbers[2] - 595.0).abs() < 2.0 && (numbers[3] - 842.0).abs() < 2.0, "not A4: {numbers:?}");
    }
}
