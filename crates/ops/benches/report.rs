//! Generating the national report for a period: 100 provinces and 200 indicators with
//! their targets, two periods of values, grades, ranks and 50 tasks, in SQLite; the
//! report loaded, assembled and rendered as HTML and as a workbook.
//!
//! `cargo bench -p ops --bench report`

// Benchmark set-up: a failure here is a broken benchmark, not a user's error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use model::Lang;
use ops::report::ReportRequest;

const UNITS: usize = 100;
const INDICATORS: usize = 200;

fn files() -> Vec<(String, Vec<u8>)> {
    let mut groups = String::from("group,name,name_en\nprovinces,Tỉnh,Provinces\n");
    groups.push_str("nation,Quốc gia,Nation\n");
    let mut units = String::from("unit,code,name,name_en,kind,parent,groups,aliases,valid_from,valid_to\n");
    units.push_str("vn,VN,Việt Nam,Viet Nam,nation,,nation,,,\n");
    for u in 1..=UNITS {
        let _ = writeln!(units, "t{u:03},{u:03},Tỉnh số {u},Province {u},province,,provinces,,,");
    }
    let programmes =
        "programme,name,name_en,kind,period,source\nkh-2024,Kế hoạch năm 2024,2024 plan,plan,2024,\n".to_owned();
    let mut pillars = String::from("pillar,programme,name,name_en,ordinal\n");
    for p in 1..=10 {
        let _ = writeln!(pillars, "p{p},kh-2024,Trụ cột {p},Pillar {p},{p}");
    }
    let mut indicators = String::from(
        "indicator,pillar,name,name_en,kind,unit_of_measure,direction,lead,co,min,max,numerator_le_denominator,categories,parts,description\n",
    );
    for i in 1..=INDICATORS {
        let _ = writeln!(
            indicators,
            "i{i:03},p{},Chỉ tiêu {i},Indicator {i},percentage,%,higher,t{:03},,0,100,,,,",
            i % 10 + 1,
            i % UNITS + 1
        );
    }
    indicators.push_str("grade,p1,Mức độ,Grade,category,,higher,vn,,,,,A;B;C;D;E,,\n");
    indicators.push_str("rank,p1,Xếp hạng,Rank,rank,hạng,lower,vn,,,,,,,\n");
    let mut values = String::from("indicator,unit,period,value\n");
    let units_all: Vec<String> =
        std::iter::once("vn".to_owned()).chain((1..=UNITS).map(|u| format!("t{u:03}"))).collect();
    for i in 1..=INDICATORS {
        for (n, u) in units_all.iter().enumerate() {
            for (period, base) in [("2023", 40), ("2024-H1", 50)] {
                let _ = writeln!(values, "i{i:03},{u},{period},{}.{}", base + (i * 7 + n * 3) % 40, n % 10);
            }
        }
    }
    for u in 1..=UNITS {
        let _ = writeln!(values, "grade,t{u:03},2024-H1,{}", ["A", "B", "C", "D", "E"][u % 5]);
        let _ = writeln!(values, "rank,t{u:03},2024-H1,{u}");
    }
    let mut targets = String::from("indicator,programme,period,scope,comparator,target,label,source,note\n");
    for i in 1..=INDICATORS {
        let _ = writeln!(targets, "i{i:03},kh-2024,2024,national,>=,{},,bench §{i},", 60 + i % 30);
    }
    let task_lists = "task_list,name,name_en,source\nq2,Nhiệm vụ quý II,Q2 tasks,\n".to_owned();
    let mut tasks = String::from(
        "task,task_list,title,required_result,deadline,deadline_label,responsible,status,result,completed_on,source\n",
    );
    for t in 1..=50 {
        let status = ["done", "in_progress", "not_started"][t % 3];
        let _ = writeln!(
            tasks,
            "q2-{t},q2,Nhiệm vụ {t},Kết quả {t},2024-0{},,t{:03},{status},,,",
            4 + t % 3,
            t % UNITS + 1
        );
    }
    [
        ("groups.csv", groups),
        ("units.csv", units),
        ("programmes.csv", programmes),
        ("pillars.csv", pillars),
        ("indicators.csv", indicators),
        ("values.csv", values),
        ("targets.csv", targets),
        ("task_lists.csv", task_lists),
        ("tasks.csv", tasks),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t.into_bytes()))
    .collect()
}

fn national_report(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = rt.block_on(async {
        let store = store::Store::connect(&url).await.unwrap();
        let files = files();
        let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
        ops::import(&store, &refs, |_| {}).await.unwrap();
        store
    });
    let request = ReportRequest { period: "2024-H1".parse().unwrap(), unit: None, lang: Lang::Vi, as_of: None };
    let doc = rt.block_on(ops::report::assemble(&store, &request)).unwrap();
    assert!(doc.sections.len() >= 5);
    c.bench_function("national report, 100 units × 200 indicators: load, assemble, HTML and Excel", |b| {
        b.iter(|| {
            let doc = rt.block_on(ops::report::assemble(&store, &request)).unwrap();
            let html = report::render(&doc, report::Format::Html, None).unwrap();
            let xlsx = report::render(&doc, report::Format::Xlsx, None).unwrap();
            black_box((html.len(), xlsx.len()))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = national_report
}
criterion_main!(benches);
