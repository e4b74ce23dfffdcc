//! Collection on both backends: accounts and tokens, the workflow from draft to
//! published figures, the audit trail of every change, figures that are refused whole,
//! the scoping of one unit's data, the Excel template there and back, and who has
//! reported on time.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use model::access::{Principal, Role};
use model::collection::{Submission, SubmissionStatus};
use model::{Datum, Period, Provenance, UnitKey};
use ops::collection::{CollectionError, ValueInput};
use store::{AuditFilter, Page, ValueFilter};
use testkit::TestDb;

const REGIME: &str = "dia-phuong-6-thang";

async fn load(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
}

fn key(u: &str) -> UnitKey {
    UnitKey::parse(u).unwrap()
}

fn who(role: Role, units: &[&str]) -> Principal {
    Principal {
        id: format!("user:{}", role.as_str()),
        name: "t".into(),
        role,
        units: units.iter().map(|u| key(u)).collect(),
    }
}

fn input(indicator: &str, value: &str) -> ValueInput {
    ValueInput { indicator: indicator.into(), value: value.into(), ..Default::default() }
}

fn all_figures() -> Vec<ValueInput> {
    vec![
        input("service.online_dossier_rate", "61,5%"),
        input("service.on_time_rate", "97.2"),
        input("dx.edoc_rate", "95"),
        input("skills.civil_servants_trained_rate", "80"),
        input("dx.steering_meetings", "4"),
        input("dx.plan_issued", "có"),
    ]
}

fn period() -> Period {
    "2026-H1".parse().unwrap()
}

async fn audit_count(db: &TestDb) -> i64 {
    db.store.audit_log(&AuditFilter::default(), Page { limit: 1, offset: 0 }).await.unwrap().total
}

