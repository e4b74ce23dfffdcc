//! A seeded generator of the events units' systems would send: dossiers in proportion
//! to the people a unit serves, through the working day and the week, each with its
//! life (received, digitised, paid, synchronised, processed, returned, result issued),
//! some feedback, portal page views; and the faults of real feeds: a share of events
//! sent twice, and a share sent late, so that some arrive out of order.
//!
//! The same seed and settings give the same events, which is what lets the benchmark
//! and the crash test compare the store's totals with the generator's.

mod population;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use model::measure::{Channel, Event, Procedure, What, local_day};
use model::unit::Unit;
use model::{LineageEvent, UnitKey, UnitKind};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use population::{MINISTRY_WEIGHT, PROVINCES_2023};

/// How much and how messy.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub seed: u64,
    /// Dossiers per day per thousand people served (about 1 in reality).
    pub scale: f64,
    /// Share of events sent a second time.
    pub duplicate_share: f64,
    /// Share of events sent late (up to two days), out of order with the rest.
    pub late_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { seed: 1, scale: 1.0, duplicate_share: 0.02, late_share: 0.03 }
    }
}

/// How well one unit serves: the chance of each step of a dossier's life.
#[derive(Debug, Clone, Copy)]
struct Profile {
    online: f64,
    fully_online: f64,
    digitised: f64,
    synced: f64,
    paid_online: f64,
    on_time: f64,
    e_result: f64,
    satisfied: f64,
    load_median_ms: f64,
}

struct Source {
    unit: UnitKey,
    /// Thousands of people served.
    weight: f64,
    profile: Profile,
}

/// The generator. `advance` hands out, in the order a feed would send them, the events
/// due up to a moment.
pub struct Simulator {
    sources: Vec<Source>,
    procedures: Vec<(String, bool, f64)>,
    rng: ChaCha8Rng,
    settings: Settings,
    clock: DateTime<Utc>,
    /// Events waiting for their moment to be sent: (send at, sequence) → event.
    pending: BinaryHeap<Reverse<(i64, u64)>>,
    waiting: HashMap<u64, Event>,
    sequence: u64,
}

/// People served by each unit valid on `start`: provinces by population (merged
/// provinces by the sum of theirs), ministries by a fixed weight.
fn weights(units: &[Unit], lineage: &[LineageEvent]) -> HashMap<String, f64> {
    let mut w: HashMap<String, f64> = PROVINCES_2023.iter().map(|(k, p)| ((*k).to_owned(), f64::from(*p))).collect();
    let mut events: Vec<&LineageEvent> = lineage.iter().collect();
    events.sort_by_key(|e| e.effective);
    for e in events {
        let total: f64 = e.from.iter().filter_map(|f| w.get(f.as_str())).sum();
        if total > 0.0 && !e.to.is_empty() {
            let share = total / e.to.len() as f64;
            for t in &e.to {
                w.entry(t.as_str().to_owned()).or_insert(share);
            }
        }
    }
    for u in units {
        if matches!(u.kind, UnitKind::Ministry) {
            w.entry(u.key.as_str().to_owned()).or_insert(f64::from(MINISTRY_WEIGHT));
        }
    }
    w
}

/// Share of a day's dossiers in each hour, Vietnamese time: office hours with a lunch
/// break, and a little online in the evening and night.
const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 4.0, 9.0, 10.0, 9.5, 6.0, 2.0, 4.0, 9.0, 9.5, 8.0, 4.0, 1.5, 1.2, 1.0, 0.8, 0.5,
    0.3,
];
/// Weekday factors, Monday first.
const WEEK: [f64; 7] = [1.15, 1.05, 1.0, 1.0, 1.1, 0.35, 0.1];

