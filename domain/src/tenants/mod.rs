//! Tenants: one PLIE territory each, with the communes of its perimeter.
//!
//! Rules: only the platform operator (`admin`) creates, lists, suspends and reactivates tenants;
//! a tenant is created with its communes, its steering body and its first steering account, in
//! one transaction; slugs are unique on the platform; commune names and INSEE codes are unique
//! within a tenant. Tenant staff read their own tenant only: another tenant's ID answers
//! `NOT_FOUND`, exactly like an unknown one. A suspended tenant's tokens are refused.

mod model;
pub(crate) mod policy;
mod store;
mod write;

pub use model::{
    Commune, CommuneShape, CommuneSummary, CreatedTenant, FirstSteering, NewCommune, NewTenant,
    Tenant, TenantStatus,
};
pub(crate) use store::{
    clea_threshold, commune_exists, communes as communes_in, enter_by_slug, to_tenant,
};
pub use write::{create, reactivate, set_clea_threshold, set_retention, suspend};

use crate::db::{Db, Mode, Tx};
use crate::error::{DomainError, Result};
use crate::ids::TenantId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// The principal's own tenant.
pub async fn current(tx: &Tx, principal: &Principal) -> Result<Tenant> {
    let id = principal.tenant_id()?;
    get(tx, principal, id).await
}

/// A tenant by ID: any for `admin`, only their own for tenant staff.
pub async fn get(tx: &Tx, principal: &Principal, id: TenantId) -> Result<Tenant> {
    policy::require_reader_of(principal, id)?;
    if let Some(row) = tx.settings().filter(|t| t.id == id.0) {
        return store::to_tenant(row);
    }
    let found = store::find(&tx.registry(), id).await?;
    found.ok_or(DomainError::NotFound { entity: "tenant" })
}

/// Every tenant's row, whatever its status, read in `tx` (retention, the name keys' upkeep).
pub(crate) async fn every_tenant(tx: &Tx) -> Result<Vec<crate::entities::tenant::Model>> {
    store::all_rows(&tx.registry()).await
}

/// Whether the instance has no tenant yet (the demo loads only into an empty one).
pub(crate) async fn none_yet(tx: &Tx) -> Result<bool> {
    store::none(&tx.registry()).await
}

/// The active tenants, for jobs that act in each (reminders).
pub(crate) async fn active_scopes(db: &Db) -> Result<Vec<crate::principal::TenantScope>> {
    #[expect(clippy::disallowed_methods, reason = "a job's entry point")]
    let tenants = db
        .run(Mode::Read, async |tx| store::active(&tx.registry()).await)
        .await?;
    Ok(tenants
        .into_iter()
        .map(|t| crate::principal::TenantScope {
            id: t.id,
            slug: t.slug,
        })
        .collect())
}

/// Every tenant of the platform, in creation order. `admin` only.
pub async fn list(tx: &Tx, principal: &Principal, page: PageRequest) -> Result<Page<Tenant>> {
    let registry = tx.platform(principal)?;
    store::list(&registry, &page).await
}

/// The communes of a tenant's perimeter, by name. Readable by `admin` and the tenant's staff.
pub async fn communes(tx: &Tx, principal: &Principal, id: TenantId) -> Result<Vec<Commune>> {
    policy::require_reader_of(principal, id)?;
    let scope = if policy::is_operator(principal) {
        tx.platform(principal)?.enter(id).await?
    } else {
        tx.scoped(principal).await?
    };
    store::communes(&scope).await
}

/// Batch read for dataloaders: communes of the principal's tenant, in the shape `C`.
pub async fn load_communes<C: CommuneShape>(
    tx: &Tx,
    principal: &Principal,
    ids: &[crate::ids::CommuneId],
) -> Result<std::collections::HashMap<crate::ids::CommuneId, C>> {
    let tx = tx.scoped(principal).await?;
    let found = store::communes_by_id::<C>(&tx, ids).await?;
    Ok(found.into_iter().map(|c| (c.id(), c)).collect())
}
