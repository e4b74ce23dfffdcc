//! A set of records of every kind: what one imported file holds once checked, and what
//! an export writes out.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::indicator::{Indicator, Pillar, Programme};
use crate::key::{IndicatorCode, UnitKey};
use crate::lineage::LineageEvent;
use crate::methodology::Methodology;
use crate::period::Period;
use crate::source::SourceDoc;
use crate::statement::{Breakdown, StatedChange};
use crate::target::Target;
use crate::task::{Task, TaskList};
use crate::unit::{Group, Unit};
use crate::value::{Datum, Provenance, ValueRecord};

/// A value to store. Without a revision it becomes the next revision of its indicator,
/// unit and period; with one (from an export) it is stored as that revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewValue {
    pub indicator: IndicatorCode,
    pub unit: UnitKey,
    pub period: Period,
    pub value: Datum,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
    pub provenance: Provenance,
    pub source: Option<String>,
    pub note: Option<String>,
    pub revision: Option<u32>,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// What a value states, in the text it is stored as. Storing a value that states what
/// the latest revision states changes nothing; any difference makes a new revision.
/// Text rather than numbers: "52.80" states a precision that "52.8" does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    pub value: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub provenance: String,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl NewValue {
    pub fn statement(&self) -> Stated {
        Stated {
            value: self.value.to_text(),
            numerator: self.numerator.map(|x| x.to_string()),
            denominator: self.denominator.map(|x| x.to_string()),
            provenance: self.provenance.as_str().to_owned(),
            source: self.source.clone(),
            note: self.note.clone(),
        }
    }
}

impl From<ValueRecord> for NewValue {
    fn from(v: ValueRecord) -> Self {
        NewValue {
            indicator: v.indicator,
            unit: v.unit,
            period: v.period,
            value: v.value,
            numerator: v.numerator,
            denominator: v.denominator,
            provenance: v.provenance,
            source: v.source,
            note: v.note,
            revision: Some(v.revision),
            recorded_at: Some(v.recorded_at),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub sources: Vec<SourceDoc>,
    pub groups: Vec<Group>,
    pub units: Vec<Unit>,
    pub lineage: Vec<LineageEvent>,
    pub programmes: Vec<Programme>,
    pub pillars: Vec<Pillar>,
    pub indicators: Vec<Indicator>,
    pub methodologies: Vec<Methodology>,
    pub values: Vec<NewValue>,
    pub targets: Vec<Target>,
    pub task_lists: Vec<TaskList>,
    pub regimes: Vec<crate::collection::Regime>,
    #[serde(default)]
    pub procedures: Vec<crate::measure::Procedure>,
    pub tasks: Vec<Task>,
    pub breakdowns: Vec<Breakdown>,
    pub changes: Vec<StatedChange>,
}

impl Dataset {
    /// Number of records of each kind, by the kind's plural name, skipping empty kinds.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        [
            ("sources", self.sources.len()),
            ("groups", self.groups.len()),
            ("units", self.units.len()),
            ("lineage", self.lineage.len()),
            ("programmes", self.programmes.len()),
            ("pillars", self.pillars.len()),
            ("indicators", self.indicators.len()),
            ("methodologies", self.methodologies.len()),
            ("values", self.values.len()),
            ("targets", self.targets.len()),
            ("task_lists", self.task_lists.len()),
            ("regimes", self.regimes.len()),
            ("procedures", self.procedures.len()),
            ("tasks", self.tasks.len()),
            ("breakdowns", self.breakdowns.len()),
            ("changes", self.changes.len()),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.counts().is_empty()
    }
}
