//! Viewing values reported on an old map of units on a later one: a province's 2022
//! figures shown for the province it became part of in 2025. Counts and amounts add,
//! ratios are recomputed from their numerators and denominators, and what does not add
//! (indexes, ranks, grades, percentages without their parts) says so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::indicator::{Indicator, IndicatorKind};
use crate::key::UnitKey;
use crate::period::Period;
use crate::registry::{UnitRegistry, Window};
use crate::value::Datum;

/// A value as reported by a unit of the old map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub unit: UnitKey,
    pub value: Datum,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapRule {
    /// The unit exists on both maps.
    Unchanged,
    /// One unit under a new name; its value carries over.
    Renamed,
    /// Counts and amounts of the merged units, added.
    Summed,
    /// A ratio recomputed from the merged units' numerators and denominators.
    Recomputed,
    /// Values of this kind do not add up (indexes, ranks, grades, percentages stated
    /// without their parts).
    NotAdditive,
    /// Some of the merged units have no value, so there is no total.
    Incomplete,
    /// The unit was split; its figure cannot be divided among the new units.
    NotApportionable,
    /// The merged figures are too large to add up.
    TooLarge,
}

impl MapRule {
    pub fn as_str(self) -> &'static str {
        match self {
            MapRule::Unchanged => "unchanged",
            MapRule::Renamed => "renamed",
            MapRule::Summed => "summed",
            MapRule::Recomputed => "recomputed",
            MapRule::NotAdditive => "not_additive",
            MapRule::TooLarge => "too_large",
            MapRule::Incomplete => "incomplete",
            MapRule::NotApportionable => "not_apportionable",
        }
    }
}

/// A value on the later map, with the rule that produced it and what it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remapped {
    pub unit: UnitKey,
    pub value: Option<Datum>,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
    pub rule: MapRule,
    /// Old units whose values went into this one.
    pub from: Vec<UnitKey>,
    /// Old units that belong here but reported nothing.
    pub missing: Vec<UnitKey>,
}

/// Maps `reported` values of `indicator` for `period` onto the units that exist on
/// `map_date`.
pub fn remap(
    indicator: &Indicator,
    period: Period,
    reported: &[Reported],
    registry: &UnitRegistry,
    map_date: NaiveDate,
) -> Vec<Remapped> {
    let window = Window::from(period);
    // Which old units belong wholly to which new unit, computed once for all targets.
    let mut predecessors: BTreeMap<UnitKey, BTreeSet<UnitKey>> = BTreeMap::new();
    for u in registry.units().filter(|u| u.existed_during(window.start, window.end)) {
        if let [target] = registry.successors_on(&u.key, map_date).as_slice() {
            predecessors.entry(target.clone()).or_default().insert(u.key.clone());
        }
    }

    let mut contributions: BTreeMap<UnitKey, Vec<&Reported>> = BTreeMap::new();
    let mut split: BTreeMap<UnitKey, Vec<UnitKey>> = BTreeMap::new();
    for r in reported {
        let successors = registry.successors_on(&r.unit, map_date);
        if registry.split_before(&r.unit, map_date) {
            for s in successors {
                split.entry(s).or_default().push(r.unit.clone());
            }
        } else if let [target] = successors.as_slice() {
            contributions.entry(target.clone()).or_default().push(r);
        }
    }

    let mut out: Vec<Remapped> = contributions
        .into_iter()
        .map(|(target, parts)| {
            let expected = predecessors.get(&target).cloned().unwrap_or_default();
            combine(indicator, target, &parts, &expected)
        })
        .collect();
    for (unit, from) in split {
        out.retain(|r| r.unit != unit);
        out.push(Remapped {
            unit,
            value: None,
            numerator: None,
            denominator: None,
            rule: MapRule::NotApportionable,
            from,
            missing: vec![],
        });
    }
    out.sort_by(|a, b| a.unit.cmp(&b.unit));
    out
}

