//! Read models and inputs of submissions.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AttachmentId, CallId, StructureId, SubmissionId};
use crate::money::Money;

/// Where a submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    Withdrawn,
    UnderReview,
    Accepted,
    Rejected,
}

impl SubmissionStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Withdrawn => "withdrawn",
            Self::UnderReview => "under_review",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Withdrawn,
            Self::UnderReview,
            Self::Accepted,
            Self::Rejected,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A line of the requested budget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub label: String,
    pub amount_cents: i64,
}

/// The deposit receipt (attestation de dépôt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Unique within the tenant.
    pub number: i32,
    /// The exact instant received (the instant of the submitting transaction).
    pub received_at: DateTime<Utc>,
}

/// A structure's response to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub id: SubmissionId,
    pub call_id: CallId,
    pub structure_id: StructureId,
    pub status: SubmissionStatus,
    /// Answers by question key.
    pub answers: BTreeMap<String, String>,
    pub requested_amount: Money,
    pub budget_lines: Vec<BudgetLine>,
    pub receipt: Option<Receipt>,
    pub decision_reason: Option<String>,
    pub committee_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Draft content; on update only what is given changes.
#[derive(Clone, Debug, Default)]
pub struct DraftFields {
    /// (question key, answer); an empty answer removes it.
    pub answers: Option<Vec<(String, String)>>,
    pub requested_amount: Option<Money>,
    pub budget_lines: Option<Vec<(String, Money)>>,
    /// Files uploaded by the structure to attach to this draft.
    pub attachment_ids: Option<Vec<AttachmentId>>,
}
