//! Who may do what, endpoint by endpoint, as each kind of caller: nobody, a viewer, the
//! unit's reporter and another unit's, the unit's system and another's, the standing
//! agency, an admin. Every write endpoint (API and forms) is tried by every caller that
//! must be refused, and the audit log proves nothing was written; then by one that may.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use model::access::Role;
use model::collection::SubmissionStatus;
use testkit::TestDb;
use tower::ServiceExt;

const REGIME: &str = "dia-phuong-6-thang";
const PERIOD: &str = "2026-H1";
const PASSWORD: &str = "mật khẩu thử nghiệm";

#[derive(Clone, Debug)]
enum Who {
    Nobody,
    Session { name: &'static str, cookie: String, csrf: String },
    Token { name: &'static str, token: String },
}

impl Who {
    fn name(&self) -> &'static str {
        match self {
            Who::Nobody => "nobody",
            Who::Session { name, .. } | Who::Token { name, .. } => name,
        }
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String, Vec<(String, String)>) {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers =
        response.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned())).collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

async fn sign_in(app: &axum::Router, name: &'static str) -> Who {
    let form = format!("username={name}&password={}", urlencode(PASSWORD));
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, _, headers) = send(app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{name} signs in");
    let cookie =
        headers.iter().find(|(k, _)| k == "set-cookie").map(|(_, v)| v.split(';').next().unwrap().to_owned()).unwrap();
    assert!(cookie.starts_with("dxmon_session="));
    // The form token is on every page, in the sign-out form.
    let (_, page, _) = send(app, Request::get("/").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    Who::Session { name, cookie, csrf }
}

/// The refusal shown on a sign-in page.
fn refusal(page: &str) -> &str {
    page.split("id=\"login-error\">").nth(1).and_then(|rest| rest.split('<').next()).unwrap_or("")
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A request as `who` makes it: with its cookie or token, and its form token where a
/// session writes (unless `forge` leaves it out).
fn request(who: &Who, method: &str, uri: &str, kind: Kind, forge: bool) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    match who {
        Who::Nobody => {}
        Who::Session { cookie, csrf, .. } => {
            b = b.header(header::COOKIE, cookie);
            if matches!(kind, Kind::Json(_)) && !forge {
                b = b.header("x-csrf-token", csrf);
            }
        }
        Who::Token { token, .. } => b = b.header(header::AUTHORIZATION, format!("Bearer {token}")),
    }
    let csrf = match (who, forge) {
        (Who::Session { csrf, .. }, false) => csrf.clone(),
        _ => "forged".to_owned(),
    };
    match kind {
        Kind::None => b.body(Body::empty()).unwrap(),
        Kind::Json(json) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(json)).unwrap(),
        Kind::Form(form) => b
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&{form}")))
            .unwrap(),
        Kind::Upload(bytes) => {
            let boundary = "dxmonboundary";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(&bytes);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            b.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                .body(Body::from(body))
                .unwrap()
        }
    }
}

#[derive(Clone)]
enum Kind {
    None,
    Json(String),
    Form(String),
    Upload(Vec<u8>),
}

struct Callers {
    nobody: Who,
    viewer: Who,
    reporter: Who,
    other_reporter: Who,
    evaluator: Who,
    admin: Who,
    machine: Who,
    other_machine: Who,
    revoked: Who,
}

async fn setup(db: &TestDb) -> (axum::Router, Callers) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let s = &db.store;
    for (name, role, units) in [
        ("viewer", Role::Viewer, vec![]),
        ("hanoi", Role::Reporter, vec!["ha-noi".to_owned()]),
        ("haiphong", Role::Reporter, vec!["hai-phong-2025".to_owned()]),
        ("thamdinh", Role::Evaluator, vec![]),
        ("quantri", Role::Admin, vec![]),
    ] {
        ops::accounts::add_user(s, name, name, role, &units, PASSWORD, "test").await.unwrap();
    }
    let token = |name: &'static str, unit: &str| {
        let s = s.clone();
        let unit = unit.to_owned();
        async move {
            let (id, t) = ops::accounts::create_token(&s, name, Role::Machine, &[unit], "test").await.unwrap();
            (id, Who::Token { name, token: t })
        }
    };
    let (_, machine) = token("machine-hanoi", "ha-noi").await;
    let (_, other_machine) = token("machine-haiphong", "hai-phong-2025").await;
    let (revoked_id, revoked) = token("machine-revoked", "ha-noi").await;
    ops::accounts::revoke_token(s, revoked_id, "test").await.unwrap();
    let settings = web::Settings { rate_burst: 10_000, login_burst: 1_000, ..Default::default() };
    let app = web::app(web::AppState::with_settings(s.clone(), settings).await.unwrap());
    let callers = Callers {
        nobody: Who::Nobody,
        viewer: sign_in(&app, "viewer").await,
        reporter: sign_in(&app, "hanoi").await,
        other_reporter: sign_in(&app, "haiphong").await,
        evaluator: sign_in(&app, "thamdinh").await,
        admin: sign_in(&app, "quantri").await,
        machine,
        other_machine,
        revoked,
    };
    (app, callers)
}

