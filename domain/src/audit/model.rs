//! An audit entry, and the filters of the log.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ids::AuditEntryId;

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub at: DateTime<Utc>,
    pub subject: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub request_id: Option<String>,
}

/// Filters of the audit log; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub subject: Option<String>,
    pub object_id: Option<Uuid>,
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}
