//! Compiling and scoring small methodologies: every check with its path, every rule,
//! every missing-data policy, and the properties a ranking must keep.

use model::methodology::Methodology;
use model::{Direction, IndicatorKind, UnitKey};
use proptest::prelude::*;

use super::*;
use crate::rank::rank;

fn info(kind: IndicatorKind, direction: Direction, categories: &[&str]) -> IndicatorInfo {
    IndicatorInfo { kind, direction, categories: categories.iter().map(|s| s.to_string()).collect() }
}

fn catalog(code: &str) -> Option<IndicatorInfo> {
    Some(match code {
        "rate" | "share" | "score" => info(IndicatorKind::Percentage, Direction::HigherIsBetter, &[]),
        "meetings" => info(IndicatorKind::Count, Direction::HigherIsBetter, &[]),
        "load_time" => info(IndicatorKind::Number, Direction::LowerIsBetter, &[]),
        "has_plan" => info(IndicatorKind::YesNo, Direction::HigherIsBetter, &[]),
        "grade" => info(IndicatorKind::Category, Direction::HigherIsBetter, &["A", "B", "C"]),
        _ => return None,
    })
}

/// A methodology with every rule, shared with the other crates' tests.
const BASE: &str = testkit::METHODOLOGY;

type Values = Vec<(UnitKey, f64)>;

/// Up to 30 units with values rounded to hundredths (so that some tie), and the same
/// units in another order.
fn units_in_two_orders() -> impl Strategy<Value = (Values, Values)> {
    proptest::collection::vec(0.0f64..1.0, 1..30).prop_flat_map(|values| {
        let items: Values = values
            .iter()
            .enumerate()
            .map(|(i, v)| (UnitKey::parse(&format!("u{i}")).unwrap(), (v * 100.0).round() / 100.0))
            .collect();
        (Just(items.clone()), Just(items).prop_shuffle())
    })
}

