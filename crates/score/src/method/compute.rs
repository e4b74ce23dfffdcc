//! Scoring units: points per component, main index, pillar and view, the index value
//! (points ÷ maximum, rounded as published) and the grade. Missing data is handled as
//! the methodology says and always reported.

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

/// Below this many units a table is scored on one core: starting threads would cost
/// more than it saves.
const PER_THREAD: usize = 1000;

/// Space reused from one unit to the next while evaluating formulas.
#[derive(Default)]
struct Buffers {
    inputs: Vec<f64>,
    values: Vec<evalexpr::Value<evalexpr::DefaultNumericTypes>>,
}

/// For rank rules, per component: the best value among the units, and each unit's
/// position with how many units have a value.
struct RankContext {
    best: Vec<Option<f64>>,
    positions: Vec<Option<(Vec<Option<usize>>, usize)>>,
}

fn rank_context(compiled: &Compiled, table: &Table) -> RankContext {
    let n = compiled.comps.len();
    let mut ctx = RankContext { best: vec![None; n], positions: vec![None; n] };
    for (ci, c) in compiled.comps.iter().enumerate() {
        let (CRule::Rank(mode), Some(slot)) = (&c.rule, c.slot) else { continue };
        // (row, value), the best first.
        let mut have: Vec<(usize, f64)> = (0..table.units.len())
            .filter_map(|row| match table.get(row, slot) {
                Some(Cell::Num(v)) => Some((row, *v)),
                _ => None,
            })
            .collect();
        have.sort_by(|a, b| if c.lower_better { a.1.total_cmp(&b.1) } else { b.1.total_cmp(&a.1) });
        ctx.best[ci] = have.first().map(|h| h.1);
        if *mode == RankMode::Position {
            // Competition ranks: a unit's rank is one more than the units strictly better.
            let mut ranks = vec![None; table.units.len()];
            let mut rank = 0;
            for (i, &(row, v)) in have.iter().enumerate() {
                if i == 0 || have[i - 1].1 != v {
                    rank = i + 1;
                }
                ranks[row] = Some(rank);
            }
            ctx.positions[ci] = Some((ranks, have.len()));
        }
    }
    ctx
}

impl Compiled {
    /// Scores every unit of `table`.
    pub fn score(&self, table: &Table) -> Vec<UnitScore> {
        let rows = table.units.len();
        let width = self.comps.len();
        let ranks = rank_context(self, table);
        // Imputing needs every unit's points first: a pass for the means.
        let means: Vec<f64> = if self.method.missing == MissingPolicy::Impute {
            let mut buffers = Buffers::default();
            let mut points: Vec<Option<f64>> = vec![None; width];
            let mut sums = vec![(0.0, 0usize); width];
            for row in 0..rows {
                self.raw_points(table, row, &ranks, &mut points, &mut buffers);
                for (sum, p) in sums.iter_mut().zip(&points) {
                    if let Some(p) = p {
                        *sum = (sum.0 + p, sum.1 + 1);
                    }
                }
            }
            sums.into_iter().map(|(s, n)| if n == 0 { 0.0 } else { s / n as f64 }).collect()
        } else {
            Vec::new()
        };
        let score_rows = |range: std::ops::Range<usize>| -> Vec<UnitScore> {
            let mut buffers = Buffers::default();
            let mut points: Vec<Option<f64>> = vec![None; width];
            range
                .map(|row| {
                    self.raw_points(table, row, &ranks, &mut points, &mut buffers);
                    self.aggregate(table.units[row].clone(), &points, &means)
                })
                .collect()
        };
        // Units do not depend on each other from here on: large tables are shared
        // between the cores, each taking a run of rows, and the runs joined in order.
        // Scoped threads rather than rayon: this is the one parallel loop of the
        // workspace, it runs inside `ops::work`'s bounded pool for CPU work, and a
        // second, global pool beside that one would let scoring take every core.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(rows / PER_THREAD).max(1);
        if threads == 1 {
            return score_rows(0..rows);
        }
        let chunk = rows.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let range = t * chunk..((t + 1) * chunk).min(rows);
                    scope.spawn(move || score_rows(range))
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    }

    /// One unit's points per component, None where data is missing.
    fn raw_points(&self, table: &Table, row: usize, ranks: &RankContext, out: &mut [Option<f64>], buf: &mut Buffers) {
        for &ci in &self.order {
            let c = &self.comps[ci];
            out[ci] = match &c.rule {
                CRule::Formula(f) => {
                    buf.inputs.clear();
                    let mut complete = true;
                    for (_, var) in &f.vars {
                        let v = match var {
                            VarRef::Slot(s) => match table.get(row, *s) {
                                Some(Cell::Num(x)) => Some(*x),
                                Some(Cell::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
                                _ => None,
                            },
                            VarRef::Component(k) => out.get(*k).copied().flatten(),
                        };
                        match v {
                            Some(x) => buf.inputs.push(x),
                            None => complete = false,
                        }
                    }
                    if complete {
                        f.eval_with(&buf.inputs, c.max, &mut buf.values).map(|p| p.clamp(0.0, c.max))
                    } else {
                        None
                    }
                }
                _ => {
                    let position = ranks.positions[ci].as_ref().and_then(|(p, n)| p[row].map(|r| (r, *n)));
                    c.slot.and_then(|s| table.get(row, s)).and_then(|cell| points(c, cell, ranks.best[ci], position))
                }
            };
        }
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
