//! The check on small datasets built from the seed reports' own figures.

use chrono::{TimeZone, Utc};
use model::*;
use rust_decimal::Decimal;

use super::{CheckInput, Finding, FindingKind, Severity, run};

fn n(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn key<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_owned()).unwrap()
}

fn unit(k: &str, name: &str, groups: &[&str]) -> Unit {
    Unit {
        key: key(k),
        code: None,
        name: name.into(),
        name_en: None,
        kind: UnitKind::Province,
        parent: None,
        groups: groups.iter().map(|g| key(g)).collect(),
        aliases: vec![],
        valid_from: None,
        valid_to: None,
    }
}

fn registry() -> UnitRegistry {
    let groups = vec![Group { key: key("provinces"), name: "Tỉnh".into(), name_en: None }];
    let units = vec![
        unit("vn", "Việt Nam", &[]),
        unit("a", "Tỉnh A", &["provinces"]),
        unit("b", "Tỉnh B", &["provinces"]),
        unit("c", "Tỉnh C", &["provinces"]),
    ];
    UnitRegistry::new(units, groups, vec![]).unwrap()
}

fn indicator(code: &str, kind: IndicatorKind, uom: &str) -> Indicator {
    Indicator {
        code: key(code),
        pillar: key("p"),
        name: code.into(),
        name_en: None,
        kind,
        unit_of_measure: uom.into(),
        direction: Direction::HigherIsBetter,
        lead: vec![],
        co: vec![],
        min: None,
        max: None,
        numerator_le_denominator: true,
        categories: vec!["A".into(), "B".into(), "C".into()],
        parts: vec![],
        description: None,
    }
}