fn method(text: &str) -> Methodology {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(text: &str) -> Vec<String> {
    match compile(&method(text), &catalog) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn has(errors: &[String], needle: &str) -> bool {
    errors.iter().any(|e| e.contains(needle))
}

#[test]
fn a_sound_methodology_compiles() {
    let c = compile(&method(BASE), &catalog).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c.slots.len(), 6);
    assert_eq!(c.components().count(), 7);
}

#[test]
fn points_must_add_up() {
    let e = errors(&BASE.replacen("max = 20\nrule = { kind = \"rate\" }", "max = 25\nrule = { kind = \"rate\" }", 1));
    assert!(
        has(&e, "pillars[0] (p) › indexes[0] (one): the components add up to 65 points, but the index's max is 60"),
        "{e:?}"
    );
    let e = errors(&BASE.replacen("max = 100\n[[grades]]", "max = 90\n[[grades]]", 1));
    assert!(has(&e, "the pillars add up to 100 points, but max is 90"), "{e:?}");
}

#[test]
fn components_must_read_known_indicators_of_the_right_kind() {
    let e = errors(&BASE.replace("indicator = \"rate\"\nmax = 20", "indicator = \"nope\"\nmax = 20"));
    assert!(has(&e, "components[0] (rate): unknown indicator 'nope'"), "{e:?}");
    let e = errors(&BASE.replace("indicator = \"has_plan\"", "indicator = \"share\""));
    assert!(has(&e, "components[0] (plan): indicator 'share' is percentage, but this rule reads yes or no"), "{e:?}");
    let e = errors(&BASE.replace("points = { A = 10, B = 6 }", "points = { A = 10, F = 6 }"));
    assert!(has(&e, "'F' is not a category of the indicator"), "{e:?}");
    let e = errors(&BASE.replace("{ at = 2, points = 10 }", "{ at = 2, points = 30 }"));
    assert!(has(&e, "a step gives 30 points, outside 0 to the component's max 20"), "{e:?}");
}

#[test]
fn grade_bands_must_tile() {
    let gap = BASE.replace("min = 50\nmax = 80", "min = 50\nmax = 79");
    assert!(has(&errors(&gap), "points from 79 to 80 have no band"));
    let overlap = BASE.replace("min = 50\nmax = 80", "min = 50\nmax = 85");
    assert!(has(&errors(&overlap), "the bands overlap from 80 to 85"));
    let short = BASE.replace("min = 0\nmax = 50", "min = 10\nmax = 50");
    assert!(has(&errors(&short), "no band covers points below 10"));
}

#[test]
fn formulas_must_parse_and_not_go_round_in_circles() {
    let cycle = BASE.replace("p = \"component:plan\"", "p = \"component:bonus2\"")
        + r#"[[pillars.indexes.components]]
key = "bonus2"
name = "Bonus 2"
max = 0
rule = { kind = "formula", expr = "b", vars = { b = "component:bonus" } }
"#;
    let e = errors(&cycle);
    assert!(has(&e, "formulas depend on each other in a cycle: bonus → bonus2 → bonus"), "{e:?}");
    assert!(has(
        &errors(&BASE.replace("min(r / 10 + p, max)", "min(r / 10 + q, max)")),
        "uses 'q', which is not among its vars"
    ));
    assert!(has(&errors(&BASE.replace("min(r / 10 + p, max)", "min(r / 10 + p, max")), "the formula does not parse"));
    assert!(has(&errors(&BASE.replace("\"component:plan\"", "\"component:nope\"")), "reads unknown component 'nope'"));
}

fn table(c: &Compiled, rows: &[(&str, &[(&str, Cell)])]) -> Table {
    let mut t = Table::new(rows.iter().map(|(u, _)| UnitKey::parse(u).unwrap()).collect(), c.slots.len());
    for (r, (_, cells)) in rows.iter().enumerate() {
        for (code, cell) in cells.iter() {
            t.set(r, c.slot(code).unwrap(), cell.clone());
        }
    }
    t
}

#[test]
fn scores_every_rule() {
    let c = compile(&method(BASE), &catalog).unwrap();
    let a: &[(&str, Cell)] = &[
        ("rate", Cell::Num(75.0)),
        ("share", Cell::Num(60.0)),
        ("meetings", Cell::Num(3.0)),
        ("has_plan", Cell::Bool(true)),
        ("grade", Cell::Cat("B".into())),
        ("load_time", Cell::Num(2.0)),
    ];
    let b: &[(&str, Cell)] =
        &[("rate", Cell::Num(10.0)), ("load_time", Cell::Num(4.0)), ("grade", Cell::Cat("C".into()))];
    let s = c.score(&table(&c, &[("a", a), ("b", b)]));
    let points: Vec<f64> = s[0].components.iter().map(|x| x.points).collect();
    // rate 75% of 20; target 60 ≥ 50; 3 meetings reach the 2 step; yes; B; best load time;
    // bonus = 75/10 + 10, capped at 10.
    assert_eq!(points, [15.0, 20.0, 10.0, 10.0, 6.0, 10.0, 10.0]);
    assert_eq!(s[0].total, Part { points: 81.0, max: 100.0 });
    assert_eq!((s[0].value, s[0].grade.as_deref()), (0.81, Some("A")));
    assert_eq!(s[0].indexes[0], Part { points: 45.0, max: 60.0 });
    assert_eq!(s[0].views[0], s[0].indexes[0]);
    // b: lower load time is better, so b gets 2/4 of the points; missing data scores 0.
    assert_eq!(s[1].components[5].points, 5.0);
    assert_eq!(s[1].components[1].status, Status::Missing);
    assert_eq!(s[1].gaps(&c), ["target", "steps", "plan", "bonus"]);
    assert_eq!(s[1].grade.as_deref(), Some("C"));
}

#[test]
fn missing_data_policies() {
    let rows: &[(&str, &[(&str, Cell)])] =
        &[("a", &[("rate", Cell::Num(50.0))]), ("b", &[]), ("c", &[("rate", Cell::Num(100.0))])];
    let policy = |p: &str| {
        let c =
            compile(&method(&BASE.replacen("max = 100\n", &format!("max = 100\nmissing = \"{p}\"\n"), 1)), &catalog)
                .unwrap();
        c.score(&table(&c, rows))
    };
    let zero = policy("zero");
    assert_eq!((zero[1].components[0].points, zero[1].components[0].status), (0.0, Status::Missing));
    let impute = policy("impute");
    assert_eq!((impute[1].components[0].points, impute[1].components[0].status), (15.0, Status::Imputed));
    let exclude = policy("exclude");
    assert_eq!(exclude[1].components[0].status, Status::Excluded);
    assert_eq!(exclude[0].total.max, 20.0, "a's only data is the rate; the rest is excluded");
    assert_eq!(exclude[0].value, 0.5);
}

#[test]
fn position_ranks() {
    let text = BASE.replace("rule = { kind = \"rank\" }", "rule = { kind = \"rank\", mode = \"position\" }");
    let c = compile(&method(&text), &catalog).unwrap();
    let rows: &[(&str, &[(&str, Cell)])] = &[
        ("a", &[("load_time", Cell::Num(3.0))]),
        ("b", &[("load_time", Cell::Num(1.0))]),
        ("c", &[]),
        ("d", &[("load_time", Cell::Num(2.0))]),
    ];
    let s = c.score(&table(&c, rows));
    let speed: Vec<f64> = s.iter().map(|u| u.components[5].points).collect();
    assert_eq!(speed, [10.0 / 3.0, 10.0, 0.0, 20.0 / 3.0]);
}

#[test]
fn a_large_table_shared_between_cores_scores_as_one_unit_at_a_time() {
    // No rank rule: a unit's points do not depend on the others, so each unit scored
    // alone must match it scored among 2,500 (which are split between threads).
    let text = BASE.replace("rule = { kind = \"rank\" }", "rule = { kind = \"target\", target = 2 }");
    let c = compile(&method(&text), &catalog).unwrap();
    let n = 2500;
    let keys: Vec<UnitKey> = (0..n).map(|i| UnitKey::parse(&format!("u{i}")).unwrap()).collect();
    let mut big = Table::new(keys.clone(), c.slots.len());
    let cells = |i: usize| {
        let f = i as f64;
        [
            ("rate", Cell::Num(f % 101.0)),
            ("share", Cell::Num((f * 7.0) % 90.0)),
            ("meetings", Cell::Num(f % 5.0)),
            ("has_plan", Cell::Bool(i.is_multiple_of(3))),
            ("load_time", Cell::Num(1.0 + f % 4.0)),
        ]
    };
    for i in 0..n {
        for (code, cell) in cells(i).into_iter().skip(i % 4) {
            big.set(i, c.slot(code).unwrap(), cell);
        }
    }
    let together = c.score(&big);
    assert_eq!(together.len(), n);
    for i in (0..n).step_by(97).chain([n - 1]) {
        let mut one = Table::new(vec![keys[i].clone()], c.slots.len());
        for (code, cell) in cells(i).into_iter().skip(i % 4) {
            one.set(0, c.slot(code).unwrap(), cell);
        }
        assert_eq!(c.score(&one)[0], together[i], "unit {i}");
    }
}

fn scored(rates: &[f64], shares: &[f64]) -> Vec<UnitScore> {
    let c = compile(&method(BASE), &catalog).unwrap();
    let mut t =
        Table::new((0..rates.len()).map(|i| UnitKey::parse(&format!("u{i}")).unwrap()).collect(), c.slots.len());
    for (i, (r, s)) in rates.iter().zip(shares).enumerate() {
        t.set(i, c.slot("rate").unwrap(), Cell::Num(*r));
        t.set(i, c.slot("share").unwrap(), Cell::Num(*s));
        t.set(i, c.slot("load_time").unwrap(), Cell::Num(1.0 + i as f64));
    }
    c.score(&t)
}

proptest! {
    #[test]
    fn values_stay_within_zero_and_one(rates in proptest::collection::vec(-50.0f64..500.0, 1..20), shares in proptest::collection::vec(-50.0f64..500.0, 20)) {
        for s in scored(&rates, &shares[..rates.len()]) {
            prop_assert!((0.0..=1.0).contains(&s.value), "{}", s.value);
            prop_assert!(s.components.iter().all(|c| c.points >= 0.0));
        }
    }

    #[test]
    fn raising_a_component_never_lowers_the_points(rates in proptest::collection::vec(0.0f64..120.0, 2..12), shares in proptest::collection::vec(0.0f64..120.0, 12), unit in 0usize..12, raise in 0.0f64..60.0) {
        let unit = unit % rates.len();
        let shares = &shares[..rates.len()];
        let before = scored(&rates, shares)[unit].total.points;
        let mut higher = rates.clone();
        higher[unit] += raise;
        prop_assert!(scored(&higher, shares)[unit].total.points >= before - 1e-9);
        let mut more = shares.to_vec();
        more[unit] += raise;
        prop_assert!(scored(&rates, &more)[unit].total.points >= before - 1e-9);
    }

    #[test]
    fn the_ranking_does_not_depend_on_input_order((items, shuffled) in units_in_two_orders()) {
        prop_assert_eq!(rank(&items, true, 4), rank(&shuffled, true, 4));
    }
}

#[test]
fn sensitivity_is_reproducible_and_centred() {
    let c = compile(&method(BASE), &catalog).unwrap();
    let scores = scored(&[90.0, 60.0, 30.0, 10.0], &[50.0, 40.0, 60.0, 5.0]);
    let still = crate::sensitivity::sensitivity(&c, &scores, 50, 0.0, 7);
    let baseline: Vec<UnitKey> =
        rank(&scores.iter().map(|s| (s.unit.clone(), s.total.value())).collect::<Vec<_>>(), true, 9)
            .into_iter()
            .map(|r| r.unit)
            .collect();
    for (position, unit) in baseline.iter().enumerate() {
        let s = still.iter().find(|s| &s.unit == unit).unwrap();
        let expected = position as u32 + 1;
        assert_eq!((s.median_rank, s.low, s.high), (f64::from(expected), expected, expected), "no spread, no movement");
    }
    // u1 and u2 are close: rate 60 vs 55, target 40 vs 45 of 50, speed 2 vs 3.
    let close = scored(&[90.0, 60.0, 55.0, 10.0], &[50.0, 40.0, 45.0, 5.0]);
    let a = crate::sensitivity::sensitivity(&c, &close, 200, 0.5, 42);
    assert_eq!(a, crate::sensitivity::sensitivity(&c, &close, 200, 0.5, 42), "the same seed gives the same answer");
    for s in &a {
        assert!(f64::from(s.low) <= s.median_rank && s.median_rank <= f64::from(s.high), "{s:?}");
    }
    assert!(a.iter().any(|s| s.low < s.high), "weights that move do move someone");
}

#[test]
fn explanations_point_at_the_largest_gains() {
    let c = compile(&method(BASE), &catalog).unwrap();
    let scores = scored(&[100.0, 20.0], &[50.0, 10.0]);
    let gains = crate::explain::explain(&c, &scores, &scores[1].unit);
    let order: Vec<(&str, f64)> = gains.iter().map(|g| (g.component.as_str(), g.gain)).collect();
    // rate 20 vs 4 points; target 20 vs 4; speed 10 vs 5 (u1 is slower). The bonus
    // reads the plan, which nobody reported, so nobody has it to gain.
    assert_eq!(order, [("rate", 16.0), ("target", 16.0), ("speed", 5.0)]);
    assert!((gains[0].value_gain - 0.16).abs() < 1e-12);
    assert!(crate::explain::explain(&c, &scores, &scores[0].unit).is_empty(), "the best unit has nothing to gain");
}
