//! Reading events as units' systems send them: a JSON array or NDJSON, each event
//! checked on its own, so that one bad line never costs the good ones.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use model::UnitKey;
use model::measure::{Channel, Event, Procedure, What, local_day};
use model::unit::Unit;
use serde::{Deserialize, Serialize};

/// An event as sent. Every field is optional here so that a missing one gets its own
/// message; fields the format does not know are refused (a misspelt `on_time` must not
/// pass as "late"). This type is also what the API documents, so the two cannot differ.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Event)]
pub struct Wire {
    /// Unique within the sending system; sending it again changes nothing.
    #[schema(required = true, nullable = false, max_length = 128)]
    event_id: Option<String>,
    /// dossier.received, dossier.processed, dossier.returned, dossier.e_result,
    /// dossier.digitised, dossier.paid, dossier.synced, feedback.received,
    /// feedback.handled, feedback.rated or portal.view.
    #[serde(rename = "type")]
    #[schema(required = true, nullable = false)]
    kind: Option<String>,
    /// The unit's key (ha-noi) or statistics code (01), resolved on the event's date.
    #[schema(required = true, nullable = false)]
    unit: Option<String>,
    /// The procedure's code; required except for portal.view.
    procedure: Option<String>,
    /// The dossier's id; required for dossier.* events.
    dossier: Option<String>,
    /// When it happened: RFC 3339 with an offset (2026-11-23T08:15:00+07:00).
    #[schema(required = true, nullable = false, format = DateTime)]
    at: Option<String>,
    /// dossier.received: online, in_person or postal.
    channel: Option<String>,
    /// dossier.received: the whole procedure runs online.
    fully_online: Option<bool>,
    /// dossier.returned and feedback.handled: within the time allowed.
    on_time: Option<bool>,
    /// feedback.rated.
    satisfied: Option<bool>,
    /// dossier.paid: the fee paid online, in đồng.
    amount: Option<i64>,
    /// portal.view: how long the page took to load, in milliseconds.
    load_ms: Option<i64>,
    /// portal.view: the page's path.
    page: Option<String>,
}

/// Why one line of a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// 1-based: the line of an NDJSON body, the item of a JSON array.
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub error: String,
}

/// Why a whole request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("the body is not a JSON array of events: {0}")]
    NotArray(String),
    #[error("the body is not UTF-8 text")]
    NotText,
    #[error("a batch holds at most {MAX_EVENTS} events; this one holds {0}")]
    TooMany(usize),
    #[error("the batch holds no event")]
    Empty,
    #[error("the gzip body cannot be read: {0}")]
    Gzip(String),
    #[error("the body inflates to more than {} MiB", MAX_INFLATED >> 20)]
    Inflates,
}

/// The most events one request may carry.
pub const MAX_EVENTS: usize = 20_000;
/// How far ahead of the server's clock an event may be dated.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;
/// The longest id, in characters.
const LONGEST_ID: usize = 128;
/// The most a gzip body may inflate to: 20.000 events of the longest ids fit in it.
pub const MAX_INFLATED: u64 = 32 * 1024 * 1024;
/// Text a sender sent, echoed in an answer, is cut to this many characters.
const ECHOED: usize = 64;
/// A reason is cut to this many characters.
const LONGEST_REASON: usize = 300;

/// `text` as echoed back: at most `ECHOED` characters, with an ellipsis if cut.
pub fn clip(text: &str) -> String {
    clip_to(text, ECHOED)
}

fn clip_to(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A gzip body inflated, refused past `MAX_INFLATED` bytes.
pub fn inflate(body: &[u8]) -> Result<Vec<u8>, BatchError> {
    use std::io::Read;
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(16 << 20));
    // Every member of the stream: a body may be several gzip members one after another.
    flate2::read::MultiGzDecoder::new(body)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| BatchError::Gzip(e.to_string()))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(BatchError::Inflates);
    }
    Ok(out)
}

