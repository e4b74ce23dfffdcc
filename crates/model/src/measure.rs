//! Automatic measurement: the events units' systems send (dossiers of administrative
//! procedures, feedback, portal page views) and the counts they roll up into.
//!
//! Every roll-up is a sum of what single events contribute, so the order events arrive
//! in does not matter: a dossier processed before its receipt was reported still counts
//! once in each, on its own date, and the totals reconcile when both have arrived.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::key::UnitKey;

/// Days and months are Vietnamese calendar days (UTC+7), as the units count them.
pub const LOCAL_OFFSET_SECONDS: i32 = 7 * 3600;

/// The day an instant falls on in Vietnam.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::seconds(i64::from(LOCAL_OFFSET_SECONDS))).date_naive()
}

/// The first day of the month `day` is in.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// How a dossier was handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    InPerson,
    Postal,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::InPerson => "in_person",
            Channel::Postal => "postal",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Online, Channel::InPerson, Channel::Postal].into_iter().find(|c| c.as_str() == s)
    }
}

/// What happened. The names are the `type` field of the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// A dossier was received, through a channel; fully online means the whole
    /// procedure, payment and result included, runs online.
    Received {
        channel: Channel,
        fully_online: bool,
    },
    Processed,
    /// The result was returned to the applicant, on time or late.
    Returned {
        on_time: bool,
    },
    /// The result was issued electronically.
    ElectronicResult,
    Digitised,
    /// The fee was paid online, in đồng.
    PaidOnline {
        amount: i64,
    },
    /// The dossier was synchronised to the national public-service portal.
    Synced,
    FeedbackReceived,
    FeedbackHandled {
        on_time: bool,
    },
    FeedbackRated {
        satisfied: bool,
    },
    /// A portal page was viewed; how long it took to load.
    PageView {
        load_ms: i64,
    },
}

/// The `type` names, in the order the documentation lists them.
pub const EVENT_TYPES: [&str; 11] = [
    "dossier.received",
    "dossier.processed",
    "dossier.returned",
    "dossier.e_result",
    "dossier.digitised",
    "dossier.paid",
    "dossier.synced",
    "feedback.received",
    "feedback.handled",
    "feedback.rated",
    "portal.view",
];

/// How an event is kept in a row: its type, a text detail, a flag and a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub kind: &'static str,
    pub detail: Option<&'static str>,
    pub flag: Option<bool>,
    pub number: Option<i64>,
}

impl What {
    pub fn type_name(self) -> &'static str {
        self.columns().kind
    }

    /// Whether the event belongs to a dossier, and so names a procedure and a dossier.
    pub fn is_dossier(self) -> bool {
        self.type_name().starts_with("dossier.")
    }

    pub fn columns(self) -> Columns {
        let c = |kind, detail, flag, number| Columns { kind, detail, flag, number };
        match self {
            What::Received { channel, fully_online } => {
                c("dossier.received", Some(channel.as_str()), Some(fully_online), None)
            }
            What::Processed => c("dossier.processed", None, None, None),
            What::Returned { on_time } => c("dossier.returned", None, Some(on_time), None),
            What::ElectronicResult => c("dossier.e_result", None, None, None),
            What::Digitised => c("dossier.digitised", None, None, None),
            What::PaidOnline { amount } => c("dossier.paid", None, None, Some(amount)),
            What::Synced => c("dossier.synced", None, None, None),
            What::FeedbackReceived => c("feedback.received", None, None, None),
            What::FeedbackHandled { on_time } => c("feedback.handled", None, Some(on_time), None),
            What::FeedbackRated { satisfied } => c("feedback.rated", None, Some(satisfied), None),
            What::PageView { load_ms } => c("portal.view", None, None, Some(load_ms)),
        }
    }

    /// The event back from its row; `None` if the row is not one `columns` wrote.
    pub fn from_columns(kind: &str, detail: Option<&str>, flag: Option<bool>, number: Option<i64>) -> Option<What> {
        Some(match kind {
            "dossier.received" => {
                What::Received { channel: Channel::parse(detail?)?, fully_online: flag.unwrap_or(false) }
            }
            "dossier.processed" => What::Processed,
            "dossier.returned" => What::Returned { on_time: flag? },
            "dossier.e_result" => What::ElectronicResult,
            "dossier.digitised" => What::Digitised,
            "dossier.paid" => What::PaidOnline { amount: number? },
            "dossier.synced" => What::Synced,
            "feedback.received" => What::FeedbackReceived,
            "feedback.handled" => What::FeedbackHandled { on_time: flag? },
            "feedback.rated" => What::FeedbackRated { satisfied: flag? },
            "portal.view" => What::PageView { load_ms: number? },
            _ => return None,
        })
    }
}

