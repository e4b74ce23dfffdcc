//! The generated reports against the seed reports they must reproduce: the 2022 targets
//! (seed 001 section I), the national index, the H1 2023 portal grades (seed 000), the
//! Q2 2024 task appendices (seed 002); on both backends, in both languages, and as a
//! workbook read back.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use model::Lang;
use ops::report::{ReportError, ReportRequest};
use report::{Block, Document, Format, Table};
use testkit::TestDb;

async fn load(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
}

async fn report(db: &TestDb, period: &str, lang: Lang, unit: Option<&str>) -> Document {
    let request = ReportRequest { period: period.parse().unwrap(), unit: unit.map(str::to_owned), lang, as_of: None };
    ops::report::assemble(&db.store, &request).await.unwrap()
}

fn tables<'a>(doc: &'a Document, section: &str) -> Vec<&'a Table> {
    let s = doc.sections.iter().find(|s| s.key == section).unwrap_or_else(|| panic!("no section {section}"));
    s.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn texts(table: &Table, column: usize) -> Vec<Vec<String>> {
    table.groups.iter().map(|g| g.rows.iter().map(|r| r[column].text.clone()).collect()).collect()
}

async fn the_2022_targets_and_index(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2022", Lang::Vi, None).await;
    assert_eq!(doc.subtitle, "Kỳ báo cáo: năm 2022");
    let plan = tables(&doc, "Chỉ tiêu")[0];
    // Seed 001 section I: 12 rows, 9 met and 3 not, in its order.
    let headings: Vec<String> = plan.groups.iter().map(|g| g.heading.clone().unwrap()).collect();
    assert_eq!(headings, ["I. Các chỉ tiêu đã hoàn thành", "II. Các chỉ tiêu chưa hoàn thành"]);
    let numbers = texts(plan, 0);
    assert_eq!((numbers[0].len(), numbers[1].len()), (9, 3));
    assert_eq!(numbers.concat(), (1..=12).map(|n| n.to_string()).collect::<Vec<_>>());
    let targets = texts(plan, 4).concat();
    assert_eq!(targets, ["100%", "7%", "65%", "80%", "50%", "50%", "75%", "30%", "85%", "100%\n100%", "50%", "50%"]);
    let results = texts(plan, 3).concat();
    assert_eq!(
        results,
        ["100%", "7,5%", "66%", "80%", "54,34%", "50%", "75%", "30,07%", "85%", "0%\n1,66%", "40,47%", "11,8%"]
    );
    // The revised figure is the later report's, and the revision is noted.
    let row5 = &plan.groups[0].rows[4];
    assert_eq!(row5[2].text, "Bộ Thông tin và Truyền thông");
    let notes: Vec<&String> = row5[3].notes.iter().map(|n| &plan.footnotes[n - 1]).collect();
    assert!(notes.iter().any(|n| n.contains("52,80%") && n.contains("54,34%")), "{notes:?}");
    assert!(doc.summary.iter().any(|l| l.contains("12 chỉ tiêu: 9 đã hoàn thành (75,0%), 3 chưa hoàn thành (25,0%)")));

    // The national index and its pillars, 2020-2022.
    let index = tables(&doc, "Chỉ số quốc gia")[0];
    let dti = &index.groups[0].rows[0];
    let cells: Vec<&str> = dti.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(cells, ["Chỉ số chuyển đổi số quốc gia", "0,48", "0,61", "0,71", "16,4%"]);
    let pillars: Vec<&str> = index.groups[0].rows.iter().map(|r| r[0].text.as_str()).collect();
    assert_eq!(&pillars[1..4], ["Chỉ số chính phủ số", "Chỉ số kinh tế số", "Chỉ số xã hội số"]);

    // The 2022 provincial ranking: the first and last ten, in order.
    let ranking =
        tables(&doc, "Xếp hạng").into_iter().find(|t| t.title.as_deref().unwrap_or("").contains("cấp tỉnh")).unwrap();
    let places = texts(ranking, 0);
    assert_eq!(places[0], (1..=10).map(|n| n.to_string()).collect::<Vec<_>>());
    assert_eq!(places[1], (54..=63).map(|n| n.to_string()).collect::<Vec<_>>());
    assert_eq!(texts(ranking, 1)[0][0], "TP. Đà Nẵng");
    assert_eq!(texts(ranking, 1)[1][9], "Bắc Kạn");
}

async fn the_2023_portal_grades(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2023-H1", Lang::Vi, None).await;
    let grades = tables(&doc, "Phân loại");
    let counts = |t: &Table| texts(t, 1).concat();
    assert!(grades[0].title.as_deref().unwrap().ends_with("Khối bộ, ngành (20)"));
    assert_eq!(counts(grades[0]), ["2", "4", "10", "0", "4"]);
    assert!(grades[1].title.as_deref().unwrap().ends_with("Khối địa phương (63)"));
    assert_eq!(counts(grades[1]), ["9", "43", "10", "1", "0"]);
    let names = texts(grades[0], 3).concat();
    assert_eq!(names[0], "Bộ Giao thông vận tải; Bộ Quốc phòng");
    assert_eq!(names[3], "Không có");
    assert_eq!(texts(grades[1], 3).concat()[3], "Bạc Liêu");
    // The year's targets are judged half-way: on track, at risk, or without data; the
    // projection is shown.
    let plan = tables(&doc, "Chỉ tiêu")[0];
    assert!(plan.columns.iter().any(|c| c.name == "Dự báo đến thời hạn"));
    let headings: Vec<String> = plan.groups.iter().map(|g| g.heading.clone().unwrap()).collect();
    assert!(headings.iter().any(|h| h.ends_with("Các chỉ tiêu có nguy cơ không hoàn thành")), "{headings:?}");
    assert!(headings.iter().any(|h| h.ends_with("Các chỉ tiêu chưa có số liệu")), "{headings:?}");
    // A missing value is shown as missing, never as zero.
    let missing = plan.groups.last().unwrap();
    assert!(missing.rows.iter().all(|r| r[3].text.contains("Chưa có số liệu") && r[3].figure.is_none()));
}

