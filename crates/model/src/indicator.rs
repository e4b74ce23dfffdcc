//! Programmes (and the yearly plans that set targets), their pillars, and indicators.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::key::{GroupKey, IndicatorCode, PillarKey, ProgrammeKey, UnitKey};
use crate::period::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// A standing programme or strategy with its pillars (the national DX programme).
    Programme,
    /// A yearly plan that sets targets (the Committee's plan for 2023).
    Plan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub key: ProgrammeKey,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: ProgrammeKind,
    /// The period the programme or plan runs to (2025 for the national programme).
    pub period: Option<Period>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pillar {
    pub key: PillarKey,
    pub programme: ProgrammeKey,
    pub name: String,
    pub name_en: Option<String>,
    pub ordinal: i64,
}

/// What an indicator measures, which decides how its values are checked and how they
/// re-aggregate when units merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// numerator / denominator; re-aggregates by summing both.
    Ratio,
    /// A percentage stated without its parts.
    Percentage,
    /// A number of things; adds up.
    Count,
    /// A sum of money; adds up.
    Amount,
    YesNo,
    /// The date something was achieved.
    Date,
    /// A composite index such as the DTI (0..1); does not add.
    Index,
    /// A position in a ranking (1 is first).
    Rank,
    /// A grade or other label from a fixed list (A-E).
    Category,
    /// Any other quantity, signed: a change of rank, a speed, an average; does not add.
    Number,
}

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 10] = [
        IndicatorKind::Ratio,
        IndicatorKind::Percentage,
        IndicatorKind::Count,
        IndicatorKind::Amount,
        IndicatorKind::YesNo,
        IndicatorKind::Date,
        IndicatorKind::Index,
        IndicatorKind::Rank,
        IndicatorKind::Category,
        IndicatorKind::Number,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Ratio => "ratio",
            IndicatorKind::Percentage => "percentage",
            IndicatorKind::Count => "count",
            IndicatorKind::Amount => "amount",
            IndicatorKind::YesNo => "yes_no",
            IndicatorKind::Date => "date",
            IndicatorKind::Index => "index",
            IndicatorKind::Rank => "rank",
            IndicatorKind::Category => "category",
            IndicatorKind::Number => "number",
        }
    }

    pub fn is_numeric(self) -> bool {
        !matches!(self, IndicatorKind::YesNo | IndicatorKind::Date | IndicatorKind::Category)
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown indicator kind '{0}'; expected ratio, percentage, count, amount, yes_no, date, index, rank, category or number"
)]
pub struct UnknownIndicatorKind(pub String);

impl FromStr for IndicatorKind {
    type Err = UnknownIndicatorKind;
    fn from_str(s: &str) -> Result<Self, UnknownIndicatorKind> {
        let s = s.trim();
        IndicatorKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownIndicatorKind(s.to_owned()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Monitored, not judged (the number of information systems).
    Neutral,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neutral => "neutral",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown direction '{0}'; expected higher, lower or neutral")]
pub struct UnknownDirection(pub String);

impl FromStr for Direction {
    type Err = UnknownDirection;
    fn from_str(s: &str) -> Result<Self, UnknownDirection> {
        match s.trim() {
            "higher" => Ok(Direction::HigherIsBetter),
            "lower" => Ok(Direction::LowerIsBetter),
            "neutral" => Ok(Direction::Neutral),
            other => Err(UnknownDirection(other.to_owned())),
        }
    }
}

/// A responsible agency: one unit, or every unit of a group ("bộ, ngành, địa phương").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyRef {
    Unit(UnitKey),
    Group(GroupKey),
}

impl fmt::Display for AgencyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgencyRef::Unit(u) => write!(f, "{u}"),
            AgencyRef::Group(g) => write!(f, "group:{g}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub pillar: PillarKey,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: IndicatorKind,
    /// Unit of measure as printed: "%", "doanh nghiệp", "triệu giao dịch", "tỷ đồng".
    pub unit_of_measure: String,
    pub direction: Direction,
    pub lead: Vec<AgencyRef>,
    pub co: Vec<AgencyRef>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// For ratios: whether the numerator may not exceed the denominator.
    pub numerator_le_denominator: bool,
    /// For categories: the allowed labels, best first.
    pub categories: Vec<String>,
    /// Indicators that add up to this one for the same unit and period.
    pub parts: Vec<IndicatorCode>,
    pub description: Option<String>,
}

/// Scaled units of measure ("triệu", "nghìn", "tỷ") allow fractional counts.
const SCALED_UNITS: &[&str] = &["triệu", "nghìn", "ngàn", "tỷ", "million", "thousand", "billion"];

impl Indicator {
    /// How a ratio's numerator/denominator turns into its stated value.
    pub fn ratio_multiplier(&self) -> Decimal {
        if self.unit_of_measure.trim() == "%" { Decimal::ONE_HUNDRED } else { Decimal::ONE }
    }

    /// Whether counts must be whole numbers (counts of things, not of millions of things).
    pub fn whole_counts(&self) -> bool {
        self.kind == IndicatorKind::Count
            && !SCALED_UNITS.iter().any(|s| self.unit_of_measure.to_lowercase().starts_with(s))
    }

    pub fn name_in(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Vi => &self.name,
            crate::Lang::En => self.name_en.as_deref().unwrap_or(&self.name),
        }
    }
}
