//! The `Tenant` object: one PLIE territory sharing this instance, and whether its staff may
//! sign in.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::tenants::{self, Tenant};

use super::CommuneObj;
use crate::graphql::{GqlResult, ids, req};

/// Whether a tenant's staff may sign in.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum TenantStatus {
    /// Staff sign in normally.
    Active,
    /// Every token of this tenant is refused; the data is kept.
    Suspended,
}

/// A tenant: one PLIE territory sharing this instance.
pub struct TenantObj(pub Tenant);

#[Object(name = "Tenant")]
impl TenantObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Tenant", self.0.id.0)
    }
    /// The slug carried by the `tenant` claim of this tenant's tokens.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name, e.g. "PLIE de l'agglomération dijonnaise".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Active or suspended.
    async fn status(&self) -> TenantStatus {
        match self.0.status {
            tenants::TenantStatus::Active => TenantStatus::Active,
            tenants::TenantStatus::Suspended => TenantStatus::Suspended,
        }
    }
    /// The communes of the territory's perimeter, by name (at most 500).
    async fn communes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CommuneObj>> {
        let r = req(ctx);
        let communes = tenants::communes(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(communes.into_iter().map(CommuneObj::from).collect())
    }
    /// When the tenant was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the tenant last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The share of CléA points (percent) a positioning must reach (75 by default).
    async fn clea_threshold_percent(&self) -> i32 {
        self.0.clea_threshold_percent
    }
    /// Months after the end of a path (exit or refused entry) before the retention job
    /// anonymises the participant.
    async fn retention_months(&self) -> i32 {
        self.0.retention_months
    }
    /// Optimistic-concurrency version: pass it back when changing the tenant.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