/// Runs the futures at once, on the runtime's threads, and gives their results in order.
async fn futures_join<T: Send + 'static>(
    futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn accounts_and_tokens(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    ops::accounts::add_user(
        s,
        "lan",
        "Nguyễn Thị Lan",
        Role::Reporter,
        &["TP. Hà Nội".into()],
        "mật khẩu đủ dài",
        "cli",
    )
    .await
    .unwrap();
    let started = ops::accounts::login(s, "lan", "mật khẩu đủ dài", "10.0.0.9").await.map_err(|_| "login").unwrap();
    assert_eq!((started.principal.role, started.principal.units.clone()), (Role::Reporter, vec![key("ha-noi")]));
    let (p, csrf) = ops::accounts::session_principal(s, &started.secret).await.unwrap().unwrap();
    assert_eq!((p.id.as_str(), csrf), ("user:lan", started.csrf.clone()));
    ops::accounts::logout(s, &started.secret).await.unwrap();
    assert!(ops::accounts::session_principal(s, &started.secret).await.unwrap().is_none());
    // An expired session is no session.
    let user = s.user_by_name("lan").await.unwrap().unwrap();
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    s.create_session(&ops::accounts::sha256_hex("old"), user.id, "csrf", past).await.unwrap();
    assert!(ops::accounts::session_principal(s, "old").await.unwrap().is_none());

    // Refusals: a reporter without a unit, a short password, a taken name, a machine account.
    for (name, role, units, pw) in [
        ("x", Role::Reporter, vec![], "mật khẩu đủ dài"),
        ("y", Role::Viewer, vec![], "ngắn"),
        ("lan", Role::Viewer, vec![], "mật khẩu đủ dài"),
        ("m", Role::Machine, vec!["ha-noi".to_owned()], "mật khẩu đủ dài"),
        ("Bad Name", Role::Viewer, vec![], "mật khẩu đủ dài"),
    ] {
        assert!(ops::accounts::add_user(s, name, "", role, &units, pw, "cli").await.is_err(), "{name}");
    }

    // Five wrong passwords from one address pause that address, even for the right
    // password; the owner, elsewhere, signs in. Every refusal is the same.
    let refused = |r: Result<ops::accounts::SessionStart, ops::accounts::Refused>| {
        matches!(r, Err(ops::accounts::Refused::Invalid))
    };
    for _ in 0..5 {
        assert!(refused(ops::accounts::login(s, "lan", "sai", "10.0.0.1").await));
    }
    assert!(refused(ops::accounts::login(s, "lan", "mật khẩu đủ dài", "10.0.0.1").await));
    assert!(
        !refused(ops::accounts::login(s, "lan", "mật khẩu đủ dài", "10.0.0.2").await),
        "the owner is not locked out"
    );
    assert!(refused(ops::accounts::login(s, "ai-do", "x", "10.0.0.2").await));
    // Forty guesses at once count as forty: the right password after them is refused.
    let guesses = (0..40).map(|_| {
        let s = s.clone();
        async move { ops::accounts::login(&s, "lan", "sai", "10.0.0.3").await }
    });
    for r in futures_join(guesses).await {
        assert!(refused(r));
    }
    assert!(refused(ops::accounts::login(s, "LAN ", "mật khẩu đủ dài", "10.0.0.3").await));

    // A token is shown once, stored hashed, and can be revoked.
    let (id, text) =
        ops::accounts::create_token(s, "Một cửa Hà Nội", Role::Machine, &["ha-noi".into()], "cli").await.unwrap();
    assert!(text.starts_with("dxm_") && text.len() == 68);
    let machine = ops::accounts::token_principal(s, &text).await.unwrap().unwrap();
    assert_eq!((machine.role, machine.units), (Role::Machine, vec![key("ha-noi")]));
    assert!(ops::accounts::token_principal(s, "dxm_guess").await.unwrap().is_none());
    assert!(ops::accounts::revoke_token(s, id, "cli").await.unwrap());
    assert!(ops::accounts::token_principal(s, &text).await.unwrap().is_none());
    assert!(!ops::accounts::revoke_token(s, id, "cli").await.unwrap(), "revoked once");
    let log = s
        .audit_log(&AuditFilter { subject: Some(format!("token:{id}")), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["revoke_token", "create_token"]);
}

async fn from_draft_to_published(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    let hanoi = who(Role::Reporter, &["ha-noi"]);
    let evaluator = who(Role::Evaluator, &[]);

    // One wrong figure: nothing is stored, every error is named.
    let mut figures = all_figures();
    figures[2].value = "chín lăm".into();
    figures[1].value = "120".into();
    let before = audit_count(db).await;
    let Err(CollectionError::Invalid(errors)) =
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &figures, Vec::new()).await
    else {
        panic!("expected invalid figures")
    };
    let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.indicator.as_str(), e.message.as_str())).collect();
    assert_eq!(
        named,
        [("service.on_time_rate", "120 lớn hơn giá trị tối đa 100"), ("dx.edoc_rate", "«chín lăm» không phải là số")]
    );
    assert!(s.submission_for(&REGIME.parse().unwrap(), &key("ha-noi"), period()).await.unwrap().is_none());
    assert_eq!(audit_count(db).await, before, "nothing written, not even to the log");

    // Draft, submit, return with a comment, correct, submit, approve.
    let mut figs = all_figures();
    figs.truncate(5);
    let draft = ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &figs, Vec::new()).await.unwrap();
    assert_eq!(draft.status, SubmissionStatus::Draft);
    let incomplete = ops::collection::submit(s, &hanoi, draft.id).await.unwrap_err();
    assert!(incomplete.message(model::Lang::Vi).contains("Chưa nhập số liệu cho"), "{incomplete}");
    ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &all_figures(), Vec::new()).await.unwrap();
    let submitted = ops::collection::submit(s, &hanoi, draft.id).await.unwrap();
    assert_eq!(submitted.status, SubmissionStatus::Submitted);
    assert!(submitted.first_submitted_at.is_some());
    // Under review it cannot be changed, and a reporter cannot approve.
    assert!(matches!(
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &all_figures(), Vec::new()).await,
        Err(CollectionError::Workflow(_))
    ));
    assert!(matches!(
        ops::collection::review(s, &hanoi, draft.id, true, None).await,
        Err(CollectionError::Forbidden(_))
    ));
    assert!(matches!(
        ops::collection::review(s, &evaluator, draft.id, false, Some(" ")).await,
        Err(CollectionError::Workflow(_))
    ));
    let returned =
        ops::collection::review(s, &evaluator, draft.id, false, Some("Tỷ lệ văn bản điện tử cần kiểm tra lại"))
            .await
            .unwrap();
    assert_eq!(
        (returned.status, returned.comment.as_deref()),
        (SubmissionStatus::Returned, Some("Tỷ lệ văn bản điện tử cần kiểm tra lại"))
    );
    ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &[input("dx.edoc_rate", "93,5")], Vec::new())
        .await
        .unwrap();
    ops::collection::submit(s, &hanoi, draft.id).await.unwrap();
    let approved = ops::collection::review(s, &evaluator, draft.id, true, None).await.unwrap();
    assert_eq!(approved.status, SubmissionStatus::Approved);

    // The approved figures are published as verified values citing the submission.
    let published = s
        .values(&ValueFilter { unit: Some("ha-noi".into()), period: Some(period()), ..Default::default() }, Page::ALL)
        .await
        .unwrap()
        .items;
    assert_eq!(published.len(), 6);
    let edoc = published.iter().find(|v| v.indicator.as_str() == "dx.edoc_rate").unwrap();
    assert_eq!((edoc.value.to_text(), edoc.provenance), ("93.5".to_owned(), Provenance::Verified));
    assert_eq!(edoc.source.as_deref(), Some(format!("submission:{}", draft.id).as_str()));

    // A correction after approval: a new draft, then a new revision when approved again.
    ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &[input("dx.edoc_rate", "94")], Vec::new())
        .await
        .unwrap();
    ops::collection::submit(s, &hanoi, draft.id).await.unwrap();
    ops::collection::review(s, &evaluator, draft.id, true, None).await.unwrap();
    let revisions = s
        .values(
            &ValueFilter {
                indicator: Some("dx.edoc_rate".into()),
                unit: Some("ha-noi".into()),
                revisions: true,
                ..Default::default()
            },
            Page::ALL,
        )
        .await
        .unwrap()
        .items;
    let texts: Vec<(u32, String)> = revisions.iter().map(|v| (v.revision, v.value.to_text())).collect();
    assert_eq!(texts, [(1, "93.5".to_owned()), (2, "94".to_owned())]);

    // Every step and every changed figure is in the audit log, with before and after.
    let log = s.audit_log(&AuditFilter { unit: Some("ha-noi".into()), ..Default::default() }, Page::ALL).await.unwrap();
    let edits: Vec<(Option<&str>, Option<&str>)> = log
        .items
        .iter()
        .filter(|e| e.subject == format!("submission:{}/dx.edoc_rate", draft.id))
        .map(|e| (e.before.as_deref(), e.after.as_deref()))
        .collect();
    assert_eq!(edits, [(Some("93.5"), Some("94")), (Some("95"), Some("93.5")), (None, Some("95"))]);
    let published_log: Vec<(Option<&str>, Option<&str>)> = log
        .items
        .iter()
        .filter(|e| e.subject == "value:dx.edoc_rate/ha-noi/2026-H1")
        .map(|e| (e.before.as_deref(), e.after.as_deref()))
        .collect();
    assert_eq!(published_log, [(Some("93.5"), Some("94")), (None, Some("93.5"))]);
    let steps: Vec<&str> = log
        .items
        .iter()
        .filter(|e| e.subject == format!("submission:{}", draft.id))
        .map(|e| e.action.as_str())
        .rev()
        .collect();
    assert_eq!(steps, ["create", "submitted", "returned", "submitted", "approved", "submitted", "approved"]);
    assert!(log.items.iter().all(|e| !e.actor.is_empty()));
}

