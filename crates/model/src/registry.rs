//! The set of known units, groups and lineage events, with the two questions every
//! import and every map asks of it: which unit does this name mean, and which units
//! does an old unit's data belong to on a later map.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;

use crate::key::{GroupKey, UnitKey};
use crate::lineage::{LineageEvent, LineageKind};
use crate::period::{Period, format_date_vi};
use crate::text;
use crate::unit::{Group, Unit};

/// A time window that a name is resolved for: the period a value belongs to, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl From<Period> for Window {
    fn from(p: Period) -> Self {
        Window { start: p.start(), end: p.end() }
    }
}

impl From<NaiveDate> for Window {
    fn from(d: NaiveDate) -> Self {
        Window { start: d, end: d }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub key: UnitKey,
    pub name: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.name, self.key)?;
        match (self.valid_from, self.valid_to) {
            (Some(a), Some(b)) => write!(f, ", {} to {}", format_date_vi(a), format_date_vi(b))?,
            (Some(a), None) => write!(f, ", from {}", format_date_vi(a))?,
            (None, Some(b)) => write!(f, ", until {}", format_date_vi(b))?,
            (None, None) => {}
        }
        f.write_str(")")
    }
}

fn list(candidates: &[Candidate]) -> String {
    candidates.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("unknown unit '{input}'{}", if closest.is_empty() { String::new() } else { format!("; closest: {}", list(closest)) })]
    Unknown { input: String, closest: Vec<Candidate> },
    #[error("'{input}' is ambiguous: {}; write the unit's key instead", list(candidates))]
    Ambiguous { input: String, candidates: Vec<Candidate> },
    #[error("'{input}' did not exist in that period: {}", list(candidates))]
    NotInPeriod { input: String, candidates: Vec<Candidate> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("unit {unit}: parent '{parent}' is not a known unit")]
    UnknownParent { unit: UnitKey, parent: UnitKey },
    #[error("unit {unit}: group '{group}' is not a known group")]
    UnknownGroup { unit: UnitKey, group: GroupKey },
    #[error("unit {unit}: valid_to {to} is before valid_from {from}")]
    Validity { unit: UnitKey, from: NaiveDate, to: NaiveDate },
    #[error("unit {unit} is its own ancestor")]
    ParentCycle { unit: UnitKey },
    #[error("lineage event {event}: {problem}")]
    Lineage { event: String, problem: String },
}

#[derive(Debug, Clone, Default)]
pub struct UnitRegistry {
    units: BTreeMap<UnitKey, Unit>,
    groups: BTreeMap<GroupKey, Group>,
    events: Vec<LineageEvent>,
    /// Folded name variant -> units that carry it.
    names: HashMap<String, Vec<UnitKey>>,
    /// Canonical code -> units that carried it at some time.
    codes: HashMap<String, Vec<UnitKey>>,
}

/// Leading zeros do not distinguish codes: "1" and "01" are Hà Nội's code.
fn canonical_code(code: &str) -> String {
    let code = code.trim();
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = code.trim_start_matches('0');
        if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
    } else {
        code.to_uppercase()
    }
}

impl UnitRegistry {
    /// Builds the registry and checks it: parents and groups exist, validity ranges are
    /// ordered, lineage events have their shape and agree with the units' dates.
    pub fn new(
        units: Vec<Unit>,
        groups: Vec<Group>,
        mut events: Vec<LineageEvent>,
    ) -> Result<Self, Vec<RegistryError>> {
        events.sort_by(|a, b| (a.effective, &a.key).cmp(&(b.effective, &b.key)));
        let mut reg = UnitRegistry {
            units: units.into_iter().map(|u| (u.key.clone(), u)).collect(),
            groups: groups.into_iter().map(|g| (g.key.clone(), g)).collect(),
            events,
            ..Default::default()
        };
        let errors = reg.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        reg.index();
        Ok(reg)
    }