fn value(
    ind: &str,
    unit: &str,
    period: &str,
    rev: u32,
    v: &str,
    parts: Option<(&str, &str)>,
    src: &str,
) -> ValueRecord {
    let datum = if v.chars().all(|c| c.is_ascii_uppercase()) { Datum::Category(v.into()) } else { Datum::Number(n(v)) };
    ValueRecord {
        indicator: key(ind),
        unit: key(unit),
        period: period.parse().unwrap(),
        revision: rev,
        value: datum,
        numerator: parts.map(|p| n(p.0)),
        denominator: parts.map(|p| n(p.1)),
        provenance: Provenance::Reported,
        source: Some(src.into()),
        note: None,
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn source(k: &str, issued: &str) -> SourceDoc {
    SourceDoc {
        key: key(k),
        title: k.into(),
        title_en: None,
        issued: Some(issued.parse().unwrap()),
        publisher: None,
        file: None,
    }
}

fn part(label: &str, value: Option<&str>, share: Option<&str>, members: &[&str]) -> BreakdownPart {
    BreakdownPart {
        label: label.into(),
        value: value.map(n),
        share: share.map(n),
        members: members.iter().map(|m| key(m)).collect(),
    }
}

fn breakdown(k: &str, total: Option<&str>, parts: Vec<BreakdownPart>) -> Breakdown {
    Breakdown {
        key: key(k),
        title: k.into(),
        title_en: None,
        period: Some("2024".parse().unwrap()),
        unit_of_measure: None,
        total: total.map(n),
        population: None,
        indicator: None,
        parts,
        source: Some("seed-002 §test".into()),
        note: None,
    }
}

struct Data {
    indicators: Vec<Indicator>,
    values: Vec<ValueRecord>,
    breakdowns: Vec<Breakdown>,
    changes: Vec<StatedChange>,
    sources: Vec<SourceDoc>,
}

impl Data {
    fn new() -> Self {
        Data {
            indicators: vec![],
            values: vec![],
            breakdowns: vec![],
            changes: vec![],
            sources: vec![
                source("seed-001", "2022-12"),
                source("seed-004", "2023-02-25"),
                source("seed-000", "2023-07-12"),
                source("seed-003", "2023-07"),
            ],
        }
    }

    fn run(&self) -> Vec<Finding> {
        let registry = registry();
        run(&CheckInput {
            registry: &registry,
            indicators: &self.indicators,
            values: &self.values,
            breakdowns: &self.breakdowns,
            changes: &self.changes,
            sources: &self.sources,
        })
    }
}

fn kinds(findings: &[Finding]) -> Vec<(Severity, FindingKind)> {
    findings.iter().map(|f| (f.severity, f.kind)).collect()
}

#[test]
fn ratios_that_do_not_match_their_parts() {
    let mut d = Data::new();
    d.indicators.push(indicator("sync", IndicatorKind::Ratio, "%"));
    d.values.push(value("sync", "vn", "2023-H1", 1, "50.25", Some(("132626", "253837")), "seed-003 §x"));
    d.values.push(value("sync", "a", "2023-H1", 1, "96.28", Some(("1974488", "2030095")), "seed-003 §x"));
    d.values.push(value("sync", "b", "2023-H1", 1, "62.9", Some(("1949", "3094")), "seed-000 §1"));
    d.values.push(value("sync", "c", "2023-H1", 1, "92.2", Some(("14727", "15981")), "seed-002 §I"));
    let findings = d.run();
    assert_eq!(
        kinds(&findings),
        [
            (Severity::Error, FindingKind::RatioMismatch),
            (Severity::Error, FindingKind::RatioMismatch),
            (Severity::Warning, FindingKind::RatioMismatch)
        ]
    );
    assert!(findings[0].message.vi.contains("52,25%"), "{}", findings[0].message.vi);
    assert!(findings[1].message.vi.contains("97,26%"), "{}", findings[1].message.vi);
    assert!(findings[2].message.en.contains("63.0%"), "{}", findings[2].message.en);
}

#[test]
fn same_document_twice_is_an_error_a_later_document_a_revision() {
    let mut d = Data::new();
    d.indicators.push(indicator("open_data", IndicatorKind::Percentage, "%"));
    d.values.push(value("open_data", "vn", "2022", 1, "13.9", None, "seed-001 §I.12"));
    d.values.push(value("open_data", "vn", "2022", 2, "9", None, "seed-001 §III.7"));
    d.values.push(value("open_data", "vn", "2022", 3, "11.8", None, "seed-004 §I.a.11"));
    d.indicators.push(indicator("villages", IndicatorKind::Count, "thôn"));
    d.values.push(value("villages", "vn", "2023-H1", 1, "2416", None, "seed-000 §3a"));
    d.values.push(value("villages", "vn", "2023-H1", 2, "2164", None, "seed-003"));
    d.indicators.push(indicator("online", IndicatorKind::Percentage, "%"));
    d.values.push(value("online", "vn", "2022", 1, "52.80", None, "seed-001 §I.5"));
    d.values.push(value("online", "vn", "2022", 2, "54.34", None, "seed-004 §I.a.5"));
    let k = kinds(&d.run());
    assert_eq!(k.iter().filter(|x| **x == (Severity::Error, FindingKind::ConflictingFigures)).count(), 1);
    assert_eq!(k.iter().filter(|x| **x == (Severity::Warning, FindingKind::ConflictingFigures)).count(), 1);
    // 13,9 -> 9 is the same-document error; 9 -> 11,8 and 52,80 -> 54,34 are revisions.
    assert_eq!(k.iter().filter(|x| **x == (Severity::Info, FindingKind::Revised)).count(), 2);
}

#[test]
fn parts_that_do_not_add_up_and_shares_that_do_not_hold() {
    let mut d = Data::new();
    d.breakdowns.push(breakdown(
        "revenue",
        Some("1928311"),
        vec![
            part("hw", Some("1753071"), None, &[]),
            part("sw", Some("57000"), None, &[]),
            part("content", Some("8500"), None, &[]),
            part("services", Some("52400"), None, &[]),
            part("telecom", Some("69940"), None, &[]),
        ],
    ));
    d.breakdowns.push(breakdown(
        "grades",
        Some("63"),
        vec![part("C", Some("39"), None, &[]), part("D", Some("24"), None, &[]), part("E", Some("9"), None, &[])],
    ));
    d.breakdowns.push(breakdown(
        "targets-2025",
        Some("81"),
        vec![
            part("met", Some("10"), Some("12.35"), &[]),
            part("likely", Some("34"), Some("54.33"), &[]),
            part("at risk", Some("37"), Some("45.67"), &[]),
        ],
    ));
    d.breakdowns.push(breakdown(
        "causes",
        Some("100"),
        vec![part("portal", Some("36"), None, &[]), part("other", Some("64"), None, &[])],
    ));
    let findings = d.run();
    let k = kinds(&findings);
    assert_eq!(k.iter().filter(|x| **x == (Severity::Error, FindingKind::PartsDoNotAddUp)).count(), 2);
    assert!(findings.iter().any(|f| f.message.vi.contains("1.940.911") && f.message.vi.contains("1.928.311")));
    assert!(findings.iter().any(|f| f.message.en.contains("39 + 24 + 9 = 72")));
    // 34 of 81 is 41,98%, not 54,33% (which is 10 + 34); 37 of 81 is 45,68%.
    assert!(k.contains(&(Severity::Error, FindingKind::ShareMismatch)));
    assert!(k.contains(&(Severity::Warning, FindingKind::ShareMismatch)));
    assert_eq!(findings.len(), 4);
}

#[test]
fn members_counted_twice_or_left_out() {
    let mut d = Data::new();
    let mut b = breakdown(
        "tasks",
        Some("3"),
        vec![part("done", Some("2"), None, &["a", "b"]), part("not done", Some("1"), None, &["b"])],
    );
    b.population = Some(key("provinces"));
    d.breakdowns.push(b);
    let findings = d.run();
    let k = kinds(&findings);
    assert!(k.contains(&(Severity::Error, FindingKind::CountedTwice)), "{findings:?}");
    assert!(findings.iter().any(|f| f.kind == FindingKind::PopulationMismatch && f.message.vi.contains("Tỉnh C")));

    let mut ok = Data::new();
    let mut b = breakdown(
        "tasks",
        Some("3"),
        vec![part("done", Some("2"), None, &["a", "b"]), part("not done", Some("1"), None, &["c"])],
    );
    b.population = Some(key("provinces"));
    ok.breakdowns.push(b);
    assert!(ok.run().is_empty());

    // Parts that list only some of their units: the count is checked, coverage is not.
    let mut partial = Data::new();
    let mut b = breakdown(
        "catalogues",
        Some("3"),
        vec![part("issued", Some("1"), None, &[]), part("not issued", Some("2"), None, &["c"])],
    );
    b.population = Some(key("provinces"));
    partial.breakdowns.push(b);
    assert_eq!(kinds(&partial.run()), [(Severity::Error, FindingKind::CountMismatch)]);
}

#[test]
fn grade_counts_against_graded_units() {
    let mut d = Data::new();
    d.indicators.push(indicator("grade", IndicatorKind::Category, ""));
    d.values.push(value("grade", "a", "2024", 1, "A", None, "seed-000 §2"));
    d.values.push(value("grade", "b", "2024", 1, "B", None, "seed-000 §2"));
    let mut b = breakdown("grades", None, vec![part("A", Some("2"), None, &[]), part("B", Some("1"), None, &[])]);
    b.indicator = Some(key("grade"));
    b.population = Some(key("provinces"));
    d.breakdowns.push(b);
    let k = kinds(&d.run());
    assert_eq!(
        k,
        [(Severity::Error, FindingKind::CountMismatch), (Severity::Warning, FindingKind::PopulationMismatch)]
    );
}

#[test]
fn stated_changes() {
    let mut d = Data::new();
    d.indicators.push(indicator("einvoice", IndicatorKind::Count, "doanh nghiệp"));
    d.values.push(value("einvoice", "vn", "2024-06", 1, "67658", None, "seed-002 §II.5"));
    d.indicators.push(indicator("ndxp", IndicatorKind::Count, "triệu giao dịch"));
    d.values.push(value("ndxp", "vn", "2021", 1, "180", None, "seed-001 §III.7"));
    d.values.push(value("ndxp", "vn", "2022", 1, "860", None, "seed-001 §III.7"));
    d.values.push(value("ndxp", "vn", "2023-H1", 1, "289", None, "seed-002 §II.3"));
    d.values.push(value("ndxp", "vn", "2024-H1", 1, "484", None, "seed-002 §II.3"));
    let change =
        |ind: &str, from: &str, to: &str, abs: Option<&str>, pct: Option<&str>, mult: Option<&str>, q| StatedChange {
            indicator: key(ind),
            unit: key("vn"),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            absolute: abs.map(n),
            percent: pct.map(n),
            multiple: mult.map(n),
            qualifier: q,
            source: None,
            note: None,
        };
    d.changes.push(change("einvoice", "2023-12", "2024-06", Some("28999"), Some("71.9"), None, Qualifier::Exact));
    d.changes.push(change("ndxp", "2021", "2022", None, None, Some("4.8"), Qualifier::MoreThan));
    d.changes.push(change("ndxp", "2023-H1", "2024-H1", None, Some("67"), None, Qualifier::Exact));
    let findings = d.run();
    assert_eq!(kinds(&findings), [(Severity::Error, FindingKind::ChangeMismatch); 2], "{findings:#?}");
    assert!(findings[0].message.vi.contains("75,0%"), "{}", findings[0].message.vi);
    assert!(
        findings[1].message.en.contains("more than 4.8 times, but 860/180 = 4.78 times"),
        "{}",
        findings[1].message.en
    );
}

#[test]
fn indicators_declared_as_sums() {
    let mut d = Data::new();
    let mut total = indicator("records", IndicatorKind::Count, "hồ sơ");
    total.parts = vec![key("records.ministries"), key("records.localities")];
    d.indicators.push(total);
    d.indicators.push(indicator("records.ministries", IndicatorKind::Count, "hồ sơ"));
    d.indicators.push(indicator("records.localities", IndicatorKind::Count, "hồ sơ"));
    d.values.push(value("records", "vn", "2023-06", 1, "2087114", None, "seed-003"));
    d.values.push(value("records.ministries", "vn", "2023-06", 1, "132626", None, "seed-003"));
    d.values.push(value("records.localities", "vn", "2023-06", 1, "1974488", None, "seed-003"));
    assert_eq!(kinds(&d.run()), [(Severity::Error, FindingKind::PartsDoNotAddUp)]);
}