async fn one_unit_cannot_touch_another(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    let hanoi = who(Role::Reporter, &["ha-noi"]);
    let haiphong = who(Role::Reporter, &["hai-phong-2025"]);
    let viewer = who(Role::Viewer, &[]);
    let machine = who(Role::Machine, &["ha-noi"]);
    let sub =
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &all_figures(), Vec::new()).await.unwrap();
    let before = audit_count(db).await;
    // Another unit's reporter can neither write nor read Hà Nội's draft, nor learn it exists.
    assert!(matches!(
        ops::collection::save(s, &haiphong, REGIME, &key("ha-noi"), period(), &all_figures(), Vec::new()).await,
        Err(CollectionError::Forbidden(_))
    ));
    assert!(matches!(ops::collection::get(s, &haiphong, sub.id).await, Err(CollectionError::NotFound(_))));
    assert!(matches!(ops::collection::submit(s, &haiphong, sub.id).await, Err(CollectionError::NotFound(_))));
    assert!(matches!(
        ops::collection::open(s, &haiphong, &REGIME.parse().unwrap(), &key("ha-noi"), period()).await,
        Err(CollectionError::Forbidden(_))
    ));
    let theirs = ops::collection::list(
        s,
        &haiphong,
        store::SubmissionFilter { units: Some(vec![key("ha-noi")]), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(theirs.is_empty(), "a reporter asking for another unit gets nothing");
    assert!(matches!(ops::collection::list(s, &viewer, Default::default()).await, Err(CollectionError::Forbidden(_))));
    assert!(matches!(
        ops::collection::audit(s, &hanoi, &AuditFilter::default(), Page::ALL).await,
        Err(CollectionError::Forbidden(_))
    ));
    assert_eq!(audit_count(db).await, before);
    // The unit's own machine may report for it; a unit outside the regime may not be reported for.
    ops::collection::save(s, &machine, REGIME, &key("ha-noi"), period(), &[input("dx.edoc_rate", "96")], Vec::new())
        .await
        .unwrap();
    let ministry = who(Role::Reporter, &["bo-cong-an"]);
    assert!(matches!(
        ops::collection::save(s, &ministry, REGIME, &key("bo-cong-an"), period(), &all_figures(), Vec::new()).await,
        Err(CollectionError::BadRequest(_))
    ));
    assert!(matches!(
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), "2026".parse().unwrap(), &all_figures(), Vec::new())
            .await,
        Err(CollectionError::Invalid(errors)) if errors[0].field == "period"
    ));
}