async fn audit_total(db: &TestDb) -> i64 {
    db.store.audit_log(&store::AuditFilter::default(), store::Page { limit: 1, offset: 0 }).await.unwrap().total
}

async fn status_of(db: &TestDb, id: i64) -> SubmissionStatus {
    db.store.submission(id).await.unwrap().unwrap().status
}

const FIGURES: &str = r#"{"values": [
    {"indicator": "service.online_dossier_rate", "value": "61,5"},
    {"indicator": "service.on_time_rate", "value": "97.2"},
    {"indicator": "dx.edoc_rate", "value": "95"},
    {"indicator": "skills.civil_servants_trained_rate", "value": "80"},
    {"indicator": "dx.steering_meetings", "value": "4"},
    {"indicator": "dx.plan_issued", "value": "có"}]}"#;

/// Tries `denied` callers (each must get its status and write nothing), then `allowed`.
async fn check(
    db: &TestDb,
    app: &axum::Router,
    what: &str,
    (method, uri, kind): (&str, &str, Kind),
    denied: &[(&Who, StatusCode)],
    allowed: (&Who, StatusCode),
) {
    for (who, expected) in denied {
        let before = audit_total(db).await;
        let (status, body, _) = send(app, request(who, method, uri, kind.clone(), false)).await;
        assert_eq!(status, *expected, "{what} as {}: {body}", who.name());
        assert_eq!(audit_total(db).await, before, "{what} as {} wrote something", who.name());
    }
    // A session without its form token is refused too.
    if let Who::Session { .. } = allowed.0 {
        let before = audit_total(db).await;
        let (status, body, _) = send(app, request(allowed.0, method, uri, kind.clone(), true)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what} without the form token: {body}");
        assert_eq!(audit_total(db).await, before);
    }
    let (status, body, _) = send(app, request(allowed.0, method, uri, kind, false)).await;
    assert_eq!(status, allowed.1, "{what} as {}: {body}", allowed.0.name());
}

