//! Rankings within a group: competition ranks ("1, 2, 2, 4") on values as published,
//! movement against the previous period, leaders, top and bottom, and the distribution
//! of grades with the names in each band.

use std::collections::HashMap;

use model::UnitKey;
use model::methodology::GradeBand;
use serde::Serialize;

use crate::method::compute_round as round;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub unit: UnitKey,
    pub value: f64,
    pub rank: u32,
}

/// Ranks values, best first. Values equal at `decimals` share a rank, and the next rank
/// skips as many places. Units of equal rank are listed by key, so the result does not
/// depend on the order of the input.
pub fn rank(items: &[(UnitKey, f64)], higher_is_better: bool, decimals: u32) -> Vec<Ranked> {
    let mut sorted: Vec<(UnitKey, f64)> = items.iter().map(|(u, v)| (u.clone(), round(*v, decimals))).collect();
    sorted.sort_by(|a, b| {
        let by_value = if higher_is_better { b.1.total_cmp(&a.1) } else { a.1.total_cmp(&b.1) };
        by_value.then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<Ranked> = Vec::with_capacity(sorted.len());
    for (i, (unit, value)) in sorted.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.value == value => prev.rank,
            _ => i as u32 + 1,
        };
        out.push(Ranked { unit, value, rank });
    }
    out
}

/// Places as published (an indicator whose values are ranks): each unit keeps its
/// place, listed in order of place and then key. A place that is not a whole number
/// above 0 is not a place, and the unit is left out.
pub fn published(items: &[(UnitKey, f64)]) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = items
        .iter()
        .filter(|(_, v)| v.fract() == 0.0 && *v >= 1.0 && *v <= f64::from(u32::MAX))
        .map(|(u, v)| Ranked { unit: u.clone(), value: *v, rank: *v as u32 })
        .collect();
    out.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));
    out
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movement {
    pub unit: UnitKey,
    pub value: f64,
    pub rank: u32,
    pub previous_value: Option<f64>,
    pub previous_rank: Option<u32>,
    pub value_change: Option<f64>,
    /// Places gained (positive) or lost (negative).
    pub rank_change: Option<i64>,
    /// Not ranked in the previous period: new, not a mover.
    pub new: bool,
}

/// Each unit of `current` with its change against `previous`.
pub fn movements(current: &[Ranked], previous: &[Ranked], decimals: u32) -> Vec<Movement> {
    let before: HashMap<&UnitKey, &Ranked> = previous.iter().map(|r| (&r.unit, r)).collect();
    current
        .iter()
        .map(|r| {
            let prev = before.get(&r.unit);
            Movement {
                unit: r.unit.clone(),
                value: r.value,
                rank: r.rank,
                previous_value: prev.map(|p| p.value),
                previous_rank: prev.map(|p| p.rank),
                value_change: prev.map(|p| round(r.value - p.value, decimals)),
                rank_change: prev.map(|p| i64::from(p.rank) - i64::from(r.rank)),
                new: prev.is_none(),
            }
        })
        .collect()
}

/// The first `n` places, and any unit tied with the last of them.
pub fn top(ranked: &[Ranked], n: usize) -> &[Ranked] {
    if n == 0 || ranked.is_empty() {
        return &[];
    }
    let cut = ranked[n.min(ranked.len()) - 1].rank;
    let end = ranked.iter().take_while(|r| r.rank <= cut).count();
    &ranked[..end]
}

/// The last `n` places, and any unit tied with the first of them.
pub fn bottom(ranked: &[Ranked], n: usize) -> &[Ranked] {
    if n == 0 || ranked.is_empty() {
        return &[];
    }
    let cut = ranked[ranked.len() - n.min(ranked.len())].rank;
    let start = ranked.iter().position(|r| r.rank >= cut).unwrap_or(ranked.len());
    &ranked[start..]
}

/// The units ranked first.
pub fn leaders(ranked: &[Ranked]) -> Vec<&UnitKey> {
    ranked.iter().filter(|r| r.rank == 1).map(|r| &r.unit).collect()
}

/// The units in each grade band, the best band first; units without a grade come last
/// under an empty label.
pub fn distribution<'a>(
    grades: &'a [(UnitKey, Option<String>)],
    bands: &[GradeBand],
) -> Vec<(String, Vec<&'a UnitKey>)> {
    let mut ordered: Vec<&GradeBand> = bands.iter().collect();
    ordered.sort_by(|a, b| b.min.total_cmp(&a.min));
    let mut out: Vec<(String, Vec<&UnitKey>)> = ordered
        .iter()
        .map(|b| {
            (
                b.label.clone(),
                grades.iter().filter(|(_, g)| g.as_deref() == Some(b.label.as_str())).map(|(u, _)| u).collect(),
            )
        })
        .collect();
    let ungraded: Vec<&UnitKey> = grades.iter().filter(|(_, g)| g.is_none()).map(|(u, _)| u).collect();
    if !ungraded.is_empty() {
        out.push((String::new(), ungraded));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> UnitKey {
        UnitKey::parse(s).unwrap()
    }

    fn ranks(r: &[Ranked]) -> Vec<(String, u32)> {
        r.iter().map(|x| (x.unit.to_string(), x.rank)).collect()
    }

    #[test]
    fn competition_ranks_with_ties_at_published_precision() {
        let items = [(k("a"), 0.71), (k("b"), 0.80004), (k("c"), 0.8), (k("d"), 0.6)];
        let r = rank(&items, true, 4);
        assert_eq!(ranks(&r), [("b".into(), 1), ("c".into(), 1), ("a".into(), 3), ("d".into(), 4)]);
        let low = rank(&[(k("x"), 3.0), (k("y"), 1.0), (k("z"), 1.0)], false, 0);
        assert_eq!(ranks(&low), [("y".into(), 1), ("z".into(), 1), ("x".into(), 3)]);
    }

    #[test]
    fn movement_and_newcomers() {
        let before = rank(&[(k("a"), 0.5), (k("b"), 0.6)], true, 4);
        let now = rank(&[(k("a"), 0.7), (k("b"), 0.6), (k("c"), 0.65)], true, 4);
        let m = movements(&now, &before, 4);
        let a = m.iter().find(|x| x.unit.as_str() == "a").unwrap();
        assert_eq!((a.rank_change, a.value_change, a.new), (Some(1), Some(0.2), false));
        let c = m.iter().find(|x| x.unit.as_str() == "c").unwrap();
        assert_eq!((c.rank_change, c.new), (None, true));
    }

    #[test]
    fn top_bottom_and_leaders_keep_ties() {
        let r = rank(&[(k("a"), 5.0), (k("b"), 4.0), (k("c"), 4.0), (k("d"), 1.0), (k("e"), 1.0)], true, 0);
        assert_eq!(top(&r, 2).len(), 3);
        assert_eq!(bottom(&r, 1).len(), 2);
        assert_eq!(leaders(&r), [&k("a")]);
        assert!(top(&r, 0).is_empty());
        assert_eq!(top(&r, 99).len(), 5);
    }

    #[test]
    fn published_places_are_kept() {
        let r = published(&[(k("b"), 54.0), (k("a"), 1.0), (k("c"), 2.5), (k("d"), 0.0), (k("e"), 54.0)]);
        assert_eq!(ranks(&r), [("a".into(), 1), ("b".into(), 54), ("e".into(), 54)]);
    }
}
