//! The `dxmon` binary as a user runs it: import the seed dataset, export and import it
//! again into an empty database, check it, and feed it bad files.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use testkit::TestDb;

/// Runs dxmon on the database at `url`, named as a user who works on one database
/// would: in DXMON_DATABASE_URL.
fn dxmon(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(args)
        .env("DXMON_DATABASE_URL", url)
        .env("DXMON_LOG", "error")
        .output()
        .expect("run dxmon")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn import_seed(db: &TestDb) {
    let data = testkit::data_dir();
    let methodologies = testkit::methodologies_dir();
    let out = dxmon(&db.url, &["import", data.to_str().unwrap(), methodologies.to_str().unwrap()]);
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

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "dxmon failed:\n{}{}", stdout(out), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(units: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> =
        units.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

fn sorted(list: &str, sep: &str) -> Vec<String> {
    let mut names: Vec<String> = list.split(sep).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    names.sort();
    names
}

/// The 2022 provincial ranking of seed 000 (top 10 and places 54 to 63), in order, from
/// the stored published ranks.
async fn ranks_the_2022_provinces_as_published(db: &TestDb) {
    import_seed(db);
    let out = json(&dxmon(
        &db.url,
        &["rank", "--indicator", "dti.province.rank", "--period", "2022", "--group", "provinces", "--format", "json"],
    ));
    let rows: Vec<(u64, String)> = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rank"].as_u64().unwrap(), r["name"].as_str().unwrap().to_owned()))
        .collect();
    let top = "TP. Đà Nẵng, TP. Hồ Chí Minh, Quảng Ninh, Thừa Thiên Huế, TP. Cần Thơ, Lạng Sơn, Bắc Ninh, \
               Thái Nguyên, Bắc Giang, Nam Định";
    let bottom = "An Giang, Quảng Trị, Thái Bình, Hà Giang, Cà Mau, Phú Yên, Bạc Liêu, Cao Bằng, Gia Lai, Bắc Kạn";
    let expected: Vec<(u64, String)> = (1..=10)
        .chain(54..=63)
        .zip(top.split(", ").chain(bottom.split(", ")))
        .map(|(r, n)| (r, n.to_owned()))
        .collect();
    assert_eq!(rows, expected);
    // --top keeps the first and last places.
    let cut = json(&dxmon(
        &db.url,
        &["rank", "--indicator", "dti.province.rank", "--period", "2022", "--top", "3", "--format", "json"],
    ));
    let places: Vec<u64> = cut["rows"].as_array().unwrap().iter().map(|r| r["rank"].as_u64().unwrap()).collect();
    assert_eq!(places, [1, 2, 3, 61, 62, 63]);
}

/// The H1 2023 portal grades of seed 000, band by band with every name, for the 20
/// ministries and the 63 provinces.
async fn groups_the_2023_portal_grades(db: &TestDb) {
    import_seed(db);
    let bands = |group: &str| {
        let out = json(&dxmon(
            &db.url,
            &["rank", "--indicator", "portal.grade", "--period", "2023-H1", "--group", group, "--format", "json"],
        ));
        out["bands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["label"].as_str().unwrap().to_owned(), names(&b["units"])))
            .collect::<Vec<_>>()
    };
    let ministries = bands("ministries-portal");
    let expected = [
        ("A", "Bộ Giao thông vận tải, Bộ Quốc phòng"),
        ("B", "Bộ Công Thương, Bộ Công an, Bộ Thông tin và Truyền thông, Bộ Giáo dục và Đào tạo"),
        (
            "C",
            "Bộ Khoa học và Công nghệ; Bộ Xây dựng; Bộ Văn hóa, Thể thao và Du lịch; Bảo hiểm xã hội Việt Nam; \
             Bộ Nông nghiệp và Phát triển nông thôn; Bộ Kế hoạch và Đầu tư; Bộ Tư pháp; Ngân hàng Nhà nước Việt Nam; \
             Bộ Nội vụ; Bộ Lao động - Thương binh và Xã hội",
        ),
        ("D", ""),
        ("E", "Bộ Y tế, Bộ Ngoại giao, Bộ Tài chính, Bộ Tài nguyên và Môi trường"),
    ];
    for ((label, names), (want_label, want)) in ministries.iter().zip(expected) {
        assert_eq!(label, want_label);
        let sep = if want.contains(';') { ";" } else { "," };
        assert_eq!(names, &sorted(want, sep), "ministries, grade {label}");
    }
    let provinces = bands("provinces");
    let expected = [
        (
            "A",
            "TP. Cần Thơ; Bình Dương; Yên Bái; An Giang; Bến Tre; Bình Định; Hải Dương; TP. Hồ Chí Minh; TP. Đà Nẵng",
        ),
        ("C", "Bắc Kạn; Phú Yên; Quảng Bình; Sơn La; Gia Lai; Đắk Lắk; Ninh Thuận; Hà Giang; Vĩnh Long; Khánh Hòa"),
        ("D", "Bạc Liêu"),
        ("E", ""),
    ];
    for (want_label, want) in expected {
        let (_, names) = provinces.iter().find(|(l, _)| l == want_label).unwrap();
        assert_eq!(names, &sorted(want, ";"), "provinces, grade {want_label}");
    }
    let counts: Vec<usize> = provinces.iter().map(|(_, n)| n.len()).collect();
    assert_eq!(counts, [9, 43, 10, 1, 0]);
}

/// Portal scores at each band's edge get the band the report defines: A from 90, B from
/// 80, C from 65, D from 50, E below.
async fn grades_scores_at_the_band_edges(db: &TestDb) {
    import_seed(db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("values-portal.csv");
    // functions (50 points at 100%), usability and access (15 each), load time (10 at
    // 2,5 s or less), response time (10 at 0,2 s or less; none at 5 s).
    let mut csv = String::from("indicator,unit,period,value\n");
    for (unit, functions, load, response) in [
        ("ha-noi", 100, 2.5, 5.0),         // 50 + 30 + 10 + 0 = 90 → A
        ("hai-phong", 100, 20.0, 5.0),     // 80 → B
        ("can-tho", 70, 20.0, 5.0),        // 35 + 30 = 65 → C
        ("da-nang", 40, 20.0, 5.0),        // 20 + 30 = 50 → D
        ("thua-thien-hue", 38, 20.0, 5.0), // 19 + 30 = 49 → E
    ] {
        for (code, v) in [
            ("portal.functions_rate", f64::from(functions)),
            ("portal.usability_rate", 100.0),
            ("portal.access_rate", 100.0),
            ("portal.load_time", load),
            ("portal.response_time", response),
        ] {
            csv.push_str(&format!("{code},{unit},2023-H1,{v}\n"));
        }
    }
    std::fs::write(&file, csv).unwrap();
    let out = dxmon(&db.url, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    let ranking =
        json(&dxmon(&db.url, &["rank", "--methodology", "portal-grading", "--period", "2023-H1", "--format", "json"]));
    let graded: Vec<(String, f64, String, u64)> = ranking["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rank"].is_u64())
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_owned(),
                r["points"].as_f64().unwrap(),
                r["grade"].as_str().unwrap().to_owned(),
                r["rank"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        graded,
        [
            ("ha-noi".to_owned(), 90.0, "A".to_owned(), 1),
            ("hai-phong".to_owned(), 80.0, "B".to_owned(), 2),
            ("can-tho".to_owned(), 65.0, "C".to_owned(), 3),
            ("da-nang".to_owned(), 50.0, "D".to_owned(), 4),
            ("thua-thien-hue".to_owned(), 49.0, "E".to_owned(), 5),
        ]
    );
    let counts: Vec<usize> =
        ranking["bands"].as_array().unwrap().iter().map(|b| b["units"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [1, 1, 1, 1, 1]);
    // Provinces without data are listed, not ranked.
    let unranked = ranking["rows"].as_array().unwrap().iter().filter(|r| r["rank"].is_null()).count();
    assert_eq!(unranked, 58);

    // What would raise Huế most: the group's best functions (+31), then load time (+10);
    // no one answers faster than Huế, so response time is not among them.
    let hue = json(&dxmon(
        &db.url,
        &["scores", "--methodology", "portal-grading", "--period", "2023-H1", "--unit", "TT-Huế", "--json"],
    ));
    assert_eq!(hue["points"].as_f64().unwrap(), 49.0);
    assert_eq!(hue["grade"], "E");
    let gains: Vec<(&str, f64)> = hue["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["component"].as_str().unwrap(), g["gain"].as_f64().unwrap()))
        .collect();
    assert_eq!(gains, [("features.functions", 31.0), ("speed.load_time", 10.0)]);

    // Sensitivity: the same seed gives the same intervals; the table shows them.
    let args =
        ["rank", "--methodology", "portal-grading", "--period", "2023-H1", "--sensitivity", "200", "--seed", "7"];
    let a = dxmon(&db.url, &args);
    let b = dxmon(&db.url, &args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a).contains("Độ ổn định"), "{}", stdout(&a));
}

/// `dxmon methodology check` passes the shipped files and names each problem of a
/// broken one with the file and the path in its tree.
async fn checks_methodology_files(db: &TestDb) {
    import_seed(db);
    let shipped: Vec<String> = std::fs::read_dir(testkit::methodologies_dir())
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    assert!(shipped.len() >= 6);
    let mut args = vec!["methodology", "check"];
    args.extend(shipped.iter().map(String::as_str));
    let out = dxmon(&db.url, &args);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(stdout(&out).lines().filter(|l| l.ends_with(": ok")).count(), shipped.len());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    // The shared fixture made wrong in five ways, each of which the check names.
    let broken = testkit::METHODOLOGY
        .replace("indicator = \"rate\"\nmax = 20", "indicator = \"gov.no_such_rate\"\nmax = 20")
        .replace("indicator = \"share\"", "indicator = \"portal.grade\"")
        .replace("max = 20\nrule = { kind = \"steps\"", "max = 10\nrule = { kind = \"steps\"")
        .replace("min = 50\nmax = 80", "min = 50\nmax = 85")
        .replace("p = \"component:plan\"", "p = \"component:bonus2\"")
        + "[[pillars.indexes.components]]\nkey = \"bonus2\"\nname = \"Bonus 2\"\nmax = 0\n\
           rule = { kind = \"formula\", expr = \"b\", vars = { b = \"component:bonus\" } }\n";
    std::fs::write(&file, broken).unwrap();
    let out = dxmon(&db.url, &["methodology", "check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = stdout(&out);
    let name = file.display().to_string();
    for expected in [
        format!(
            "{name}: pillars[0] (p) › indexes[0] (one): the components add up to 50 points, but the index's max is 60"
        ),
        format!(
            "{name}: pillars[0] (p) › indexes[0] (one) › components[0] (rate): unknown indicator 'gov.no_such_rate'"
        ),
        format!(
            "{name}: pillars[0] (p) › indexes[0] (one) › components[1] (target): indicator 'portal.grade' is category, but this rule reads a number"
        ),
        format!("{name}: grades[0] (A) and grades[1] (B): the bands overlap from 80 to 85"),
        format!("{name}: formulas depend on each other in a cycle: bonus → bonus2 → bonus"),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    // A file that is not TOML says where.
    std::fs::write(&file, "id = \"x\"\nmax = [\n").unwrap();
    let out = dxmon(&db.url, &["methodology", "check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).starts_with(&format!("{name}:2:8: unclosed array")), "{}", stdout(&out));
}

/// `dxmon report` writes each format; a unit it cannot find is a clear error.
async fn writes_reports(db: &TestDb) {
    import_seed(db);
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("html", "r.html"), ("md", "r.md"), ("xlsx", "r.xlsx")] {
        let path = dir.path().join(file);
        let out = dxmon(&db.url, &["report", "--period", "2022", "--format", format, "--out", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout(&out).contains("Báo cáo kết quả triển khai chuyển đổi số"), "{}", stdout(&out));
        let bytes = std::fs::read(&path).unwrap();
        match format {
            "xlsx" => assert!(bytes.starts_with(b"PK")),
            "html" => {
                assert!(String::from_utf8(bytes).unwrap().contains("<td class=\"num\">54,34%<sup>3, 4</sup></td>"))
            }
            _ => assert!(
                String::from_utf8(bytes).unwrap().contains("| 12 | Tỷ lệ cơ quan nhà nước cung cấp dữ liệu mở |")
            ),
        }
    }
    let path = dir.path().join("x.md");
    let out = dxmon(
        &db.url,
        &["report", "--period", "2022", "--unit", "Atlantis", "--format", "md", "--out", path.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown unit 'Atlantis'"), "{err}");
    assert!(!path.exists(), "nothing is written for a refused report");
}

testkit::on_both_backends! {
    reports => crate::writes_reports,
    methodology_check => crate::checks_methodology_files,
    provinces_2022 => crate::ranks_the_2022_provinces_as_published,
    portal_grades_2023 => crate::groups_the_2023_portal_grades,
    band_edges => crate::grades_scores_at_the_band_edges,
}

/// Accounts and tokens from the command line: a password from standard input, a token
/// printed once, listed without its text, revoked.
async fn manages_accounts_and_tokens(db: &TestDb) {
    import_seed(db);
    let add = |args: &[&str], password: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_dxmon"))
            .args(args)
            .env("DXMON_DATABASE_URL", &db.url)
            .env("DXMON_LOG", "error")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = add(&["user", "add", "--username", "quantri", "--role", "admin"], "mot-mat-khau-du-dai\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), "account quantri (admin) added, id 1\n");
    let out = add(&["user", "add", "--username", "lan", "--role", "reporter"], "mot-mat-khau-du-dai\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a reporter is bound to at least one unit"));
    let out = add(&["user", "add", "--username", "lan", "--role", "reporter", "--unit", "TP. Đà Nẵng"], "ngan\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));

    let out = dxmon(&db.url, &["token", "create", "--name", "Một cửa Hà Nội", "--unit", "Hà Nội"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let token = text.lines().last().unwrap();
    assert!(token.starts_with("dxm_") && token.len() == 68, "{text}");
    let list = stdout(&dxmon(&db.url, &["token", "list"]));
    assert!(list.contains("1\tMột cửa Hà Nội\tmachine\tha-noi\tactive"), "{list}");
    assert!(!list.contains(token), "a token's text is never shown again");
    assert!(dxmon(&db.url, &["token", "revoke", "1"]).status.success());
    assert!(stdout(&dxmon(&db.url, &["token", "list"])).contains("revoked"));
    let again = dxmon(&db.url, &["token", "revoke", "1"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no active token 1"));
}

testkit::on_both_backends! {
    accounts => crate::manages_accounts_and_tokens,
}