async fn the_2024_task_appendices(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2024-Q2", Lang::Vi, None).await;
    let titles: Vec<String> = tables(&doc, "Nhiệm vụ").iter().map(|t| t.title.clone().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Nhiệm vụ đã hoàn thành (19)",
            "Nhiệm vụ chưa hoàn thành (12)",
            "Nhiệm vụ đã hoàn thành (11)",
            "Nhiệm vụ chưa hoàn thành (9)"
        ]
    );
    let open = tables(&doc, "Nhiệm vụ")[1];
    let header: Vec<&str> = open.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        header,
        ["TT", "Nhiệm vụ", "Kết quả cần đạt", "Thời hạn", "Cơ quan chủ trì", "Kết quả thực hiện", "Tình trạng"]
    );
    // The lists of who has what left to do.
    let agencies = tables(&doc, "Theo cơ quan")[0];
    assert!(agencies.groups[0].rows.iter().any(|r| r[0].text == "Bộ Công an" && !r[2].text.is_empty()));

    // One agency's own report: its tasks only.
    let own = report(db, "2024-Q2", Lang::Vi, Some("Bộ Công an")).await;
    assert_eq!(own.title, "Báo cáo kết quả chuyển đổi số của Bộ Công an");
    for t in tables(&own, "Nhiệm vụ") {
        for row in &t.groups[0].rows {
            assert!(row[4].text.contains("Bộ Công an") || row[4].text.contains("Bộ, cơ quan ngang bộ"), "{:?}", row[4]);
        }
    }
}

async fn english_empty_periods_and_bad_units(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2022", Lang::En, None).await;
    assert_eq!(doc.subtitle, "Period: 2022");
    let plan = tables(&doc, "Targets")[0];
    assert_eq!(plan.groups[0].heading.as_deref(), Some("I. Targets met"));
    assert_eq!(plan.groups[0].rows[4][3].text, "54.34%");

    let empty = report(db, "2031", Lang::Vi, None).await;
    assert!(empty.summary.iter().any(|l| l == "Chưa có số liệu cho năm 2031."), "{:?}", empty.summary);
    let first = &empty.sections[0];
    assert!(matches!(&first.blocks[0], Block::NoData(t) if t == "Chưa có số liệu cho năm 2031."));

    let request =
        ReportRequest { period: "2022".parse().unwrap(), unit: Some("Atlantis".into()), lang: Lang::Vi, as_of: None };
    let err = ops::report::assemble(&db.store, &request).await.unwrap_err();
    assert!(matches!(err, ReportError::UnknownUnit(_)), "{err}");
    assert!(err.to_string().contains("Atlantis"), "{err}");
}

/// The workbook of the 2022 report, read back: the figures are numbers.
async fn the_workbook_matches_the_data(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2022", Lang::Vi, None).await;
    let bytes = report::render(&doc, Format::Xlsx, None).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(&book.sheet_names()[..3], ["Tóm tắt", "Chỉ tiêu", "Chỉ số quốc gia"]);
    let sheet = book.worksheet_range("Chỉ tiêu").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let row = |n: &str| rows.iter().find(|r| r.first() == Some(&Data::String(n.into()))).cloned().unwrap();
    assert_eq!(row("8")[3], Data::Float(30.07));
    assert_eq!(row("11")[1], Data::String("Tỷ lệ báo cáo của cơ quan nhà nước được thực hiện trực tuyến".into()));
    assert_eq!(row("11")[3], Data::Float(40.47));
    let index = book.worksheet_range("Chỉ số quốc gia").unwrap();
    let dti: Vec<Data> = index
        .rows()
        .find(|r| r[0] == Data::String("Chỉ số chuyển đổi số quốc gia".into()) && matches!(r[1], Data::Float(_)))
        .unwrap()
        .to_vec();
    assert_eq!(&dti[1..4], [Data::Float(0.48), Data::Float(0.61), Data::Float(0.71)]);
}

/// The Markdown of the 2022 report as a whole, as it was reviewed.
async fn the_2022_markdown_as_reviewed(db: &TestDb) {
    load(db).await;
    let doc = report(db, "2022", Lang::Vi, None).await;
    let md = String::from_utf8(report::render(&doc, Format::Markdown, None).unwrap()).unwrap();
    insta::assert_snapshot!("report_2022_vi", md);
}

testkit::on_both_backends! {
    targets_2022 => crate::the_2022_targets_and_index,
    grades_2023 => crate::the_2023_portal_grades,
    tasks_2024 => crate::the_2024_task_appendices,
    english_and_errors => crate::english_empty_periods_and_bad_units,
    workbook => crate::the_workbook_matches_the_data,
    markdown_2022 => crate::the_2022_markdown_as_reviewed,
}
