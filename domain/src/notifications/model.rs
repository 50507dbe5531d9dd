//! A notification, what it is about, and who is told.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, Result};
use crate::ids::{NotificationId, StaffId, StructureId};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// To the participant's referent: a follow-up sheet was transmitted.
    FollowUpSheetTransmitted,
    /// To the participant's referent: the provider enrolled the prescribed participant.
    PrescriptionAccepted,
    /// To the participant's referent: the provider declined the prescription.
    PrescriptionDeclined,
    /// To steering: a submission was received.
    SubmissionReceived,
    /// To the provider: a decision was recorded on its submission.
    SubmissionDecided,
    /// To steering: a report was submitted.
    ReportSubmitted,
    /// To the provider: its report was accepted or sent back for changes.
    ReportReviewed,
    /// To steering: a report is past its due date and not (acceptably) submitted.
    ReportOverdue,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::FollowUpSheetTransmitted,
        Kind::PrescriptionAccepted,
        Kind::PrescriptionDeclined,
        Kind::SubmissionReceived,
        Kind::SubmissionDecided,
        Kind::ReportSubmitted,
        Kind::ReportReviewed,
        Kind::ReportOverdue,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FollowUpSheetTransmitted => "follow_up_sheet_transmitted",
            Kind::PrescriptionAccepted => "prescription_accepted",
            Kind::PrescriptionDeclined => "prescription_declined",
            Kind::SubmissionReceived => "submission_received",
            Kind::SubmissionDecided => "submission_decided",
            Kind::ReportSubmitted => "report_submitted",
            Kind::ReportReviewed => "report_reviewed",
            Kind::ReportOverdue => "report_overdue",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| DomainError::Internal(format!("unknown notification kind {text:?}")))
    }
}

/// A node a notification points at: its GraphQL type name and its ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub type_name: String,
    pub id: Uuid,
}

/// A notification, as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub recipient: StaffId,
    pub kind: Kind,
    /// What to open: the sheet, the cohort, the submission, the report or the convention.
    pub subject: Reference,
    /// The participant concerned, for a sheet or a prescription.
    pub related: Option<Reference>,
    /// For an overdue report: which one (`first_quarter`, `mid_term`, `final`).
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Who is told.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Audience {
    /// One staff member (a participant's referent).
    Staff(StaffId),
    /// The tenant's active steering staff.
    Steering,
    /// The active provider staff of a structure.
    Provider(StructureId),
}

/// What to tell.
#[derive(Clone, Debug)]
pub(crate) struct Notice {
    pub kind: Kind,
    pub subject: (&'static str, Uuid),
    pub related: Option<(&'static str, Uuid)>,
    pub detail: Option<String>,
    /// A reminder is sent once per recipient and key.
    pub dedupe_key: Option<String>,
}

impl Notice {
    pub(crate) fn new(kind: Kind, subject_type: &'static str, subject_id: Uuid) -> Self {
        Self {
            kind,
            subject: (subject_type, subject_id),
            related: None,
            detail: None,
            dedupe_key: None,
        }
    }

    pub(crate) fn about(mut self, type_name: &'static str, id: Uuid) -> Self {
        self.related = Some((type_name, id));
        self
    }
}

/// Filters of the inbox.
#[derive(Clone, Copy, Debug, Default)]
pub struct InboxFilter {
    /// `Some(true)`: unread only; `Some(false)`: read only.
    pub unread: Option<bool>,
}
