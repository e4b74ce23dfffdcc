//! How units change over time: mergers, splits and renames on an effective date.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::key::{EventKey, UnitKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineageKind {
    /// Several units become one. The receiving unit may be new, or one of the merged
    /// units that continues (a ministry absorbing another).
    Merge,
    /// One unit becomes several.
    Split,
    /// One unit continues under another name (and possibly another code).
    Rename,
}

impl LineageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineageKind::Merge => "merge",
            LineageKind::Split => "split",
            LineageKind::Rename => "rename",
        }
    }
}

impl fmt::Display for LineageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lineage kind '{0}'; expected merge, split or rename")]
pub struct UnknownLineageKind(pub String);

impl FromStr for LineageKind {
    type Err = UnknownLineageKind;
    fn from_str(s: &str) -> Result<Self, UnknownLineageKind> {
        match s.trim() {
            "merge" => Ok(LineageKind::Merge),
            "split" => Ok(LineageKind::Split),
            "rename" => Ok(LineageKind::Rename),
            other => Err(UnknownLineageKind(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageEvent {
    pub key: EventKey,
    pub kind: LineageKind,
    /// First day on which the `to` units exist in their new form.
    pub effective: NaiveDate,
    pub from: Vec<UnitKey>,
    pub to: Vec<UnitKey>,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl LineageEvent {
    /// Units that cease with this event (a merged unit that continues is not one).
    pub fn ended(&self) -> impl Iterator<Item = &UnitKey> {
        self.from.iter().filter(|u| !self.to.contains(u))
    }

    /// The shape the kind requires: a merge has one receiving unit and at least two
    /// units in all, a split one origin and several results, a rename one of each.
    pub fn shape_error(&self) -> Option<String> {
        let distinct_from = self.from.len();
        let ok = match self.kind {
            LineageKind::Merge => self.to.len() == 1 && distinct_from >= 1 && self.ended().count() >= 1,
            LineageKind::Split => distinct_from == 1 && self.to.len() >= 2,
            LineageKind::Rename => distinct_from == 1 && self.to.len() == 1 && self.from != self.to,
        };
        (!ok).then(|| match self.kind {
            LineageKind::Merge => {
                "a merge needs one receiving unit and at least one other unit merged into it".to_owned()
            }
            LineageKind::Split => "a split needs one unit in 'from' and two or more in 'to'".to_owned(),
            LineageKind::Rename => "a rename needs exactly one different unit in 'from' and in 'to'".to_owned(),
        })
    }
}
