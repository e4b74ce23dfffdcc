//! The collection workflow in headless Chromium, as people do it: a province's reporter
//! signs in, uploads a workbook with one bad cell and sees the error on that cell,
//! uploads a corrected one and submits; the standing agency signs in and approves; the
//! published figure and the ranking change appear on the public page. Screenshots of
//! each step are kept in `test-artifacts/`.
//!
//! Needs `chromium`; without it the test says it was skipped, unless
//! DXMON_REQUIRE_CHROMIUM is set (as `.ci/run` does), when it fails.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use model::access::Role;
use model::{Datum, Lang, Period};

const REGIME: &str = "dia-phuong-6-thang";
const PASSWORD: &str = "mat-khau-thu-nghiem";

fn shot(tab: &Tab, name: &str) {
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(testkit::artifacts().join(format!("e2e-{name}.png")), png).unwrap();
}

fn text(tab: &Tab, js: &str) -> String {
    tab.evaluate(js, false).unwrap().value.and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Clicks, then waits until the browser has left the page (a form post and its
/// redirect).
fn click_and_leave(tab: &Tab, selector: &str) {
    let before = tab.get_url();
    tab.wait_for_element(selector).unwrap().click().unwrap();
    let start = std::time::Instant::now();
    while tab.get_url() == before {
        assert!(start.elapsed() < Duration::from_secs(15), "clicking {selector} did not leave {before}");
        std::thread::sleep(Duration::from_millis(50));
    }
    tab.wait_until_navigated().unwrap();
}

fn sign_in(tab: &Tab, base: &str, username: &str) {
    tab.navigate_to(&format!("{base}/login")).unwrap().wait_until_navigated().unwrap();
    tab.wait_for_element("#username").unwrap().click().unwrap();
    tab.type_str(username).unwrap();
    tab.wait_for_element("#password").unwrap().click().unwrap();
    tab.type_str(PASSWORD).unwrap();
    click_and_leave(tab, "#sign-in");
}

fn upload(tab: &Tab, file: &Path) {
    tab.wait_for_element("#file").unwrap().set_input_files(&[file.to_str().unwrap()]).unwrap();
    click_and_leave(tab, "#send-file");
}

/// The unit's workbook for the period, filled with `edoc` for the documents indicator.
async fn workbook(store: &store::Store, period: Period, edoc: Datum) -> Vec<u8> {
    let cx = ops::collection::context(store, REGIME).await.unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let number = |x: &str| Datum::Number(x.parse().unwrap());
    let values = [
        ("service.online_dossier_rate", number("61.5")),
        ("service.on_time_rate", number("97.2")),
        ("dx.edoc_rate", edoc),
        ("skills.civil_servants_trained_rate", number("80")),
        ("dx.steering_meetings", number("4")),
        ("dx.plan_issued", Datum::YesNo(true)),
    ];
    let filled = testkit::draft_submission(REGIME, "ha-noi", period, &values);
    dataset::template::generate(&cx.form(), &unit, period, Some(&filled), &|_| None, Lang::Vi).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_reports_and_the_agency_publishes() {
    let Some(path) = testkit::chromium() else { return };
    let db = testkit::sqlite().await;
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    ops::accounts::add_user(
        &db.store,
        "hanoi",
        "Cán bộ báo cáo Hà Nội",
        Role::Reporter,
        &["ha-noi".into()],
        PASSWORD,
        "test",
    )
    .await
    .unwrap();
    ops::accounts::add_user(&db.store, "thamdinh", "Cán bộ thẩm định", Role::Evaluator, &[], PASSWORD, "test")
        .await
        .unwrap();
    // The period being reported now: the half-year just ended.
    let period =
        Period::of_kind_containing(model::period::PeriodKind::Half, chrono::Utc::now().date_naive()).previous();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bao-cao-loi.xlsx");
    let good = dir.path().join("bao-cao.xlsx");
    std::fs::write(&bad, workbook(&db.store, period, Datum::Category("chín lăm".into())).await).unwrap();
    std::fs::write(&good, workbook(&db.store, period, Datum::Number("95".parse().unwrap())).await).unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let settings = web::Settings { cookies: web::CookieSecurity::Never, ..Default::default() };
    let state = web::AppState::with_settings(db.store.clone(), settings).await.unwrap();
    tokio::spawn(web::serve(listener, state, std::future::pending()));

    let form = format!("{base}/workspace/{REGIME}/ha-noi/{period}");
    let ranking = format!("{base}/rankings?indicator=dx.edoc_rate&period={period}");
    tokio::task::spawn_blocking(move || {
        let options = LaunchOptions::default_builder()
            .path(Some(path))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1280, 1400)))
            .args(vec![OsStr::new("--disable-gpu")])
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let browser = Browser::new(options).unwrap();
        let tab = browser.new_tab().unwrap();
        tab.set_default_timeout(Duration::from_secs(20));

        // Before: nobody has published a figure for the period.
        tab.navigate_to(&ranking).unwrap().wait_until_navigated().unwrap();
        let ranked = tab.evaluate("document.querySelectorAll('tr[data-unit]').length", false).unwrap().value;
        assert_eq!(ranked, Some(serde_json::json!(0)), "no ranked unit before the figures are published");

        sign_in(&tab, &base, "hanoi");
        assert!(tab.get_url().ends_with("/workspace"), "a reporter lands in the workspace: {}", tab.get_url());
        shot(&tab, "1-workspace");
        tab.navigate_to(&form).unwrap().wait_until_navigated().unwrap();

        // One bad cell: the error names the cell, the field is marked, nothing is stored.
        upload(&tab, &bad);
        let error = tab.wait_for_element("#error").unwrap().get_inner_text().unwrap();
        assert!(error.contains("Ô E10 (dx.edoc_rate): «chín lăm» không phải là số"), "{error}");
        let marked = text(&tab, "document.querySelector(\"input[name='v.dx.edoc_rate']\").className");
        assert!(marked.contains("cell-error"), "{marked}");
        let status = tab.wait_for_element("#status").unwrap().get_inner_text().unwrap();
        assert_eq!(status, "Chưa nhập");
        shot(&tab, "2-upload-error");

        // The corrected workbook, then submit.
        upload(&tab, &good);
        let flash = tab.wait_for_element("#flash").unwrap().get_inner_text().unwrap();
        assert_eq!(flash, "Đã nhận số liệu từ tệp Excel.");
        assert_eq!(text(&tab, "document.querySelector(\"input[name='v.dx.edoc_rate']\").value"), "95");
        click_and_leave(&tab, "#submit");
        assert_eq!(tab.wait_for_element("#status").unwrap().get_inner_text().unwrap(), "Đã nộp, chờ thẩm định");
        shot(&tab, "3-submitted");
        click_and_leave(&tab, "header form button");

        // The agency approves.
        sign_in(&tab, &base, "thamdinh");
        assert!(tab.get_url().ends_with("/agency"), "{}", tab.get_url());
        shot(&tab, "4-agency-queue");
        click_and_leave(&tab, "#queue a");
        click_and_leave(&tab, "#approve");
        let queue = text(&tab, "document.body.innerText");
        assert!(queue.contains("Không có báo cáo chờ thẩm định."), "{queue}");

        // After: Hà Nội is ranked with its published figure, once the read model has been
        // built again (at once after an approval, off the request path).
        let mut tries = 0;
        loop {
            tab.navigate_to(&ranking).unwrap().wait_until_navigated().unwrap();
            let shown = tab.evaluate("document.querySelectorAll(\"tr[data-unit='ha-noi']\").length", false);
            if shown.unwrap().value == Some(serde_json::json!(1)) || tries == 50 {
                break;
            }
            tries += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        let row = tab.wait_for_element("tr[data-unit='ha-noi']").unwrap().get_inner_text().unwrap();
        assert!(row.starts_with("1\t") && row.contains("TP. Hà Nội") && row.contains("95"), "{row:?}");
        shot(&tab, "5-ranking");
        tab.navigate_to(&format!("{base}/units/ha-noi")).unwrap().wait_until_navigated().unwrap();
        let figures = tab.wait_for_element("#figures").unwrap().get_inner_text().unwrap();
        assert!(figures.contains("đã thẩm định"), "the published figures say they were verified: {figures}");
        shot(&tab, "6-unit-profile");
    })
    .await
    .unwrap();
}
