//! Roll-ups: what a set of events adds to the stored counters, histograms and feeds.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Counts, Event, What, local_day, month_of};
use crate::key::UnitKey;

/// Page load times as a mergeable histogram (HDR, two significant digits, 1 ms to 10
/// minutes). The store keeps its buckets as rows, so several servers add to them exactly.
#[derive(Debug, Clone)]
pub struct LoadTimes(Option<hdrhistogram::Histogram<u64>>);

/// The longest load time kept; longer ones count as this.
pub const MAX_LOAD_MS: i64 = 600_000;

impl Default for LoadTimes {
    fn default() -> Self {
        LoadTimes(hdrhistogram::Histogram::new_with_bounds(1, MAX_LOAD_MS as u64, 2).ok())
    }
}

impl LoadTimes {
    /// The bucket a load time falls in: the lowest value the histogram does not tell
    /// apart from it.
    pub fn bucket(&self, ms: i64) -> i64 {
        let ms = ms.clamp(1, MAX_LOAD_MS) as u64;
        self.0.as_ref().map_or(ms, |h| h.lowest_equivalent(ms)) as i64
    }

    pub fn add(&mut self, bucket: i64, views: i64) {
        if let Some(h) = self.0.as_mut() {
            let _ = h.record_n(bucket.clamp(1, MAX_LOAD_MS) as u64, views.max(0) as u64);
        }
    }

    pub fn views(&self) -> u64 {
        self.0.as_ref().map_or(0, |h| h.len())
    }

    /// The load time `q` (0..1) of views were at most, in milliseconds.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        let h = self.0.as_ref().filter(|h| !h.is_empty())?;
        Some(h.highest_equivalent(h.value_at_quantile(q)) as i64)
    }
}

/// A unit's system: how many events it sent and the latest moment they speak of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedDelta {
    pub events: i64,
    pub last_event_at_ms: i64,
}

/// What a set of new events adds to the stored roll-ups. Units and procedures are
/// numbered as they come, so that adding an event allocates nothing.
#[derive(Debug, Default)]
pub struct Rollup {
    units: Vec<UnitKey>,
    unit_numbers: HashMap<String, u32>,
    procedures: Vec<String>,
    procedure_numbers: HashMap<String, u32>,
    days: HashMap<(u32, u32, NaiveDate), Counts>,
    /// By month (its first day); procedure `ALL` is the unit's total.
    months: HashMap<(u32, u32, NaiveDate), Counts>,
    loads: HashMap<(u32, NaiveDate, i64), i64>,
    feeds: HashMap<u32, FeedDelta>,
    buckets: LoadTimes,
}

/// The procedure of a unit's total row in the monthly roll-up.
pub const ALL_PROCEDURES: &str = "*";
const ALL: u32 = u32::MAX;

/// A roll-up row's key: unit, procedure and day (or month).
pub type RowKey = (UnitKey, String, NaiveDate);

impl Rollup {
    fn unit_number(&mut self, unit: &UnitKey) -> u32 {
        if let Some(n) = self.unit_numbers.get(unit.as_str()) {
            return *n;
        }
        let n = self.units.len() as u32;
        self.units.push(unit.clone());
        self.unit_numbers.insert(unit.as_str().to_owned(), n);
        n
    }

    fn procedure_number(&mut self, procedure: &str) -> u32 {
        if let Some(n) = self.procedure_numbers.get(procedure) {
            return *n;
        }
        let n = self.procedures.len() as u32;
        self.procedures.push(procedure.to_owned());
        self.procedure_numbers.insert(procedure.to_owned(), n);
        n
    }

    pub fn add(&mut self, e: &Event, with_fee: bool) {
        self.count(e, with_fee, 1);
    }

    /// Takes back an event `add` added (one that turned out to be stored already). The
    /// latest moment of the unit's feed stays: the event was stored before, so the
    /// stored latest moment is no earlier than it.
    pub fn remove(&mut self, e: &Event, with_fee: bool) {
        self.count(e, with_fee, -1);
    }

