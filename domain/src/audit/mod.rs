//! The audit log.
//!
//! Rules: every mutation writes exactly one entry (tenant, subject, role, action, object, time,
//! request id) in the same transaction as its change, so a failed mutation leaves none and no
//! change exists without its entry. Entries are append-only: the runtime role may only `INSERT`
//! and `SELECT` them. Steering reads its tenant's log; nobody else does.

mod model;
pub(crate) mod policy;
mod store;

pub use model::{AuditEntry, AuditFilter};

use crate::db::Tx;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

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
