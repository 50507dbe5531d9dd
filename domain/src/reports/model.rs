//! Read models and inputs of reports.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AttachmentId, ConventionId, ReportId};

pub use crate::conventions::ReportKind;

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Accepted,
}

impl ReportStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Accepted => "accepted",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::ChangesRequested,
            Self::Accepted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the provider may still change it.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::ChangesRequested)
    }
}

/// A budget line: planned and spent, in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub label: String,
    pub planned_cents: i64,
    pub spent_cents: i64,
}

/// A resource (co-financing), in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub label: String,
    pub amount_cents: i64,
}

/// A budget statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub lines: Vec<BudgetLine>,
    pub resources: Vec<Resource>,
}

/// The quantitative part, computed from the records of the convention's cohorts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantities {
    pub cohorts: i64,
    /// Every prescription, whatever became of it.
    pub prescribed: i64,
    /// Enrolled, including those who dropped out later.
    pub enrolled: i64,
    pub declined: i64,
    pub dropped_out: i64,
    /// Still enrolled at the close of their cohort.
    pub completed: i64,
    pub attendance_records: i64,
    /// Present or late.
    pub attended: i64,
    pub diagnostics_final: i64,
    pub fle_training_needed: i64,
    /// Final diagnostics by their lowest CEFR level over the four skills: (level, count).
    pub fle_lowest_levels: Vec<(String, i64)>,
    /// Final diagnostics meeting the tenant's CléA threshold.
    pub clea_meeting_threshold: i64,
    /// For each of the 7 CléA domains, the final diagnostics that have it to train.
    pub clea_modules_to_train: Vec<i64>,
    pub daq_orientations: i64,
    pub mobility_platform_referrals: i64,
    /// Exits recorded for the enrolled participants, and the positive ones.
    pub exits: i64,
    pub positive_exits: i64,
}

impl Quantities {
    /// Attended records in percent of the records, one decimal.
    pub fn attendance_rate_percent(&self) -> Option<f64> {
        (self.attendance_records > 0).then(|| {
            (self.attended as f64 * 1000.0 / self.attendance_records as f64).round() / 10.0
        })
    }
}

/// A report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub convention_id: ConventionId,
    pub kind: ReportKind,
    pub due_date: NaiveDate,
    pub status: ReportStatus,
    pub qualitative: String,
    pub budget: Option<Budget>,
    /// Frozen at submission; `None` for a report never submitted.
    pub submitted_quantities: Option<Quantities>,
    pub attachments: Vec<AttachmentId>,
    pub review_comment: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub version: i32,
}

/// The content the provider writes.
#[derive(Clone, Debug, Default)]
pub struct ReportContent {
    pub qualitative: Option<String>,
    pub budget: Option<Budget>,
    pub attachments: Option<Vec<AttachmentId>>,
}

/// A report due and not (or not acceptably) submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Overdue {
    pub convention_id: ConventionId,
    pub convention_number: String,
    pub kind: ReportKind,
    pub due_date: NaiveDate,
    /// The report, when it was started.
    pub report: Option<Report>,
}