fn combine(indicator: &Indicator, target: UnitKey, parts: &[&Reported], expected: &BTreeSet<UnitKey>) -> Remapped {
    let from: Vec<UnitKey> = parts.iter().map(|p| p.unit.clone()).collect();
    let missing: Vec<UnitKey> = expected.iter().filter(|k| !from.contains(k)).cloned().collect();
    let result = |value: Option<Datum>, numerator, denominator, rule| Remapped {
        unit: target.clone(),
        value,
        numerator,
        denominator,
        rule,
        from: from.clone(),
        missing: missing.clone(),
    };
    if let ([only], true) = (parts, missing.is_empty()) {
        let rule = if only.unit == target { MapRule::Unchanged } else { MapRule::Renamed };
        return result(Some(only.value.clone()), only.numerator, only.denominator, rule);
    }
    let kind = indicator.kind;
    let with_parts = parts.iter().all(|p| p.numerator.is_some() && p.denominator.is_some());
    let summable = matches!(kind, IndicatorKind::Count | IndicatorKind::Amount)
        || matches!(kind, IndicatorKind::Ratio | IndicatorKind::Percentage) && with_parts;
    if !summable {
        return result(None, None, None, MapRule::NotAdditive);
    }
    if !missing.is_empty() {
        return result(None, None, None, MapRule::Incomplete);
    }
    let sum = |f: fn(&Reported) -> Option<Decimal>| {
        parts.iter().filter_map(|p| f(p)).try_fold(Decimal::ZERO, |acc, x| acc.checked_add(x))
    };
    if matches!(kind, IndicatorKind::Count | IndicatorKind::Amount) {
        return match sum(|p| p.value.as_number()) {
            Some(total) => result(Some(Datum::Number(total)), None, None, MapRule::Summed),
            None => result(None, None, None, MapRule::TooLarge),
        };
    }
    let (Some(n), Some(d)) = (sum(|p| p.numerator), sum(|p| p.denominator)) else {
        return result(None, None, None, MapRule::TooLarge);
    };
    let scale = parts.iter().filter_map(|p| p.value.as_number()).map(|v| v.scale()).max().unwrap_or(2);
    let value = match crate::number::ratio(n, d, indicator.ratio_multiplier()) {
        Ok(v) => v.map(|x| Datum::Number(x.round_dp(scale))),
        Err(_) => return result(None, Some(n), Some(d), MapRule::TooLarge),
    };
    result(value, Some(n), Some(d), MapRule::Recomputed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::Direction;
    use crate::key::{IndicatorCode, PillarKey};
    use crate::lineage::LineageKind;
    use crate::registry::tests::{d, event, sample, unit};

    fn ind(kind: IndicatorKind) -> Indicator {
        Indicator {
            code: IndicatorCode::parse("x").unwrap(),
            pillar: PillarKey::parse("p").unwrap(),
            name: "X".into(),
            name_en: None,
            kind,
            unit_of_measure: if kind == IndicatorKind::Ratio { "%".into() } else { "hồ sơ".into() },
            direction: Direction::HigherIsBetter,
            lead: vec![],
            co: vec![],
            min: None,
            max: None,
            numerator_le_denominator: true,
            categories: vec![],
            parts: vec![],
            description: None,
        }
    }

    fn rep(unit: &str, value: &str, parts: Option<(&str, &str)>) -> Reported {
        Reported {
            unit: UnitKey::parse(unit).unwrap(),
            value: Datum::Number(value.parse().unwrap()),
            numerator: parts.map(|p| p.0.parse().unwrap()),
            denominator: parts.map(|p| p.1.parse().unwrap()),
        }
    }

    fn find<'a>(out: &'a [Remapped], unit: &str) -> &'a Remapped {
        out.iter().find(|r| r.unit.as_str() == unit).unwrap()
    }

    fn y2022() -> Period {
        "2022".parse().unwrap()
    }

    #[test]
    fn counts_add_and_ratios_recompute() {
        let reg = sample();
        let map = d("2025-07-01");
        let counts = [rep("bac-ninh", "100", None), rep("bac-giang", "50", None), rep("ha-noi", "7", None)];
        let out = remap(&ind(IndicatorKind::Count), y2022(), &counts, &reg, map);
        assert_eq!(find(&out, "bac-ninh-2025").value, Some(Datum::Number(150.into())));
        assert_eq!(find(&out, "bac-ninh-2025").rule, MapRule::Summed);
        assert_eq!(find(&out, "ha-noi").rule, MapRule::Unchanged);

        let ratios = [rep("bac-ninh", "50.00", Some(("50", "100"))), rep("bac-giang", "10.00", Some(("10", "100")))];
        let out = remap(&ind(IndicatorKind::Ratio), y2022(), &ratios, &reg, map);
        let merged = find(&out, "bac-ninh-2025");
        assert_eq!(merged.rule, MapRule::Recomputed);
        assert_eq!(merged.value, Some(Datum::Number("30.00".parse().unwrap())));
        assert_eq!(merged.denominator, Some(200.into()));
    }

    #[test]
    fn what_does_not_add_says_so() {
        let reg = sample();
        let map = d("2025-07-01");
        let index =
            [rep("bac-ninh", "0.61", None), rep("bac-giang", "0.58", None), rep("thua-thien-hue", "0.63", None)];
        let out = remap(&ind(IndicatorKind::Index), y2022(), &index, &reg, map);
        assert_eq!(find(&out, "bac-ninh-2025").rule, MapRule::NotAdditive);
        assert_eq!(find(&out, "bac-ninh-2025").value, None);
        // A rename carries even an index over.
        assert_eq!(find(&out, "hue").rule, MapRule::Renamed);
        assert_eq!(find(&out, "hue").value, Some(Datum::Number("0.63".parse().unwrap())));

        let ratio_without_parts = [rep("bac-ninh", "50", None), rep("bac-giang", "10", None)];
        let out = remap(&ind(IndicatorKind::Ratio), y2022(), &ratio_without_parts, &reg, map);
        assert_eq!(find(&out, "bac-ninh-2025").rule, MapRule::NotAdditive);

        let incomplete = [rep("bac-ninh", "100", None)];
        let out = remap(&ind(IndicatorKind::Count), y2022(), &incomplete, &reg, map);
        let merged = find(&out, "bac-ninh-2025");
        assert_eq!((merged.rule, merged.value.clone()), (MapRule::Incomplete, None));
        assert_eq!(merged.missing, [UnitKey::parse("bac-giang").unwrap()]);
    }

    #[test]
    fn the_old_map_is_the_identity() {
        let reg = sample();
        let counts = [rep("bac-ninh", "100", None), rep("bac-giang", "50", None)];
        let out = remap(&ind(IndicatorKind::Count), y2022(), &counts, &reg, d("2023-01-01"));
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|r| r.rule == MapRule::Unchanged));
    }

    #[test]
    fn splits_are_not_apportioned() {
        let units = vec![
            unit("a", "", "A", None, Some("2020-12-31")),
            unit("b", "", "B", Some("2021-01-01"), None),
            unit("c", "", "C", Some("2021-01-01"), None),
        ];
        let reg =
            UnitRegistry::new(units, vec![], vec![event("s", LineageKind::Split, "2021-01-01", &["a"], &["b", "c"])])
                .unwrap();
        let out =
            remap(&ind(IndicatorKind::Count), "2020".parse().unwrap(), &[rep("a", "10", None)], &reg, d("2022-01-01"));
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|r| r.rule == MapRule::NotApportionable && r.value.is_none()));
    }
}