impl Simulator {
    /// A simulator for the provinces and ministries valid at `start`, sending from `start`.
    pub fn new(
        units: &[Unit],
        lineage: &[LineageEvent],
        procedures: &[Procedure],
        settings: Settings,
        start: DateTime<Utc>,
    ) -> Simulator {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        let weights = weights(units, lineage);
        let day = local_day(start);
        let mut sources: Vec<Source> = units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Province | UnitKind::Ministry) && u.valid_on(day))
            .filter_map(|u| weights.get(u.key.as_str()).map(|w| (u.key.clone(), *w)))
            .map(|(unit, weight)| {
                let mut between = |lo: f64, hi: f64| lo + (hi - lo) * rng.random::<f64>();
                let profile = Profile {
                    online: between(0.25, 0.9),
                    fully_online: between(0.3, 0.8),
                    digitised: between(0.4, 0.95),
                    synced: between(0.75, 0.99),
                    paid_online: between(0.2, 0.8),
                    on_time: between(0.85, 0.995),
                    e_result: between(0.3, 0.9),
                    satisfied: between(0.7, 0.97),
                    load_median_ms: between(400.0, 2500.0),
                };
                Source { unit, weight, profile }
            })
            .collect();
        sources.sort_by(|a, b| a.unit.cmp(&b.unit));
        let procedures = procedures
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), p.fee, 1.0 / ((i + 1) as f64).powf(0.7)))
            .collect();
        Simulator {
            sources,
            procedures,
            rng,
            settings,
            clock: start,
            pending: BinaryHeap::new(),
            waiting: HashMap::new(),
            sequence: 0,
        }
    }

    pub fn units(&self) -> Vec<UnitKey> {
        self.sources.iter().map(|s| s.unit.clone()).collect()
    }

    pub fn clock(&self) -> DateTime<Utc> {
        self.clock
    }

    /// Every event due to be sent before `until`, in the order it is sent; the clock
    /// moves to `until`.
    pub fn advance(&mut self, until: DateTime<Utc>) -> Vec<Event> {
        let mut out = Vec::new();
        while self.clock < until {
            let minute_end = (self.clock + Duration::minutes(1)).min(until);
            self.generate(self.clock, minute_end);
            self.clock = minute_end;
            self.release(minute_end, &mut out);
        }
        out
    }

    fn release(&mut self, until: DateTime<Utc>, out: &mut Vec<Event>) {
        let limit = until.timestamp_millis();
        while let Some(Reverse((at, seq))) = self.pending.peek().copied() {
            if at >= limit {
                break;
            }
            self.pending.pop();
            if let Some(e) = self.waiting.remove(&seq) {
                out.push(e);
            }
        }
    }

    /// Dossiers received in [from, to) and everything that follows from them.
    fn generate(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        let local = from + Duration::hours(7);
        let hour_share = HOURS[local.hour() as usize] / HOURS.iter().sum::<f64>();
        let week = WEEK[local.weekday().num_days_from_monday() as usize];
        let minutes = (to - from).num_milliseconds() as f64 / 60_000.0;
        for s in 0..self.sources.len() {
            let mean = self.sources[s].weight * self.settings.scale * week * hour_share / 60.0 * minutes;
            let whole = mean.floor();
            let n = whole as u64 + u64::from(self.rng.random::<f64>() < mean - whole);
            for _ in 0..n {
                let span = (to - from).num_milliseconds().max(1);
                let at = from + Duration::milliseconds(self.rng.random_range(0..span));
                self.dossier(s, at);
            }
        }
    }

    fn pick_procedure(&mut self) -> (String, bool) {
        let total: f64 = self.procedures.iter().map(|p| p.2).sum();
        let mut x = self.rng.random::<f64>() * total;
        for (code, fee, w) in &self.procedures {
            if x < *w {
                return (code.clone(), *fee);
            }
            x -= w;
        }
        self.procedures.last().map(|p| (p.0.clone(), p.1)).unwrap_or_default()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    fn later(&mut self, at: DateTime<Utc>, min_minutes: i64, max_minutes: i64) -> DateTime<Utc> {
        at + Duration::seconds(self.rng.random_range(min_minutes * 60..=max_minutes * 60))
    }

    fn dossier(&mut self, s: usize, at: DateTime<Utc>) {
        let p = self.sources[s].profile;
        let unit = self.sources[s].unit.clone();
        let (procedure, fee) = self.pick_procedure();
        self.sequence += 1;
        let dossier = format!("{}-HS{:010}", unit.as_str(), self.sequence);
        let online = self.chance(p.online);
        let channel = if online {
            Channel::Online
        } else if self.chance(0.9) {
            Channel::InPerson
        } else {
            Channel::Postal
        };
        let fully_online = online && self.chance(p.fully_online);
        let mut life = vec![(at, What::Received { channel, fully_online })];
        if self.chance(p.digitised) {
            life.push((self.later(at, 0, 120), What::Digitised));
        }
        if self.chance(p.synced) {
            life.push((self.later(at, 1, 30), What::Synced));
        }
        if fee && self.chance(if online { p.paid_online } else { p.paid_online * 0.2 }) {
            let amount = [20_000, 50_000, 100_000, 200_000, 500_000][self.rng.random_range(0..5)];
            life.push((self.later(at, 0, 60), What::PaidOnline { amount }));
        }
        let processed = self.later(at, 60, 3 * 24 * 60);
        life.push((processed, What::Processed));
        let returned = self.later(processed, 10, 2 * 24 * 60);
        life.push((returned, What::Returned { on_time: self.chance(p.on_time) }));
        if self.chance(p.e_result) {
            life.push((returned, What::ElectronicResult));
        }
        for (k, (when, what)) in life.into_iter().enumerate() {
            self.schedule(Event {
                event_id: format!("{}-{k}", dossier),
                unit: unit.clone(),
                procedure: procedure.clone(),
                dossier: Some(dossier.clone()),
                at: when,
                what,
            });
        }
        if self.chance(0.01) {
            let received = self.later(at, 60, 5 * 24 * 60);
            let handled = self.later(received, 60, 10 * 24 * 60);
            let feedback = [
                (received, What::FeedbackReceived),
                (handled, What::FeedbackHandled { on_time: self.chance(0.9) }),
                (handled, What::FeedbackRated { satisfied: self.chance(p.satisfied) }),
            ];
            for (k, (when, what)) in feedback.into_iter().enumerate() {
                self.schedule(Event {
                    event_id: format!("{dossier}-pakn-{k}"),
                    unit: unit.clone(),
                    procedure: procedure.clone(),
                    dossier: None,
                    at: when,
                    what,
                });
            }
        }
        for k in 0..self.rng.random_range(1..=5) {
            let when = self.later(at, 0, 10);
            let load_ms = self.load_time(p.load_median_ms);
            let on_procedure = self.chance(0.5);
            self.schedule(Event {
                event_id: format!("{dossier}-view-{k}"),
                unit: unit.clone(),
                procedure: if on_procedure { procedure.clone() } else { String::new() },
                dossier: None,
                at: when,
                what: What::PageView { load_ms },
            });
        }
    }

    /// Log-normal around the unit's median: most pages load near it, a few far slower.
    fn load_time(&mut self, median: f64) -> i64 {
        let (u1, u2): (f64, f64) = (self.rng.random::<f64>().max(1e-12), self.rng.random());
        let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (median * (0.5 * normal).exp()).clamp(1.0, model::measure::MAX_LOAD_MS as f64) as i64
    }

    fn schedule(&mut self, e: Event) {
        let mut send = e.at;
        if self.chance(self.settings.late_share) {
            send = self.later(send, 1, 2 * 24 * 60);
        }
        if self.chance(self.settings.duplicate_share) {
            let again = self.later(send, 0, 6 * 60);
            self.push(again, e.clone());
        }
        self.push(send, e);
    }

    fn push(&mut self, at: DateTime<Utc>, e: Event) {
        self.sequence += 1;
        self.pending.push(Reverse((at.timestamp_millis(), self.sequence)));
        self.waiting.insert(self.sequence, e);
    }
}

