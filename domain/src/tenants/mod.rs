//! Tenants: one PLIE territory each, with the communes of its perimeter.
//!
//! Rules: only the platform operator (`admin`) creates, lists, suspends and reactivates tenants;
//! a tenant is created with its communes, its steering body and its first steering account, in
//! one transaction; slugs are unique on the platform; commune names and INSEE codes are unique
//! within a tenant. Tenant staff read their own tenant only: another tenant's ID answers
//! `NOT_FOUND`, exactly like an unknown one. A suspended tenant's tokens are refused.

mod model;
mod store;
mod write;

pub use model::{
    Commune, CreatedTenant, FirstSteering, NewCommune, NewTenant, Tenant, TenantStatus,
};
pub(crate) use store::{clea_threshold, commune_exists, communes as communes_in, find_by_slug};
pub use write::{create, reactivate, set_clea_threshold, set_retention, suspend};

use crate::db::Db;
use crate::error::{DomainError, Result};
use crate::ids::TenantId;
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};

/// The principal's own tenant.
pub async fn current(db: &Db, principal: &Principal) -> Result<Tenant> {
    let id = principal.tenant_id()?;
    get(db, principal, id).await
}

/// A tenant by ID: any for `admin`, only their own for tenant staff.
pub async fn get(db: &Db, principal: &Principal, id: TenantId) -> Result<Tenant> {
    if principal.role() != Role::Admin && principal.tenant_id()? != id {
        return Err(DomainError::NotFound { entity: "tenant" });
    }
    let tx = db.platform_tx().await?;
    let found = store::find(&tx, id).await?;
    tx.commit().await?;
    found.ok_or(DomainError::NotFound { entity: "tenant" })
}

/// The active tenants, for jobs that act in each (reminders).
pub(crate) async fn active_scopes(db: &Db) -> Result<Vec<crate::principal::TenantScope>> {
    let tx = db.platform_tx().await?;
    let tenants = store::active(&tx).await?;
    tx.commit().await?;
    Ok(tenants
        .into_iter()
        .map(|t| crate::principal::TenantScope {
            id: t.id,
            slug: t.slug,
        })
        .collect())
}

/// Every tenant of the platform, in creation order. `admin` only.
pub async fn list(db: &Db, principal: &Principal, page: PageRequest) -> Result<Page<Tenant>> {
    principal.require(&[Role::Admin], "only the platform operator lists tenants")?;
    let tx = db.platform_tx().await?;
    let page = store::list(&tx, &page).await?;
    tx.commit().await?;
    Ok(page)
}

/// The communes of a tenant's perimeter, by name. Readable by `admin` and the tenant's staff.
pub async fn communes(db: &Db, principal: &Principal, id: TenantId) -> Result<Vec<Commune>> {
    if principal.role() != Role::Admin && principal.tenant_id()? != id {
        return Err(DomainError::NotFound { entity: "tenant" });
    }
    let tx = db.tenant_tx(id).await?;
    let communes = store::communes(&tx).await?;
    tx.commit().await?;
    Ok(communes)
}

/// Batch read for dataloaders: communes of the principal's tenant.
pub async fn load_communes(
    db: &Db,
    principal: &Principal,
    ids: &[crate::ids::CommuneId],
) -> Result<std::collections::HashMap<crate::ids::CommuneId, Commune>> {
    let tx = db.tenant_tx(principal.tenant_id()?).await?;
    let found = store::communes_by_id(&tx, ids).await?;
    tx.commit().await?;
    Ok(found.into_iter().map(|c| (c.id, c)).collect())
}
