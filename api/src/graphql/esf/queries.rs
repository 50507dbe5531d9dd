//! The `esfRecords` list and an operation's `esfIndicators`.

use async_graphql::{Context, ID, Object};
use parcours_domain::DomainError;
use parcours_domain::esf::{self, RecordFilter};

use super::indicator::IndicatorLineGql;
use super::operation;
use super::record::{EsfRecordObj, today};
use crate::graphql::indicators::PeriodInput;
use crate::graphql::participants::participant_id;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct EsfQuery;

#[Object]
impl EsfQuery {
    /// ESF+ records: steering all, a referent their participants', a provider its conventions'.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn esf_records(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "A Convention's ID, or the Tenant's ID for the PLIE's accompaniment.")]
        operation_id: Option<ID>,
        participant_id: Option<ID>,
        #[graphql(desc = "Only the records that still miss an item.")] incomplete: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<EsfRecordObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = RecordFilter {
            operation: operation_id
                .as_ref()
                .map(|id| operation(&r.principal, id))
                .transpose()
                .gql(ctx)?,
            participant: participant_id
                .as_ref()
                .map(participant_id_of)
                .transpose()
                .gql(ctx)?,
            incomplete: incomplete.unwrap_or(false),
        };
        let page = esf::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        let day = today(ctx);
        Ok(Some(connection(
            ctx,
            page,
            |x| x.id.0,
            |x| EsfRecordObj(x, day),
        )))
    }

    /// The ESF+ common indicators of an operation over a period (steering; a provider for its
    /// own convention).
    async fn esf_indicators(
        &self,
        ctx: &Context<'_>,
        operation_id: ID,
        period: PeriodInput,
    ) -> async_graphql::Result<Option<Vec<IndicatorLineGql>>> {
        let r = req(ctx);
        let op = operation(&r.principal, &operation_id).gql(ctx)?;
        let period = period.period().gql(ctx)?;
        let lines = esf::indicators(&r.tx, &r.principal, op, period)
            .await
            .gql(ctx)?;
        Ok(Some(lines.into_iter().map(Into::into).collect()))
    }
}

fn participant_id_of(id: &ID) -> Result<parcours_domain::ids::ParticipantId, DomainError> {
    participant_id(id)
}
