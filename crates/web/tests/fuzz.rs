//! Query parameters and path segments under generated and mutated input (see
//! `testkit::fuzz`): every page and read endpoint, as anyone may call them, answers with
//! a client error or an answer, never a server error or a panic.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use rand::RngExt;
use testkit::fuzz;
use tower::ServiceExt;

/// Requests as real clients make them, to mutate: each route with the parameters it
/// takes.
const SEEDS: &[&str] = &[
    "/?lang=en",
    "/rankings?indicator=dti.province.rank&period=2022&group=provinces",
    "/units/ha-noi?lang=vi",
    "/units/vn",
    "/reports/2022?format=md&lang=en&unit=bo-cong-an",
    "/reports/2024-Q2?format=xlsx",
    "/api/v1/units?kind=province&group=provinces&valid_on=2025-07-01&q=Da%20Nang&page=2&per_page=10",
    "/api/v1/units/bac-ninh-2025",
    "/api/v1/indicators?pillar=government&programme=national&kind=ratio&q=ho%20so",
    "/api/v1/values?indicator=gov.online_dossier_rate&unit=vn&period=2022&revisions=true&provenance=reported",
    "/api/v1/values?within=2024&page=1&per_page=500",
    "/api/v1/values/on-map?indicator=portal.grade&period=2023-H1&date=2025-07-01",
    "/api/v1/targets?indicator=gov.online_dossier_rate&programme=plan-2023&period=2023",
    "/api/v1/tasks?list=q2-2024-completed&status=done&agency=bo-cong-an",
    "/api/v1/checks?lang=en",
    "/api/v1/methodologies/dti-province?period=2022",
    "/api/v1/rankings?methodology=dti-national&period=2022&draws=100&spread=0.2&seed=7&top=5&lang=en",
    "/api/v1/rankings?indicator=portal.grade&period=2023-H1&group=ministries-portal",
    "/api/v1/units/vn/scores?methodology=dti-national&period=2022&lang=en",
    "/api/v1/measurements?period=2026-11&group=provinces",
    "/api/v1/measurements/ha-noi?period=2026-Q4",
    "/api/v1/regimes/dia-phuong-6-thang/completeness?period=2026-H1",
    "/api/v1/connections",
];

/// A request line made fit to send: percent-encoded where a byte cannot go in a URI
/// (a `%` that does not start an escape included).
fn uri(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"/").unwrap_or(bytes);
    let mut out = String::from("/");
    for (i, &b) in bytes.iter().enumerate() {
        let escape = b == b'%' && bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if escape || b.is_ascii_graphic() && !b"%\"<>`^{}|\\#".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn queries(db: &testkit::TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let settings = web::Settings { rate_burst: 1_000_000, ..Default::default() };
    let app = web::app(web::AppState::with_settings(db.store.clone(), settings).await.unwrap());
    let seeds: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    let cases = fuzz::cases(1500);
    let mut sent = 0;
    for case in 0..cases {
        let mut rng = fuzz::rng("queries", case);
        let seed = &seeds[rng.random_range(0..seeds.len())];
        let input = fuzz::mutate(&mut rng, seed);
        let Ok(req) = Request::get(uri(&input)).body(Body::empty()) else { continue };
        sent += 1;
        let response = match tokio::spawn(app.clone().oneshot(req)).await {
            Ok(r) => r.unwrap(),
            Err(_) => panic!("{}", fuzz::keep("queries", case, &input)),
        };
        let status = response.status();
        assert!(!status.is_server_error(), "{} gave {status}: {}", uri(&input), fuzz::keep("queries", case, &input));
    }
    assert!(sent * 10 >= cases * 9, "only {sent} of {cases} requests could be made");
}

testkit::on_both_backends! {
    queries => crate::queries,
}
