//! The caller's `tenant`, and the platform operator's list of `tenants`.

use async_graphql::{Context, Object};
use parcours_domain::tenants;

use super::TenantObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// The caller's own tenant. The platform operator has none (`FORBIDDEN`).
    async fn tenant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TenantObj>> {
        let r = req(ctx);
        let tenant = tenants::current(&r.tx, &r.principal).await.gql(ctx)?;
        Ok(Some(TenantObj(tenant)))
    }

    /// Every tenant of the platform. Platform operator only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<TenantObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = tenants::list(&r.tx, &r.principal, page).await.gql(ctx)?;
        Ok(Some(connection(ctx, page, |t| t.id.0, TenantObj)))
    }
}
