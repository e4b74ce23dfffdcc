//! The seed dataset holds what the five reports say: the units of 2024 and of 1 July
//! 2025 with their lineage, the ministries named, the national index, the 2022
//! indicators with their revisions, the portal grades, the task appendices and the
//! headline figures.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use model::{Datum, Period, TaskStatus, UnitKind};
use store::{Page, TargetFilter, TaskFilter, UnitFilter, ValueFilter};
use testkit::TestDb;

async fn load(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
}

fn date(s: &str) -> chrono::NaiveDate {
    model::period::parse_date(s).unwrap()
}

async fn current(db: &TestDb, indicator: &str, unit: &str, period: &str) -> String {
    let filter = ValueFilter {
        indicator: Some(indicator.into()),
        unit: Some(unit.into()),
        period: Some(period.parse().unwrap()),
        ..Default::default()
    };
    let found = db.store.values(&filter, Page::ALL).await.unwrap().items;
    assert_eq!(found.len(), 1, "{indicator} {unit} {period}");
    found[0].value.to_text()
}

async fn holds_the_reports_facts(db: &TestDb) {
    load(db).await;
    let store = &db.store;

    // 63 provinces until 30 June 2025, each with its statistics code; 34 from 1 July.
    let on = |d: &str| UnitFilter { kind: Some(UnitKind::Province), valid_on: Some(date(d)), ..Default::default() };
    let old = store.units(&on("2024-06-30"), Page::ALL).await.unwrap().items;
    let new = store.units(&on("2025-07-01"), Page::ALL).await.unwrap().items;
    assert_eq!((old.len(), new.len()), (63, 34));
    let codes = |units: &[model::Unit]| {
        let mut c: Vec<String> = units.iter().map(|u| u.code.clone().unwrap()).collect();
        c.sort();
        c.dedup();
        c.len()
    };
    assert_eq!((codes(&old), codes(&new)), (63, 34), "codes are unique on each map");
    let registry = ops::registry(store).await.unwrap();
    let merged_into =
        |key: &str| registry.predecessors_during(&key.parse().unwrap(), Period::Year(2024).into(), date("2025-07-01"));
    assert_eq!(merged_into("phu-tho-2025").len(), 3);
    assert_eq!(merged_into("bac-ninh-2025").len(), 2);
    assert_eq!(merged_into("ha-noi").len(), 1);
    let total: usize = new.iter().map(|u| merged_into(u.key.as_str()).len()).sum();
    assert_eq!(total, 63, "every 2024 province lies in exactly one 2025 province");
    assert_eq!(registry.resolve("24", Some(date("2024-01-01").into())).unwrap().name, "Bắc Giang");
    assert_eq!(registry.resolve("24", Some(date("2026-01-01").into())).unwrap().key.as_str(), "bac-ninh-2025");

    // Every ministry and agency the seeds name is known, in its ranking group.
    for name in [
        "Bộ TT&TT",
        "Bộ KH&ĐT",
        "Ngân hàng Nhà nước",
        "Bảo hiểm xã hội Việt Nam",
        "Ủy ban quản lý vốn nhà nước",
        "Viện Hàn lâm Khoa học Xã hội Việt Nam",
        "Thanh tra Chính phủ",
        "Văn phòng Chính phủ",
        "Đài Truyền hình Việt Nam",
        "BQL Lăng Chủ tịch Hồ Chí Minh",
        "Tòa án nhân dân tối cao",
        "Bộ Lao động, Thương binh và Xã hội",
    ] {
        registry.resolve(name, Some(date("2024-01-01").into())).unwrap_or_else(|e| panic!("{e}"));
    }
    let group = |g: &str| registry.members(&g.parse().unwrap()).len();
    assert_eq!(group("ministries"), 24, "22 ministries and ministerial-level agencies, and the two of 2025");
    assert_eq!(group("ministries-no-services"), 9);

    // The national index and its pillars, 2020-2022.
    for (code, expected) in [
        ("dti.national", ["0.48", "0.61", "0.71"]),
        ("dti.national.government", ["0.36", "0.43", "0.65"]),
        ("dti.national.economy", ["0.26", "0.41", "0.64"]),
        ("dti.national.society", ["0.29", "0.39", "0.57"]),
    ] {
        for (year, want) in ["2020", "2021", "2022"].iter().zip(expected) {
            assert_eq!(current(db, code, "vn", year).await, want, "{code} {year}");
        }
    }

    // The 2022 indicators: 12 rows (row 10 in two parts), the later report's revisions.
    let targets = store
        .targets(&TargetFilter { programme: Some("kh-2022".into()), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert_eq!(targets.total, 13);
    assert_eq!(current(db, "gov.online_dossier_rate", "vn", "2022").await, "54.34");
    assert_eq!(current(db, "data.open_data_agency_rate", "vn", "2022").await, "11.8");
    let sources = |indicator: &str| {
        let store = store.clone();
        let filter = ValueFilter { indicator: Some(indicator.into()), revisions: true, ..Default::default() };
        async move {
            store
                .values(&filter, Page::ALL)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|v| v.source)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(sources("gov.online_dossier_rate").await, ["seed-001 §I.5", "seed-004 §I.a.5"]);

    // Portal grades of H1 2023, band by band.
    let grades = store
        .values(&ValueFilter { indicator: Some("portal.grade".into()), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    let mut bands: BTreeMap<(bool, String), usize> = BTreeMap::new();
    for v in grades.items {
        let province = registry.get(v.unit.as_str()).unwrap().kind == UnitKind::Province;
        let Datum::Category(g) = v.value else { panic!("grade") };
        *bands.entry((province, g)).or_default() += 1;
    }
    let count = |p: bool, g: &str| bands.get(&(p, g.to_owned())).copied().unwrap_or(0);
    assert_eq!(
        [count(false, "A"), count(false, "B"), count(false, "C"), count(false, "D"), count(false, "E")],
        [2, 4, 10, 0, 4]
    );
    assert_eq!(
        [count(true, "A"), count(true, "B"), count(true, "C"), count(true, "D"), count(true, "E")],
        [9, 43, 10, 1, 0]
    );

    // The task appendices of Q2 2024: 19 completed and 12 not; 11 and 9.
    let tasks = |list: &str, status: TaskStatus| {
        let store = store.clone();
        let filter = TaskFilter { list: Some(list.into()), status: Some(status), ..Default::default() };
        async move { store.tasks(&filter, Page::ALL).await.unwrap().total }
    };
    assert_eq!(
        (tasks("kh-2024-q2", TaskStatus::Done).await, tasks("kh-2024-q2", TaskStatus::InProgress).await),
        (19, 12)
    );
    assert_eq!(
        (tasks("kl-8-q2-2024", TaskStatus::Done).await, tasks("kl-8-q2-2024", TaskStatus::InProgress).await),
        (11, 9)
    );

    // Headline figures.
    assert_eq!(current(db, "data.ndxp_transactions", "vn", "2022").await, "860");
    assert_eq!(current(db, "gov.emc_daily_transactions", "vn", "2023-H1").await, "5.01");
    assert_eq!(current(db, "gov.emc_connection_rate", "vn", "2024-H1").await, "97.6");
    assert_eq!(current(db, "project06.eid_profiles", "vn", "2024-06").await, "75.7");
    assert_eq!(current(db, "gov.ndvcp_accounts", "vn", "2024-06").await, "16.4");
    assert_eq!(current(db, "security.level_approved_rate", "vn", "2024-06").await, "76.5");
    let breakdowns = store.breakdowns().await.unwrap();
    for key in ["tthc-systems-2024-ministries", "tthc-systems-2024-provinces", "information-systems-2024-levels"] {
        assert!(breakdowns.iter().any(|b| b.key.as_str() == key), "{key}");
    }

    // Every value cites its source document and section.
    let all = store.values(&ValueFilter { revisions: true, ..Default::default() }, Page::ALL).await.unwrap().items;
    let known: Vec<String> = store.reference().await.unwrap().sources.iter().map(|s| s.key.to_string()).collect();
    for v in &all {
        let doc =
            v.source_document().unwrap_or_else(|| panic!("{} {} {} has no source", v.indicator, v.unit, v.period));
        assert!(known.iter().any(|k| k == doc), "{doc} is not a registered source");
    }
}

testkit::on_both_backends! {
    seed => crate::holds_the_reports_facts,
}
