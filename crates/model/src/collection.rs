//! Collection: reporting regimes (which indicators which units report, how often, by
//! when), submissions and their workflow (draft → submitted → approved or returned with
//! a comment), and who has reported on time.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::indicator::AgencyRef;
use crate::key::{IndicatorCode, RegimeKey, UnitKey};
use crate::period::{Period, PeriodKind};
use crate::value::Datum;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regime {
    pub key: RegimeKey,
    pub name: String,
    pub name_en: Option<String>,
    /// Month, quarter, half-year or year.
    pub period_kind: PeriodKind,
    /// A submission is due this many days after its period ends.
    pub due_days: u32,
    /// The first period reported under the regime; none before it is taken.
    pub first_period: Option<Period>,
    pub indicators: Vec<IndicatorCode>,
    /// The units that report: units, or every member of a group.
    pub units: Vec<AgencyRef>,
    pub source: Option<String>,
}

impl Regime {
    /// The last day a submission for `period` is on time.
    pub fn due(&self, period: Period) -> NaiveDate {
        period.end().checked_add_days(Days::new(u64::from(self.due_days))).unwrap_or(period.end())
    }

    /// Whether `period` is one of the regime's reporting periods.
    pub fn fits(&self, period: Period) -> bool {
        period.kind() == self.period_kind
    }

    /// Whether figures for `period` can be reported on `today`: a period of the
    /// regime's kind, not before its first, and begun.
    pub fn open_for(&self, period: Period, today: NaiveDate) -> Result<(), PeriodRefusal> {
        if !self.fits(period) {
            return Err(PeriodRefusal::Kind);
        }
        if let Some(first) = self.first_period
            && period.start() < first.start()
        {
            return Err(PeriodRefusal::BeforeFirst(first));
        }
        if period.start() > today {
            return Err(PeriodRefusal::NotBegun);
        }
        Ok(())
    }
}

/// Why a period cannot be reported under a regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodRefusal {
    /// Not of the regime's kind (a year under a six-monthly regime).
    Kind,
    /// Before the regime's first period.
    BeforeFirst(Period),
    /// Not begun yet.
    NotBegun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Approved => "approved",
            SubmissionStatus::Returned => "returned",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "Bản nháp",
            SubmissionStatus::Submitted => "Đã nộp, chờ thẩm định",
            SubmissionStatus::Approved => "Đã phê duyệt",
            SubmissionStatus::Returned => "Bị trả lại",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "Draft",
            SubmissionStatus::Submitted => "Submitted, awaiting review",
            SubmissionStatus::Approved => "Approved",
            SubmissionStatus::Returned => "Returned",
        }
    }

    /// Figures can be entered or changed: not while under review.
    pub fn editable(self) -> bool {
        self != SubmissionStatus::Submitted
    }
}

impl fmt::Display for SubmissionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SubmissionStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "draft" => Ok(SubmissionStatus::Draft),
            "submitted" => Ok(SubmissionStatus::Submitted),
            "approved" => Ok(SubmissionStatus::Approved),
            "returned" => Ok(SubmissionStatus::Returned),
            other => {
                Err(format!("unknown submission status '{other}'; expected draft, submitted, approved or returned"))
            }
        }
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Enter or change figures. A returned or approved submission goes back to draft
    /// (an approved one is corrected this way; its approved figures stay published
    /// until the correction is approved).
    Save,
    Submit,
    Approve,
    /// Send back to the unit, with a comment.
    Return,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Save => "save",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a submission that is {0} cannot be {1}")]
    NotAllowed(SubmissionStatus, &'static str),
    #[error("a returned submission needs a comment saying what to correct")]
    CommentRequired,
    #[error("figures are missing for: {0}")]
    Incomplete(String),
}

impl WorkflowError {
    pub fn vi(&self) -> String {
        match self {
            WorkflowError::NotAllowed(s, a) => {
                let act = match *a {
                    "saved" => "sửa",
                    "submitted" => "nộp",
                    "approved" => "phê duyệt",
                    _ => "trả lại",
                };
                format!("Báo cáo đang ở trạng thái «{}», không thể {act}.", s.label_vi())
            }
            WorkflowError::CommentRequired => "Khi trả lại báo cáo, cần ghi rõ nội dung cần chỉnh sửa.".to_owned(),
            WorkflowError::Incomplete(list) => format!("Chưa nhập số liệu cho: {list}."),
        }
    }
}

