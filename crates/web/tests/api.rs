//! The API on both backends, loaded with the seed dataset: lists, filters and pages,
//! lineage, revisions, values on the 2025 map, problem details, and the OpenAPI
//! document covering every route.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use testkit::TestDb;
use tower::ServiceExt;

async fn app(db: &TestDb) -> axum::Router {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    web::app(web::AppState::new(db.store.clone()).await.unwrap())
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String, Value) {
    let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, content_type, json)
}

async fn ok(app: &axum::Router, uri: &str) -> Value {
    let (status, _, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

fn keys(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(|i| i["key"].as_str().or(i["unit"].as_str()).unwrap().to_owned()).collect()
}

async fn lists_filters_and_pages(db: &TestDb) {
    let app = app(db).await;
    let before = ok(&app, "/api/v1/units?group=provinces&valid_on=2024-01-01&per_page=100").await;
    assert_eq!(before["total"], 63);
    let after = ok(&app, "/api/v1/units?group=provinces&valid_on=1/7/2025&per_page=100").await;
    assert_eq!(after["total"], 34);
    let page = ok(&app, "/api/v1/units?kind=province&per_page=10&page=3").await;
    assert_eq!((page["page"].as_u64(), page["items"].as_array().unwrap().len()), (Some(3), 10));
    assert_eq!(keys(&ok(&app, "/api/v1/units?q=Thua%20Thien%20Hue").await["items"]), ["thua-thien-hue"]);

    let targets = ok(&app, "/api/v1/targets?programme=kh-2023&per_page=100").await;
    assert_eq!(targets["total"], 42, "the 42 key targets of 2023");
    let tasks = ok(&app, "/api/v1/tasks?list=kh-2024-q2&status=done&per_page=100").await;
    assert_eq!(tasks["total"], 19, "Appendix 1 lists 19 completed tasks");
    let of_mic = ok(&app, "/api/v1/tasks?agency=bo-tttt&per_page=100").await;
    // Its own tasks, and those of the groups it belongs to ("bộ, ngành, địa phương").
    let responsible: Vec<String> =
        of_mic["items"].as_array().unwrap().iter().map(|t| t["responsible"].to_string()).collect();
    assert!(responsible.iter().all(|r| r.contains("bo-tttt") || r.contains("group:ministries")), "{responsible:?}");
    assert!(responsible.iter().any(|r| r.contains("group:ministries")));
    assert_eq!(responsible.iter().filter(|r| r.contains("bo-tttt")).count(), 18, "9 in each appendix");
    let indicator = ok(&app, "/api/v1/indicators/gov.online_dossier_rate").await;
    assert_eq!(indicator["lead"][0], "bo-tttt");
    assert!(ok(&app, "/api/v1/programmes").await.to_string().contains("Chính phủ số"));
    assert!(ok(&app, "/api/v1/sources").await.to_string().contains("001_d51fe3f0a84c9308.txt"));
}

async fn lineage_revisions_and_maps(db: &TestDb) {
    let app = app(db).await;
    let unit = ok(&app, "/api/v1/units/bac-ninh-2025").await;
    assert_eq!(unit["code"], "24");
    assert_eq!(unit["lineage"][0]["from"], serde_json::json!(["bac-ninh", "bac-giang"]));

    let current = ok(&app, "/api/v1/values?indicator=gov.online_dossier_rate&unit=vn&period=2022").await;
    assert_eq!((current["total"].as_i64(), current["items"][0]["value"].as_str()), (Some(1), Some("54.34")));
    assert_eq!(current["items"][0]["revision"], 2);
    let all = ok(&app, "/api/v1/values?indicator=gov.online_dossier_rate&unit=vn&period=2022&revisions=true").await;
    let stated: Vec<&str> = all["items"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(stated, ["52.80", "54.34"]);
    let estimated = ok(&app, "/api/v1/values?provenance=estimated&per_page=500").await;
    assert!(estimated["items"].as_array().unwrap().iter().all(|v| v["provenance"] == "estimated"));
    let in_2023 = ok(&app, "/api/v1/values?within=2023&indicator=infra.fibre_household_rate").await;
    assert_eq!(in_2023["items"][0]["period"], "2023-06");

    let ranks = ok(&app, "/api/v1/values/on-map?indicator=dti.province.rank&period=2022&date=2025-07-01").await;
    let find =
        |items: &Value, unit: &str| items.as_array().unwrap().iter().find(|i| i["unit"] == unit).cloned().unwrap();
    assert_eq!(find(&ranks, "bac-ninh-2025")["rule"], "not_additive", "ranks do not add");
    let grades = ok(&app, "/api/v1/values/on-map?indicator=portal.grade&period=2023-H1&date=2025-07-01").await;
    assert_eq!(
        (find(&grades, "hue")["rule"].as_str(), find(&grades, "hue")["value"].as_str()),
        (Some("renamed"), Some("B"))
    );
    let invoices =
        ok(&app, "/api/v1/values/on-map?indicator=econ.cash_register_einvoices&period=2024-06&date=2025-07-01").await;
    let hcm = find(&invoices, "ho-chi-minh-2025");
    assert_eq!(hcm["rule"], "incomplete");
    assert_eq!(hcm["missing"], serde_json::json!(["ba-ria-vung-tau"]));
}

async fn errors_are_problem_details(db: &TestDb) {
    let app = app(db).await;
    for (uri, status, detail) in [
        ("/api/v1/values?period=2023-H3", StatusCode::BAD_REQUEST, "'2023-H3' is not a period"),
        ("/api/v1/units?per_page=0", StatusCode::BAD_REQUEST, "per_page must be between 1 and 500"),
        ("/api/v1/units?page=x", StatusCode::BAD_REQUEST, "page"),
        ("/api/v1/units?kind=town", StatusCode::BAD_REQUEST, "unknown unit kind 'town'"),
        ("/api/v1/units?valid_on=2025-13-01", StatusCode::BAD_REQUEST, "not a date"),
        ("/api/v1/units/atlantis", StatusCode::NOT_FOUND, "no unit with key 'atlantis'"),
        ("/api/v1/indicators/nope", StatusCode::NOT_FOUND, "no indicator"),
        ("/api/v1/values/on-map?indicator=dti.national&period=2022", StatusCode::BAD_REQUEST, "date"),
        ("/api/v1/checks?lang=fr", StatusCode::BAD_REQUEST, "unknown language 'fr'"),
        ("/api/v1/nowhere", StatusCode::NOT_FOUND, "openapi.json"),
        ("/api/v1/rankings?period=2022", StatusCode::BAD_REQUEST, "either methodology or indicator"),
        ("/api/v1/rankings?methodology=dti-province", StatusCode::BAD_REQUEST, "period"),
        ("/api/v1/rankings?methodology=nope&period=2022", StatusCode::NOT_FOUND, "no methodology 'nope'"),
        (
            "/api/v1/rankings?methodology=tthc-system&period=2022",
            StatusCode::NOT_FOUND,
            "no version that applies to 2022",
        ),
        (
            "/api/v1/rankings?methodology=dti-province&period=2022&group=elves",
            StatusCode::NOT_FOUND,
            "no group 'elves'",
        ),
        ("/api/v1/rankings?methodology=dti-province&period=2022&draws=0", StatusCode::BAD_REQUEST, "draws"),
        (
            "/api/v1/rankings?methodology=dti-province&period=2022&draws=10&spread=1.5",
            StatusCode::BAD_REQUEST,
            "spread",
        ),
        ("/api/v1/rankings?indicator=dti.nope&period=2022", StatusCode::NOT_FOUND, "no indicator 'dti.nope'"),
        ("/api/v1/units/atlantis/scores?methodology=dti-province&period=2022", StatusCode::NOT_FOUND, "atlantis"),
        ("/api/v1/units/hue/scores?methodology=dti-province&period=2022", StatusCode::NOT_FOUND, "not in group"),
        ("/api/v1/units/bo-y-te/scores?methodology=dti-province&period=2022", StatusCode::NOT_FOUND, "not in group"),
        ("/api/v1/methodologies/dti-province?period=2030", StatusCode::NOT_FOUND, "no version that applies"),
    ] {
        let (got, content_type, body) = get(&app, uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        assert_eq!(body["status"], status.as_u16(), "{uri}");
        assert!(body["detail"].as_str().unwrap().contains(detail), "{uri}: {body}");
    }
}

async fn documents_itself_and_checks(db: &TestDb) {
    let app = app(db).await;
    let spec = ok(&app, "/api/v1/openapi.json").await;
    let documented: Vec<&str> = spec["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for route in [
        "/api/v1/units",
        "/api/v1/units/{key}",
        "/api/v1/groups",
        "/api/v1/programmes",
        "/api/v1/sources",
        "/api/v1/indicators",
        "/api/v1/indicators/{code}",
        "/api/v1/values",
        "/api/v1/values/on-map",
        "/api/v1/targets",
        "/api/v1/tasks",
        "/api/v1/checks",
        "/api/v1/methodologies",
        "/api/v1/methodologies/{id}",
        "/api/v1/rankings",
        "/api/v1/units/{key}/scores",
        "/api/v1/regimes",
    ] {
        assert!(documented.contains(&route), "{route} is not in the OpenAPI document");
        let concrete = route.replace("{key}", "vn").replace("{code}", "dti.national").replace("{id}", "dti-national");
        let query = match concrete.rsplit('/').next().unwrap_or_default() {
            "on-map" => "?indicator=dti.national&period=2022&date=2025-07-01",
            "rankings" | "scores" => "?methodology=dti-national&period=2022",
            _ => "",
        };
        ok(&app, &format!("{concrete}{query}")).await;
    }
    // The collection endpoints are served, and ask who is calling.
    for (method, route, concrete) in [
        ("GET", "/api/v1/submissions", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions/{id}", "/api/v1/submissions/1"),
        (
            "PUT",
            "/api/v1/submissions/{regime}/{unit}/{period}",
            "/api/v1/submissions/dia-phuong-6-thang/ha-noi/2026-H1",
        ),
        ("POST", "/api/v1/submissions/{id}/submit", "/api/v1/submissions/1/submit"),
        ("POST", "/api/v1/submissions/{id}/approve", "/api/v1/submissions/1/approve"),
        ("POST", "/api/v1/submissions/{id}/return", "/api/v1/submissions/1/return"),
        ("GET", "/api/v1/regimes/{key}/completeness", "/api/v1/regimes/dia-phuong-6-thang/completeness?period=2026-H1"),
        ("GET", "/api/v1/audit", "/api/v1/audit"),
        ("POST", "/api/v1/events", "/api/v1/events"),
    ] {
        assert!(documented.contains(&route), "{route} is not in the OpenAPI document");
        let request = Request::builder().method(method).uri(concrete).header(header::CONTENT_TYPE, "application/json");
        let response = app.clone().oneshot(request.body(Body::from("{}")).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {concrete}");
    }
    assert_eq!(documented.len(), 29, "every documented path is served: {documented:?}");
    // Any operation may meet a busy database: each says so, and that it may be retried.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let unavailable = &operation["responses"]["503"];
            assert!(
                unavailable["headers"]["Retry-After"].is_object()
                    && unavailable["content"]["application/problem+json"].is_object(),
                "{method} {path} does not document 503 with Retry-After: {operation}"
            );
        }
    }
    // Every operation of the document, method and path, reaches a handler of its own:
    // neither the "no such endpoint" answer nor 405.
    for (path, operations) in spec["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{key}", "vn")
            .replace("{code}", "dti.national")
            .replace("{id}", "1")
            .replace("{regime}", "dia-phuong-6-thang")
            .replace("{unit}", "ha-noi")
            .replace("{period}", "2026-H1");
        for method in operations.as_object().unwrap().keys() {
            let request = Request::builder().method(method.to_uppercase().as_str()).uri(&concrete);
            let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            let body = String::from_utf8_lossy(&body);
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {concrete}");
            assert!(!body.contains("no such endpoint"), "{method} {concrete}: {body}");
        }
    }
    // The events' schema is the type the intake reads, with what it requires.
    let event = &spec["components"]["schemas"]["Event"];
    let mut required: Vec<&str> = event["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    required.sort_unstable();
    assert_eq!(required, ["at", "event_id", "type", "unit"]);
    assert_eq!(event["additionalProperties"], Value::Bool(false), "unknown fields are refused");

    let findings = ok(&app, "/api/v1/checks?lang=en").await.to_string();
    assert!(findings.contains("12/34 = 35.3%"), "{findings}");
    let (status, _, body) = get(&app, "/health").await;
    assert_eq!((status, body), (StatusCode::OK, Value::String("ok".into())));
    let (status, content_type, page) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(
        page.as_str().unwrap().contains("<td class=\"num\">0,71</td>"),
        "the index table in Vietnamese number format"
    );
    let (_, _, english) = get(&app, "/?lang=en").await;
    assert!(english.as_str().unwrap().contains("<td class=\"num\">0.71</td>"));
}

/// Rankings by a methodology and by an indicator, and one unit's scores, as the CLI
/// gives them.
async fn ranks_and_explains(db: &TestDb) {
    let app = app(db).await;
    let methods = ok(&app, "/api/v1/methodologies").await;
    let ids: Vec<&str> = methods.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    for id in [
        "dti-province",
        "dti-ministry-services",
        "dti-ministry-no-services",
        "dti-national",
        "portal-grading",
        "service-index-766",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let portal = methods.as_array().unwrap().iter().find(|m| m["id"] == "portal-grading").unwrap();
    let bands: Vec<(&str, f64)> = portal["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["label"].as_str().unwrap(), g["min"].as_f64().unwrap()))
        .collect();
    assert_eq!(bands, [("A", 90.0), ("B", 80.0), ("C", 65.0), ("D", 50.0), ("E", 0.0)]);
    let tree = ok(&app, "/api/v1/methodologies/dti-province?period=2022").await;
    assert_eq!(tree["pillars"][1]["indexes"][0]["max"], 200.0, "digital-government activity is worth 200 points");

    // The national index computed from the 2022 figures, over what is known.
    let national = ok(&app, "/api/v1/rankings?methodology=dti-national&period=2022&lang=en").await;
    let row = &national["rows"][0];
    assert_eq!((row["unit"].as_str(), row["rank"].as_u64()), (Some("vn"), Some(1)));
    let (points, max) = (row["points"].as_f64().unwrap(), row["max"].as_f64().unwrap());
    assert!((row["value"].as_f64().unwrap() - (points / max * 1e4).round() / 1e4).abs() < 1e-12);
    assert!(max < 1000.0, "components without 2022 figures are left out: {row}");
    assert_eq!(national["leaders"][0]["name"], "Digital government");

    let scores = ok(&app, "/api/v1/units/vn/scores?methodology=dti-national&period=2022").await;
    let by_code = ok(&app, "/api/v1/units/VN/scores?methodology=dti-national&period=2022").await;
    assert_eq!(by_code, scores, "a unit may be named by its code");
    assert_eq!(scores["missing_policy"], "exclude");
    assert_eq!(scores["value"], row["value"]);
    let excluded: Vec<&str> = scores["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "excluded")
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(excluded, row["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect::<Vec<_>>());
    let component_sum: f64 =
        scores["components"].as_array().unwrap().iter().map(|c| c["points"].as_f64().unwrap()).sum();
    assert!((component_sum - points).abs() < 1e-9);
    // The online-dossier rate of 54,34% against the 50% target earns all of its 80 points.
    let online =
        scores["components"].as_array().unwrap().iter().find(|c| c["key"] == "government.online_dossiers").unwrap();
    assert_eq!((online["points"].as_f64(), online["status"].as_str()), (Some(80.0), Some("scored")));

    // By a published rank: places kept, leaders of 2022 first.
    let provinces = ok(&app, "/api/v1/rankings?indicator=dti.province.rank&period=2022&top=1").await;
    let places: Vec<(u64, &str)> = provinces["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rank"].as_u64().unwrap(), r["unit"].as_str().unwrap()))
        .collect();
    assert_eq!(places, [(1, "da-nang"), (63, "bac-kan")]);
    // By a category: the units in each grade.
    let grades = ok(&app, "/api/v1/rankings?indicator=portal.grade&period=2023-H1&group=ministries-portal").await;
    let counts: Vec<usize> =
        grades["bands"].as_array().unwrap().iter().map(|b| b["units"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [2, 4, 10, 0, 4]);
    // Sensitivity is reproducible with its seed.
    let uri = "/api/v1/rankings?methodology=dti-national&period=2022&draws=100&seed=3";
    let (a, b) = (ok(&app, uri).await, ok(&app, uri).await);
    assert_eq!(a, b);
    assert_eq!(a["rows"][0]["median_rank"], 1.0);
}

/// The report at /reports/{period}: the page, the workbook, the Markdown, and clear
/// errors.
async fn serves_reports(db: &TestDb) {
    let app = app(db).await;
    let raw = |uri: &'static str| {
        let app = app.clone();
        async move {
            let response = app.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, headers, bytes)
        }
    };
    let (status, headers, page) = raw("/reports/2022").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("<h1>Báo cáo kết quả triển khai chuyển đổi số</h1>"));
    assert!(page.contains("54,34%"));
    assert!(page.contains("href=\"/reports/2022?lang=vi&amp;format=xlsx\""), "a link to the workbook");
    let (status, headers, book) = raw("/reports/2022?format=xlsx&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"dxmon-report-2022.xlsx\"");
    assert!(book.starts_with(b"PK"), "an xlsx is a zip");
    let (_, _, md) = raw("/reports/2024-Q2?format=md&unit=bo-cong-an").await;
    assert!(String::from_utf8_lossy(&md).starts_with("# Báo cáo kết quả chuyển đổi số của Bộ Công an"));
    for (uri, status, detail) in [
        ("/reports/2022?unit=Atlantis", StatusCode::NOT_FOUND, "Atlantis"),
        ("/reports/2022?lang=fr", StatusCode::BAD_REQUEST, "unknown language 'fr'"),
        ("/reports/2022?format=pdf", StatusCode::BAD_REQUEST, "unknown report format 'pdf'"),
        ("/reports/2022-H3", StatusCode::BAD_REQUEST, "not a period"),
    ] {
        let (got, content_type, body) = get(&app, uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(content_type, "application/problem+json");
        assert!(body["detail"].as_str().unwrap().contains(detail), "{uri}: {body}");
    }
}

/// The public pages render, in both languages, and say when something is not there.
async fn serves_pages(db: &TestDb) {
    let app = app(db).await;
    let page = |uri: &'static str| {
        let app = app.clone();
        async move {
            let response = app.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, String::from_utf8_lossy(&bytes).into_owned(), headers)
        }
    };
    let (status, rankings, _) = page("/rankings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        rankings.contains("<tr data-unit=\"da-nang\"><td class=\"num\">1</td>"),
        "the 2022 provincial ranking by default"
    );
    let (_, grouped, _) = page("/rankings?indicator=dti.ministry.rank&period=2022&group=ministries-no-services").await;
    assert!(
        grouped.contains("Viện Hàn lâm Khoa học và Công nghệ Việt Nam") && !grouped.contains("Bộ Tài chính<"),
        "the group filter"
    );
    let (status, unit, _) = page("/units/bo-cong-an").await;
    assert_eq!(status, StatusCode::OK);
    for part in ["<h1>Bộ Công an</h1>", "id=\"targets\"", "id=\"tasks\"", "Quá hạn"] {
        assert!(unit.contains(part), "{part}");
    }
    let (_, trend, _) = page("/units/vn").await;
    assert!(trend.contains("<svg"), "a trend chart for the nation");
    let (status, _, _) = page("/units/atlantis").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, reports, _) = page("/reports").await;
    assert!(reports.contains("href=\"/reports/2023-H1\""));
    let (status, _, headers) = page("/lang/en?back=/rankings").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/rankings");
    assert!(headers[header::SET_COOKIE].to_str().unwrap().starts_with("dxmon_lang=en"));
    let (_, _, elsewhere) = page("/lang/en?back=//evil.example").await;
    assert_eq!(elsewhere[header::LOCATION], "/", "never sent to another site");
    let (_, english, _) = page("/rankings?lang=en").await;
    assert!(english.contains("<h1>Rankings</h1>"));
}

testkit::on_both_backends! {
    pages => crate::serves_pages,
    reports => crate::serves_reports,
    rankings => crate::ranks_and_explains,
    lists => crate::lists_filters_and_pages,
    lineage => crate::lineage_revisions_and_maps,
    errors => crate::errors_are_problem_details,
    documents => crate::documents_itself_and_checks,
}
