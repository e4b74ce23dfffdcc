//! Where targets and tasks stand on a given day.
//!
//! A target is judged on the latest value reported by its deadline. Reached: met.
//! Not reached and the deadline has passed: not met. Not reached and the deadline ahead:
//! the values so far are projected to the deadline by a least-squares line through them
//! (value against day); on track if the line reaches the target by then, at risk if not.
//! One value gives no line, and the status says so ("no trend") instead of guessing.
//!
//! A task is done (on or before its deadline), done late, in progress, or overdue (not
//! done and its deadline passed).

use chrono::NaiveDate;
use model::{Comparator, TaskStatus};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Met,
    OnTrack,
    /// Not yet met, the deadline ahead, and one value only: no trend to project.
    NoTrend,
    AtRisk,
    NotMet,
    NoData,
}

impl TargetStatus {
    pub const ALL: [TargetStatus; 6] = [
        TargetStatus::Met,
        TargetStatus::OnTrack,
        TargetStatus::NoTrend,
        TargetStatus::AtRisk,
        TargetStatus::NotMet,
        TargetStatus::NoData,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Met => "met",
            TargetStatus::OnTrack => "on_track",
            TargetStatus::NoTrend => "no_trend",
            TargetStatus::AtRisk => "at_risk",
            TargetStatus::NotMet => "not_met",
            TargetStatus::NoData => "no_data",
        }
    }

    /// As a Vietnamese report words it.
    pub fn label_vi(self) -> &'static str {
        match self {
            TargetStatus::Met => "Đã hoàn thành",
            TargetStatus::OnTrack => "Có khả năng hoàn thành",
            TargetStatus::NoTrend => "Chưa hoàn thành, chưa đủ số liệu để dự báo",
            TargetStatus::AtRisk => "Có nguy cơ không hoàn thành",
            TargetStatus::NotMet => "Chưa hoàn thành",
            TargetStatus::NoData => "Chưa có số liệu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TargetStatus::Met => "Met",
            TargetStatus::OnTrack => "On track",
            TargetStatus::NoTrend => "Not yet met, too few figures to project",
            TargetStatus::AtRisk => "At risk",
            TargetStatus::NotMet => "Not met",
            TargetStatus::NoData => "No data",
        }
    }
}

/// A value and the last day of the period it was reported for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Observation {
    pub on: NaiveDate,
    pub value: f64,
}

/// Where the values so far lead by the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    pub on: NaiveDate,
    pub value: f64,
    /// How many values the line was drawn through.
    pub from: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub status: TargetStatus,
    /// The latest value reported by the deadline.
    pub latest: Option<Observation>,
    pub projection: Option<Projection>,
}

/// Whether `value` satisfies `comparator target`. Equality allows for the rounding of
/// figures stated to a few decimals.
pub fn reaches(comparator: Comparator, value: f64, target: f64) -> bool {
    match comparator {
        Comparator::Ge => value >= target,
        Comparator::Gt => value > target,
        Comparator::Le => value <= target,
        Comparator::Lt => value < target,
        Comparator::Eq => (value - target).abs() < 1e-9,
        Comparator::ByDate => false,
    }
}

/// A numeric target judged on `as_of`.
pub fn assess(
    comparator: Comparator,
    target: f64,
    deadline: NaiveDate,
    as_of: NaiveDate,
    observations: &[Observation],
) -> Assessment {
    let mut known: Vec<Observation> =
        observations.iter().copied().filter(|o| o.on <= deadline && o.on <= as_of && o.value.is_finite()).collect();
    known.sort_by_key(|o| o.on);
    let latest = known.last().copied();
    let Some(last) = latest else {
        return Assessment { status: TargetStatus::NoData, latest, projection: None };
    };
    if reaches(comparator, last.value, target) {
        return Assessment { status: TargetStatus::Met, latest, projection: None };
    }
    if as_of >= deadline {
        return Assessment { status: TargetStatus::NotMet, latest, projection: None };
    }
    let Some(projection) = project(&known, deadline) else {
        return Assessment { status: TargetStatus::NoTrend, latest, projection: None };
    };
    let status =
        if reaches(comparator, projection.value, target) { TargetStatus::OnTrack } else { TargetStatus::AtRisk };
    Assessment { status, latest, projection: Some(projection) }
}

