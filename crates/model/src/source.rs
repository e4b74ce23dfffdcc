//! Source documents that figures are cited from, and dates that are known only to the
//! month or quarter ("Tháng 6", "Quý II").

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::key::SourceKey;
use crate::period::{Period, PeriodError, parse_date};

/// A day, or a period when only the month, quarter or year is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DateOrPeriod {
    Date(NaiveDate),
    Period(Period),
}

impl DateOrPeriod {
    /// The earliest day it can mean.
    pub fn start(&self) -> NaiveDate {
        match self {
            DateOrPeriod::Date(d) => *d,
            DateOrPeriod::Period(p) => p.start(),
        }
    }

    /// The latest day it can mean (a deadline of "June" runs to 30 June).
    pub fn end(&self) -> NaiveDate {
        match self {
            DateOrPeriod::Date(d) => *d,
            DateOrPeriod::Period(p) => p.end(),
        }
    }
}

impl FromStr for DateOrPeriod {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, PeriodError> {
        match s.parse::<Period>() {
            Ok(p) => Ok(DateOrPeriod::Period(p)),
            Err(_) => parse_date(s).map(DateOrPeriod::Date),
        }
    }
}

impl fmt::Display for DateOrPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateOrPeriod::Date(d) => write!(f, "{d}"),
            DateOrPeriod::Period(p) => write!(f, "{p}"),
        }
    }
}

impl TryFrom<String> for DateOrPeriod {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, PeriodError> {
        s.parse()
    }
}

impl From<DateOrPeriod> for String {
    fn from(d: DateOrPeriod) -> String {
        d.to_string()
    }
}

/// A published document that figures are taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDoc {
    pub key: SourceKey,
    pub title: String,
    pub title_en: Option<String>,
    pub issued: Option<DateOrPeriod>,
    pub publisher: Option<String>,
    /// File name or address of the document.
    pub file: Option<String>,
}

impl SourceDoc {
    /// Whether two documents were issued in the same month, so that differing figures in
    /// them are concurrent statements rather than a later correction.
    pub fn concurrent_with(&self, other: &SourceDoc) -> bool {
        match (self.issued, other.issued) {
            (Some(a), Some(b)) => {
                let month = |d: NaiveDate| Period::of_kind_containing(crate::period::PeriodKind::Month, d);
                month(a.start()) == month(b.start())
            }
            _ => false,
        }
    }
}

/// The document named by a source reference: its first word ("seed-001 §I.5" ->
/// "seed-001").
pub fn document_of(reference: &str) -> Option<&str> {
    reference.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_or_period_bounds() {
        let june: DateOrPeriod = "2024-06".parse().unwrap();
        assert_eq!(june.end().to_string(), "2024-06-30");
        let day: DateOrPeriod = "15/4/2024".parse().unwrap();
        assert_eq!(day.to_string(), "2024-04-15");
        assert!("Tháng 6".parse::<DateOrPeriod>().is_err());
        assert_eq!(document_of("seed-001 §I.5"), Some("seed-001"));
    }
}
