//! Targets: what an indicator must reach by the end of a period, nationally or for each
//! unit of a group.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::key::{GroupKey, IndicatorCode, ProgrammeKey, UnitKey};
use crate::period::Period;
use crate::value::Datum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "=")]
    Eq,
    /// The achievement date must be on or before the target date.
    #[serde(rename = "by")]
    ByDate,
}

impl Comparator {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
            Comparator::Eq => "=",
            Comparator::ByDate => "by",
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown comparator '{0}'; expected >=, >, <=, <, = or by")]
pub struct UnknownComparator(pub String);

impl FromStr for Comparator {
    type Err = UnknownComparator;
    fn from_str(s: &str) -> Result<Self, UnknownComparator> {
        match s.trim() {
            ">=" | "≥" => Ok(Comparator::Ge),
            ">" => Ok(Comparator::Gt),
            "<=" | "≤" => Ok(Comparator::Le),
            "<" => Ok(Comparator::Lt),
            "=" | "==" => Ok(Comparator::Eq),
            "by" | "by_date" => Ok(Comparator::ByDate),
            other => Err(UnknownComparator(other.to_owned())),
        }
    }
}

/// Who a target applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One unit; a national target is the nation unit's.
    Unit(UnitKey),
    /// Every member of a group must reach it.
    EachOf(GroupKey),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Unit(u) => write!(f, "{u}"),
            Scope::EachOf(g) => write!(f, "group:{g}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorCode,
    /// The plan or programme that set the target.
    pub programme: ProgrammeKey,
    pub period: Period,
    pub scope: Scope,
    pub comparator: Comparator,
    /// A number, or for `by`, the date.
    pub value: Datum,
    /// The target as the plan words it ("Trên 50%", "Quý I/2023").
    pub label: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}