fn fake_submission(values: Vec<(&str, Datum)>) -> Submission {
    testkit::draft_submission(REGIME, "ha-noi", period(), &values)
}

async fn the_excel_template(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    let cx = ops::collection::context(s, REGIME).await.unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let number = |x: &str| Datum::Number(x.parse().unwrap());
    let filled = fake_submission(vec![
        ("service.online_dossier_rate", number("61.5")),
        ("service.on_time_rate", number("97.2")),
        ("dx.edoc_rate", Datum::Category("chín lăm".into())),
        ("skills.civil_servants_trained_rate", number("80")),
        ("dx.steering_meetings", number("4")),
        ("dx.plan_issued", Datum::YesNo(true)),
    ]);
    let bytes = dataset::template::generate(
        &cx.form(),
        &unit,
        period(),
        Some(&filled),
        &|_| Some("50".into()),
        model::Lang::Vi,
    )
    .unwrap();
    // Read back: the text in a number cell is an error at its cell; nothing stored.
    let (inputs, cell_errors) = dataset::template::read(&bytes, &cx.form(), &key("ha-noi"), period()).unwrap();
    assert!(cell_errors.is_empty());
    assert_eq!(inputs.len(), 6);
    let hanoi = who(Role::Reporter, &["ha-noi"]);
    let Err(CollectionError::Invalid(errors)) =
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &inputs, Vec::new()).await
    else {
        panic!("expected a cell error")
    };
    let places: Vec<(Option<&str>, &str)> = errors.iter().map(|e| (e.place.as_deref(), e.message.as_str())).collect();
    assert_eq!(places, [(Some("E10"), "«chín lăm» không phải là số")]);
    assert!(s.submission_for(&REGIME.parse().unwrap(), &key("ha-noi"), period()).await.unwrap().is_none());

    // A good one is taken whole, Vietnamese yes included.
    let mut good = filled.clone();
    good.values[2].value = number("95");
    let bytes =
        dataset::template::generate(&cx.form(), &unit, period(), Some(&good), &|_| None, model::Lang::Vi).unwrap();
    let (inputs, _) = dataset::template::read(&bytes, &cx.form(), &key("ha-noi"), period()).unwrap();
    let sub = ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &inputs, Vec::new()).await.unwrap();
    let got: Vec<(String, String)> = sub.values.iter().map(|v| (v.indicator.to_string(), v.value.to_text())).collect();
    assert!(got.contains(&("service.online_dossier_rate".into(), "61.5".into())), "{got:?}");
    assert!(got.contains(&("dx.plan_issued".into(), "yes".into())), "{got:?}");

    // The wrong unit's or period's template, a damaged file, something that is not Excel.
    let err = dataset::template::read(&bytes, &cx.form(), &key("hai-phong-2025"), period()).unwrap_err();
    assert!(err.vi().contains("dành cho đơn vị «ha-noi»"), "{}", err.vi());
    let err = dataset::template::read(&bytes, &cx.form(), &key("ha-noi"), "2025-H2".parse().unwrap()).unwrap_err();
    assert!(err.vi().contains("kỳ báo cáo «2026-H1»"), "{}", err.vi());
    assert!(matches!(
        dataset::template::read(b"PK\x03\x04 not really", &cx.form(), &key("ha-noi"), period()),
        Err(dataset::template::TemplateError::NotExcel)
    ));
    assert!(matches!(
        dataset::template::read(b"indicator,value\n", &cx.form(), &key("ha-noi"), period()),
        Err(dataset::template::TemplateError::NotExcel)
    ));
    let report = report::render(
        &report::Document {
            lang: model::Lang::Vi,
            title: "x".into(),
            subtitle: String::new(),
            as_of: String::new(),
            summary: vec![],
            sections: vec![],
        },
        report::Format::Xlsx,
        None,
    )
    .unwrap();
    assert!(matches!(
        dataset::template::read(&report, &cx.form(), &key("ha-noi"), period()),
        Err(dataset::template::TemplateError::Damaged(_))
    ));
}

