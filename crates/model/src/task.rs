//! Tasks (nhiệm vụ): a required result, a deadline and the agencies responsible.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::indicator::AgencyRef;
use crate::key::{TaskKey, TaskListKey};
use crate::source::DateOrPeriod;

/// A list of tasks as assigned together: a plan's appendix, a meeting's conclusions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    pub key: TaskListKey,
    pub name: String,
    pub name_en: Option<String>,
    pub source: Option<String>,
}

/// Status as reported. Whether a task is overdue or was done late is derived from it
/// and the dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Done,
    InProgress,
    NotStarted,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::NotStarted => "not_started",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task status '{0}'; expected done, in_progress or not_started")]
pub struct UnknownTaskStatus(pub String);

impl FromStr for TaskStatus {
    type Err = UnknownTaskStatus;
    fn from_str(s: &str) -> Result<Self, UnknownTaskStatus> {
        match s.trim() {
            "done" => Ok(TaskStatus::Done),
            "in_progress" => Ok(TaskStatus::InProgress),
            "not_started" => Ok(TaskStatus::NotStarted),
            other => Err(UnknownTaskStatus(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub key: TaskKey,
    pub list: TaskListKey,
    pub title: String,
    pub required_result: Option<String>,
    /// None when the deadline is a condition rather than a date.
    pub deadline: Option<DateOrPeriod>,
    /// The deadline as the source words it ("Tháng 6", "Quý II").
    pub deadline_label: Option<String>,
    pub responsible: Vec<AgencyRef>,
    pub status: TaskStatus,
    pub result: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub source: Option<String>,
}
