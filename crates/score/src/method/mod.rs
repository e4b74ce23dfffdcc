//! A methodology checked and prepared for scoring: every component bound to its
//! indicator's column, formulas parsed, the order in which formulas can be evaluated.
//! `compile` refuses a methodology whose points do not add up, whose grade bands
//! overlap or leave gaps, whose components read unknown indicators or indicators of the
//! wrong kind, or whose formulas depend on each other in a cycle.

mod compute;
mod formula;
#[cfg(test)]
mod tests;
mod validate;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

pub(crate) use compute::round as compute_round;
pub use compute::{Cell, CompScore, Part, Status, Table, UnitScore};
use model::methodology::{Methodology, RankMode, Step};
use model::{Direction, IndicatorCode, IndicatorKind};

/// What compiling needs to know about an indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorInfo {
    pub kind: IndicatorKind,
    pub direction: Direction,
    pub categories: Vec<String>,
}

impl From<&model::Indicator> for IndicatorInfo {
    fn from(i: &model::Indicator) -> Self {
        IndicatorInfo { kind: i.kind, direction: i.direction, categories: i.categories.clone() }
    }
}

/// A problem in a methodology, with where in its tree it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodError {
    /// "pillars[1] (activity) › indexes[0] (gov) › components[3] (gov.c4)"; empty for
    /// the methodology as a whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Where a formula variable reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarRef {
    Slot(usize),
    Component(usize),
}

pub(crate) enum CRule {
    Rate(f64),
    Target(f64),
    Steps(Vec<Step>),
    YesNo,
    Categories(HashMap<String, f64>),
    Rank(RankMode),
    Formula(formula::Formula),
}

pub(crate) struct CComp {
    pub key: String,
    pub name: String,
    pub max: f64,
    pub slot: Option<usize>,
    pub lower_better: bool,
    pub rule: CRule,
}

pub(crate) struct CIndex {
    pub key: String,
    pub name: String,
    pub comps: Range<usize>,
    pub max: f64,
}

pub(crate) struct CPillar {
    pub key: String,
    pub name: String,
    pub indexes: Range<usize>,
}

pub struct Compiled {
    pub method: Methodology,
    /// The indicators the methodology reads, in order of first use: a table's columns.
    pub slots: Vec<IndicatorCode>,
    pub(crate) comps: Vec<CComp>,
    pub(crate) indexes: Vec<CIndex>,
    pub(crate) pillars: Vec<CPillar>,
    pub(crate) views: Vec<(String, String, Vec<usize>)>,
    /// Components in an order where each formula comes after what it reads.
    pub(crate) order: Vec<usize>,
}

impl Compiled {
    /// Components as (key, name, max points), in tree order.
    pub fn components(&self) -> impl Iterator<Item = (&str, &str, f64)> {
        self.comps.iter().map(|c| (c.key.as_str(), c.name.as_str(), c.max))
    }

    /// Main indexes as (key, name), in tree order.
    pub fn indexes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.indexes.iter().map(|i| (i.key.as_str(), i.name.as_str()))
    }

    /// Main index of each component, by position.
    pub fn index_of_component(&self, component: usize) -> Option<usize> {
        self.indexes.iter().position(|i| i.comps.contains(&component))
    }

    pub fn pillars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pillars.iter().map(|p| (p.key.as_str(), p.name.as_str()))
    }

    pub fn views(&self) -> impl Iterator<Item = (&str, &str)> {
        self.views.iter().map(|(k, n, _)| (k.as_str(), n.as_str()))
    }

    /// The column of an indicator in a table, if the methodology reads it.
    pub fn slot(&self, indicator: &str) -> Option<usize> {
        self.slots.iter().position(|s| s.as_str() == indicator)
    }
}

/// Checks a methodology and prepares it for scoring. `indicator` tells what is known of
/// an indicator code; all problems are returned together.
pub fn compile(
    method: &Methodology,
    indicator: &dyn Fn(&str) -> Option<IndicatorInfo>,
) -> Result<Compiled, Vec<MethodError>> {
    validate::compile(method, indicator)
}
