//! The store's story on both backends: every kind of record written and read back,
//! revisions kept, filters and pages, and a failed write leaving nothing behind.

// Stories are test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ::dataset::Catalog;
use model::*;
use store::{IndicatorFilter, Page, StoreError, TargetFilter, TaskFilter, UnitFilter, ValueFilter};
use testkit::TestDb;

fn fixture() -> Dataset {
    ::dataset::load("mini.toml", include_bytes!("fixtures/mini.toml"), &Catalog::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn sorted<T: Clone, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort_by_key(|x| key(x));
    v
}

/// What a value states, without when it was recorded.
fn statement(v: &NewValue) -> (String, String, Period, String, Option<u32>) {
    (v.indicator.to_string(), v.unit.to_string(), v.period, v.value.to_text(), v.revision)
}

async fn every_kind_round_trips(db: &TestDb) {
    let store = db.store.clone();
    let data = fixture();
    let report = store.apply(&data).await.unwrap();
    assert_eq!(report.values_added, 6);
    assert!(report.written.contains(&("units", 6)));

    let back = store.everything().await.unwrap();
    assert_eq!(back.sources, sorted(&data.sources, |s| s.key.clone()));
    assert_eq!(back.groups, sorted(&data.groups, |g| g.key.clone()));
    assert_eq!(back.units, sorted(&data.units, |u| u.key.clone()));
    assert_eq!(back.lineage, data.lineage);
    assert_eq!(back.programmes, sorted(&data.programmes, |p| p.key.clone()));
    assert_eq!(back.pillars, data.pillars);
    assert_eq!(back.indicators, sorted(&data.indicators, |i| i.code.clone()));
    assert_eq!(back.task_lists, data.task_lists);
    assert_eq!(back.tasks, data.tasks);
    assert_eq!(back.breakdowns, data.breakdowns);
    assert_eq!(back.changes, data.changes);
    assert_eq!(sorted(&back.targets, |t| t.indicator.clone()), sorted(&data.targets, |t| t.indicator.clone()));
    let stated: Vec<_> = back.values.iter().map(statement).collect();
    assert!(stated.contains(&(
        "online_dossiers".into(),
        "vn".into(),
        "2022".parse().unwrap(),
        "52.80".into(),
        Some(1)
    )));
    assert!(stated.contains(&(
        "online_dossiers".into(),
        "vn".into(),
        "2022".parse().unwrap(),
        "54.34".into(),
        Some(2)
    )));
    assert!(stated.contains(&(
        "online_dossiers".into(),
        "bac-giang".into(),
        "2022".parse().unwrap(),
        "25.00".into(),
        Some(1)
    )));
    assert!(stated.contains(&(
        "law_passed".into(),
        "vn".into(),
        "2023".parse().unwrap(),
        "2023-06-22".into(),
        Some(1)
    )));

    // Writing back what was read changes nothing.
    let again = store.apply(&back).await.unwrap();
    assert_eq!((again.values_added, again.values_unchanged), (0, 6));
    assert_eq!(store.everything().await.unwrap(), back);
}

async fn values_keep_every_revision(db: &TestDb) {
    let store = db.store.clone();
    store.apply(&fixture()).await.unwrap();
    let vn_2022 = ValueFilter {
        indicator: Some("online_dossiers".into()),
        unit: Some("vn".into()),
        period: Some("2022".parse().unwrap()),
        ..Default::default()
    };
    let current = store.values(&vn_2022, Page::ALL).await.unwrap();
    assert_eq!(current.total, 1);
    assert_eq!((current.items[0].revision, current.items[0].value.to_text()), (2, "54.34".into()));
    let all = store.values(&ValueFilter { revisions: true, ..vn_2022.clone() }, Page::ALL).await.unwrap();
    assert_eq!(all.items.iter().map(|v| v.value.to_text()).collect::<Vec<_>>(), ["52.80", "54.34"]);

    // The same statement again adds nothing; a new one adds revision 3.
    let mut value = NewValue::from(current.items[0].clone());
    value.revision = None;
    let r = store.apply(&Dataset { values: vec![value.clone()], ..Default::default() }).await.unwrap();
    assert_eq!((r.values_added, r.values_unchanged), (0, 1));
    value.value = Datum::Number("55.10".parse().unwrap());
    store.apply(&Dataset { values: vec![value.clone()], ..Default::default() }).await.unwrap();
    let now = store.values(&vn_2022, Page::ALL).await.unwrap();
    assert_eq!((now.items[0].revision, now.items[0].value.to_text()), (3, "55.10".into()));

    // Rewriting a stored revision is refused, and the whole write with it.
    let mut rewrite = value.clone();
    rewrite.revision = Some(1);
    let newcomer = Group { key: GroupKey::parse("newcomers").unwrap(), name: "Mới".into(), name_en: None };
    let err = store
        .apply(&Dataset { groups: vec![newcomer], values: vec![rewrite], ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let groups = store.reference().await.unwrap().groups;
    assert!(groups.iter().all(|g| g.key.as_str() != "newcomers"), "the failed write left a group behind");
}

/// Many values at once: keys looked up over several statements, and a key given several
/// times in one batch judged against the one before it in the batch.
async fn many_values_at_once(db: &TestDb) {
    let store = db.store.clone();
    store.apply(&fixture()).await.unwrap();
    let template = NewValue::from(
        store
            .values(
                &ValueFilter {
                    indicator: Some("online_dossiers".into()),
                    unit: Some("vn".into()),
                    ..Default::default()
                },
                Page::ALL,
            )
            .await
            .unwrap()
            .items[0]
            .clone(),
    );
    let at = |month: usize, figure: usize| NewValue {
        period: format!("{}-{:02}", 1950 + month / 12, month % 12 + 1).parse().unwrap(),
        value: Datum::Number(figure.into()),
        revision: None,
        ..template.clone()
    };
    let months = 1_300;
    let first: Vec<NewValue> = (0..months).map(|m| at(m, m)).collect();
    let r = store.apply(&Dataset { values: first.clone(), ..Default::default() }).await.unwrap();
    assert_eq!((r.values_added, r.values_unchanged), (months, 0));
    // Each month: the same figure again, a new one, and the new one repeated.
    let second: Vec<NewValue> = (0..months).flat_map(|m| [at(m, m), at(m, m + 5_000), at(m, m + 5_000)]).collect();
    let r = store.apply(&Dataset { values: second, ..Default::default() }).await.unwrap();
    assert_eq!((r.values_added, r.values_unchanged), (months, 2 * months));
    let one = ValueFilter {
        indicator: Some(template.indicator.to_string()),
        unit: Some("vn".into()),
        period: Some("2040-05".parse().unwrap()),
        revisions: true,
        ..Default::default()
    };
    let all = store.values(&one, Page::ALL).await.unwrap();
    let month = (2040 - 1950) * 12 + 4;
    assert_eq!(
        all.items.iter().map(|v| (v.revision, v.value.to_text())).collect::<Vec<_>>(),
        [(1, month.to_string()), (2, (month + 5_000).to_string())]
    );
}

/// What is missing is said as missing, not as a conflict of state: a client told 409
/// would wait for the state to change.
async fn a_missing_submission_is_not_found(db: &TestDb) {
    use model::collection::SubmissionStatus;
    let err = db
        .store
        .set_submission_status(999_999, SubmissionStatus::Draft, SubmissionStatus::Submitted, None, "someone")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

async fn filters_and_pages(db: &TestDb) {
    let store = db.store.clone();
    store.apply(&fixture()).await.unwrap();
    let units = |f: UnitFilter| {
        let store = store.clone();
        async move {
            store.units(&f, Page::ALL).await.unwrap().items.into_iter().map(|u| u.key.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        units(UnitFilter { kind: Some(UnitKind::Province), ..Default::default() }).await,
        ["bac-giang", "bac-ninh", "bac-ninh-2025"]
    );
    assert_eq!(
        units(UnitFilter { q: Some("Bac Ninh".into()), ..Default::default() }).await,
        ["bac-ninh", "bac-ninh-2025"]
    );
    assert_eq!(units(UnitFilter { q: Some("tt&tt".into()), ..Default::default() }).await, ["bo-tttt"]);
    let on = |d: &str| Some(model::period::parse_date(d).unwrap());
    let provinces_2026 =
        UnitFilter { group: Some("provinces".into()), valid_on: on("2026-01-01"), ..Default::default() };
    assert_eq!(units(provinces_2026).await, ["bac-ninh-2025"]);
    let page = store.units(&UnitFilter::default(), Page { limit: 2, offset: 2 }).await.unwrap();
    assert_eq!((page.total, page.items.len()), (6, 2));
    assert_eq!(
        store.unit("cuc-attt").await.unwrap().and_then(|u| u.parent).map(|p| p.to_string()),
        Some("bo-tttt".into())
    );
    assert_eq!(store.unit("nowhere").await.unwrap(), None);

    let ind = store
        .indicators(&IndicatorFilter { q: Some("truc tuyen".into()), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert_eq!(ind.items.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["dossiers.online", "online_dossiers"]);
    let online = store.indicator("online_dossiers").await.unwrap().unwrap();
    assert_eq!(online.lead, [AgencyRef::Unit(UnitKey::parse("bo-tttt").unwrap())]);
    assert_eq!(online.co, [AgencyRef::Group(GroupKey::parse("provinces").unwrap())]);

    let within_2022 = ValueFilter { within: Some("2022".parse().unwrap()), ..Default::default() };
    assert_eq!(store.values(&within_2022, Page::ALL).await.unwrap().total, 3);
    let verified = ValueFilter { provenance: Some(Provenance::Verified), ..Default::default() };
    assert_eq!(store.values(&verified, Page::ALL).await.unwrap().items[0].unit.as_str(), "bac-giang");

    let targets = store
        .targets(&TargetFilter { programme: Some("kh-2022".into()), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert_eq!(targets.total, 2);
    assert!(targets.items.iter().any(|t| t.scope == Scope::EachOf(GroupKey::parse("provinces").unwrap())));

    let tasks_of = |agency: &str| {
        let store = store.clone();
        let f = TaskFilter { agency: Some(agency.to_owned()), ..Default::default() };
        async move {
            store.tasks(&f, Page::ALL).await.unwrap().items.into_iter().map(|t| t.key.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(tasks_of("bo-tttt").await, ["kh-2024-q2-01"]);
    assert_eq!(tasks_of("bac-giang").await, ["kh-2024-q2-02"], "through the provinces group");
    let done = TaskFilter { status: Some(TaskStatus::Done), ..Default::default() };
    assert_eq!(store.tasks(&done, Page::ALL).await.unwrap().total, 1);
}

async fn references_are_enforced(db: &TestDb) {
    let store = db.store.clone();
    store.apply(&fixture()).await.unwrap();
    let mut orphan = fixture().values[0].clone();
    orphan.unit = UnitKey::parse("atlantis").unwrap();
    let err = store.apply(&Dataset { values: vec![orphan], ..Default::default() }).await.unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
    store.ping().await.unwrap();
}

/// Sign-in attempts per name and address: decided in one statement each, so that of
/// forty at once exactly the allowed number may be checked; a lock that expires starts
/// the count again, and the next lock lasts twice as long.
async fn sign_in_attempts_are_throttled(db: &TestDb) {
    let rule = store::LoginRule {
        failures: 5,
        lock: chrono::Duration::milliseconds(300),
        longest: chrono::Duration::seconds(10),
        forget: chrono::Duration::hours(1),
    };
    let attempts: Vec<_> = (0..40)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.login_attempt("lan", "10.0.0.1", &rule).await.unwrap() })
        })
        .collect();
    let mut checked = 0;
    for a in attempts {
        checked += usize::from(a.await.unwrap().may_check);
    }
    assert_eq!(checked, 5, "of forty at once");
    // Another address, and another name, are not held back.
    assert!(db.store.login_attempt("lan", "10.0.0.2", &rule).await.unwrap().may_check);
    assert!(db.store.login_attempt("binh", "10.0.0.1", &rule).await.unwrap().may_check);
    // The first lock expires: five more may be checked, then a lock twice as long.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for n in 0..5 {
        assert!(db.store.login_attempt("lan", "10.0.0.1", &rule).await.unwrap().may_check, "attempt {n}");
    }
    assert!(!db.store.login_attempt("lan", "10.0.0.1", &rule).await.unwrap().may_check);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(!db.store.login_attempt("lan", "10.0.0.1", &rule).await.unwrap().may_check, "the second lock is longer");
    // A success starts the count again at once.
    db.store.login_succeeded("lan", "10.0.0.1", &rule).await.unwrap();
    assert!(db.store.login_attempt("lan", "10.0.0.1", &rule).await.unwrap().may_check);
}

testkit::on_both_backends! {
    sign_in => crate::sign_in_attempts_are_throttled,
    every_kind => crate::every_kind_round_trips,
    revisions => crate::values_keep_every_revision,
    many_values => crate::many_values_at_once,
    missing_submission => crate::a_missing_submission_is_not_found,
    filters => crate::filters_and_pages,
    references => crate::references_are_enforced,
}
