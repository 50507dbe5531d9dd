//! Submissions: a provider structure's response to a call for projects.
//!
//! Rules: a provider writes one draft per call for its own structure, while the call is
//! published and open; submitting is refused after the deadline (`DEADLINE_PASSED`), above the
//! budget cap (`BUDGET_EXCEEDED`) or with a required answer missing (`VALIDATION`), and issues a
//! deposit receipt: a number unique within the tenant and the exact instant received (the
//! transaction's clock). A submitted response no longer changes; it can be withdrawn until the
//! deadline. Steering reviews and records the committee's decision (accepted or rejected, with a
//! reason). A provider sees only its structure's submissions (another's is `NOT_FOUND`); steering
//! sees every submitted one, never drafts; referents see none.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::*;
pub(crate) use policy::reader_scope;
pub use write::{create, record_decision, start_review, submit, update, withdraw};

use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{CallId, StructureId, SubmissionId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// A submission the principal may see.
pub async fn get(tx: &Tx, principal: &Principal, id: SubmissionId) -> Result<Submission> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = find_in(&tx, scope, id).await?;
    Ok(found)
}

pub(crate) async fn find_in(
    tx: &TenantTx,
    scope: Option<StructureId>,
    id: SubmissionId,
) -> Result<Submission> {
    store::find(tx, scope, id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "submission",
        })
}

/// The submissions the principal may see, optionally of one call.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    call: Option<CallId>,
    page: PageRequest,
) -> Result<Page<Submission>> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    let page = store::list(&tx, scope, call, &page).await?;
    Ok(page)
}

/// The files attached to a submission the principal may see.
pub async fn attachments(
    tx: &Tx,
    principal: &Principal,
    id: SubmissionId,
) -> Result<Vec<crate::attachments::Attachment>> {
    let scope = reader_scope(principal)?;
    let tx = tx.scoped(principal).await?;
    find_in(&tx, scope, id).await?;
    let files = crate::attachments::of_submission(&tx, id).await?;
    Ok(files)
}