/// An administrative procedure units' systems report dossiers of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    /// Whether the procedure carries a fee, and so can be paid online.
    pub fee: bool,
    pub source: Option<String>,
}

/// Whether `code` can be a procedure code: letters, digits, '.', '-' and '_', at most 64.
pub fn valid_procedure_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// One event, checked: its unit resolved, its procedure known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique within the unit's system; sending it again changes nothing.
    pub event_id: String,
    pub unit: UnitKey,
    /// The procedure's code; empty for a page view that belongs to no procedure.
    pub procedure: String,
    pub dossier: Option<String>,
    pub at: DateTime<Utc>,
    pub what: What,
}

/// What a set of events adds up to, for one unit, procedure and day or month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: i64,
    pub received_online: i64,
    pub received_in_person: i64,
    pub received_postal: i64,
    pub fully_online: i64,
    /// Received dossiers of procedures that carry a fee: what online payment is a share of.
    pub received_with_fee: i64,
    pub processed: i64,
    pub on_time: i64,
    pub late: i64,
    pub e_result: i64,
    pub digitised: i64,
    pub paid_online: i64,
    pub paid_amount: i64,
    pub synced: i64,
    pub feedback_received: i64,
    pub feedback_on_time: i64,
    pub feedback_late: i64,
    pub feedback_satisfied: i64,
    pub feedback_unsatisfied: i64,
    pub page_views: i64,
}

/// The counters' names, as the store's columns and the API's fields spell them.
pub const COUNT_NAMES: [&str; 20] = [
    "received",
    "received_online",
    "received_in_person",
    "received_postal",
    "fully_online",
    "received_with_fee",
    "processed",
    "on_time",
    "late",
    "e_result",
    "digitised",
    "paid_online",
    "paid_amount",
    "synced",
    "feedback_received",
    "feedback_on_time",
    "feedback_late",
    "feedback_satisfied",
    "feedback_unsatisfied",
    "page_views",
];

impl Counts {
    /// Adds one event; `with_fee` says whether its procedure carries a fee.
    pub fn add(&mut self, what: What, with_fee: bool) {
        self.count(what, with_fee, 1);
    }