/// A target to reach something by a date, judged on `as_of`: met if achieved by then,
/// not met if achieved later.
pub fn assess_date(deadline: NaiveDate, achieved: Option<NaiveDate>, as_of: NaiveDate) -> TargetStatus {
    // No date reported is no data, not a miss: an achievement is recorded when it is
    // reported.
    match achieved {
        Some(d) if d <= deadline && d <= as_of => TargetStatus::Met,
        Some(d) if d <= as_of => TargetStatus::NotMet,
        _ => TargetStatus::NoData,
    }
}

/// The least-squares line through the values (value against day), read at `on`. None
/// with fewer than two values on different days.
pub fn project(observations: &[Observation], on: NaiveDate) -> Option<Projection> {
    let first = observations.first()?.on;
    let points: Vec<(f64, f64)> = observations.iter().map(|o| ((o.on - first).num_days() as f64, o.value)).collect();
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if points.len() < 2 || sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let x = (on - first).num_days() as f64;
    Some(Projection { on, value: mean_y + slope * (x - mean_x), from: points.len() })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Done,
    DoneLate,
    InProgress,
    Overdue,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Done => "done",
            TaskState::DoneLate => "done_late",
            TaskState::InProgress => "in_progress",
            TaskState::Overdue => "overdue",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskState::Done => "Đã hoàn thành",
            TaskState::DoneLate => "Hoàn thành chậm",
            TaskState::InProgress => "Đang thực hiện",
            TaskState::Overdue => "Quá hạn",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskState::Done => "Done",
            TaskState::DoneLate => "Done late",
            TaskState::InProgress => "In progress",
            TaskState::Overdue => "Overdue",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, TaskState::Done | TaskState::DoneLate)
    }
}

/// A task's state on `as_of`, from its reported status, its deadline (the last day it
/// allows) and the day it was completed, where known.
pub fn task_state(
    status: TaskStatus,
    deadline: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> TaskState {
    match (status, deadline, completed_on) {
        (TaskStatus::Done, Some(d), Some(c)) if c > d => TaskState::DoneLate,
        (TaskStatus::Done, _, _) => TaskState::Done,
        (_, Some(d), _) if as_of > d => TaskState::Overdue,
        _ => TaskState::InProgress,
    }
}

/// How many of a set of targets stand where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub total: usize,
    pub met: usize,
    pub on_track: usize,
    pub no_trend: usize,
    pub at_risk: usize,
    pub not_met: usize,
    pub no_data: usize,
}

impl StatusCounts {
    pub fn of(statuses: impl IntoIterator<Item = TargetStatus>) -> Self {
        let mut c = StatusCounts::default();
        for s in statuses {
            c.total += 1;
            *c.slot(s) += 1;
        }
        c
    }

    fn slot(&mut self, s: TargetStatus) -> &mut usize {
        match s {
            TargetStatus::Met => &mut self.met,
            TargetStatus::OnTrack => &mut self.on_track,
            TargetStatus::NoTrend => &mut self.no_trend,
            TargetStatus::AtRisk => &mut self.at_risk,
            TargetStatus::NotMet => &mut self.not_met,
            TargetStatus::NoData => &mut self.no_data,
        }
    }

    pub fn get(&self, s: TargetStatus) -> usize {
        let mut copy = self.clone();
        *copy.slot(s)
    }

