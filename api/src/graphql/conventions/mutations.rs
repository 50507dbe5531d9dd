//! Steering signs a convention (`createConvention`) and amends it (`addAmendment`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::conventions;

use super::{AmendmentKindGql, ConventionObj, convention_id};
use crate::graphql::scalars::{Date, Money};
use crate::graphql::submissions::submission_id;
use crate::graphql::{GqlResult, req};

/// Input of `createConvention`.
#[derive(InputObject)]
pub struct CreateConventionInput {
    /// An accepted submission.
    submission_id: ID,
    /// Default `CONV-<year>-<receipt number>`. 1 to 50 characters, one line.
    number: Option<String>,
    /// Default: the requested amount.
    amount: Option<Money>,
    start_date: Date,
    /// Default: one year.
    end_date: Option<Date>,
}

/// Input of `addAmendment`.
#[derive(InputObject)]
pub struct AddAmendmentInput {
    convention_id: ID,
    version: i32,
    kind: AmendmentKindGql,
    /// Description of the amendment: 1 to 2,000 characters, one line.
    description: String,
    signed_on: Date,
    /// For an extension (default: one more year).
    new_end_date: Option<Date>,
    /// For a budget change.
    new_amount: Option<Money>,
}

/// Result of the convention mutations.
#[derive(SimpleObject)]
pub struct ConventionPayload {
    convention: ConventionObj,
}

#[derive(Default)]
pub struct ConventionMutation;

#[Object]
impl ConventionMutation {
    /// Steering: sign the convention of an accepted submission.
    async fn create_convention(
        &self,
        ctx: &Context<'_>,
        input: CreateConventionInput,
    ) -> async_graphql::Result<Option<ConventionPayload>> {
        let r = req(ctx);
        let new = conventions::write_input(
            submission_id(&input.submission_id).gql(ctx)?,
            input.number,
            input.amount.map(|m| m.0),
            input.start_date.0,
            input.end_date.map(|d| d.0),
        );
        let c = conventions::create(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(ConventionPayload {
            convention: ConventionObj(c),
        }))
    }

    /// Steering: amend a convention (extension at most twice: `RENEWAL_LIMIT`).
    async fn add_amendment(
        &self,
        ctx: &Context<'_>,
        input: AddAmendmentInput,
    ) -> async_graphql::Result<Option<ConventionPayload>> {
        let r = req(ctx);
        let new = conventions::NewAmendment {
            convention_id: convention_id(&input.convention_id).gql(ctx)?,
            version: input.version,
            kind: input.kind.into(),
            description: input.description,
            signed_on: input.signed_on.0,
            new_end_date: input.new_end_date.map(|d| d.0),
            new_amount: input.new_amount.map(|m| m.0),
        };
        let c = conventions::add_amendment(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(ConventionPayload {
            convention: ConventionObj(c),
        }))
    }
}