/// The status after `action`, or why it is not allowed.
pub fn transition(
    status: SubmissionStatus,
    action: Action,
    comment: Option<&str>,
) -> Result<SubmissionStatus, WorkflowError> {
    use SubmissionStatus::*;
    match (status, action) {
        (Draft | Returned | Approved, Action::Save) => Ok(Draft),
        (Draft, Action::Submit) => Ok(Submitted),
        (Submitted, Action::Approve) => Ok(Approved),
        (Submitted, Action::Return) if comment.is_some_and(|c| !c.trim().is_empty()) => Ok(Returned),
        (Submitted, Action::Return) => Err(WorkflowError::CommentRequired),
        (s, a) => Err(WorkflowError::NotAllowed(
            s,
            match a {
                Action::Save => "saved",
                Action::Submit => "submitted",
                Action::Approve => "approved",
                Action::Return => "returned",
            },
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedValue {
    pub indicator: IndicatorCode,
    pub value: Datum,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub regime: RegimeKey,
    pub unit: UnitKey,
    pub period: Period,
    pub status: SubmissionStatus,
    pub values: Vec<SubmittedValue>,
    /// The reviewer's comment when returned.
    pub comment: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The first time it was submitted: what timeliness is judged on.
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}

/// Where one unit stands on one regime and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub unit: UnitKey,
    pub status: Option<SubmissionStatus>,
    pub submitted_on: Option<NaiveDate>,
    /// Submitted after the due day.
    pub late: bool,
    /// Not submitted, and the due day has passed.
    pub overdue: bool,
}

/// Who has reported, on time or late, and who has not, on `today`.
pub fn completeness(
    regime: &Regime,
    period: Period,
    units: &[UnitKey],
    submissions: &[Submission],
    today: NaiveDate,
) -> Vec<Standing> {
    let due = regime.due(period);
    units
        .iter()
        .map(|u| {
            let s = submissions.iter().find(|s| &s.unit == u && s.regime == regime.key && s.period == period);
            let submitted_on = s.and_then(|s| s.first_submitted_at).map(|t| t.date_naive());
            Standing {
                unit: u.clone(),
                status: s.map(|s| s.status),
                submitted_on,
                late: submitted_on.is_some_and(|d| d > due),
                overdue: submitted_on.is_none() && today > due,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionStatus::*;

    #[test]
    fn the_workflow() {
        assert_eq!(transition(Draft, Action::Save, None), Ok(Draft));
        assert_eq!(transition(Draft, Action::Submit, None), Ok(Submitted));
        assert_eq!(transition(Submitted, Action::Save, None), Err(WorkflowError::NotAllowed(Submitted, "saved")));
        assert_eq!(transition(Submitted, Action::Return, Some("  ")), Err(WorkflowError::CommentRequired));
        assert_eq!(transition(Submitted, Action::Return, Some("Thiếu tử số")), Ok(Returned));
        assert_eq!(transition(Returned, Action::Save, None), Ok(Draft));
        assert_eq!(transition(Submitted, Action::Approve, None), Ok(Approved));
        assert_eq!(transition(Approved, Action::Approve, None), Err(WorkflowError::NotAllowed(Approved, "approved")));
        assert_eq!(transition(Approved, Action::Save, None), Ok(Draft));
        assert_eq!(transition(Draft, Action::Approve, None), Err(WorkflowError::NotAllowed(Draft, "approved")));
        assert!(WorkflowError::NotAllowed(Submitted, "saved").vi().contains("Đã nộp, chờ thẩm định"));
    }

    #[test]
    fn who_reported_on_time() {
        let regime = Regime {
            key: RegimeKey::parse("r").unwrap(),
            name: "Báo cáo 6 tháng".into(),
            name_en: None,
            period_kind: PeriodKind::Half,
            due_days: 15,
            first_period: Some("2023-H1".parse().unwrap()),
            indicators: vec![],
            units: vec![],
            source: None,
        };
        let period: Period = "2024-H1".parse().unwrap();
        assert_eq!(regime.due(period), NaiveDate::from_ymd_opt(2024, 7, 15).unwrap());
        assert!(regime.fits(period) && !regime.fits("2024".parse().unwrap()));
        let today = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(regime.open_for(period, today), Ok(()));
        assert_eq!(regime.open_for("2024-H2".parse().unwrap(), today), Err(PeriodRefusal::NotBegun));
        assert!(matches!(regime.open_for("1900-H1".parse().unwrap(), today), Err(PeriodRefusal::BeforeFirst(_))));
        assert_eq!(regime.open_for("2024".parse().unwrap(), today), Err(PeriodRefusal::Kind));
        let at = |d: &str| Some(format!("{d}T09:00:00Z").parse::<DateTime<Utc>>().unwrap());
        let sub = |unit: &str, first: Option<DateTime<Utc>>, status| Submission {
            id: 1,
            regime: regime.key.clone(),
            unit: UnitKey::parse(unit).unwrap(),
            period,
            status,
            values: vec![],
            comment: None,
            updated_at: Utc::now(),
            first_submitted_at: first,
            decided_at: None,
            decided_by: None,
        };
        let subs = [sub("a", at("2024-07-10"), Approved), sub("b", at("2024-07-20"), Submitted), sub("c", None, Draft)];
        let units: Vec<UnitKey> = ["a", "b", "c", "d"].iter().map(|u| UnitKey::parse(u).unwrap()).collect();
        let today = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
        let s = completeness(&regime, period, &units, &subs, today);
        let flags: Vec<(bool, bool)> = s.iter().map(|x| (x.late, x.overdue)).collect();
        assert_eq!(flags, [(false, false), (true, false), (false, true), (false, true)]);
        assert_eq!(s[3].status, None);
        let early = completeness(&regime, period, &units, &subs, NaiveDate::from_ymd_opt(2024, 7, 1).unwrap());
        assert!(early.iter().all(|x| !x.overdue));
    }
}
