//! Scoring units: points per component, main index, pillar and view, the index value
//! (points ÷ maximum, rounded as published) and the grade. Missing data is handled as
//! the methodology says and always reported.

use std::collections::HashMap;

use model::UnitKey;
use model::methodology::{MissingPolicy, RankMode};

use super::{CComp, CRule, Compiled, VarRef};

/// One input value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(f64),
    Bool(bool),
    Cat(String),
}

/// Values of the methodology's indicators for a set of units: one row per unit, one
/// column per `Compiled::slots` entry.
#[derive(Debug, Clone)]
pub struct Table {
    pub units: Vec<UnitKey>,
    width: usize,
    cells: Vec<Option<Cell>>,
}

impl Table {
    pub fn new(units: Vec<UnitKey>, width: usize) -> Self {
        let cells = vec![None; units.len() * width];
        Table { units, width, cells }
    }

    pub fn set(&mut self, row: usize, slot: usize, cell: Cell) {
        if slot < self.width
            && let Some(c) = self.cells.get_mut(row * self.width + slot)
        {
            *c = Some(cell);
        }
    }

    pub fn get(&self, row: usize, slot: usize) -> Option<&Cell> {
        if slot >= self.width {
            return None;
        }
        self.cells.get(row * self.width + slot).and_then(Option::as_ref)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Scored,
    /// No data; counted as zero.
    Missing,
    /// No data; given the mean points of the units that have it.
    Imputed,
    /// No data; left out of both points and maximum.
    Excluded,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CompScore {
    pub points: f64,
    pub status: Status,
}

/// Points out of a maximum.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Part {
    pub points: f64,
    pub max: f64,
}

impl Part {
    /// points ÷ max, 0 when nothing counts.
    pub fn value(&self) -> f64 {
        if self.max > 0.0 { self.points / self.max } else { 0.0 }
    }

