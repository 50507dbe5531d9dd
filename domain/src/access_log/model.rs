//! Read models of the access log: which sensitive field of which participant was read, by
//! whom, through which channel.

use chrono::{DateTime, Utc};

use crate::error::{DomainError, Result};
use crate::ids::{AccessEntryId, ParticipantId};

/// Longest `subject` filter accepted.
pub(super) const MAX_SUBJECT: usize = 320;

/// A sensitive field of a participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SensitiveField {
    RsaBeneficiary,
    RecognisedDisability,
}

impl SensitiveField {
    /// The stored code (the GraphQL field's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaBeneficiary => "rsaBeneficiary",
            Self::RecognisedDisability => "recognisedDisability",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        [Self::RsaBeneficiary, Self::RecognisedDisability]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// How the value left the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A GraphQL response.
    Graphql,
    /// The ESF+ CSV export.
    EsfExport,
}

impl Channel {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graphql => "graphql",
            Self::EsfExport => "esf_export",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        [Self::Graphql, Self::EsfExport]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One read of a sensitive field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Read {
    pub participant: ParticipantId,
    pub field: SensitiveField,
}

/// One recorded read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: AccessEntryId,
    pub at: DateTime<Utc>,
    pub subject: String,
    pub role: String,
    pub participant_id: ParticipantId,
    pub field: SensitiveField,
    pub channel: Channel,
    pub request_id: Option<String>,
}

/// Filters of the access log; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct AccessFilter {
    pub participant: Option<ParticipantId>,
    pub subject: Option<String>,
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}

impl AccessFilter {
    pub(super) fn check(&self) -> Result<()> {
        if let Some(subject) = &self.subject
            && (subject.trim().is_empty() || subject.chars().count() > MAX_SUBJECT)
        {
            return Err(DomainError::validation(
                "filter.subject",
                format!("must be 1 to {MAX_SUBJECT} characters"),
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(DomainError::validation(
                "filter.from",
                "must not be after `to`",
            ));
        }
        Ok(())
    }
}