    /// Takes back what `add` added.
    pub fn remove(&mut self, what: What, with_fee: bool) {
        self.count(what, with_fee, -1);
    }

    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|n| *n == 0)
    }

    fn count(&mut self, what: What, with_fee: bool, one: i64) {
        match what {
            What::Received { channel, fully_online } => {
                self.received += one;
                match channel {
                    Channel::Online => self.received_online += one,
                    Channel::InPerson => self.received_in_person += one,
                    Channel::Postal => self.received_postal += one,
                }
                self.fully_online += one * i64::from(fully_online);
                self.received_with_fee += one * i64::from(with_fee);
            }
            What::Processed => self.processed += one,
            What::Returned { on_time: true } => self.on_time += one,
            What::Returned { on_time: false } => self.late += one,
            What::ElectronicResult => self.e_result += one,
            What::Digitised => self.digitised += one,
            What::PaidOnline { amount } => {
                self.paid_online += one;
                self.paid_amount += one * amount;
            }
            What::Synced => self.synced += one,
            What::FeedbackReceived => self.feedback_received += one,
            What::FeedbackHandled { on_time: true } => self.feedback_on_time += one,
            What::FeedbackHandled { on_time: false } => self.feedback_late += one,
            What::FeedbackRated { satisfied: true } => self.feedback_satisfied += one,
            What::FeedbackRated { satisfied: false } => self.feedback_unsatisfied += one,
            What::PageView { .. } => self.page_views += one,
        }
    }

    pub fn to_array(&self) -> [i64; 20] {
        [
            self.received,
            self.received_online,
            self.received_in_person,
            self.received_postal,
            self.fully_online,
            self.received_with_fee,
            self.processed,
            self.on_time,
            self.late,
            self.e_result,
            self.digitised,
            self.paid_online,
            self.paid_amount,
            self.synced,
            self.feedback_received,
            self.feedback_on_time,
            self.feedback_late,
            self.feedback_satisfied,
            self.feedback_unsatisfied,
            self.page_views,
        ]
    }

    pub fn from_array(a: [i64; 20]) -> Counts {
        let [
            received,
            received_online,
            received_in_person,
            received_postal,
            fully_online,
            received_with_fee,
            processed,
            on_time,
            late,
            e_result,
            digitised,
            paid_online,
            paid_amount,
            synced,
            feedback_received,
            feedback_on_time,
            feedback_late,
            feedback_satisfied,
            feedback_unsatisfied,
            page_views,
        ] = a;
        Counts {
            received,
            received_online,
            received_in_person,
            received_postal,
            fully_online,
            received_with_fee,
            processed,
            on_time,
            late,
            e_result,
            digitised,
            paid_online,
            paid_amount,
            synced,
            feedback_received,
            feedback_on_time,
            feedback_late,
            feedback_satisfied,
            feedback_unsatisfied,
            page_views,
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        let mut a = self.to_array();
        for (x, y) in a.iter_mut().zip(other.to_array()) {
            *x += y;
        }
        *self = Counts::from_array(a);
    }

    /// Each measured indicator with the part and the whole it is the share of.
    pub fn shares(&self) -> [(&'static str, i64, i64); 9] {
        let returned = self.on_time + self.late;
        [
            ("service.online_dossier_rate", self.received_online, self.received),
            ("service.fully_online_dossier_rate", self.fully_online, self.received),
            ("service.on_time_rate", self.on_time, returned),
            ("service.digitised_rate", self.digitised, self.received),
            ("service.e_result_rate", self.e_result, returned),
            ("service.online_payment_rate", self.paid_online, self.received_with_fee),
            ("service.dossier_sync_rate", self.synced, self.received),
            ("service.feedback_on_time_rate", self.feedback_on_time, self.feedback_on_time + self.feedback_late),
            (
                "service.feedback_satisfaction_rate",
                self.feedback_satisfied,
                self.feedback_satisfied + self.feedback_unsatisfied,
            ),
        ]
    }

    /// The measured rates, in percent; a rate whose base is zero is not measured.
    pub fn rates(&self) -> Rates {
        let pct = |part: i64, whole: i64| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
        Rates {
            online_dossier_rate: pct(self.received_online, self.received),
            fully_online_rate: pct(self.fully_online, self.received),
            on_time_rate: pct(self.on_time, self.on_time + self.late),
            digitised_rate: pct(self.digitised, self.received),
            e_result_rate: pct(self.e_result, self.on_time + self.late),
            online_payment_rate: pct(self.paid_online, self.received_with_fee),
            sync_rate: pct(self.synced, self.received),
            feedback_on_time_rate: pct(self.feedback_on_time, self.feedback_on_time + self.feedback_late),
            feedback_satisfaction_rate: pct(
                self.feedback_satisfied,
                self.feedback_satisfied + self.feedback_unsatisfied,
            ),
        }
    }
}

/// Rates in percent, each `None` when nothing it is a share of has happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub online_dossier_rate: Option<f64>,
    pub fully_online_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub digitised_rate: Option<f64>,
    pub e_result_rate: Option<f64>,
    pub online_payment_rate: Option<f64>,
    pub sync_rate: Option<f64>,
    pub feedback_on_time_rate: Option<f64>,
    pub feedback_satisfaction_rate: Option<f64>,
}

