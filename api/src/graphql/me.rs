//! `me`: who the caller is.

use async_graphql::{Context, Object};
use parcours_domain::{staff, structures, tenants};

use super::staff::{Role, StaffMemberObj};
use super::structures::StructureObj;
use super::tenants::TenantObj;
use super::{GqlResult, req};

/// The authenticated caller.
pub struct Me;

#[Object]
impl Me {
    /// The `sub` claim.
    async fn subject(&self, ctx: &Context<'_>) -> String {
        req(ctx).principal.subject().to_owned()
    }
    /// The role claim.
    async fn role(&self, ctx: &Context<'_>) -> Role {
        req(ctx).principal.role().into()
    }
    /// The caller's tenant; null for the platform operator.
    async fn tenant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TenantObj>> {
        let r = req(ctx);
        if r.principal.tenant().is_none() {
            return Ok(None);
        }
        let tenant = tenants::current(&r.tx, &r.principal).await.gql(ctx)?;
        Ok(Some(TenantObj(tenant)))
    }
    /// The caller's staff record; null for the platform operator.
    async fn staff_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<StaffMemberObj>> {
        let r = req(ctx);
        let Some(id) = r.principal.staff() else {
            return Ok(None);
        };
        let member = staff::get(&r.tx, &r.principal, id).await.gql(ctx)?;
        Ok(Some(StaffMemberObj(member)))
    }
    /// The structure the caller works for; null for the platform operator.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StructureObj>> {
        let r = req(ctx);
        let Some(id) = r.principal.structure() else {
            return Ok(None);
        };
        let structure = structures::get(&r.tx, &r.principal, id).await.gql(ctx)?;
        Ok(Some(StructureObj(structure)))
    }
}

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// The authenticated caller: principal, tenant and own staff record.
    async fn me(&self) -> Me {
        Me
    }
}
