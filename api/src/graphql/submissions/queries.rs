//! The `submissions` list.

use async_graphql::{Context, ID, Object};
use parcours_domain::submissions;

use super::SubmissionObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct SubmissionQuery;

#[Object]
impl SubmissionQuery {
    /// Submissions: a provider its own structure's, steering every submitted one.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn submissions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only responses to this call.")] call_id: Option<ID>,
    ) -> async_graphql::Result<Option<Conn<SubmissionObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let call = call_id
            .as_ref()
            .map(crate::graphql::calls::call_id)
            .transpose()
            .gql(ctx)?;
        let page = submissions::list(&r.tx, &r.principal, call, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, SubmissionObj)))
    }
}
