//! The `followUpSheets` list, each role's share of it.

use async_graphql::{Context, ID, Object};
use parcours_domain::follow_up::{self, SheetFilter};

use super::FollowUpSheetObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct FollowUpQuery;

#[Object]
impl FollowUpQuery {
    /// Follow-up sheets: the provider those of its cohorts (drafts included); a referent the
    /// transmitted sheets of their participants; steering every transmitted sheet.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn follow_up_sheets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only the sheets of this cohort.")] cohort_id: Option<ID>,
        #[graphql(
            desc = "Only those not yet read by the caller's side (the referent, or steering)."
        )]
        unread: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<FollowUpSheetObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let cohort = cohort_id
            .as_ref()
            .map(crate::graphql::cohorts::cohort_id)
            .transpose()
            .gql(ctx)?;
        let filter = SheetFilter {
            cohort,
            unread: unread.unwrap_or(false),
        };
        let page = follow_up::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, FollowUpSheetObj)))
    }
}