    fn add(&mut self, other: Part) {
        self.points += other.points;
        self.max += other.max;
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitScore {
    pub unit: UnitKey,
    /// In tree order.
    pub components: Vec<CompScore>,
    pub indexes: Vec<Part>,
    pub pillars: Vec<Part>,
    pub views: Vec<Part>,
    pub total: Part,
    /// total points ÷ total maximum, rounded to the methodology's decimals.
    pub value: f64,
    pub grade: Option<String>,
}

impl UnitScore {
    /// Keys of the components without data.
    pub fn gaps<'a>(&self, compiled: &'a Compiled) -> Vec<&'a str> {
        self.components
            .iter()
            .zip(&compiled.comps)
            .filter(|(s, _)| s.status != Status::Scored)
            .map(|(_, c)| c.key.as_str())
            .collect()
    }
}

pub(crate) fn round(x: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (x * f).round() / f
}

/// Points of a rule for one value, before the component's maximum is applied.
fn points(c: &CComp, cell: &Cell, best: Option<f64>, position: Option<(usize, usize)>) -> Option<f64> {
    let clamp = |p: f64| p.clamp(0.0, c.max);
    match (&c.rule, cell) {
        (CRule::Rate(full), Cell::Num(v)) => Some(clamp(c.max * (v / full).min(1.0))),
        (CRule::Target(t), Cell::Num(v)) => {
            let share = if c.lower_better { if *v <= 0.0 { 1.0 } else { t / v } } else { v / t };
            Some(clamp(c.max * share.min(1.0)))
        }
        (CRule::Steps(steps), Cell::Num(v)) => {
            let reached = |at: f64| if c.lower_better { *v <= at } else { *v >= at };
            let best_step = steps.iter().filter(|s| reached(s.at)).map(|s| s.points).fold(0.0, f64::max);
            Some(clamp(best_step))
        }
        (CRule::YesNo, Cell::Bool(b)) => Some(if *b { c.max } else { 0.0 }),
        (CRule::Categories(map), Cell::Cat(label)) => Some(clamp(map.get(label).copied().unwrap_or(0.0))),
        (CRule::Rank(RankMode::Relative), Cell::Num(v)) => {
            let best = best?;
            let share = if c.lower_better {
                if *v <= 0.0 { 1.0 } else { best / v }
            } else if best <= 0.0 {
                0.0
            } else {
                v / best
            };
            Some(clamp(c.max * share))
        }
        (CRule::Rank(RankMode::Position), Cell::Num(_)) => {
            let (rank, n) = position?;
            Some(clamp(c.max * (n - rank + 1) as f64 / n as f64))
        }
        _ => None,
    }
}

/// For rank rules: the best value among the units, and each unit's position.
struct RankContext {
    best: HashMap<usize, f64>,
    /// Per position-ranked component: each row's rank, and how many rows have a value.
    positions: HashMap<usize, (Vec<Option<usize>>, usize)>,
}

fn rank_context(compiled: &Compiled, table: &Table) -> RankContext {
    let mut best = HashMap::new();
    let mut positions = HashMap::new();
    for (ci, c) in compiled.comps.iter().enumerate() {
        let (CRule::Rank(mode), Some(slot)) = (&c.rule, c.slot) else { continue };
        let values: Vec<Option<f64>> = (0..table.units.len())
            .map(|row| match table.get(row, slot) {
                Some(Cell::Num(v)) => Some(*v),
                _ => None,
            })
            .collect();
        let better = |a: f64, b: f64| if c.lower_better { a < b } else { a > b };
        if let Some(b) = values.iter().flatten().copied().reduce(|a, b| if better(b, a) { b } else { a }) {
            best.insert(ci, b);
        }
        if *mode == RankMode::Position {
            let ranks = values
                .iter()
                .map(|v| v.map(|v| 1 + values.iter().flatten().filter(|o| better(**o, v)).count()))
                .collect();
            positions.insert(ci, (ranks, values.iter().flatten().count()));
        }
    }
    RankContext { best, positions }
}

impl Compiled {
    /// Scores every unit of `table`.
    pub fn score(&self, table: &Table) -> Vec<UnitScore> {
        let rows = table.units.len();
        let ranks = rank_context(self, table);
        // Raw points, None where data is missing.
        let mut raw: Vec<Vec<Option<f64>>> = Vec::with_capacity(rows);
        let mut scratch: Vec<f64> = Vec::new();
        for row in 0..rows {
            let mut comp_points: Vec<Option<f64>> = vec![None; self.comps.len()];
            for &ci in &self.order {
                let c = &self.comps[ci];
                comp_points[ci] = match &c.rule {
                    CRule::Formula(f) => {
                        scratch.clear();
                        let mut complete = true;
                        for (_, var) in &f.vars {
                            let v = match var {
                                VarRef::Slot(s) => match table.get(row, *s) {
                                    Some(Cell::Num(x)) => Some(*x),
                                    Some(Cell::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
                                    _ => None,
                                },
                                VarRef::Component(k) => comp_points.get(*k).copied().flatten(),
                            };
                            match v {
                                Some(x) => scratch.push(x),
                                None => complete = false,
                            }
                        }
                        if complete { f.eval(&scratch, c.max).map(|p| p.clamp(0.0, c.max)) } else { None }
                    }
                    _ => {
                        let position = ranks.positions.get(&ci).and_then(|(p, n)| p[row].map(|r| (r, *n)));
                        c.slot
                            .and_then(|s| table.get(row, s))
                            .and_then(|cell| points(c, cell, ranks.best.get(&ci).copied(), position))
                    }
                };
            }
            raw.push(comp_points);
        }
        let means: Vec<f64> = if self.method.missing == MissingPolicy::Impute {
            (0..self.comps.len())
                .map(|ci| {
                    let have: Vec<f64> = raw.iter().filter_map(|r| r[ci]).collect();
                    if have.is_empty() { 0.0 } else { have.iter().sum::<f64>() / have.len() as f64 }
                })
                .collect()
        } else {
            Vec::new()
        };
        raw.into_iter()
            .enumerate()
            .map(|(row, points)| self.aggregate(table.units[row].clone(), &points, &means))
            .collect()
    }

    fn aggregate(&self, unit: UnitKey, raw: &[Option<f64>], means: &[f64]) -> UnitScore {
        let policy = self.method.missing;
        let components: Vec<CompScore> = raw
            .iter()
            .enumerate()
            .map(|(ci, p)| match (p, policy) {
                (Some(p), _) => CompScore { points: *p, status: Status::Scored },
                (None, MissingPolicy::Zero) => CompScore { points: 0.0, status: Status::Missing },
                (None, MissingPolicy::Exclude) => CompScore { points: 0.0, status: Status::Excluded },
                (None, MissingPolicy::Impute) => {
                    CompScore { points: means.get(ci).copied().unwrap_or(0.0), status: Status::Imputed }
                }
            })
            .collect();
        let indexes: Vec<Part> = self
            .indexes
            .iter()
            .map(|ix| {
                let mut part = Part { points: 0.0, max: if ix.comps.is_empty() { ix.max } else { 0.0 } };
                for ci in ix.comps.clone() {
                    let s = components[ci];
                    let max = if s.status == Status::Excluded { 0.0 } else { self.comps[ci].max };
                    part.add(Part { points: s.points, max });
                }
                part
            })
            .collect();
        let sum = |range: &mut dyn Iterator<Item = usize>| {
            let mut total = Part::default();
            for i in range {
                total.add(indexes[i]);
            }
            total
        };
        let pillars: Vec<Part> = self.pillars.iter().map(|p| sum(&mut p.indexes.clone())).collect();
        let views: Vec<Part> = self.views.iter().map(|(_, _, members)| sum(&mut members.iter().copied())).collect();
        let total = sum(&mut (0..indexes.len()));
        let value = round(total.value(), self.method.decimals);
        let grade = self.method.grade(total.points).map(|g| g.label.clone());
        UnitScore { unit, components, indexes, pillars, views, total, value, grade }
    }
}
