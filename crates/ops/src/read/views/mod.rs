//! What each public page shows, computed from a read-model snapshot: plain text and
//! numbers in the reader's language, ready for a template. The web layer only frames and
//! renders them. Each view is kept with its snapshot (`Views`), so a page asked for again
//! is not computed again.

mod live;
mod overview;
mod rankings;
mod unit;

pub use live::LiveFigures;
pub use overview::{IndexRow, Overview, PlanLine};
pub use rankings::{RankingsQuery, RankingsView, Row};
pub use unit::{FigureRow, UnitProfile};

use model::Lang;
use score::status::{TargetStatus, TaskState};

use crate::read::Memo;

/// Views computed from one snapshot.
pub struct Views {
    /// By language and day (where targets stand is as of today).
    pub overview: Memo<(Lang, chrono::NaiveDate), Overview>,
    /// By the unit as asked for, language and day.
    pub units: Memo<(String, Lang, chrono::NaiveDate), UnitProfile>,
    pub rankings: Memo<(RankingsQuery, Lang), RankingsView>,
}

impl Default for Views {
    fn default() -> Self {
        Views { overview: Memo::new(4), units: Memo::new(2048), rankings: Memo::new(512) }
    }
}

/// The CSS class a target's status is shown with: met or on track "good", at risk or
/// not met "bad", the rest (not yet due, no data) "muted".
pub fn target_class(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Met | TargetStatus::OnTrack => "good",
        TargetStatus::AtRisk | TargetStatus::NotMet => "bad",
        TargetStatus::NoTrend | TargetStatus::NoData => "muted",
    }
}

/// The CSS class a task's state is shown with, as `target_class`.
pub fn task_class(state: TaskState) -> &'static str {
    match state {
        TaskState::Done => "good",
        TaskState::Overdue | TaskState::DoneLate => "bad",
        TaskState::InProgress => "muted",
    }
}
