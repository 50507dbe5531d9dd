//! Staff members: the people who sign in to a tenant.
//!
//! Rules: a staff member has one role (steering, referent, provider) and works for one
//! structure of the same tenant whose kind employs that role (steering body, referent carrier,
//! provider); the subject (`sub` claim of their tokens) and the e-mail are unique within the
//! tenant; every tenant role may read the tenant's staff directory; only steering invites, edits
//! and deactivates, and never deactivates itself; a deactivated staff member's tokens are refused.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::{NewStaff, StaffChanges, StaffFilter, StaffMember};
pub(crate) use store::{find as find_in, find_by_subject_or_email, find_signing_in, signing_in_at};
pub(crate) use write::insert_checked;
pub use write::{deactivate, invite, update};

use std::collections::HashMap;

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::StaffId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// One staff member of the principal's tenant.
pub async fn get(tx: &Tx, principal: &Principal, id: StaffId) -> Result<StaffMember> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find(&tx, id).await?;
    found.ok_or(DomainError::NotFound {
        entity: "staff member",
    })
}

/// The staff of the principal's tenant, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: &StaffFilter,
    page: PageRequest,
) -> Result<Page<StaffMember>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    store::list(&tx, filter, &page).await
}

/// Batch read for dataloaders.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    ids: &[StaffId],
) -> Result<HashMap<StaffId, StaffMember>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find_many(&tx, ids).await?;
    Ok(found.into_iter().map(|s| (s.id, s)).collect())
}