    /// The share of the total, in percent (0 for no targets).
    pub fn percent(&self, s: TargetStatus) -> f64 {
        if self.total == 0 { 0.0 } else { self.get(s) as f64 * 100.0 / self.total as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn obs(on: &str, value: f64) -> Observation {
        Observation { on: d(on), value }
    }

    #[test]
    fn a_target_is_met_not_met_or_without_data_once_due() {
        let end = d("2022-12-31");
        let after = d("2023-01-15");
        assert_eq!(assess(Comparator::Ge, 50.0, end, after, &[obs("2022-12-31", 54.34)]).status, TargetStatus::Met);
        assert_eq!(assess(Comparator::Ge, 50.0, end, after, &[obs("2022-12-31", 40.47)]).status, TargetStatus::NotMet);
        assert_eq!(assess(Comparator::Gt, 50.0, end, after, &[obs("2022-12-31", 50.0)]).status, TargetStatus::NotMet);
        assert_eq!(assess(Comparator::Le, 2.5, end, after, &[obs("2022-12-31", 2.4)]).status, TargetStatus::Met);
        assert_eq!(assess(Comparator::Ge, 50.0, end, after, &[]).status, TargetStatus::NoData);
        // A value after the deadline does not count for it.
        assert_eq!(assess(Comparator::Ge, 50.0, end, after, &[obs("2023-06-30", 90.0)]).status, TargetStatus::NoData);
        // The latest value counts, not the best.
        let both = [obs("2022-06-30", 60.0), obs("2022-12-31", 45.0)];
        assert_eq!(assess(Comparator::Ge, 50.0, end, after, &both).latest, Some(obs("2022-12-31", 45.0)));
    }

    #[test]
    fn a_target_ahead_is_projected_or_says_it_cannot_be() {
        let deadline = d("2025-12-31");
        let now = d("2024-06-30");
        let rising = [obs("2022-12-31", 20.0), obs("2023-12-31", 30.0), obs("2024-06-30", 35.0)];
        let a = assess(Comparator::Ge, 50.0, deadline, now, &rising);
        assert_eq!(a.status, TargetStatus::OnTrack);
        let p = a.projection.unwrap();
        assert_eq!(p.from, 3);
        assert!((p.value - 50.0).abs() < 0.5, "10 points a year from 20 at the end of 2022: {}", p.value);
        let slow = [obs("2022-12-31", 20.0), obs("2024-06-30", 23.0)];
        assert_eq!(assess(Comparator::Ge, 50.0, deadline, now, &slow).status, TargetStatus::AtRisk);
        let one = [obs("2024-06-30", 23.0)];
        let a = assess(Comparator::Ge, 50.0, deadline, now, &one);
        assert_eq!((a.status, a.projection), (TargetStatus::NoTrend, None));
        assert_eq!(assess(Comparator::Ge, 50.0, deadline, now, &[obs("2024-06-30", 51.0)]).status, TargetStatus::Met);
        // Falling towards a ceiling.
        let falling = [obs("2023-12-31", 5.0), obs("2024-06-30", 4.0)];
        assert_eq!(assess(Comparator::Le, 2.0, deadline, now, &falling).status, TargetStatus::OnTrack);
    }

    #[test]
    fn date_targets() {
        let deadline = d("2023-03-31");
        assert_eq!(assess_date(deadline, Some(d("2023-02-01")), d("2023-06-30")), TargetStatus::Met);
        assert_eq!(assess_date(deadline, Some(d("2023-05-01")), d("2023-06-30")), TargetStatus::NotMet);
        assert_eq!(assess_date(deadline, None, d("2023-06-30")), TargetStatus::NoData);
        assert_eq!(assess_date(deadline, None, d("2023-01-31")), TargetStatus::NoData);
    }

    #[test]
    fn task_states() {
        let june = Some(d("2024-06-30"));
        let july = d("2024-07-10");
        assert_eq!(task_state(TaskStatus::Done, june, Some(d("2024-04-01")), july), TaskState::Done);
        assert_eq!(task_state(TaskStatus::Done, june, Some(d("2024-07-02")), july), TaskState::DoneLate);
        assert_eq!(task_state(TaskStatus::Done, june, None, july), TaskState::Done);
        assert_eq!(task_state(TaskStatus::InProgress, june, None, july), TaskState::Overdue);
        assert_eq!(task_state(TaskStatus::NotStarted, june, None, d("2024-06-01")), TaskState::InProgress);
        assert_eq!(task_state(TaskStatus::InProgress, None, None, july), TaskState::InProgress);
    }

    #[test]
    fn counts_and_shares() {
        let c = StatusCounts::of([TargetStatus::Met, TargetStatus::Met, TargetStatus::AtRisk, TargetStatus::NoData]);
        assert_eq!((c.total, c.met, c.at_risk, c.no_data), (4, 2, 1, 1));
        assert_eq!(c.percent(TargetStatus::Met), 50.0);
        assert_eq!(StatusCounts::default().percent(TargetStatus::Met), 0.0);
    }
}
