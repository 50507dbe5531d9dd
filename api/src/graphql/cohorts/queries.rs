//! The `cohorts` list, its filters, and what it primes for the page.

use async_graphql::{Context, ID, Object};
use parcours_domain::cohorts::{self, CohortFilter};

use super::cohort::domain_status;
use super::{CohortObj, CohortStatus};
use crate::graphql::scalars::Date;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct CohortQuery;

#[Object]
impl CohortQuery {
    /// Cohorts: steering and referents all, a provider its own.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "one GraphQL argument each")]
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only the cohorts of this convention.")] convention_id: Option<ID>,
        #[graphql(
            desc = "Only the cohorts in one of these statuses (each at most once; omitted or empty: all)."
        )]
        status: Option<Vec<CohortStatus>>,
        #[graphql(
            desc = "Only the cohorts whose dates meet the period from `from` to `to`, both days included (either bound may be omitted; `VALIDATION` on `to` when it precedes `from`): `from` alone gives the cohorts not ended before it, `to` alone those started by it."
        )]
        from: Option<Date>,
        to: Option<Date>,
    ) -> async_graphql::Result<Option<Conn<CohortObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = CohortFilter {
            convention: convention_id
                .as_ref()
                .map(crate::graphql::conventions::convention_id)
                .transpose()
                .gql(ctx)?,
            statuses: status
                .unwrap_or_default()
                .into_iter()
                .map(domain_status)
                .collect(),
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
        };
        let page = cohorts::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        let node = ctx.look_ahead().field("edges").field("node");
        crate::graphql::loaders::prime_cohorts(ctx, node, &page.items).await?;
        Ok(Some(connection(ctx, page, |c| c.id.0, CohortObj)))
    }
}
