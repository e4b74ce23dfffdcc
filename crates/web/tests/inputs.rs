//! What a careless client sends to the submissions API is refused with a 422 that names
//! the field, and nothing is stored: a misspelt field, an indicator given twice, an
//! empty figure, a note too long, control characters, figures beyond the limits of
//! precision and size, a period that has not begun or comes before the regime's first.
//! And a hostile workbook upload is refused with a Vietnamese message while `/health`
//! answers.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use model::access::Role;
use testkit::TestDb;
use tower::ServiceExt;

const REGIME: &str = "dia-phuong-6-thang";

async fn setup(db: &TestDb) -> (axum::Router, String) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let (_, token) =
        ops::accounts::create_token(&db.store, "hn", Role::Machine, &["ha-noi".into()], "test").await.unwrap();
    let settings = web::Settings { rate_burst: 10_000, ..Default::default() };
    (web::app(web::AppState::with_settings(db.store.clone(), settings).await.unwrap()), token)
}

async fn put(app: &axum::Router, token: &str, period: &str, body: String) -> (StatusCode, serde_json::Value) {
    let req = Request::put(format!("/api/v1/submissions/{REGIME}/ha-noi/{period}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

fn one(field: &str, value: serde_json::Value) -> String {
    serde_json::json!({"values": [{"indicator": "service.online_dossier_rate", field: value}]}).to_string()
}

async fn careless_figures(db: &TestDb) {
    let (app, token) = setup(db).await;
    let good = "2026-H1";
    let long_note = "ghi chú ".repeat(400);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("a misspelt field", one("valeu", "61,5".into()), good, "valeu"),
        (
            "an indicator twice",
            serde_json::json!({"values": [
                {"indicator": "service.online_dossier_rate", "value": "61,5"},
                {"indicator": "service.online_dossier_rate", "value": "62"}]})
            .to_string(),
            good,
            "given twice",
        ),
        ("an empty figure", one("value", "".into()), good, "empty"),
        (
            "a note too long",
            serde_json::json!({"values": [{"indicator": "service.online_dossier_rate", "value": "61,5", "note": long_note}]})
                .to_string(),
            good,
            "longer than 2000",
        ),
        ("a control character", one("value", "61\u{0}5".into()), good, "control characters"),
        (
            "a note turned around",
            serde_json::json!({"values": [{"indicator": "service.online_dossier_rate", "value": "61,5", "note": "đạt \u{202e}5,16"}]})
                .to_string(),
            good,
            "direction-turning",
        ),
        ("28 decimals", one("value", "61.1234567890123456789012345678".into()), good, "decimal places"),
        ("a period to come", one("value", "61,5".into()), "2099-H1", "has not begun"),
        ("a period long gone", one("value", "61,5".into()), "1900-H1", "first period"),
        ("an unknown top-level field", r#"{"values": [], "unit": "ha-noi"}"#.to_owned(), good, "unit"),
    ];
    for (what, body, period, says) in cases {
        let (status, problem) = put(&app, &token, period, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {problem}");
        assert!(problem.to_string().contains(says), "{what}: {problem}");
    }
    let (regime, unit) = (REGIME.parse().unwrap(), "ha-noi".parse().unwrap());
    let stored = db.store.submission_for(&regime, &unit, "2026-H1".parse().unwrap()).await.unwrap();
    assert!(stored.is_none(), "nothing was stored");
    // A name with NUL signs in nobody, and breaks nothing (PostgreSQL refuses NUL).
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=ha%00noi&password=x"))
        .unwrap();
    assert_eq!(app.clone().oneshot(login).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let nul = Request::get("/api/v1/units?q=H%00N").body(Body::empty()).unwrap();
    assert_eq!(app.clone().oneshot(nul).await.unwrap().status(), StatusCode::BAD_REQUEST);
    // Anyone may ask for a thousand draws of the weights; more take a session or token.
    let draws = |n: u32, token: Option<&str>| {
        let mut req = Request::get(format!("/api/v1/rankings?methodology=dti-national&period=2022&draws={n}"));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        app.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    assert_eq!(draws(1_000, None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(draws(5_000, None).await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(draws(5_000, Some(&token)).await.unwrap().status(), StatusCode::OK);
    // A good one is taken.
    let (status, body) = put(&app, &token, good, one("value", "61,5".into())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn hostile_upload(db: &TestDb) {
    let (app, _) = setup(db).await;
    ops::accounts::add_user(
        &db.store,
        "hanoi",
        "Hà Nội",
        Role::Reporter,
        &["ha-noi".into()],
        "mật khẩu thử nghiệm",
        "t",
    )
    .await
    .unwrap();
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=hanoi&password=m%E1%BA%ADt+kh%E1%BA%A9u+th%E1%BB%AD+nghi%E1%BB%87m"))
        .unwrap();
    let response = app.clone().oneshot(login).await.unwrap();
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = app
        .clone()
        .oneshot(Request::get("/workspace").header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let page = String::from_utf8(axum::body::to_bytes(page.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    // A form with far more figures than any regime has is refused before any is read.
    let fields: String = (0..2_000).map(|i| format!("&v.x{i}=1")).collect();
    let form = Request::post(format!("/workspace/{REGIME}/ha-noi/2026-H1"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}{fields}")))
        .unwrap();
    assert_eq!(app.clone().oneshot(form).await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A template whose sheet declares Excel's last cell.
    let cx = ops::collection::context(&db.store, REGIME).await.unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let period = "2026-H1".parse().unwrap();
    let good = dataset::template::generate(&cx.form(), &unit, period, None, &|_| None, model::Lang::Vi).unwrap();
    let hostile = {
        use std::io::{Read, Write};
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().into_owned();
            let mut content = String::new();
            file.read_to_string(&mut content).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                let start = content.find("<dimension ref=\"").unwrap();
                let end = start + content[start..].find("/>").unwrap() + 2;
                content.replace_range(start..end, "<dimension ref=\"A1:XFD1048576\"/>");
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(content.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    };
    let boundary = "dxmonboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&hostile);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload = Request::post(format!("/workspace/{REGIME}/ha-noi/2026-H1/upload"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let health = app.clone().oneshot(Request::get("/health").body(Body::empty()).unwrap());
    let (uploaded, health) = tokio::join!(app.clone().oneshot(upload), health);
    let uploaded = uploaded.unwrap();
    assert!(uploaded.status().is_client_error(), "{}", uploaded.status());
    let text =
        String::from_utf8(axum::body::to_bytes(uploaded.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(text.contains("nằm ngoài biểu mẫu"), "{text}");
    assert_eq!(health.unwrap().status(), StatusCode::OK);
}

testkit::on_both_backends! {
    figures => crate::careless_figures,
    upload => crate::hostile_upload,
}