    fn count(&mut self, e: &Event, with_fee: bool, one: i64) {
        let day = local_day(e.at);
        let month = month_of(day);
        let (u, p) = (self.unit_number(&e.unit), self.procedure_number(&e.procedure));
        let apply = |counts: &mut Counts| {
            if one > 0 { counts.add(e.what, with_fee) } else { counts.remove(e.what, with_fee) }
        };
        apply(self.days.entry((u, p, day)).or_default());
        apply(self.months.entry((u, p, month)).or_default());
        apply(self.months.entry((u, ALL, month)).or_default());
        if let What::PageView { load_ms } = e.what {
            let bucket = self.buckets.bucket(load_ms);
            *self.loads.entry((u, day, bucket)).or_default() += one;
        }
        let feed = self.feeds.entry(u).or_default();
        feed.events += one;
        feed.last_event_at_ms = feed.last_event_at_ms.max(e.at.timestamp_millis());
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &Rollup) {
        let unit = |n: u32| &other.units[n as usize];
        let procedure = |n: u32| if n == ALL { None } else { Some(other.procedures[n as usize].as_str()) };
        for (from, to) in [(&other.days, false), (&other.months, true)] {
            for ((u, p, d), c) in from {
                let u = self.unit_number(unit(*u));
                let p = match procedure(*p) {
                    Some(name) => self.procedure_number(name),
                    None => ALL,
                };
                let map = if to { &mut self.months } else { &mut self.days };
                map.entry((u, p, *d)).or_default().merge(c);
            }
        }
        for ((u, d, b), n) in &other.loads {
            let u = self.unit_number(unit(*u));
            *self.loads.entry((u, *d, *b)).or_default() += n;
        }
        for (u, f) in &other.feeds {
            let u = self.unit_number(unit(*u));
            let feed = self.feeds.entry(u).or_default();
            feed.events += f.events;
            feed.last_event_at_ms = feed.last_event_at_ms.max(f.last_event_at_ms);
        }
    }

    /// Whether it adds nothing.
    pub fn is_empty(&self) -> bool {
        self.feeds.values().all(|f| f.events == 0)
    }

    fn procedure_name(&self, p: u32) -> String {
        if p == ALL { ALL_PROCEDURES.to_owned() } else { self.procedures[p as usize].clone() }
    }

    fn rows(&self, map: &HashMap<(u32, u32, NaiveDate), Counts>) -> Vec<(RowKey, Counts)> {
        let mut v: Vec<(RowKey, Counts)> = map
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|((u, p, d), c)| ((self.units[*u as usize].clone(), self.procedure_name(*p), *d), *c))
            .collect();
        // Key order, so that concurrent writers take row locks in one order.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Per unit, procedure and day, in key order.
    pub fn days(&self) -> Vec<(RowKey, Counts)> {
        self.rows(&self.days)
    }

    /// Per unit, procedure (and `*` for all) and month, in key order.
    pub fn months(&self) -> Vec<(RowKey, Counts)> {
        self.rows(&self.months)
    }

