//! The `reports` list and the `overdueReports` of the caller's conventions.

use async_graphql::{Context, ID, Object};
use parcours_domain::reports;

use super::ReportObj;
use super::overdue::OverdueObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Reports: steering all, a provider its conventions'.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        convention_id: Option<ID>,
    ) -> async_graphql::Result<Option<Conn<ReportObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let convention = convention_id
            .as_ref()
            .map(crate::graphql::conventions::convention_id)
            .transpose()
            .gql(ctx)?;
        let page = reports::list(&r.tx, &r.principal, convention, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |x| x.id.0, ReportObj)))
    }

    /// Reports past their due date and not submitted, started or not, by due date.
    async fn overdue_reports(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<OverdueObj>>> {
        let r = req(ctx);
        let list = reports::overdue(&r.tx, &r.principal).await.gql(ctx)?;
        Ok(Some(list.into_iter().map(OverdueObj).collect()))
    }
}
