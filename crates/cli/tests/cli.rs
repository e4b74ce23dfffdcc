//! The `dxmon` binary as a user runs it: import the seed dataset, export and import it
//! again into an empty database, check it, and feed it bad files.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use testkit::TestDb;

fn dxmon(url: &str, args: &[&str]) -> Output {
    let mut all = vec![args[0], "--database", url];
    all.extend_from_slice(&args[1..]);
    Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(&all)
        .env_remove("DXMON_DATABASE_URL")
        .env("DXMON_LOG", "error")
        .output()
        .expect("run dxmon")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn import_seed(db: &TestDb) {
    let data = testkit::data_dir();
    let out = dxmon(&db.url, &["import", data.to_str().unwrap()]);
    assert!(out.status.success(), "seed import failed:\n{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
}

fn export(db: &TestDb, dir: &Path) -> Vec<(String, String)> {
    let out = dxmon(&db.url, &["export", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "export failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// Export from `a`, import into the empty `b`, export again: the files are the same.
fn round_trip(a: &TestDb, b: &TestDb) {
    import_seed(a);
    let dir = tempfile::tempdir().unwrap();
    let first = export(a, &dir.path().join("a"));
    let values = first.iter().find(|(n, _)| n == "values.csv").map(|(_, t)| t.lines().count() - 1).unwrap();
    assert!(values > 300, "only {values} values exported");
    let out = dxmon(&b.url, &["import", dir.path().join("a").to_str().unwrap()]);
    assert!(out.status.success(), "re-import failed:\n{}", stdout(&out));
    let second = export(b, &dir.path().join("b"));
    assert_eq!(first.len(), second.len());
    for ((name_a, text_a), (name_b, text_b)) in first.iter().zip(&second) {
        assert_eq!(name_a, name_b);
        assert!(text_a == text_b, "{name_a} differs after the round trip");
    }
}

#[tokio::test]
async fn export_import_round_trips_on_sqlite() {
    round_trip(&testkit::sqlite().await, &testkit::sqlite().await);
}

#[tokio::test]
async fn export_import_round_trips_on_postgres() {
    let (Some(a), Some(b)) = (testkit::postgres().await, testkit::postgres().await) else { return };
    round_trip(&a, &b);
}

#[tokio::test]
async fn export_from_sqlite_imports_into_postgres() {
    let a = testkit::sqlite().await;
    let Some(b) = testkit::postgres().await else { return };
    round_trip(&a, &b);
}

/// Each contradiction that the seed notes list, as the check reports it (English).
const NOTED: &[(&str, &str)] = &[
    ("1. civil-servant ministries rate", "stated 50.25%, but 132,626/253,837 = 52.25%"),
    ("1. civil-servant localities rate", "stated 96.28%, but 1,974,488/2,030,095 = 97.26%"),
    ("1. civil-servant total", "the parts add up to 2,107,114, not the stated total 2,087,114"),
    ("2. TTHC grades of 63 provinces", "0 + 0 + 39 + 24 + 9 = 72, not the stated total 63"),
    ("3. tasks 12/34 at 32,3%", "stated 32.3%, but 12/34 = 35.3%"),
    ("3. tasks 12/34 at 31,3%", "stated 31.3%, but 12/34 = 35.3%"),
    ("4. 97,6 vs 96,8 million", "one document states two different figures: 97.6"),
    ("5. cash-register e-invoices", "states a rise of 71.9% since 2023-12, but 38,659 to 67,658 is 75.0%"),
    ("6. databases", "states a rise of 17.3% since 2023, but 2,305 to 2,699 is 17.1%"),
    ("7. IT revenue", "= 1,940,911, not the stated total 1,928,311"),
    ("8. approved systems", "stated 62.9%, but 1,949/3,094 rounds to 63.0%"),
    ("8. documents affected", "11 + 26 + 113 = 150, not the stated total 139"),
    ("9. open data in one report", "one document states two different figures: 13.9 [seed-001 §I.12] and 9"),
    ("10. villages covered", "documents of the same date disagree: 2,416"),
    ("11. chip ID in health facilities", "stated 91.32%, but 11,923/13,506 = 88.28%"),
    ("12. NDXP transactions", "states more than 4.8 times, but 860/180 = 4.78 times"),
];

async fn check_finds_the_noted_contradictions(db: &TestDb) {
    import_seed(db);
    let out = dxmon(&db.url, &["check", "--lang", "en", "--all"]);
    assert_eq!(out.status.code(), Some(1), "check exits with 1 when it finds contradictions");
    let text = stdout(&out);
    for (what, message) in NOTED {
        assert!(text.contains(message), "the check misses {what}: {message:?}\n{text}");
    }
    // Revisions by a later report are listed as such, not as contradictions.
    assert!(text.contains("revised from 52.80 [seed-001 §I.5] to 54.34 [seed-004 §I.a.5]"), "{text}");
    let json = dxmon(&db.url, &["check", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(findings.as_array().unwrap().iter().all(|f| f["severity"] != "info"), "info only with --all");
}

async fn a_bad_file_writes_nothing(db: &TestDb) {
    import_seed(db);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "indicator,unit,period,value,numerator,denominator,source\n\
         gov.online_dossier_rate,Da Nang,2023,61.5,,,good row\n\
         gov.online_dossier_rate,Da Nag,2023,61.5,,,bad unit\n\
         gov.online_dosier_rate,Hà Nội,2023,61.5,,,bad indicator\n\
         gov.online_dossier_rate,Hà Nội,2023-H3,61.5,,,bad period\n\
         gov.online_dossier_rate,Hà Nội,2023,many,,,bad value\n\
         gov.emc_connection_rate,Hà Nội,2023,,22,21,numerator over denominator\n\
         gov.online_dossier_rate,Huế,2023,61.5,,,good row\n\
         gov.online_dossier_rate,Hà Nội,2024,61.5,,,good row\n\
         gov.online_dossier_rate,Hà Nội,2024,61.5,,,good row\n",
    )
    .unwrap();
    let out = dxmon(&db.url, &["import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = stdout(&out);
    let name = bad.display().to_string();
    for expected in [
        format!("{name}:3:2: unit: unknown unit 'Da Nag'"),
        format!("{name}:4:1: indicator: unknown indicator 'gov.online_dosier_rate'"),
        format!("{name}:5:3: period: '2023-H3' is not a period"),
        format!("{name}:6:4: value: 'many' is not a number"),
        format!("{name}:7:5: numerator: numerator 22 is greater than denominator 21"),
        format!("{name}:8:2: unit: 'Huế' did not exist in that period"),
        format!("{name}:10:1: indicator: duplicate of the record on line 9"),
        "nothing from it was written".to_owned(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    let exported = export(db, &dir.path().join("out"));
    let values = &exported.iter().find(|(n, _)| n == "values.csv").unwrap().1;
    assert!(!values.contains("good row"), "a row of the rejected file was stored");

    let latin = dir.path().join("latin.csv");
    std::fs::write(&latin, b"indicator,unit,period,value\ngov.online_dossier_rate,\xD0\xE0 N\xE9ng,2023,1\n").unwrap();
    let out = dxmon(&db.url, &["import", latin.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains(&format!("{}:2:25: not valid UTF-8", latin.display())), "{}", stdout(&out));
}

testkit::on_both_backends! {
    check => crate::check_finds_the_noted_contradictions,
    bad_files => crate::a_bad_file_writes_nothing,
}
