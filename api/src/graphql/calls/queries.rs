//! The `callsForProjects` list.

use async_graphql::{Context, Object};
use parcours_domain::calls;

use super::CallObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct CallQuery;

#[Object]
impl CallQuery {
    /// Calls for projects, newest first: steering sees drafts too, providers published ones.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn calls_for_projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<CallObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = calls::list(&r.tx, &r.principal, page).await.gql(ctx)?;
        Ok(Some(connection(ctx, page, |c| c.id.0, CallObj)))
    }
}
