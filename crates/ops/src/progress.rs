//! Where each target and task stands on a day, from the stored values and dates; see
//! `score::status` for the rules.

use chrono::NaiveDate;
use model::{AgencyRef, Comparator, Datum, Scope, Target, Task, UnitKey, ValueRecord};
use rust_decimal::prelude::ToPrimitive;
use score::status::{Assessment, Observation, TargetStatus, TaskState, assess, assess_date, task_state};

use crate::facts::{Facts, number};

/// One target judged for one unit (its scope's unit, or each member of a group).
#[derive(Debug, Clone)]
pub struct UnitProgress<'a> {
    pub unit: UnitKey,
    pub assessment: Assessment,
    /// The value the judgement rests on: the latest by the deadline.
    pub value: Option<&'a ValueRecord>,
    /// Earlier revisions of that value that stated other figures.
    pub revised: Vec<&'a ValueRecord>,
}

#[derive(Debug, Clone)]
pub struct TargetProgress<'a> {
    pub target: &'a Target,
    /// A target for every member of a group stands where its worst member stands; a
    /// member without data leaves it without data.
    pub status: TargetStatus,
    pub units: Vec<UnitProgress<'a>>,
}

impl TargetProgress<'_> {
    /// The single unit's judgement, for a target with one unit in scope.
    pub fn single(&self) -> Option<&UnitProgress<'_>> {
        match self.units.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

fn for_unit<'a>(facts: &'a Facts, target: &Target, unit: &UnitKey, as_of: NaiveDate) -> UnitProgress<'a> {
    let deadline = target.period.end();
    let series = facts.series(target.indicator.as_str(), unit.as_str());
    let by_deadline: Vec<&ValueRecord> =
        series.iter().copied().filter(|v| v.period.end() <= deadline.min(as_of)).collect();
    let value = by_deadline.last().copied();
    let assessment = match (&target.comparator, &target.value) {
        (Comparator::ByDate, Datum::Date(due)) => {
            let achieved = by_deadline.iter().rev().find_map(|v| match v.value {
                Datum::Date(d) => Some(d),
                _ => None,
            });
            let achieved = achieved.or_else(|| {
                series.iter().rev().find_map(|v| match v.value {
                    Datum::Date(d) if d <= as_of => Some(d),
                    _ => None,
                })
            });
            Assessment { status: assess_date(*due, achieved, as_of), latest: None, projection: None }
        }
        (comparator, goal) => {
            let observations: Vec<Observation> =
                series.iter().filter_map(|v| Some(Observation { on: v.period.end(), value: number(v)? })).collect();
            match goal.as_number().and_then(|d| d.to_f64()) {
                Some(goal) => assess(*comparator, goal, deadline, as_of, &observations),
                None => Assessment { status: TargetStatus::NoData, latest: None, projection: None },
            }
        }
    };
    let revised = value
        .map(|v| {
            facts
                .revisions(v.indicator.as_str(), v.unit.as_str())
                .filter(|r| r.period == v.period && r.revision < v.revision && r.value != v.value)
                .collect()
        })
        .unwrap_or_default();
    UnitProgress { unit: unit.clone(), assessment, value, revised }
}

/// A target judged on `as_of`.
pub fn target_progress<'a>(facts: &'a Facts, target: &'a Target, as_of: NaiveDate) -> TargetProgress<'a> {
    let units: Vec<UnitKey> = match &target.scope {
        Scope::Unit(u) => vec![u.clone()],
        Scope::EachOf(g) => facts
            .registry
            .members(g)
            .into_iter()
            .filter(|u| u.existed_during(target.period.start(), target.period.end()))
            .map(|u| u.key.clone())
            .collect(),
    };
    let units: Vec<UnitProgress<'a>> = units.iter().map(|u| for_unit(facts, target, u, as_of)).collect();
    let status = units.iter().map(|u| u.assessment.status).max().unwrap_or(TargetStatus::NoData);
    TargetProgress { target, status, units }
}

/// The agencies that lead a target: its indicator's lead agencies.
pub fn leads<'a>(facts: &'a Facts, target: &Target) -> &'a [AgencyRef] {
    facts.indicator(target.indicator.as_str()).map_or(&[], |i| i.lead.as_slice())
}

#[derive(Debug, Clone)]
pub struct TaskProgress<'a> {
    pub task: &'a Task,
    pub state: TaskState,
}

/// The tasks that one of `units` is responsible for, itself or through a group, and
/// that are overdue on `as_of`: what a reporter's workspace lists.
pub fn overdue_tasks_of<'a>(facts: &'a Facts, units: &[UnitKey], as_of: NaiveDate) -> Vec<&'a Task> {
    facts
        .tasks
        .iter()
        .filter(|t| t.responsible.iter().any(|a| units.iter().any(|u| facts.names(a, u))))
        .filter(|t| task_progress(t, as_of).state == TaskState::Overdue)
        .collect()
}

pub fn task_progress(task: &Task, as_of: NaiveDate) -> TaskProgress<'_> {
    let deadline = task.deadline.as_ref().map(|d| d.end());
    TaskProgress { task, state: task_state(task.status, deadline, task.completed_on, as_of) }
}