/// The workbook with its parts rewritten by `edit(name, content)`, as a user's
/// spreadsheet program (or an attacker) would save it.
fn rewrite(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        let content = edit(&name, content);
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The workbook with one cell's XML rewritten, as a user's spreadsheet program would
/// save a formula.
fn with_cell(bytes: &[u8], cell: &str, xml: &str) -> Vec<u8> {
    rewrite(bytes, |name, content| {
        if name != "xl/worksheets/sheet1.xml" {
            return content;
        }
        let text = String::from_utf8(content).unwrap();
        let start = text.find(&format!("<c r=\"{cell}\"")).unwrap();
        let end = start + text[start..].find("</c>").unwrap() + 4;
        format!("{}{xml}{}", &text[..start], &text[end..]).into_bytes()
    })
}

/// `sheet` of the workbook with `edit` applied to its XML text.
fn with_sheet(bytes: &[u8], sheet: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    rewrite(bytes, |name, content| {
        if name == format!("xl/worksheets/{sheet}.xml") {
            edit(String::from_utf8(content).unwrap()).into_bytes()
        } else {
            content
        }
    })
}

/// Files made to take the server down: a declared size or a cell at Excel's last cell
/// (the reader would allocate the whole grid), a row number at u32's end (a panic), a
/// sheet inflating far past any template. Each is refused as too large or damaged,
/// with nothing stored.
async fn hostile_workbooks(db: &TestDb) {
    load(db).await;
    let cx = ops::collection::context(&db.store, REGIME).await.unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let good = dataset::template::generate(&cx.form(), &unit, period(), None, &|_| None, model::Lang::Vi).unwrap();
    let dimension = |text: String| {
        let start = text.find("<dimension ref=\"").unwrap();
        let end = start + text[start..].find("/>").unwrap() + 2;
        format!("{}<dimension ref=\"A1:XFD1048576\"/>{}", &text[..start], &text[end..])
    };
    let last_cell = |text: String| {
        text.replace("</sheetData>", "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>")
    };
    let huge_row = |text: String| {
        text.replace("</sheetData>", "<row r=\"4294967295\"><c r=\"A4294967295\"><v>1</v></c></row></sheetData>")
    };
    let spaces = |text: String| text.replacen("<sheetData>", &format!("<sheetData>{}", " ".repeat(64 << 20)), 1);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("main sheet declares XFD1048576", with_sheet(&good, "sheet1", dimension)),
        ("hidden sheet declares XFD1048576", with_sheet(&good, "sheet2", dimension)),
        ("a cell at XFD1048576", with_sheet(&good, "sheet1", last_cell)),
        ("a hidden cell at XFD1048576", with_sheet(&good, "sheet2", last_cell)),
        ("row 4294967295", with_sheet(&good, "sheet1", huge_row)),
        ("64 MiB of whitespace", with_sheet(&good, "sheet1", spaces)),
    ];
    for (what, bytes) in cases {
        assert!(bytes.len() < 1 << 20, "{what}: {} bytes on the wire", bytes.len());
        let err = dataset::template::read(&bytes, &cx.form(), &key("ha-noi"), period()).unwrap_err();
        assert!(
            matches!(err, dataset::template::TemplateError::TooLarge(_) | dataset::template::TemplateError::Damaged(_)),
            "{what}: {err:?}"
        );
        assert!(err.vi().starts_with("Tệp"), "{what}: {}", err.vi());
    }
    // A figure of more digits than a floating-point number holds comes back as it was.
    let big = fake_submission(vec![("dx.steering_meetings", Datum::Number("999999999999999999".parse().unwrap()))]);
    let bytes =
        dataset::template::generate(&cx.form(), &unit, period(), Some(&big), &|_| None, model::Lang::Vi).unwrap();
    let (inputs, _) = dataset::template::read(&bytes, &cx.form(), &key("ha-noi"), period()).unwrap();
    let back = inputs.iter().find(|i| i.indicator == "dx.steering_meetings").unwrap();
    assert_eq!(back.value, "999999999999999999");
    // The untouched template still reads.
    let (inputs, errors) = dataset::template::read(&good, &cx.form(), &key("ha-noi"), period()).unwrap();
    assert_eq!((inputs.len(), errors.len()), (6, 0));
    assert!(db.store.submission_for(&REGIME.parse().unwrap(), &key("ha-noi"), period()).await.unwrap().is_none());
}