/// The events of a body, each as its 1-based line (or array item) and its JSON text.
/// NDJSON lines are checked one by one later; a JSON array must parse as a whole. No
/// more than `MAX_EVENTS` are collected: past them the body is refused, however many it
/// holds.
pub fn split_body(body: &[u8], ndjson: bool) -> Result<Vec<(usize, &str)>, BatchError> {
    let text = std::str::from_utf8(body).map_err(|_| BatchError::NotText)?;
    let lines: Vec<(usize, &str)> = if ndjson {
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            if lines.len() == MAX_EVENTS {
                return Err(BatchError::TooMany(MAX_EVENTS + 1));
            }
            lines.push((i + 1, line));
        }
        lines
    } else {
        let items = serde_json::from_str::<Bounded<'_>>(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data if e.to_string().starts_with(TOO_MANY) => {
                BatchError::TooMany(MAX_EVENTS + 1)
            }
            _ => BatchError::NotArray(e.to_string()),
        })?;
        items.0.into_iter().enumerate().map(|(i, v)| (i + 1, v.get())).collect()
    };
    match lines.len() {
        0 => Err(BatchError::Empty),
        _ => Ok(lines),
    }
}

const TOO_MANY: &str = "more than the events a batch holds";

/// A JSON array of at most `MAX_EVENTS` items, each kept as its text.
struct Bounded<'a>(Vec<&'a serde_json::value::RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Bounded<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items;
        impl<'de> serde::de::Visitor<'de> for Items {
            type Value = Bounded<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON array of events")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if items.len() == MAX_EVENTS {
                        return Err(serde::de::Error::custom(TOO_MANY));
                    }
                    items.push(item);
                }
                Ok(Bounded(items))
            }
        }
        deserializer.deserialize_seq(Items)
    }
}

/// What events are checked against: the units (by key and by statistics code, which
/// is reused and so resolved on the event's date) and the procedures.
#[derive(Debug, Default)]
pub struct Catalogue {
    by_key: HashMap<String, Unit>,
    by_code: HashMap<String, Vec<Unit>>,
    procedures: HashMap<String, bool>,
}

impl Catalogue {
    pub fn new(units: impl IntoIterator<Item = Unit>, procedures: &[Procedure]) -> Self {
        let mut c = Catalogue::default();
        for u in units {
            if let Some(code) = &u.code {
                c.by_code.entry(code.clone()).or_default().push(u.clone());
            }
            c.by_key.insert(u.key.as_str().to_owned(), u);
        }
        c.procedures = procedures.iter().map(|p| (p.code.clone(), p.fee)).collect();
        c
    }

    pub fn with_fee(&self, procedure: &str) -> bool {
        self.procedures.get(procedure).copied().unwrap_or(false)
    }

    fn unit(&self, text: &str, day: NaiveDate) -> Result<UnitKey, String> {
        if let Some(u) = self.by_key.get(text) {
            return if u.valid_on(day) {
                Ok(u.key.clone())
            } else {
                Err(format!("unit '{}' did not exist on {day}", clip(text)))
            };
        }
        match self.by_code.get(text) {
            Some(units) => units
                .iter()
                .find(|u| u.valid_on(day))
                .map(|u| u.key.clone())
                .ok_or_else(|| format!("no unit had code '{}' on {day}", clip(text))),
            None => Err(format!("unknown unit '{}': send the unit's key or statistics code", clip(text))),
        }
    }

    fn procedure(&self, code: &str) -> Result<(), String> {
        if self.procedures.contains_key(code) { Ok(()) } else { Err(format!("unknown procedure '{}'", clip(code))) }
    }
}

fn id(field: &str, text: Option<String>) -> Result<String, String> {
    let text = text.ok_or_else(|| format!("{field} is missing"))?;
    if text.is_empty() || text.chars().count() > LONGEST_ID || text.chars().any(char::is_control) {
        return Err(format!("{field} must be 1 to {LONGEST_ID} characters, without control characters"));
    }
    Ok(text)
}