impl Rates {
    /// Each rate with the indicator it is a measured value of.
    pub fn by_indicator(&self) -> [(&'static str, Option<f64>); 9] {
        [
            ("service.online_dossier_rate", self.online_dossier_rate),
            ("service.fully_online_dossier_rate", self.fully_online_rate),
            ("service.on_time_rate", self.on_time_rate),
            ("service.digitised_rate", self.digitised_rate),
            ("service.e_result_rate", self.e_result_rate),
            ("service.online_payment_rate", self.online_payment_rate),
            ("service.dossier_sync_rate", self.sync_rate),
            ("service.feedback_on_time_rate", self.feedback_on_time_rate),
            ("service.feedback_satisfaction_rate", self.feedback_satisfaction_rate),
        ]
    }
}

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
        let mut kept = 0;
        for (k, i) in order.iter().enumerate() {
            let repeat = k > 0 && {
                let prev = &sent[order[k - 1]];
                prev.unit == sent[*i].unit && prev.event_id == sent[*i].event_id
            };
            if !repeat {
                places[*i] = Some(kept);
                keep[*i] = true;
                kept += 1;
            }
        }
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
        Batch { events, places, rollup }
    }
}

/// When a unit's system counts as connected: it has sent within this many hours.
pub const CONNECTED_WITHIN_HOURS: i64 = 24;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_survives_its_row() {
        let all = [
            What::Received { channel: Channel::Postal, fully_online: false },
            What::Received { channel: Channel::Online, fully_online: true },
            What::Processed,
            What::Returned { on_time: false },
            What::ElectronicResult,
            What::Digitised,
            What::PaidOnline { amount: 50_000 },
            What::Synced,
            What::FeedbackReceived,
            What::FeedbackHandled { on_time: true },
            What::FeedbackRated { satisfied: false },
            What::PageView { load_ms: 812 },
        ];
        for w in all {
            let c = w.columns();
            assert_eq!(What::from_columns(c.kind, c.detail, c.flag, c.number), Some(w));
            assert!(EVENT_TYPES.contains(&c.kind));
        }
    }

    #[test]
    fn rates_are_shares_of_their_own_base() {
        let mut c = Counts::default();
        c.add(What::Received { channel: Channel::Online, fully_online: true }, true);
        c.add(What::Received { channel: Channel::InPerson, fully_online: false }, false);
        c.add(What::Returned { on_time: true }, false);
        c.add(What::Returned { on_time: true }, false);
        c.add(What::Returned { on_time: false }, false);
        c.add(What::ElectronicResult, false);
        c.add(What::PaidOnline { amount: 30_000 }, false);
        let r = c.rates();
        assert_eq!(r.online_dossier_rate, Some(50.0));
        assert_eq!(r.fully_online_rate, Some(50.0));
        assert!((r.on_time_rate.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert!((r.e_result_rate.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.online_payment_rate, Some(100.0));
        assert_eq!(r.feedback_on_time_rate, None, "no feedback handled: not measured, not zero");
        assert_eq!(c.paid_amount, 30_000);
    }

    #[test]
    fn counts_add_up_in_any_order() {
        let events = [What::Processed, What::Received { channel: Channel::Postal, fully_online: false }, What::Synced];
        let mut forward = Counts::default();
        events.iter().for_each(|w| forward.add(*w, false));
        let mut backward = Counts::default();
        events.iter().rev().for_each(|w| backward.add(*w, false));
        assert_eq!(forward, backward);
        let mut merged = Counts::default();
        merged.merge(&forward);
        merged.merge(&backward);
        assert_eq!(Counts::from_array(merged.to_array()), merged);
        assert_eq!(merged.received, 2);
    }

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

    #[test]
    fn days_are_vietnamese_days() {
        let late_evening_utc = "2026-11-23T18:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_day(late_evening_utc), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            month_of(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
    }
}