/// An event in the wire format `POST /api/v1/events` reads, as one NDJSON line.
pub fn to_json(e: &Event) -> String {
    let mut v = serde_json::json!({
        "event_id": e.event_id,
        "type": e.what.type_name(),
        "unit": e.unit.as_str(),
        "at": e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    });
    let serde_json::Value::Object(fields) = &mut v else { return v.to_string() };
    if !e.procedure.is_empty() {
        fields.insert("procedure".into(), e.procedure.clone().into());
    }
    if let Some(d) = &e.dossier {
        fields.insert("dossier".into(), d.clone().into());
    }
    match e.what {
        What::Received { channel, fully_online } => {
            fields.insert("channel".into(), channel.as_str().into());
            fields.insert("fully_online".into(), fully_online.into());
        }
        What::Returned { on_time } | What::FeedbackHandled { on_time } => {
            fields.insert("on_time".into(), on_time.into());
        }
        What::FeedbackRated { satisfied } => {
            fields.insert("satisfied".into(), satisfied.into());
        }
        What::PaidOnline { amount } => {
            fields.insert("amount".into(), amount.into());
        }
        What::PageView { load_ms } => {
            fields.insert("load_ms".into(), load_ms.into());
        }
        _ => {}
    }
    v.to_string()
}

/// What the generator's events add up to, each counted once: the truth a store's
/// roll-ups must equal.
pub fn expected(events: &[Event], with_fee: &dyn Fn(&str) -> bool) -> model::measure::Rollup {
    let mut seen = std::collections::HashSet::new();
    let mut rollup = model::measure::Rollup::default();
    for e in events {
        if seen.insert((e.unit.clone(), e.event_id.clone())) {
            rollup.add(e, with_fee(&e.procedure));
        }
    }
    rollup
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::measure::intake::{Catalogue, check};

    fn units() -> Vec<Unit> {
        let u = |key: &str, code: &str, kind| Unit {
            key: UnitKey::parse(key).unwrap(),
            code: Some(code.into()),
            name: key.into(),
            name_en: None,
            kind,
            parent: None,
            groups: vec![],
            aliases: vec![],
            valid_from: None,
            valid_to: None,
        };
        vec![
            u("ha-noi", "01", UnitKind::Province),
            u("cao-bang", "04", UnitKind::Province),
            u("bo-tu-phap", "", UnitKind::Ministry),
        ]
    }

    fn procedures() -> Vec<Procedure> {
        ["ho-tich.khai-sinh", "chung-thuc.ban-sao"]
            .iter()
            .enumerate()
            .map(|(i, c)| Procedure { code: (*c).into(), name: (*c).into(), name_en: None, fee: i == 1, source: None })
            .collect()
    }

    fn run(seed: u64) -> Vec<Event> {
        let start: DateTime<Utc> = "2026-11-02T00:00:00Z".parse().unwrap();
        let mut sim =
            Simulator::new(&units(), &[], &procedures(), Settings { seed, scale: 0.2, ..Settings::default() }, start);
        sim.advance(start + Duration::days(7))
    }

    #[test]
    fn the_same_seed_gives_the_same_events() {
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
    }

    #[test]
    fn volume_follows_population_and_the_working_week() {
        let events = run(3);
        let received = |unit: &str| {
            events.iter().filter(|e| e.unit.as_str() == unit && matches!(e.what, What::Received { .. })).count()
        };
        let (hanoi, cao_bang) = (received("ha-noi") as f64, received("cao-bang") as f64);
        let ratio = hanoi / cao_bang;
        assert!((12.0..20.0).contains(&ratio), "Hà Nội {hanoi} vs Cao Bằng {cao_bang}: {ratio}");
        let on = |weekday: u32| {
            events
                .iter()
                .filter(|e| matches!(e.what, What::Received { .. }))
                .filter(|e| local_day(e.at).weekday().num_days_from_monday() == weekday)
                .count()
        };
        assert!(on(0) > 5 * on(6), "Monday {} vs Sunday {}", on(0), on(6));
    }

    #[test]
    fn feeds_are_messy_and_every_event_passes_the_check() {
        let events = run(5);
        let unique: std::collections::HashSet<_> = events.iter().map(|e| (&e.unit, &e.event_id)).collect();
        let duplicates = events.len() - unique.len();
        assert!(duplicates > events.len() / 100, "{duplicates} duplicates in {}", events.len());
        let out_of_order = events.windows(2).filter(|w| w[1].at < w[0].at - Duration::hours(1)).count();
        assert!(out_of_order > 0);
        let catalogue = Catalogue::new(units(), &procedures());
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        for e in events.iter().take(5000) {
            assert_eq!(&check(&to_json(e), &catalogue, now).unwrap(), e);
        }
    }
}
