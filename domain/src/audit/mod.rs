//! The audit log.
//!
//! Rules: every mutation writes exactly one entry (tenant, subject, role, action, object, time,
//! request id) in the same transaction as its change, so a failed mutation leaves none and no
//! change exists without its entry. Entries are append-only: the runtime role may only `INSERT`
//! and `SELECT` them. Steering reads its tenant's log; nobody else does.

pub(crate) mod policy;
mod store;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::error::Result;
use crate::ids::AuditEntryId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

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

/// What was done to which object; a change commits with it ([`crate::db::Change::commit`]
/// writes the entry, so the transaction layer owns the writing and this area the reading).
pub(crate) use crate::db::Action;

/// The tenant's audit log, newest first. Steering only.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    store::list(&tx, filter, &page).await
}
