//! Read models and inputs of follow-up sheets.

use chrono::{DateTime, Utc};

use crate::cohorts;
use crate::diagnostics;
use crate::ids::{CohortId, FollowUpSheetId, ParticipantId};

/// What the attendance records say about one member over the cohort's sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttendanceSummary {
    /// Sessions in the cohort's calendar.
    pub planned: i32,
    pub present: i32,
    pub late: i32,
    pub excused: i32,
    pub absent: i32,
}

impl AttendanceSummary {
    /// Sessions with no record for the member.
    pub fn unrecorded(&self) -> i32 {
        (self.planned - self.present - self.late - self.excused - self.absent).max(0)
    }

    /// Sessions attended (present or late) as a percentage of the planned ones, rounded down;
    /// `None` for a cohort without sessions.
    pub fn rate_percent(&self) -> Option<i32> {
        (self.planned > 0).then(|| (self.present + self.late) * 100 / self.planned)
    }
}

/// Where a sheet stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetStatus {
    Draft,
    Transmitted,
}

/// A follow-up sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpSheet {
    pub id: FollowUpSheetId,
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub status: SheetStatus,
    pub attendance: AttendanceSummary,
    pub recommendations: String,
    pub written_by: String,
    pub updated_at: DateTime<Utc>,
    pub transmitted_at: Option<DateTime<Utc>>,
    pub transmitted_by: Option<String>,
    pub referent_read_at: Option<DateTime<Utc>>,
    pub steering_read_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// Filters of [`list`](super::list).
#[derive(Clone, Copy, Debug, Default)]
pub struct SheetFilter {
    pub cohort: Option<CohortId>,
    /// Only those the principal's side (referent or steering) has not read yet.
    pub unread: bool,
}

/// What a follow-up sheet prints.
#[derive(Clone, Debug)]
pub struct SheetDocument {
    pub sheet: FollowUpSheet,
    pub cohort: cohorts::Cohort,
    /// The PLIE, the provider and the convention.
    pub heading: cohorts::SheetHeading,
    /// (last name, first name).
    pub name: (String, String),
    /// The member's last day, when they dropped out, and why.
    pub dropped_out: Option<(chrono::NaiveDate, Option<String>)>,
    /// The cohort's sessions up to the member's last day, each with the member's presence
    /// when recorded.
    pub sessions: Vec<(cohorts::Session, Option<cohorts::Presence>)>,
    pub diagnostic: Option<diagnostics::Diagnostic>,
    pub clea_threshold_percent: i32,
}

#[cfg(test)]
mod tests {
    use super::AttendanceSummary;

    #[test]
    fn the_rate_counts_late_as_attended_and_rounds_down() {
        let s = AttendanceSummary {
            planned: 9,
            present: 6,
            late: 1,
            excused: 1,
            absent: 0,
        };
        assert_eq!(s.rate_percent(), Some(77));
        assert_eq!(s.unrecorded(), 1);
        assert_eq!(AttendanceSummary::default().rate_percent(), None);
    }
}
