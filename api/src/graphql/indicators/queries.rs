//! The tenant's key figures over a period: the `indicators` query.

use async_graphql::{Context, Object};
use parcours_domain::indicators;

use super::PeriodInput;
use super::key_figures::KeyFiguresObj;
use crate::graphql::{GqlResult, req};

#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// The tenant's key figures over a period (steering).
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        period: PeriodInput,
    ) -> async_graphql::Result<Option<KeyFiguresObj>> {
        let r = req(ctx);
        let period = period.period().gql(ctx)?;
        let figures = indicators::key_figures(&r.tx, &r.principal, period)
            .await
            .gql(ctx)?;
        Ok(Some(KeyFiguresObj(figures)))
    }
}
