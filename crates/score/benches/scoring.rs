//! Scoring speed: a full recompute of 10,000 units on 300 components with the ranking,
//! and the sensitivity of 100 units' ranks over 1,000 weight draws.
//!
//! `cargo bench -p score --bench scoring`

// Benchmark set-up: a failure here is a broken benchmark, not a user's error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use model::methodology::{Component, MPillar, MainIndex, Methodology, MissingPolicy, RankMode, Rule, Step};
use model::{Direction, IndicatorKind, UnitKey};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use score::method::{Cell, Compiled, IndicatorInfo, Table, compile};

const PILLARS: usize = 3;
const INDEXES: usize = 10;
const COMPONENTS: usize = 10;

/// The rule of component `n`, in a mix of every kind a methodology uses.
fn rule(n: usize) -> (Rule, IndicatorKind) {
    match n % 10 {
        0..=2 => (Rule::Rate { full: 100.0 }, IndicatorKind::Percentage),
        3 => (Rule::Target { target: 80.0 }, IndicatorKind::Percentage),
        4 => (
            Rule::Steps { steps: vec![Step { at: 75.0, points: 10.0 }, Step { at: 50.0, points: 5.0 }] },
            IndicatorKind::Percentage,
        ),
        5 | 6 => (Rule::YesNo, IndicatorKind::YesNo),
        7 => (
            Rule::Categories { points: BTreeMap::from([("A".into(), 10.0), ("B".into(), 5.0), ("C".into(), 0.0)]) },
            IndicatorKind::Category,
        ),
        8 => (
            Rule::Rank { mode: if n % 20 == 8 { RankMode::Relative } else { RankMode::Position } },
            IndicatorKind::Number,
        ),
        _ => (
            Rule::Formula {
                expr: "max * a / 100 * b / 100".into(),
                vars: BTreeMap::from([
                    ("a".into(), format!("indicator:i{}", n - 9)),
                    ("b".into(), format!("indicator:i{}", n - 8)),
                ]),
            },
            IndicatorKind::Percentage,
        ),
    }
}

fn methodology() -> (Methodology, Vec<IndicatorKind>) {
    let mut kinds = Vec::new();
    let pillars = (0..PILLARS)
        .map(|p| MPillar {
            key: format!("p{p}"),
            name: format!("Trụ cột {p}"),
            name_en: None,
            max: None,
            indexes: (0..INDEXES)
                .map(|i| MainIndex {
                    key: format!("p{p}.i{i}"),
                    name: format!("Chỉ số {p}.{i}"),
                    name_en: None,
                    max: None,
                    components: (0..COMPONENTS)
                        .map(|c| {
                            let n = (p * INDEXES + i) * COMPONENTS + c;
                            let (rule, kind) = rule(n);
                            kinds.push(kind);
                            let formula = matches!(rule, Rule::Formula { .. });
                            Component {
                                key: format!("c{n}"),
                                name: format!("Thành phần {n}"),
                                name_en: None,
                                max: 10.0,
                                indicator: (!formula).then(|| format!("i{n}").parse().unwrap()),
                                rule,
                                note: None,
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let m = Methodology {
        id: "bench".into(),
        version: "1".into(),
        name: "Chỉ số thử".into(),
        name_en: None,
        applies_from: "2024".parse().unwrap(),
        applies_to: None,
        population: None,
        max: (PILLARS * INDEXES * COMPONENTS) as f64 * 10.0,
        missing: MissingPolicy::Zero,
        decimals: 4,
        source: None,
        note: None,
        grades: Vec::new(),
        pillars,
        views: Vec::new(),
    };
    (m, kinds)
}

fn compiled() -> Compiled {
    let (m, kinds) = methodology();
    let lookup = |code: &str| {
        let n: usize = code.strip_prefix('i')?.parse().ok()?;
        let kind = *kinds.get(n)?;
        Some(IndicatorInfo {
            kind,
            direction: Direction::HigherIsBetter,
            categories: if kind == IndicatorKind::Category {
                vec!["A".into(), "B".into(), "C".into()]
            } else {
                Vec::new()
            },
        })
    };
    compile(&m, &lookup).unwrap()
}

/// Random values for `units` units, one in twenty missing.
fn table(c: &Compiled, units: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let keys = (0..units).map(|u| UnitKey::parse(&format!("u{u}")).unwrap()).collect();
    let mut t = Table::new(keys, c.slots.len());
    let (_, kinds) = methodology();
    for row in 0..units {
        for (slot, code) in c.slots.iter().enumerate() {
            if rng.random::<f64>() < 0.05 {
                continue;
            }
            let n: usize = code.as_str()[1..].parse().unwrap();
            let cell = match kinds[n] {
                IndicatorKind::YesNo => Cell::Bool(rng.random()),
                IndicatorKind::Category => Cell::Cat(["A", "B", "C"][rng.random_range(0..3)].into()),
                _ => Cell::Num(rng.random_range(0.0..100.0)),
            };
            t.set(row, slot, cell);
        }
    }
    t
}

fn recompute_and_rank(c: &mut Criterion) {
    let compiled = compiled();
    let table = table(&compiled, 10_000, 1);
    c.bench_function("score and rank 10,000 units × 300 components", |b| {
        b.iter(|| {
            let scores = compiled.score(black_box(&table));
            let values: Vec<(UnitKey, f64)> = scores.iter().map(|s| (s.unit.clone(), s.value)).collect();
            black_box(score::rank::rank(&values, true, 4))
        })
    });
}

fn sensitivity(c: &mut Criterion) {
    let compiled = compiled();
    let scores = compiled.score(&table(&compiled, 100, 2));
    c.bench_function("sensitivity of 100 units, 1,000 draws", |b| {
        b.iter(|| black_box(score::sensitivity::sensitivity(&compiled, black_box(&scores), 1000, 0.2, 7)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = recompute_and_rank, sensitivity
}
criterion_main!(benches);
