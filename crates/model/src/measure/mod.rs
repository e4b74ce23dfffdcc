//! Automatic measurement: the events units' systems send (dossiers of administrative
//! procedures, feedback, portal page views) and the counts they roll up into.
//!
//! Every roll-up is a sum of what single events contribute, so the order events arrive
//! in does not matter: a dossier processed before its receipt was reported still counts
//! once in each, on its own date, and the totals reconcile when both have arrived.

mod counts;
mod rollup;

pub use counts::{COUNT_NAMES, Counts, RATES, Rate, Rates};
pub use rollup::{ALL_PROCEDURES, Batch, FeedDelta, LoadTimes, MAX_LOAD_MS, Rollup, RowKey};

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

impl Event {
    /// Whether `other` says the same as this event: the same thing at the same moment
    /// (to the millisecond, as stored) of the same procedure and dossier. An event sent
    /// again is the same; one whose id was reused for something else is not.
    pub fn same_as(&self, other: &Event) -> bool {
        self.unit == other.unit
            && self.event_id == other.event_id
            && self.procedure == other.procedure
            && self.dossier == other.dossier
            && self.at.timestamp_millis() == other.at.timestamp_millis()
            && self.what == other.what
    }
}

/// What storing an event came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored for the first time.
    New,
    /// Stored before, saying the same: nothing changed.
    Duplicate,
    /// Its unit and id were stored before with other content, which is kept: the sender
    /// reused an id, and needs to hear of it.
    Conflict,
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
    fn days_are_vietnamese_days() {
        let late_evening_utc = "2026-11-23T18:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_day(late_evening_utc), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            month_of(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
    }
}