async fn every_write_is_scoped(db: &TestDb) {
    let (app, c) = setup(db).await;
    let save_uri = format!("/api/v1/submissions/{REGIME}/ha-noi/{PERIOD}");
    let forbidden = StatusCode::FORBIDDEN;
    let unauthorized = StatusCode::UNAUTHORIZED;
    let hidden = StatusCode::NOT_FOUND;

    check(
        db,
        &app,
        "enter figures (API)",
        ("PUT", &save_uri, Kind::Json(FIGURES.into())),
        &[
            (&c.nobody, unauthorized),
            (&c.revoked, unauthorized),
            (&c.viewer, forbidden),
            (&c.other_reporter, forbidden),
            (&c.other_machine, forbidden),
            (&c.evaluator, forbidden),
            (&c.admin, forbidden),
        ],
        (&c.reporter, StatusCode::OK),
    )
    .await;
    let id = db
        .store
        .submission_for(&REGIME.parse().unwrap(), &"ha-noi".parse().unwrap(), PERIOD.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let form_uri = format!("/workspace/{REGIME}/ha-noi/{PERIOD}");
    check(
        db,
        &app,
        "enter figures (form)",
        ("POST", &form_uri, Kind::Form("action=save&v.dx.edoc_rate=96".into())),
        &[
            (&c.nobody, unauthorized),
            (&c.viewer, forbidden),
            (&c.other_reporter, forbidden),
            (&c.evaluator, forbidden),
            (&c.admin, forbidden),
        ],
        (&c.reporter, StatusCode::SEE_OTHER),
    )
    .await;
    // The template of the unit's own draft, uploaded back.
    let template = {
        let Who::Session { cookie, .. } = &c.reporter else { unreachable!() };
        let req = Request::get(format!("{form_uri}/template.xlsx"))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(req).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
    };
    let (status, _, _) =
        send(&app, request(&c.other_reporter, "GET", &format!("{form_uri}/template.xlsx"), Kind::None, false)).await;
    assert_eq!(status, forbidden, "another unit's template");
    check(
        db,
        &app,
        "upload a workbook",
        ("POST", &format!("{form_uri}/upload"), Kind::Upload(template)),
        &[(&c.nobody, unauthorized), (&c.viewer, forbidden), (&c.other_reporter, forbidden), (&c.evaluator, forbidden)],
        (&c.reporter, StatusCode::SEE_OTHER),
    )
    .await;
    check(
        db,
        &app,
        "submit",
        ("POST", &format!("/api/v1/submissions/{id}/submit"), Kind::Json("{}".into())),
        &[
            (&c.nobody, unauthorized),
            (&c.viewer, hidden),
            (&c.other_reporter, hidden),
            (&c.other_machine, hidden),
            (&c.evaluator, forbidden),
        ],
        (&c.machine, StatusCode::OK),
    )
    .await;
    assert_eq!(status_of(db, id).await, SubmissionStatus::Submitted);
    check(
        db,
        &app,
        "return",
        (
            "POST",
            &format!("/api/v1/submissions/{id}/return"),
            Kind::Json(r#"{"comment": "Kiểm tra lại tỷ lệ"}"#.into()),
        ),
        &[
            (&c.nobody, unauthorized),
            (&c.viewer, forbidden),
            (&c.reporter, forbidden),
            (&c.other_reporter, forbidden),
            (&c.machine, forbidden),
        ],
        (&c.evaluator, StatusCode::OK),
    )
    .await;
    assert_eq!(status_of(db, id).await, SubmissionStatus::Returned);
    let (status, _, _) =
        send(&app, request(&c.machine, "POST", &format!("/api/v1/submissions/{id}/submit"), Kind::None, false)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a returned report is corrected before it is submitted again");
    send(&app, request(&c.machine, "PUT", &save_uri, Kind::Json(FIGURES.into()), false)).await;
    send(&app, request(&c.machine, "POST", &format!("/api/v1/submissions/{id}/submit"), Kind::None, false)).await;
    check(
        db,
        &app,
        "approve (API)",
        ("POST", &format!("/api/v1/submissions/{id}/approve"), Kind::Json("{}".into())),
        &[
            (&c.nobody, unauthorized),
            (&c.viewer, forbidden),
            (&c.reporter, forbidden),
            (&c.machine, forbidden),
            (&c.other_machine, forbidden),
        ],
        (&c.admin, StatusCode::OK),
    )
    .await;
    assert_eq!(status_of(db, id).await, SubmissionStatus::Approved);
    // The decision form, on a new round.
    send(&app, request(&c.machine, "PUT", &save_uri, Kind::Json(FIGURES.replace("\"95\"", "\"94\"")), false)).await;
    send(&app, request(&c.machine, "POST", &format!("/api/v1/submissions/{id}/submit"), Kind::None, false)).await;
    check(
        db,
        &app,
        "approve (form)",
        ("POST", &format!("/agency/submissions/{id}"), Kind::Form("action=approve".into())),
        &[(&c.nobody, unauthorized), (&c.viewer, forbidden), (&c.reporter, forbidden), (&c.other_reporter, forbidden)],
        (&c.evaluator, StatusCode::SEE_OTHER),
    )
    .await;
    assert_eq!(status_of(db, id).await, SubmissionStatus::Approved);
    let (status, _, _) = send(
        &app,
        request(&c.evaluator, "POST", &format!("/agency/submissions/{id}"), Kind::Form("action=approve".into()), false),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "approved twice");
    check(
        db,
        &app,
        "sign out",
        ("POST", "/logout", Kind::Form(String::new())),
        &[],
        (&c.viewer, StatusCode::SEE_OTHER),
    )
    .await;
    let (status, _, _) = send(&app, request(&c.viewer, "GET", "/api/v1/submissions", Kind::None, false)).await;
    assert_eq!(status, unauthorized, "the session ended with sign-out");
}

async fn drafts_are_private(db: &TestDb) {
    let (app, c) = setup(db).await;
    send(
        &app,
        request(
            &c.machine,
            "PUT",
            &format!("/api/v1/submissions/{REGIME}/ha-noi/{PERIOD}"),
            Kind::Json(FIGURES.into()),
            false,
        ),
    )
    .await;
    let id = db.store.submissions(&store::SubmissionFilter::default()).await.unwrap()[0].id;
    for (who, uri, expected) in [
        (&c.nobody, format!("/api/v1/submissions/{id}"), StatusCode::UNAUTHORIZED),
        (&c.viewer, format!("/api/v1/submissions/{id}"), StatusCode::NOT_FOUND),
        (&c.other_reporter, format!("/api/v1/submissions/{id}"), StatusCode::NOT_FOUND),
        (&c.other_machine, format!("/api/v1/submissions/{id}"), StatusCode::NOT_FOUND),
        (&c.reporter, format!("/api/v1/submissions/{id}"), StatusCode::OK),
        (&c.evaluator, format!("/api/v1/submissions/{id}"), StatusCode::OK),
        (&c.other_reporter, format!("/workspace/{REGIME}/ha-noi/{PERIOD}"), StatusCode::FORBIDDEN),
        (&c.reporter, format!("/workspace/{REGIME}/ha-noi/{PERIOD}"), StatusCode::OK),
        (&c.reporter, "/agency".to_owned(), StatusCode::FORBIDDEN),
        (&c.reporter, "/agency/audit".to_owned(), StatusCode::FORBIDDEN),
        (&c.reporter, "/api/v1/audit".to_owned(), StatusCode::FORBIDDEN),
        (&c.machine, "/api/v1/audit".to_owned(), StatusCode::FORBIDDEN),
        (&c.evaluator, "/api/v1/audit".to_owned(), StatusCode::OK),
        (&c.evaluator, "/agency/audit.csv".to_owned(), StatusCode::OK),
        (&c.reporter, format!("/api/v1/regimes/{REGIME}/completeness?period={PERIOD}"), StatusCode::FORBIDDEN),
        (&c.evaluator, format!("/api/v1/regimes/{REGIME}/completeness?period={PERIOD}"), StatusCode::OK),
    ] {
        let (status, body, _) = send(&app, request(who, "GET", &uri, Kind::None, false)).await;
        assert_eq!(status, expected, "GET {uri} as {}: {body}", who.name());
        if status == StatusCode::OK && uri.starts_with("/api/v1/submissions/") {
            assert!(body.contains("\"unit\":\"ha-noi\""));
        }
    }
    // Listing: a reporter of another unit sees none of Hà Nội's; the agency sees it.
    let (_, body, _) = send(&app, request(&c.other_reporter, "GET", "/api/v1/submissions", Kind::None, false)).await;
    assert_eq!(body, "[]");
    let (_, body, _) = send(&app, request(&c.evaluator, "GET", "/api/v1/submissions", Kind::None, false)).await;
    assert!(body.contains("\"unit\":\"ha-noi\""));
    // A page that needs an account sends nobody to sign in.
    let (status, _, headers) = send(&app, request(&c.nobody, "GET", "/workspace", Kind::None, false)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.iter().any(|(k, v)| k == "location" && v.starts_with("/login?back=")));
}

/// Bad sign-ins, limits and the protective headers.
async fn protection(db: &TestDb) {
    let (app, c) = setup(db).await;
    let wrong = |name: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("username={name}&password=wrong")))
            .unwrap()
    };
    let (status, page, _) = send(&app, wrong("hanoi")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let (_, unknown, _) = send(&app, wrong("khong-co")).await;
    assert!(!refusal(&page).is_empty());
    assert_eq!(refusal(&unknown), refusal(&page), "no hint which part was wrong");
    for _ in 0..4 {
        send(&app, wrong("hanoi")).await;
    }
    let right = |from: Option<[u8; 4]>| {
        let mut req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("username=hanoi&password={}", urlencode(PASSWORD))))
            .unwrap();
        if let Some(ip) = from {
            req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 4000))));
        }
        req
    };
    let (status, locked, _) = send(&app, right(None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "paused after five failures");
    assert_eq!(refusal(&locked), refusal(&page), "the same answer whatever the cause");
    let (status, _, _) = send(&app, right(Some([10, 1, 1, 1]))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the owner, from elsewhere, is not locked out");
    // Where to go after signing in: a path of this site, or home.
    for (back, to) in
        [("%2F%09%2Fevil.example", "/workspace"), ("%2Fagency%01", "/workspace"), ("%2Freports", "/reports")]
    {
        let form = format!("username=hanoi&password={}&back={back}", urlencode(PASSWORD));
        let mut req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 1, 1, 2], 4000))));
        let (status, _, headers) = send(&app, req).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "back={back}");
        assert!(headers.iter().any(|(k, v)| k == "location" && v == to), "back={back}: {headers:?}");
    }
    let (status, page, _) = send(&app, Request::get("/login?back=%2F%01%0D%0A").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"back\" value=\"/\""), "the form returns home");
    // Sign-in attempts have a stricter rate of their own, answered as problem details.
    let settings = web::Settings { login_burst: 2, ..Default::default() };
    let strict = web::app(web::AppState::with_settings(db.store.clone(), settings).await.unwrap());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(send(&strict, wrong("hanoi")).await);
    }
    assert_eq!(statuses.iter().map(|s| s.0).collect::<Vec<_>>(), [401, 401, 429]);
    assert!(statuses[2].2.iter().any(|(k, v)| k == "content-type" && v == "application/problem+json"));
    assert!(statuses[2].2.iter().any(|(k, _)| k == "retry-after"));
    assert_eq!(send(&strict, Request::get("/login").body(Body::empty()).unwrap()).await.0, StatusCode::OK);
    // An expired or unknown session is no session.
    let stale =
        Request::get("/api/v1/submissions").header(header::COOKIE, "dxmon_session=0123").body(Body::empty()).unwrap();
    assert_eq!(send(&app, stale).await.0, StatusCode::UNAUTHORIZED);
    // Headers on every response; a body too large.
    let (_, _, headers) = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    for (name, value) in
        [("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin")]
    {
        assert!(headers.iter().any(|(k, v)| k == name && v == value), "{name}");
    }
    assert!(headers.iter().any(|(k, v)| k == "content-security-policy" && v.contains("frame-ancestors 'none'")));
    let big = format!("{{\"values\": [{{\"indicator\": \"x\", \"note\": \"{}\"}}]}}", "a".repeat(2 * 1024 * 1024));
    let (status, body, _) = send(
        &app,
        request(&c.machine, "PUT", &format!("/api/v1/submissions/{REGIME}/ha-noi/{PERIOD}"), Kind::Json(big), false),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // Metrics for Prometheus, with a label for each known method and one for the rest.
    let odd = Request::builder().method("TOTALLYMADEUPMETHOD").uri("/health").body(Body::empty()).unwrap();
    assert_eq!(send(&app, odd).await.0, StatusCode::METHOD_NOT_ALLOWED);
    let (status, metrics, _) = send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert!(!metrics.contains("TOTALLYMADEUPMETHOD") && metrics.contains("method=\"other\""), "{metrics}");
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains("dxmon_http_requests_total"), "{metrics}");
    // A client over its rate is told to slow down.
    let settings = web::Settings { rate_per_second: 1, rate_burst: 3, ..Default::default() };
    let slow = web::app(web::AppState::with_settings(db.store.clone(), settings).await.unwrap());
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(send(&slow, Request::get("/health").body(Body::empty()).unwrap()).await.0);
    }
    assert_eq!(&statuses[..3], [StatusCode::OK; 3]);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
}

