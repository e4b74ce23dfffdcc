//! dxmon's domain model: reporting units and how they change over time, periods,
//! programmes, pillars and indicators, values with their provenance and revisions,
//! targets, tasks, and the statements reports make about their figures.
//!
//! Everything here is pure: no IO, no clock, no database.

pub mod access;
pub mod collection;
pub mod dataset;
pub mod display;
pub mod indicator;
pub mod key;
pub mod lineage;
pub mod measure;
pub mod methodology;
pub mod number;
pub mod period;
pub mod registry;
pub mod remap;
pub mod source;
pub mod statement;
pub mod target;
pub mod task;
pub mod text;
pub mod unit;
pub mod value;

pub use dataset::{Dataset, NewValue, Stated};
pub use indicator::{AgencyRef, Direction, Indicator, IndicatorKind, Pillar, Programme, ProgrammeKind};
pub use key::{
    BreakdownKey, EventKey, GroupKey, IndicatorCode, KeyError, PillarKey, ProgrammeKey, RegimeKey, SourceKey, TaskKey,
    TaskListKey, UnitKey,
};
pub use lineage::{LineageEvent, LineageKind};
pub use period::{Period, PeriodKind};
pub use registry::{ResolveError, UnitRegistry, Window};
pub use source::{DateOrPeriod, SourceDoc};
pub use statement::{Breakdown, BreakdownPart, Qualifier, StatedChange};
pub use target::{Comparator, Scope, Target};
pub use task::{Task, TaskList, TaskStatus};
pub use unit::{Group, Unit, UnitKind};
pub use value::{Datum, Provenance, ValueRecord};

/// Language of labels and messages: Vietnamese first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// The text in this language: the English one where there is one, else the
    /// Vietnamese.
    pub fn pick<'a>(self, vi: &'a str, en: Option<&'a str>) -> &'a str {
        match self {
            Lang::En => en.unwrap_or(vi),
            Lang::Vi => vi,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}'; expected vi or en")),
        }
    }
}