/// Checks one event. `now` is the server's clock, for refusing events from the future.
/// A refusal names the event's id, if it has one, and why; both cut short, since they
/// may echo what was sent.
pub fn check(text: &str, catalogue: &Catalogue, now: DateTime<Utc>) -> Result<Event, (Option<String>, String)> {
    checked(text, catalogue, now).map_err(|(id, why)| (id.as_deref().map(clip), clip_to(&why, LONGEST_REASON)))
}

fn checked(text: &str, catalogue: &Catalogue, now: DateTime<Utc>) -> Result<Event, (Option<String>, String)> {
    // The event id, to name a bad line by, is looked for only once the line is bad.
    let id_hint = || {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        v.get("event_id").and_then(|v| v.as_str()).map(str::to_owned)
    };
    let fail = |e: String| (id_hint(), e);
    let wire: Wire = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => (None, format!("not JSON: {e}")),
        _ => fail(format!("not an event: {e}")),
    })?;
    let event_id = id("event_id", wire.event_id).map_err(fail)?;
    let kind = wire.kind.ok_or_else(|| fail("type is missing".into()))?;
    let at_text = wire.at.ok_or_else(|| fail("at is missing (RFC 3339, e.g. 2026-11-23T08:15:00+07:00)".into()))?;
    let at = DateTime::parse_from_rfc3339(&at_text)
        .map_err(|e| fail(format!("at '{}' is not an RFC 3339 time with an offset: {e}", clip(&at_text))))?
        .with_timezone(&Utc);
    if at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        return Err(fail(format!("at {at_text} is in the future (the server's clock reads {now})")));
    }
    if at.date_naive() < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() {
        return Err(fail(format!("at {at_text} is before 2000")));
    }
    let unit_text = wire.unit.ok_or_else(|| fail("unit is missing".into()))?;
    let unit = catalogue.unit(&unit_text, local_day(at)).map_err(fail)?;
    let unused = |name: &str, present: bool| -> Result<(), (Option<String>, String)> {
        if present { Err(fail(format!("{name} does not apply to {kind}"))) } else { Ok(()) }
    };
    let need_bool = |name: &str, v: Option<bool>| v.ok_or_else(|| fail(format!("{kind} needs {name} (true or false)")));
    let what = match kind.as_str() {
        "dossier.received" => {
            let text = wire
                .channel
                .as_deref()
                .ok_or_else(|| fail("dossier.received needs channel: online, in_person or postal".into()))?;
            let channel = Channel::parse(text)
                .ok_or_else(|| fail(format!("channel '{}' is not online, in_person or postal", clip(text))))?;
            let fully_online = wire.fully_online.unwrap_or(false);
            if fully_online && channel != Channel::Online {
                return Err(fail("a fully-online dossier is received online".into()));
            }
            What::Received { channel, fully_online }
        }
        "dossier.processed" => What::Processed,
        "dossier.returned" => What::Returned { on_time: need_bool("on_time", wire.on_time)? },
        "dossier.e_result" => What::ElectronicResult,
        "dossier.digitised" => What::Digitised,
        "dossier.paid" => {
            let amount = wire.amount.ok_or_else(|| fail("dossier.paid needs amount (đồng)".into()))?;
            if !(0..=1_000_000_000_000).contains(&amount) {
                return Err(fail(format!("amount {amount} is not between 0 and 1.000.000.000.000 đồng")));
            }
            What::PaidOnline { amount }
        }
        "dossier.synced" => What::Synced,
        "feedback.received" => What::FeedbackReceived,
        "feedback.handled" => What::FeedbackHandled { on_time: need_bool("on_time", wire.on_time)? },
        "feedback.rated" => What::FeedbackRated { satisfied: need_bool("satisfied", wire.satisfied)? },
        "portal.view" => {
            let load_ms = wire.load_ms.ok_or_else(|| fail("portal.view needs load_ms".into()))?;
            if !(0..=model::measure::MAX_LOAD_MS).contains(&load_ms) {
                return Err(fail(format!("load_ms {load_ms} is not between 0 and 600000")));
            }
            What::PageView { load_ms }
        }
        other => {
            return Err(fail(format!(
                "unknown type '{}'; expected one of {}",
                clip(other),
                model::measure::EVENT_TYPES.join(", ")
            )));
        }
    };
    let c = what.columns();
    unused("channel", wire.channel.is_some() && c.kind != "dossier.received")?;
    unused("fully_online", wire.fully_online.is_some() && c.kind != "dossier.received")?;
    unused("on_time", wire.on_time.is_some() && !matches!(what, What::Returned { .. } | What::FeedbackHandled { .. }))?;
    unused("satisfied", wire.satisfied.is_some() && !matches!(what, What::FeedbackRated { .. }))?;
    unused("amount", wire.amount.is_some() && !matches!(what, What::PaidOnline { .. }))?;
    unused("load_ms", wire.load_ms.is_some() && !matches!(what, What::PageView { .. }))?;
    unused("page", wire.page.is_some() && !matches!(what, What::PageView { .. }))?;
    let procedure = match (wire.procedure, what) {
        (Some(p), _) => {
            catalogue.procedure(&p).map_err(fail)?;
            p
        }
        (None, What::PageView { .. }) => String::new(),
        (None, _) => return Err(fail(format!("{kind} needs procedure"))),
    };
    let dossier = match wire.dossier {
        Some(d) => Some(id("dossier", Some(d)).map_err(fail)?),
        None if what.is_dossier() => return Err(fail(format!("{kind} needs dossier"))),
        None => None,
    };
    Ok(Event { event_id, unit, procedure, dossier, at, what })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn catalogue() -> Catalogue {
        let unit = |key: &str, code: &str, from: Option<&str>, to: Option<&str>| Unit {
            key: UnitKey::parse(key).unwrap(),
            code: Some(code.into()),
            name: key.into(),
            name_en: None,
            kind: model::UnitKind::Province,
            parent: None,
            groups: vec![],
            aliases: vec![],
            valid_from: from.map(|d| d.parse().unwrap()),
            valid_to: to.map(|d| d.parse().unwrap()),
        };
        let units =
            [unit("bac-giang", "24", None, Some("2025-06-30")), unit("bac-ninh-2025", "24", Some("2025-07-01"), None)];
        let p = Procedure {
            code: "ho-tich.khai-sinh".into(),
            name: "Đăng ký khai sinh".into(),
            name_en: None,
            fee: false,
            source: None,
        };
        Catalogue::new(units, &[p])
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    fn received(at: &str) -> String {
        json!({"event_id": "e1", "type": "dossier.received", "unit": "24", "procedure": "ho-tich.khai-sinh",
               "dossier": "HS-1", "at": at, "channel": "online", "fully_online": true})
        .to_string()
    }

    #[test]
    fn a_reused_code_is_the_unit_of_the_events_date() {
        let c = catalogue();
        assert_eq!(check(&received("2025-06-30T20:00:00+07:00"), &c, now()).unwrap().unit.as_str(), "bac-giang");
        assert_eq!(check(&received("2025-07-01T08:00:00+07:00"), &c, now()).unwrap().unit.as_str(), "bac-ninh-2025");
        let e = check(&received("2026-01-05T08:00:00+07:00"), &c, now()).unwrap();
        assert_eq!(e.what, What::Received { channel: Channel::Online, fully_online: true });
    }

    #[test]
    fn each_bad_event_says_why() {
        let c = catalogue();
        let cases = [
            (
                json!({"event_id": "x", "type": "dossier.received", "unit": "24", "procedure": "ho-tich.khai-sinh", "dossier": "1", "at": "2027-01-01T00:00:00Z", "channel": "online"}),
                "in the future",
            ),
            (
                json!({"event_id": "x", "type": "dossier.received", "unit": "99", "procedure": "ho-tich.khai-sinh", "dossier": "1", "at": "2026-01-01T00:00:00Z", "channel": "online"}),
                "unknown unit '99'",
            ),
            (
                json!({"event_id": "x", "type": "dossier.received", "unit": "24", "procedure": "xay-dung", "dossier": "1", "at": "2026-01-01T00:00:00Z", "channel": "online"}),
                "unknown procedure 'xay-dung'",
            ),
            (
                json!({"event_id": "x", "type": "dossier.returned", "unit": "24", "procedure": "ho-tich.khai-sinh", "dossier": "1", "at": "2026-01-01T00:00:00Z", "ontime": true}),
                "unknown field `ontime`",
            ),
            (
                json!({"event_id": "x", "type": "dossier.returned", "unit": "24", "procedure": "ho-tich.khai-sinh", "dossier": "1", "at": "2026-01-01T00:00:00Z"}),
                "needs on_time",
            ),
            (
                json!({"event_id": "x", "type": "dossier.received", "unit": "24", "procedure": "ho-tich.khai-sinh", "dossier": "1", "at": "2026-01-01T00:00:00Z", "channel": "postal", "fully_online": true}),
                "fully-online dossier is received online",
            ),
            (
                json!({"event_id": "x", "type": "dossier.seen", "unit": "24", "at": "2026-01-01T00:00:00Z"}),
                "unknown type 'dossier.seen'",
            ),
            (
                json!({"event_id": "x", "type": "portal.view", "unit": "24", "at": "2026-01-01 08:00", "load_ms": 20}),
                "not an RFC 3339",
            ),
            (
                json!({"event_id": "x", "type": "portal.view", "unit": "24", "at": "2026-01-01T00:00:00Z", "load_ms": 20, "on_time": true}),
                "on_time does not apply",
            ),
            (
                json!({"type": "portal.view", "unit": "24", "at": "2026-01-01T00:00:00Z", "load_ms": 20}),
                "event_id is missing",
            ),
            (
                json!({"event_id": "x", "type": "dossier.processed", "unit": "24", "procedure": "ho-tich.khai-sinh", "at": "2026-01-01T00:00:00Z"}),
                "needs dossier",
            ),
            (
                json!({"event_id": "x", "type": "portal.view", "unit": "bac-giang", "at": "2026-01-01T00:00:00Z", "load_ms": 20}),
                "did not exist on 2026-01-01",
            ),
        ];
        for (value, expected) in cases {
            let (_, error) = check(&value.to_string(), &c, now()).unwrap_err();
            assert!(error.contains(expected), "{value}: '{error}' does not say '{expected}'");
        }
    }

    #[test]
    fn bodies_split_into_numbered_lines() {
        let lines = split_body(b"{\"a\":1}\n\nnot json\n{\"b\":2}\n", true).unwrap();
        assert_eq!(lines.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 3, 4]);
        let (_, error) = check(lines[1].1, &catalogue(), now()).unwrap_err();
        assert!(error.starts_with("not JSON"), "{error}");
        assert_eq!(split_body(b"[{}, {}]", false).unwrap().len(), 2);
        assert!(matches!(split_body(b"{\"a\":1}", false), Err(BatchError::NotArray(_))));
        assert_eq!(split_body(b"[]", false), Err(BatchError::Empty));
        // Past the limit a body is refused without being collected whole.
        let many = "{}\n".repeat(MAX_EVENTS + 5);
        assert_eq!(split_body(many.as_bytes(), true), Err(BatchError::TooMany(MAX_EVENTS + 1)));
        let many = format!("[{}1]", "1,".repeat(MAX_EVENTS + 5));
        assert_eq!(split_body(many.as_bytes(), false), Err(BatchError::TooMany(MAX_EVENTS + 1)));
        assert_eq!(
            split_body(format!("[{}1]", "1,".repeat(MAX_EVENTS - 1)).as_bytes(), false).unwrap().len(),
            MAX_EVENTS
        );
    }

    #[test]
    fn every_gzip_member_is_read() {
        use std::io::Write;
        let gz = |text: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let mut body = gz("a\nb\n");
        body.extend(gz("c\nd\n"));
        assert_eq!(inflate(&body).unwrap(), b"a\nb\nc\nd\n");
    }
}