/// Behind a TLS proxy on the same machine: the client's address and scheme are the
/// proxy's word, so each client has its own rate and the session cookie stays Secure;
/// anyone else's word is not taken.
async fn behind_a_proxy(db: &TestDb) {
    let (_, _) = setup(db).await;
    let settings = web::Settings {
        cookies: web::CookieSecurity::IfHttps,
        rate_per_second: 1,
        rate_burst: 2,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..Default::default()
    };
    let app = web::app(web::AppState::with_settings(db.store.clone(), settings).await.unwrap());
    fn via(
        peer: [u8; 4],
        forwarded: &str,
        proto: &str,
        req: axum::http::request::Builder,
        body: Body,
    ) -> Request<Body> {
        let mut req = req.header("x-forwarded-for", forwarded).header("x-forwarded-proto", proto).body(body).unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
        req
    }
    let health = |peer: [u8; 4], forwarded: &str| via(peer, forwarded, "https", Request::get("/health"), Body::empty());
    // Two clients behind the proxy, each with its own two requests' burst.
    let mut statuses = Vec::new();
    for client in ["203.0.113.5", "203.0.113.5", "203.0.113.5", "198.51.100.7", "198.51.100.7"] {
        let forwarded = format!("{client}, 127.0.0.1");
        statuses.push(send(&app, health([127, 0, 0, 1], &forwarded)).await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200]);
    // A client that is not a proxy cannot claim to be someone else.
    let mut spoofed = Vec::new();
    for client in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        spoofed.push(send(&app, health([10, 9, 9, 9], client)).await.0.as_u16());
    }
    assert_eq!(spoofed, [200, 200, 429]);
    // Signed in over HTTPS through the proxy: a Secure cookie; over plain HTTP: not.
    let login = |proto: &str, client: &str| {
        let form = format!("username=hanoi&password={}", urlencode(PASSWORD));
        let req = Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        via([127, 0, 0, 1], client, proto, req, Body::from(form))
    };
    for (proto, client, secure) in [("https", "203.0.113.8", true), ("http", "203.0.113.9", false)] {
        let (status, _, headers) = send(&app, login(proto, client)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookie = headers.iter().find(|(k, _)| k == "set-cookie").map(|(_, v)| v.clone()).unwrap();
        assert_eq!(cookie.contains("; Secure"), secure, "{proto}: {cookie}");
    }
}

testkit::on_both_backends! {
    proxy => crate::behind_a_proxy,
    writes => crate::every_write_is_scoped,
    reads => crate::drafts_are_private,
    protection => crate::protection,
}
