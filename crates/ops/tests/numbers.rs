//! Any decimal, however large or precise, through import → check → rank → report →
//! export. Where figures come in, those beyond the limits (more than 10 decimal places,
//! more than 18 digits before the point) are refused with an error that names the
//! limit; figures that reach the store another way (a database written before the
//! limits) go through the check, scoring and reports with checked arithmetic, and a
//! figure too large to check becomes a finding. Nothing panics.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use model::{
    Breakdown, BreakdownPart, Dataset, Datum, Lang, NewValue, Period, Provenance, Qualifier, StatedChange, UnitKey,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;
use testkit::TestDb;

/// Any decimal: every scale, mantissas of every size, and the ends of the range.
fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => (any::<u32>(), any::<u32>(), 0u32..=2, any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        3 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        2 => (-1_000_000i64..1_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::MIN),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::new(1, 28)),
        1 => Just(Decimal::new(999_999_999_999_999_999, 0)),
    ]
}

fn within_limits(d: Decimal) -> bool {
    let d = d.normalize();
    d.scale() <= model::number::MAX_DECIMALS
        && d.trunc().abs() < Decimal::from_i128_with_scale(10i128.pow(model::number::MAX_DIGITS), 0)
}

fn key(u: &str) -> UnitKey {
    UnitKey::parse(u).unwrap()
}

fn value(indicator: &str, period: &str, value: Decimal, parts: Option<(Decimal, Decimal)>) -> NewValue {
    NewValue {
        indicator: indicator.parse().unwrap(),
        unit: key("vn"),
        period: period.parse().unwrap(),
        value: Datum::Number(value),
        numerator: parts.map(|p| p.0),
        denominator: parts.map(|p| p.1),
        provenance: Provenance::Reported,
        source: Some("seed-002 §I.1".into()),
        note: None,
        revision: None,
        recorded_at: None,
    }
}

/// The figures written straight into the store, as a database from before the limits
/// would hold them: values with numerators and denominators, an indicator and its parts,
/// a breakdown with shares, a stated change.
fn unchecked(a: Decimal, b: Decimal, c: Decimal) -> Dataset {
    let part = |label: &str, value: Decimal, share: Decimal| BreakdownPart {
        label: label.into(),
        value: Some(value),
        share: Some(share),
        members: vec![],
    };
    Dataset {
        values: vec![
            value("gov.emc_connection_rate", "2024-H1", c, Some((a, b))),
            value("data.cbccvc_records_synced", "2024", c, None),
            value("data.cbccvc_records_synced.ministries", "2024", a, None),
            value("data.cbccvc_records_synced.localities", "2024", b, None),
            value("econ.cash_register_einvoice_users", "2023-12", a, None),
            value("econ.cash_register_einvoice_users", "2024-06", b, None),
            value("gov.online_dossier_rate", "2022", c, None),
        ],
        breakdowns: vec![Breakdown {
            key: "thu-nghiem".parse().unwrap(),
            title: "Thử nghiệm".into(),
            title_en: None,
            period: Some("2024".parse().unwrap()),
            unit_of_measure: None,
            total: Some(a),
            population: None,
            indicator: None,
            parts: vec![part("một", b, c), part("hai", c, b)],
            source: None,
            note: None,
        }],
        changes: vec![StatedChange {
            indicator: "econ.cash_register_einvoice_users".parse().unwrap(),
            unit: key("vn"),
            from: "2023-12".parse().unwrap(),
            to: "2024-06".parse().unwrap(),
            absolute: Some(c),
            percent: Some(a),
            multiple: Some(b),
            qualifier: Qualifier::MoreThan,
            source: None,
            note: None,
        }],
        ..Dataset::default()
    }
}

/// The same figures as a values file, as a unit would send them.
fn file(a: Decimal, b: Decimal, c: Decimal) -> String {
    format!(
        "indicator,unit,period,value,numerator,denominator,source\n\
         gov.emc_connection_rate,vn,2024-H1,,{a},{b},\n\
         data.cbccvc_records_synced.ministries,vn,2024,{a},,,\n\
         data.cbccvc_records_synced.localities,vn,2024,{b},,,\n\
         gov.online_dossier_rate,vn,2022,{c},,,\n"
    )
}

async fn one_case(db: &TestDb, a: Decimal, b: Decimal, c: Decimal) -> Result<(), TestCaseError> {
    let store = &db.store;
    // Where figures come in: refused beyond the limits, with the limit named.
    let csv = file(a, b, c);
    let imported = ops::import(store, &[("figures.csv".to_owned(), csv.as_bytes())], |_| {}).await;
    if ![a, b, c].iter().all(|d| within_limits(*d)) {
        let Err(ops::ImportFailure::Invalid { errors, .. }) = &imported else {
            return Err(TestCaseError::fail(format!("accepted beyond the limits: {csv}")));
        };
        let said = errors.to_string();
        prop_assert!(said.contains("decimal places") || said.contains("digits before"), "{}", said);
    }
    // Figures from elsewhere, checked, ranked, scored, reported and exported.
    store.apply(&unchecked(a, b, c)).await.unwrap();
    let findings = ops::findings(store).await.unwrap();
    prop_assert!(!findings.is_empty());
    let period: Period = "2024-H1".parse().unwrap();
    ops::rank_indicator(store, "gov.emc_connection_rate", period, None).await.unwrap();
    ops::score(store, "dti-national", "2022".parse().unwrap(), None).await.unwrap();
    for (period, lang) in [("2024", Lang::Vi), ("2024-H1", Lang::En), ("2022", Lang::Vi)] {
        let request = ops::report::ReportRequest { period: period.parse().unwrap(), unit: None, lang, as_of: None };
        let doc = ops::report::assemble(store, &request).await.unwrap();
        for format in [report::Format::Html, report::Format::Markdown, report::Format::Xlsx] {
            report::render(&doc, format, None).unwrap();
        }
    }
    let files = dataset::write::files(&store.everything().await.unwrap());
    prop_assert!(files.iter().any(|(name, _)| name.starts_with("values")));
    Ok(())
}

fn decimals_go_everywhere(db: &TestDb, cases: u32) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let files = testkit::seed_files();
        let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
        ops::import(&db.store, &refs, |_| {}).await.unwrap();
    });
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&(decimal(), decimal(), decimal()), |(a, b, c)| runtime.block_on(one_case(db, a, b, c)))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn any_decimal_on_sqlite() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(testkit::sqlite());
    decimals_go_everywhere(&db, 32);
}

#[test]
fn any_decimal_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(testkit::postgres()) else { return };
    decimals_go_everywhere(&db, 12);
}
