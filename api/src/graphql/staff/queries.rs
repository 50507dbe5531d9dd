//! The `staff` list of the caller's tenant, and its filters.

use async_graphql::{Context, ID, Object};
use parcours_domain::ids::StructureId;
use parcours_domain::staff::{self, StaffFilter};

use super::{Role, StaffMemberObj};
use crate::graphql::{Conn, GqlResult, connection, ids, page_request, req};

#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// The staff of the caller's tenant, in creation order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only staff of this structure.")] structure_id: Option<ID>,
        #[graphql(desc = "Only staff with this role.")] role: Option<Role>,
        #[graphql(desc = "Only active (true) or deactivated (false) staff.")] active: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<StaffMemberObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let structure_id = structure_id
            .map(|id| ids::decode(&id, "Structure", "structure").map(StructureId))
            .transpose()
            .gql(ctx)?;
        let filter = StaffFilter {
            structure_id,
            role: role.map(Into::into),
            active,
        };
        let page = staff::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, StaffMemberObj)))
    }
}
