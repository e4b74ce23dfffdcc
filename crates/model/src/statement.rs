//! Statements that reports make about figures and that can be checked against each
//! other: a total and its parts ("107 tasks: 44 for ministries, 63 for provinces"),
//! and a change between two periods ("up 28.999, +71,9%", "more than 4,8 times").

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::key::{BreakdownKey, GroupKey, IndicatorCode, UnitKey};
use crate::period::Period;

/// A stated total and the parts a report divides it into. Parts may name the units
/// they count; then each unit may appear in one part only, and with a population the
/// parts must cover exactly the population's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub key: BreakdownKey,
    pub title: String,
    pub title_en: Option<String>,
    pub period: Option<Period>,
    pub unit_of_measure: Option<String>,
    pub total: Option<Decimal>,
    /// The group whose members the parts divide among themselves.
    pub population: Option<GroupKey>,
    /// A category indicator whose values for `period` say which part each unit is in;
    /// then the stated part counts are checked against the stored values.
    pub indicator: Option<IndicatorCode>,
    pub parts: Vec<BreakdownPart>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakdownPart {
    pub label: String,
    pub value: Option<Decimal>,
    /// The part's stated share of the total, in percent.
    pub share: Option<Decimal>,
    pub members: Vec<UnitKey>,
}

/// How a change is qualified in the text: exactly, "more than" (hơn, trên) or about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    MoreThan,
    About,
}

impl Qualifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::MoreThan => "more_than",
            Qualifier::About => "about",
        }
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown qualifier '{0}'; expected exact, more_than or about")]
pub struct UnknownQualifier(pub String);

impl FromStr for Qualifier {
    type Err = UnknownQualifier;
    fn from_str(s: &str) -> Result<Self, UnknownQualifier> {
        match s.trim() {
            "" | "exact" => Ok(Qualifier::Exact),
            "more_than" => Ok(Qualifier::MoreThan),
            "about" => Ok(Qualifier::About),
            other => Err(UnknownQualifier(other.to_owned())),
        }
    }
}

/// A stated change of an indicator for a unit from one period to another. The earlier
/// value may be stored, or follow from the later one and the stated increase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedChange {
    pub indicator: IndicatorCode,
    pub unit: UnitKey,
    pub from: Period,
    pub to: Period,
    /// Increase in the indicator's unit of measure.
    pub absolute: Option<Decimal>,
    /// Increase in percent of the earlier value.
    pub percent: Option<Decimal>,
    /// Later value as a multiple of the earlier one ("gấp 4,8 lần").
    pub multiple: Option<Decimal>,
    pub qualifier: Qualifier,
    pub source: Option<String>,
    pub note: Option<String>,
}