    fn validate(&self) -> Vec<RegistryError> {
        let mut errors = Vec::new();
        for u in self.units.values() {
            if let Some(p) = &u.parent
                && !self.units.contains_key(p)
            {
                errors.push(RegistryError::UnknownParent { unit: u.key.clone(), parent: p.clone() });
            }
            for g in &u.groups {
                if !self.groups.contains_key(g) {
                    errors.push(RegistryError::UnknownGroup { unit: u.key.clone(), group: g.clone() });
                }
            }
            if let (Some(from), Some(to)) = (u.valid_from, u.valid_to)
                && to < from
            {
                errors.push(RegistryError::Validity { unit: u.key.clone(), from, to });
            }
            if self.has_parent_cycle(u) {
                errors.push(RegistryError::ParentCycle { unit: u.key.clone() });
            }
        }
        for e in &self.events {
            let problem = |problem: String| RegistryError::Lineage { event: e.key.to_string(), problem };
            if let Some(shape) = e.shape_error() {
                errors.push(problem(shape));
            }
            for k in e.from.iter().chain(&e.to) {
                if !self.units.contains_key(k) {
                    errors.push(problem(format!("'{k}' is not a known unit")));
                }
            }
            for k in e.ended() {
                if let Some(u) = self.units.get(k)
                    && u.valid_to.is_none_or(|t| t >= e.effective)
                {
                    errors.push(problem(format!("{k} must end before {} (set its valid_to)", e.effective)));
                }
            }
            for k in &e.to {
                if let Some(u) = self.units.get(k)
                    && !u.valid_on(e.effective)
                {
                    errors.push(problem(format!("{k} must exist on {}", e.effective)));
                }
            }
        }
        errors
    }

    fn has_parent_cycle(&self, unit: &Unit) -> bool {
        let mut seen = HashSet::new();
        let mut current = unit.parent.as_ref();
        while let Some(p) = current {
            if p == &unit.key || !seen.insert(p) {
                return true;
            }
            current = self.units.get(p).and_then(|u| u.parent.as_ref());
        }
        false
    }

