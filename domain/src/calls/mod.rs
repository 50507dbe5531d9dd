//! Calls for projects (appels à projets).
//!
//! Rules: steering writes calls; a call is a `DRAFT` until published, then `PUBLISHED` until its
//! deadline, `CLOSED` from the deadline on (by itself: the status is read against the
//! transaction's clock), and `DECIDED` once every submission received has its decision.
//! Opening and deadline are Paris wall-clock times stored as instants. Providers read published
//! calls (never drafts); referents read none. References are unique within a tenant. Budget cap
//! and amounts are exact money.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::*;
pub(crate) use store::{find as find_in, set_decided};

/// The call `id` of the transaction's tenant, `NOT_FOUND` when there is none.
pub(crate) async fn get_in(tx: &crate::db::TenantTx, id: CallId) -> Result<CallForProjects> {
    find_in(tx, id).await?.ok_or(DomainError::NotFound {
        entity: "call for projects",
    })
}
pub use write::{create, publish, update};

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::CallId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// One call the principal may read (a draft is `NOT_FOUND` for providers).
pub async fn get(tx: &Tx, principal: &Principal, id: CallId) -> Result<CallForProjects> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find(&tx, id).await?;
    found
        .filter(|c| policy::reads_drafts(principal) || c.stored_status != StoredCallStatus::Draft)
        .ok_or(DomainError::NotFound {
            entity: "call for projects",
        })
}

/// The calls the principal may read, newest first.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    page: PageRequest,
) -> Result<Page<CallForProjects>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let page = store::list(&tx, policy::reads_drafts(principal), &page).await?;
    Ok(page)
}