async fn formulas_are_refused(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    let cx = ops::collection::context(s, REGIME).await.unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let filled = fake_submission(vec![("service.online_dossier_rate", Datum::Number("61.5".parse().unwrap()))]);
    let bytes =
        dataset::template::generate(&cx.form(), &unit, period(), Some(&filled), &|_| None, model::Lang::Vi).unwrap();
    let formula = with_cell(&bytes, "E8", r#"<c r="E8"><f>50+11.5</f><v>61.5</v></c>"#);
    let (_, errors) = dataset::template::read(&formula, &cx.form(), &key("ha-noi"), period()).unwrap();
    let found: Vec<(Option<&str>, &str)> = errors.iter().map(|e| (e.place.as_deref(), e.message.as_str())).collect();
    assert_eq!(found, [(Some("E8"), "ô chứa công thức; hãy nhập giá trị")]);
    let hanoi = who(Role::Reporter, &["ha-noi"]);
    let (inputs, errors) = dataset::template::read(&formula, &cx.form(), &key("ha-noi"), period()).unwrap();
    assert!(matches!(
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &inputs, errors).await,
        Err(CollectionError::Invalid(_))
    ));
    assert!(s.submission_for(&REGIME.parse().unwrap(), &key("ha-noi"), period()).await.unwrap().is_none());
    // A row whose indicator code was changed is a changed template.
    let changed = with_cell(&bytes, "A9", r#"<c r="A9" t="inlineStr"><is><t>dx.other</t></is></c>"#);
    assert!(matches!(
        dataset::template::read(&changed, &cx.form(), &key("ha-noi"), period()),
        Err(dataset::template::TemplateError::Damaged(_))
    ));
}

async fn who_reported_on_time(db: &TestDb) {
    load(db).await;
    let s = &db.store;
    let evaluator = who(Role::Evaluator, &[]);
    let hanoi = who(Role::Reporter, &["ha-noi"]);
    let sub =
        ops::collection::save(s, &hanoi, REGIME, &key("ha-noi"), period(), &all_figures(), Vec::new()).await.unwrap();
    ops::collection::submit(s, &hanoi, sub.id).await.unwrap();
    let (regime, standings) = ops::collection::completeness(s, &evaluator, REGIME, period()).await.unwrap();
    assert_eq!(standings.len(), 34, "the 34 provinces of 2026");
    let mine = standings.iter().find(|x| x.unit == key("ha-noi")).unwrap();
    // Submitted today, long after 15 July 2026: late.
    assert_eq!(regime.due(period()).to_string(), "2026-07-15");
    assert!(mine.late && !mine.overdue);
    assert!(standings.iter().filter(|x| x.unit != key("ha-noi")).all(|x| x.overdue && x.status.is_none()));
    assert!(matches!(
        ops::collection::completeness(s, &hanoi, REGIME, period()).await,
        Err(CollectionError::Forbidden(_))
    ));
}

testkit::on_both_backends! {
    accounts => crate::accounts_and_tokens,
    workflow => crate::from_draft_to_published,
    scoping => crate::one_unit_cannot_touch_another,
    template => crate::the_excel_template,
    formulas => crate::formulas_are_refused,
    hostile_workbooks => crate::hostile_workbooks,
    completeness => crate::who_reported_on_time,
}