    fn index(&mut self) {
        for u in self.units.values() {
            let spellings = std::iter::once(u.name.as_str())
                .chain(u.name_en.as_deref())
                .chain(u.aliases.iter().map(String::as_str));
            for spelling in spellings {
                for v in text::variants(spelling) {
                    let entry = self.names.entry(v).or_default();
                    if !entry.contains(&u.key) {
                        entry.push(u.key.clone());
                    }
                }
            }
            if let Some(code) = &u.code {
                self.codes.entry(canonical_code(code)).or_default().push(u.key.clone());
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Unit> {
        self.units.get(key)
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub fn group(&self, key: &str) -> Option<&Group> {
        self.groups.get(key)
    }

    pub fn events(&self) -> &[LineageEvent] {
        &self.events
    }

    /// Members of a group, in key order.
    pub fn members(&self, group: &GroupKey) -> Vec<&Unit> {
        self.units.values().filter(|u| u.groups.contains(group)).collect()
    }

    /// Events in which the unit takes part, in date order.
    pub fn events_of(&self, unit: &UnitKey) -> Vec<&LineageEvent> {
        self.events.iter().filter(|e| e.from.contains(unit) || e.to.contains(unit)).collect()
    }

    fn candidate(&self, key: &UnitKey) -> Option<Candidate> {
        self.units.get(key).map(|u| Candidate {
            key: u.key.clone(),
            name: u.name.clone(),
            valid_from: u.valid_from,
            valid_to: u.valid_to,
        })
    }

    /// Finds the unit a key, an official code or a name means, the way Vietnamese data
    /// spells them. With a window, only units that existed during it qualify.
    pub fn resolve(&self, input: &str, window: Option<Window>) -> Result<&Unit, ResolveError> {
        let input = input.trim();
        if let Some(u) = self.units.get(input) {
            return Ok(u);
        }
        let mut keys: Vec<&UnitKey> = Vec::new();
        if let Some(found) = self.codes.get(&canonical_code(input)) {
            keys.extend(found);
        }
        let folded = text::fold(input);
        for v in [folded.as_str(), text::strip_prefix(&folded)] {
            if let Some(found) = self.names.get(v) {
                keys.extend(found);
            }
        }
        keys.sort();
        keys.dedup();
        let all: Vec<&Unit> = keys.iter().filter_map(|k| self.units.get(*k)).collect();
        if all.is_empty() {
            return Err(ResolveError::Unknown { input: input.to_owned(), closest: self.closest(&folded, 3) });
        }
        let fitting: Vec<&Unit> = match window {
            Some(w) => all.iter().copied().filter(|u| u.existed_during(w.start, w.end)).collect(),
            None => all.clone(),
        };
        let candidates = |units: &[&Unit]| units.iter().filter_map(|u| self.candidate(&u.key)).collect();
        match fitting.as_slice() {
            [one] => Ok(one),
            [] => Err(ResolveError::NotInPeriod { input: input.to_owned(), candidates: candidates(&all) }),
            many => Err(ResolveError::Ambiguous { input: input.to_owned(), candidates: candidates(many) }),
        }
    }

    /// The units whose names are most like `folded`, best first.
    fn closest(&self, folded: &str, n: usize) -> Vec<Candidate> {
        let query = text::strip_prefix(folded);
        let mut best: HashMap<&UnitKey, f64> = HashMap::new();
        for (name, keys) in &self.names {
            let score = strsim::jaro_winkler(query, name);
            for k in keys {
                let entry = best.entry(k).or_insert(0.0);
                if score > *entry {
                    *entry = score;
                }
            }
        }
        let mut ranked: Vec<(&UnitKey, f64)> = best.into_iter().filter(|(_, s)| *s >= 0.75).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranked.into_iter().take(n).filter_map(|(k, _)| self.candidate(k)).collect()
    }

    /// The units that carry `unit`'s data on the map of `date`: the unit itself if it
    /// still exists then, otherwise what it was merged into, renamed to or split into,
    /// followed through every later event up to `date`.
    pub fn successors_on(&self, unit: &UnitKey, date: NaiveDate) -> Vec<UnitKey> {
        let mut current = vec![unit.clone()];
        for e in self.events.iter().filter(|e| e.effective <= date) {
            let mut next = Vec::new();
            for u in current {
                if e.ended().any(|x| x == &u) {
                    next.extend(e.to.iter().cloned());
                } else {
                    next.push(u);
                }
            }
            next.sort();
            next.dedup();
            current = next;
        }
        current
    }

    /// Whether `unit` reached `date` through a split (its data cannot be apportioned).
    pub fn split_before(&self, unit: &UnitKey, date: NaiveDate) -> bool {
        let mut current = vec![unit.clone()];
        for e in self.events.iter().filter(|e| e.effective <= date) {
            if e.kind == LineageKind::Split && current.iter().any(|u| e.from.contains(u)) {
                return true;
            }
            current = current
                .into_iter()
                .flat_map(|u| if e.ended().any(|x| x == &u) { e.to.clone() } else { vec![u] })
                .collect();
        }
        false
    }

    /// Units that existed during `window` and whose data belongs wholly to `target` on
    /// the map of `date` (the target itself included if it existed then).
    pub fn predecessors_during(&self, target: &UnitKey, window: Window, date: NaiveDate) -> Vec<UnitKey> {
        self.units
            .values()
            .filter(|u| u.existed_during(window.start, window.end))
            .filter(|u| self.successors_on(&u.key, date) == [target.clone()])
            .map(|u| u.key.clone())
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::unit::UnitKind;

    pub(crate) fn d(s: &str) -> NaiveDate {
        crate::period::parse_date(s).unwrap()
    }

    pub(crate) fn unit(key: &str, code: &str, name: &str, from: Option<&str>, to: Option<&str>) -> Unit {
        Unit {
            key: UnitKey::parse(key).unwrap(),
            code: (!code.is_empty()).then(|| code.to_owned()),
            name: name.to_owned(),
            name_en: None,
            kind: UnitKind::Province,
            parent: None,
            groups: vec![],
            aliases: vec![],
            valid_from: from.map(d),
            valid_to: to.map(d),
        }
    }

    pub(crate) fn event(key: &str, kind: LineageKind, date: &str, from: &[&str], to: &[&str]) -> LineageEvent {
        let keys = |v: &[&str]| v.iter().map(|k| UnitKey::parse(k).unwrap()).collect();
        LineageEvent {
            key: crate::key::EventKey::parse(key).unwrap(),
            kind,
            effective: d(date),
            from: keys(from),
            to: keys(to),
            source: None,
            note: None,
        }
    }

    /// A small piece of the 2025 map: Bắc Giang and Bắc Ninh merge into a new Bắc Ninh
    /// that takes Bắc Giang's code; Thừa Thiên Huế is renamed Huế; Hà Nội is unchanged.
    pub(crate) fn sample() -> UnitRegistry {
        let mut hcm = unit("ho-chi-minh", "79", "Thành phố Hồ Chí Minh", None, None);
        hcm.aliases = vec!["TP. HCM".to_owned()];
        let mut dn = unit("da-nang", "48", "Thành phố Đà Nẵng", None, Some("2025-06-30"));
        dn.name_en = Some("Da Nang".to_owned());
        let units = vec![
            unit("ha-noi", "01", "Thành phố Hà Nội", None, None),
            unit("bac-giang", "24", "Bắc Giang", None, Some("2025-06-30")),
            unit("bac-ninh", "27", "Bắc Ninh", None, Some("2025-06-30")),
            unit("bac-ninh-2025", "24", "Bắc Ninh", Some("2025-07-01"), None),
            unit("thua-thien-hue", "46", "Thừa Thiên Huế", None, Some("2024-12-31")),
            unit("hue", "46", "Thành phố Huế", Some("2025-01-01"), None),
            dn,
            unit("quang-nam", "49", "Quảng Nam", None, Some("2025-06-30")),
            unit("da-nang-2025", "48", "Thành phố Đà Nẵng", Some("2025-07-01"), None),
            hcm,
        ];
        let events = vec![
            event("bac-ninh-2025", LineageKind::Merge, "2025-07-01", &["bac-ninh", "bac-giang"], &["bac-ninh-2025"]),
            event("hue-2025", LineageKind::Rename, "2025-01-01", &["thua-thien-hue"], &["hue"]),
            event("da-nang-2025", LineageKind::Merge, "2025-07-01", &["da-nang", "quang-nam"], &["da-nang-2025"]),
        ];
        UnitRegistry::new(units, vec![], events).unwrap()
    }

    fn key(r: Result<&Unit, ResolveError>) -> String {
        r.map(|u| u.key.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn resolves_names_as_vietnamese_data_spells_them() {
        let reg = sample();
        let y2023 = Some(Window::from("2023".parse::<Period>().unwrap()));
        for spelling in ["TP. Đà Nẵng", "Thành phố Đà Nẵng", "Đà Nẵng", "Da Nang", "48", "da-nang"] {
            assert_eq!(key(reg.resolve(spelling, y2023)), "da-nang", "{spelling}");
        }
        for spelling in ["Thừa Thiên - Huế", "Thừa Thiên Huế", "Thừa Thiên-Huế", "46"] {
            assert_eq!(key(reg.resolve(spelling, y2023)), "thua-thien-hue", "{spelling}");
        }
        assert_eq!(key(reg.resolve("TP. HCM", None)), "ho-chi-minh");
        assert_eq!(key(reg.resolve("1", None)), "ha-noi");
    }

    #[test]
    fn a_reused_code_means_what_it_meant_at_the_time() {
        let reg = sample();
        let at = |s: &str| Some(Window::from(d(s)));
        assert_eq!(key(reg.resolve("24", at("2024-01-01"))), "bac-giang");
        assert_eq!(key(reg.resolve("24", at("2025-08-01"))), "bac-ninh-2025");
        assert_eq!(key(reg.resolve("Bắc Ninh", at("2024-01-01"))), "bac-ninh");
        assert_eq!(key(reg.resolve("Bắc Ninh", at("2026-01-01"))), "bac-ninh-2025");
    }

    #[test]
    fn ambiguous_and_unknown_names_list_candidates() {
        let reg = sample();
        let year2025 = Some(Window::from("2025".parse::<Period>().unwrap()));
        let err = reg.resolve("Bắc Ninh", year2025).unwrap_err();
        let ResolveError::Ambiguous { candidates, .. } = &err else { panic!("{err}") };
        let keys: Vec<&str> = candidates.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["bac-ninh", "bac-ninh-2025"]);
        assert!(err.to_string().contains("bac-ninh-2025"));

        let err = reg.resolve("Da Nag", None).unwrap_err();
        let ResolveError::Unknown { closest, .. } = &err else { panic!("{err}") };
        assert!(closest.iter().any(|c| c.key.as_str().starts_with("da-nang")), "{err}");

        let err = reg.resolve("Bắc Giang", Some(Window::from(d("2026-01-01")))).unwrap_err();
        assert!(matches!(err, ResolveError::NotInPeriod { .. }), "{err}");
    }

    #[test]
    fn follows_lineage_to_a_later_map() {
        let reg = sample();
        let k = |s: &str| UnitKey::parse(s).unwrap();
        let map = d("2025-07-01");
        assert_eq!(reg.successors_on(&k("bac-giang"), map), [k("bac-ninh-2025")]);
        assert_eq!(reg.successors_on(&k("thua-thien-hue"), map), [k("hue")]);
        assert_eq!(reg.successors_on(&k("ha-noi"), map), [k("ha-noi")]);
        assert_eq!(reg.successors_on(&k("bac-giang"), d("2025-06-30")), [k("bac-giang")]);
        let window = Window::from("2022".parse::<Period>().unwrap());
        assert_eq!(reg.predecessors_during(&k("bac-ninh-2025"), window, map), [k("bac-giang"), k("bac-ninh")]);
    }

    #[test]
    fn rejects_inconsistent_lineage() {
        let units = vec![
            unit("a", "1", "A", None, None),
            unit("b", "2", "B", None, Some("2025-06-30")),
            unit("c", "3", "C", Some("2025-08-01"), None),
        ];
        let events = vec![event("x", LineageKind::Merge, "2025-07-01", &["a", "b"], &["c"])];
        let errors = UnitRegistry::new(units, vec![], events).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|e| e.contains("a must end before")), "{text:?}");
        assert!(text.iter().any(|e| e.contains("c must exist on")), "{text:?}");
        let bad_shape = vec![event("y", LineageKind::Rename, "2025-07-01", &["a"], &["a"])];
        assert!(UnitRegistry::new(vec![unit("a", "", "A", None, None)], vec![], bad_shape).is_err());
    }
}
