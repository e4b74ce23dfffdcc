//! Index methodologies as data: a tree of pillars, main indexes and components with
//! their maximum points, each component scoring an indicator by a rule, and the grade
//! bands that points fall into. The files are read by `dataset::methodology`; checked,
//! prepared and computed by `score::method`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::key::{GroupKey, IndicatorCode};
use crate::period::Period;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    /// Stable identifier, the same across versions ("dti-province").
    pub id: String,
    pub version: String,
    pub name: String,
    pub name_en: Option<String>,
    /// The first and last periods (years) the version applies to.
    pub applies_from: Period,
    pub applies_to: Option<Period>,
    /// The group ranked by default.
    pub population: Option<GroupKey>,
    /// Total points; the index value is points ÷ this.
    pub max: f64,
    #[serde(default)]
    pub missing: MissingPolicy,
    /// Decimals of published index values (the DTI publishes four).
    #[serde(default = "default_decimals")]
    pub decimals: u32,
    pub source: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub grades: Vec<GradeBand>,
    pub pillars: Vec<MPillar>,
    /// Other groupings of main indexes reported alongside (the DTI's three pillars).
    #[serde(default)]
    pub views: Vec<View>,
}

fn default_decimals() -> u32 {
    4
}

/// What a component without data counts as. Whatever the policy, the result says which
/// components were missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// No points, the maximum still counts.
    #[default]
    Zero,
    /// Left out: neither points nor maximum count.
    Exclude,
    /// The mean points of the units that have the data.
    Impute,
}

impl MissingPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingPolicy::Zero => "zero",
            MissingPolicy::Exclude => "exclude",
            MissingPolicy::Impute => "impute",
        }
    }
}

/// A grade for points in `[min, max)`; the top band includes its `max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub label: String,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MPillar {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub max: Option<f64>,
    pub indexes: Vec<MainIndex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MainIndex {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub max: Option<f64>,
    #[serde(default)]
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub max: f64,
    /// The indicator scored; a formula reads its own variables instead.
    pub indicator: Option<IndicatorCode>,
    pub rule: Rule,
    pub note: Option<String>,
}

/// How a component turns its indicator's value into points (out of its `max`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Points in proportion to a rate, full at `full` (100 for a percentage) and capped
    /// there: max × min(value ÷ full, 1).
    Rate {
        #[serde(default = "hundred")]
        full: f64,
    },
    /// Points in proportion to reaching a target: max × min(value ÷ target, 1), or
    /// target ÷ value for indicators where lower is better.
    Target { target: f64 },
    /// The points of the first step reached, the highest first.
    Steps { steps: Vec<Step> },
    /// Full points for yes, none for no.
    YesNo,
    /// Points per category (a grade, a role).
    Categories { points: BTreeMap<String, f64> },
    /// Relative to the best unit of the population, which gets full points.
    Rank {
        #[serde(default)]
        mode: RankMode,
    },
    /// An expression over named variables, each an indicator (`indicator:CODE`) or
    /// another component's points (`component:KEY`); the result is the points, kept
    /// within 0 and max. `max` is available as a variable.
    Formula { expr: String, vars: BTreeMap<String, String> },
}

fn hundred() -> f64 {
    100.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankMode {
    /// max × value ÷ best (best ÷ value where lower is better).
    #[default]
    Relative,
    /// max × (n − rank + 1) ÷ n.
    Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The threshold: reached when the value is at least this (at most, where lower is
    /// better).
    pub at: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    /// Main index keys whose points and maxima add up to the view.
    pub indexes: Vec<String>,
}

impl Methodology {
    /// Whether the version applies to a period (by its year).
    pub fn applies_to_period(&self, period: Period) -> bool {
        self.applies_from.start() <= period.start() && self.applies_to.is_none_or(|to| period.end() <= to.end())
    }

    /// The grade of a number of points.
    pub fn grade(&self, points: f64) -> Option<&GradeBand> {
        let top = self.grades.iter().map(|g| g.max).fold(f64::NEG_INFINITY, f64::max);
        self.grades.iter().find(|g| g.min <= points && (points < g.max || (g.max == top && points <= g.max)))
    }

    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.pillars.iter().flat_map(|p| p.indexes.iter()).flat_map(|i| i.components.iter())
    }
}
