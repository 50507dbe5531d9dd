//! The `structures` list of the caller's tenant.

use async_graphql::{Context, Object};
use parcours_domain::structures::{self, StructureFilter};

use super::StructureObj;
use super::structure::StructureKind;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct StructureQuery;

#[Object]
impl StructureQuery {
    /// The structures of the caller's tenant, in creation order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn structures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only structures of this kind.")] kind: Option<StructureKind>,
    ) -> async_graphql::Result<Option<Conn<StructureObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = StructureFilter {
            kind: kind.map(Into::into),
        };
        let page = structures::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, StructureObj)))
    }
}