    /// Page views per unit, day and load-time bucket, in key order.
    pub fn loads(&self) -> Vec<((UnitKey, NaiveDate, i64), i64)> {
        let mut v: Vec<_> = self
            .loads
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((u, d, b), n)| ((self.units[*u as usize].clone(), *d, *b), *n))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    pub fn feeds(&self) -> Vec<(UnitKey, FeedDelta)> {
        let mut v: Vec<_> = self
            .feeds
            .iter()
            .filter(|(_, f)| f.events != 0)
            .map(|(u, f)| (self.units[*u as usize].clone(), *f))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

/// One request's events made ready for the store: each event once, in key order
/// (unit, event id), with the roll-up of all of them. Made where the request is read,
/// so that the store's single writer only has to take back the few that it finds
/// stored already.
#[derive(Debug, Default)]
pub struct Batch {
    pub events: Vec<Event>,
    /// For each event as sent, its place in `events`; `None` for a repeat within the
    /// request.
    pub places: Vec<Option<usize>>,
    /// The events as sent (by index) that repeat an earlier one of the request with
    /// other content, each with the place in `events` of the one kept (the first sent):
    /// these are conflicts.
    pub conflicting: Vec<(usize, usize)>,
    pub rollup: Rollup,
}

impl Batch {
    pub fn new(sent: Vec<Event>, with_fee: &dyn Fn(&str) -> bool) -> Batch {
        let mut order: Vec<usize> = (0..sent.len()).collect();
        order.sort_by(|a, b| {
            (sent[*a].unit.as_str(), &sent[*a].event_id, *a).cmp(&(sent[*b].unit.as_str(), &sent[*b].event_id, *b))
        });
        let mut places = vec![None; sent.len()];
        let mut keep = vec![false; sent.len()];
        let mut conflicting = Vec::new();
        let mut kept = 0;
        // The first of each run of one key, in the order sent: the one kept.
        let mut first = 0;
        for (k, i) in order.iter().enumerate() {
            let repeat = k > 0 && {
                let prev = &sent[order[k - 1]];
                prev.unit == sent[*i].unit && prev.event_id == sent[*i].event_id
            };
            if repeat {
                if !sent[*i].same_as(&sent[first]) {
                    conflicting.push((*i, kept - 1));
                }
            } else {
                places[*i] = Some(kept);
                keep[*i] = true;
                kept += 1;
                first = *i;
            }
        }
        conflicting.sort_unstable();
        let mut slots: Vec<Option<Event>> = sent.into_iter().map(Some).collect();
        let mut events = Vec::with_capacity(kept);
        let mut rollup = Rollup::default();
        for i in order {
            if keep[i]
                && let Some(e) = slots[i].take()
            {
                rollup.add(&e, with_fee(&e.procedure));
                events.push(e);
            }
        }
        Batch { events, places, conflicting, rollup }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    #[test]
    fn load_time_quantiles_come_back_from_buckets() {
        let mut rollup = Rollup::default();
        let unit = UnitKey::parse("ha-noi").unwrap();
        for (i, ms) in (1..=1000).enumerate() {
            let at = "2026-11-23T03:00:00Z".parse::<DateTime<Utc>>().unwrap();
            let e = Event {
                event_id: i.to_string(),
                unit: unit.clone(),
                procedure: String::new(),
                dossier: None,
                at,
                what: What::PageView { load_ms: ms },
            };
            rollup.add(&e, false);
        }
        let mut times = LoadTimes::default();
        for ((_, _, bucket), views) in rollup.loads() {
            times.add(bucket, views);
        }
        assert_eq!(times.views(), 1000);
        let p50 = times.quantile(0.5).unwrap();
        let p99 = times.quantile(0.99).unwrap();
        assert!((495..=505).contains(&p50), "p50 {p50}");
        assert!((985..=1000).contains(&p99), "p99 {p99}");
        let month_key = (unit, ALL_PROCEDURES.to_owned(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        let month = rollup.months().into_iter().find(|(k, _)| *k == month_key).map(|(_, c)| c);
        assert_eq!(month.map(|c| c.page_views), Some(1000));
        // Taking every event back leaves nothing to store.
        let mut undo = Rollup::default();
        undo.merge(&rollup);
        for (i, ms) in (1..=1000).enumerate() {
            let at = "2026-11-23T03:00:00Z".parse::<DateTime<Utc>>().unwrap();
            let unit = UnitKey::parse("ha-noi").unwrap();
            let e = Event {
                event_id: i.to_string(),
                unit,
                procedure: String::new(),
                dossier: None,
                at,
                what: What::PageView { load_ms: ms },
            };
            undo.remove(&e, false);
        }
        assert!(undo.is_empty() && undo.days().is_empty() && undo.loads().is_empty());
    }
}
