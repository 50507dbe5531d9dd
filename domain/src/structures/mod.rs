//! Structures: the organisations of a tenant.
//!
//! Rules: a structure belongs to one tenant and has a kind (steering body, referent carrier,
//! provider, partner) that decides which staff roles it may employ; names are unique within the
//! tenant (after NFC normalisation); every tenant role may read the tenant's structures; only
//! steering creates and edits them; an edit carries the `version` it was based on. A deactivated
//! structure's staff can no longer sign in.

mod model;
mod store;
mod write;

pub use model::{NewStructure, Structure, StructureChanges, StructureFilter, StructureKind};
pub(crate) use store::{find as find_in, insert as insert_in};
pub use write::{create, update};

use std::collections::HashMap;

use crate::db::Db;
use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};

const READERS: &[Role] = &[Role::Steering, Role::Referent, Role::Provider];

/// One structure of the principal's tenant.
pub async fn get(db: &Db, principal: &Principal, id: StructureId) -> Result<Structure> {
    principal.require(READERS, "only tenant staff read structures")?;
    let tx = db.tenant_tx(principal.tenant_id()?).await?;
    let found = store::find(&tx, id).await?;
    tx.commit().await?;
    found.ok_or(DomainError::NotFound {
        entity: "structure",
    })
}

/// The structures of the principal's tenant, in creation order.
pub async fn list(
    db: &Db,
    principal: &Principal,
    filter: &StructureFilter,
    page: PageRequest,
) -> Result<Page<Structure>> {
    principal.require(READERS, "only tenant staff read structures")?;
    let tx = db.tenant_tx(principal.tenant_id()?).await?;
    let page = store::list(&tx, filter, &page).await?;
    tx.commit().await?;
    Ok(page)
}

/// Batch read for dataloaders: the structures among `ids` that the principal may see.
pub async fn load_many(
    db: &Db,
    principal: &Principal,
    ids: &[StructureId],
) -> Result<HashMap<StructureId, Structure>> {
    principal.require(READERS, "only tenant staff read structures")?;
    let tx = db.tenant_tx(principal.tenant_id()?).await?;
    let found = store::find_many(&tx, ids).await?;
    tx.commit().await?;
    Ok(found.into_iter().map(|s| (s.id, s)).collect())
}
