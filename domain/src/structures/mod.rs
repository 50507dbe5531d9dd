//! Structures: the organisations of a tenant.
//!
//! Rules: a structure belongs to one tenant and has a kind (steering body, referent carrier,
//! provider, partner) that decides which staff roles it may employ; names are unique within the
//! tenant (after NFC normalisation); every tenant role may read the tenant's structures; only
//! steering creates and edits them; an edit carries the `version` it was based on. A deactivated
//! structure's staff can no longer sign in.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::{NewStructure, Structure, StructureChanges, StructureFilter, StructureKind};
pub(crate) use store::{find as find_in, insert as insert_in};
pub use write::{create, update};

use std::collections::HashMap;

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// One structure of the principal's tenant.
pub async fn get(tx: &Tx, principal: &Principal, id: StructureId) -> Result<Structure> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find(&tx, id).await?;
    found.ok_or(DomainError::NotFound {
        entity: "structure",
    })
}

/// The structures of the principal's tenant, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: &StructureFilter,
    page: PageRequest,
) -> Result<Page<Structure>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let page = store::list(&tx, filter, &page).await?;
    Ok(page)
}

/// Batch read for dataloaders: the structures among `ids` that the principal may see.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    ids: &[StructureId],
) -> Result<HashMap<StructureId, Structure>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find_many(&tx, ids).await?;
    Ok(found.into_iter().map(|s| (s.id, s)).collect())
}
