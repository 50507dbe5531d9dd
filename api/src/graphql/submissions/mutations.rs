//! The response's life: the provider creates, edits, submits and withdraws it; steering
//! starts the review and records the committee's decision.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::submissions::{self, DraftFields};

use super::{Answer, BudgetLine, SubmissionObj, submission_id};
use crate::graphql::calls::call_id;
use crate::graphql::scalars::{Date, Money};
use crate::graphql::{GqlResult, ids, req};

/// The content of a draft response; on update only what is given changes.
#[derive(InputObject, Default)]
pub struct DraftInput {
    answers: Option<Vec<Answer>>,
    requested_amount: Option<Money>,
    /// Must add up to the requested amount.
    budget_lines: Option<Vec<BudgetLine>>,
    /// Files uploaded with `POST /attachments` by your structure.
    attachment_ids: Option<Vec<ID>>,
}

impl DraftInput {
    fn into_domain(self) -> Result<DraftFields, DomainError> {
        Ok(DraftFields {
            attachment_ids: self
                .attachment_ids
                .map(|list| {
                    list.iter()
                        .map(|id| {
                            ids::decode(id, "Attachment", "attachment")
                                .map(parcours_domain::ids::AttachmentId)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            answers: self
                .answers
                .map(|a| a.into_iter().map(|a| (a.key, a.text)).collect()),
            requested_amount: self.requested_amount.map(|m| m.0),
            budget_lines: self
                .budget_lines
                .map(|l| l.into_iter().map(|l| (l.label, l.amount.0)).collect()),
        })
    }
}

/// Input of `createSubmission`.
#[derive(InputObject)]
pub struct CreateSubmissionInput {
    call_id: ID,
    #[graphql(flatten)]
    draft: DraftInput,
}

/// Input of `updateSubmission`.
#[derive(InputObject)]
pub struct UpdateSubmissionInput {
    id: ID,
    version: i32,
    #[graphql(flatten)]
    draft: DraftInput,
}

/// Input of `submitSubmission`, `withdrawSubmission` and `startReview`.
#[derive(InputObject)]
pub struct SubmissionVersionInput {
    id: ID,
    version: i32,
}

/// Input of `recordDecision`.
#[derive(InputObject)]
pub struct RecordDecisionInput {
    id: ID,
    version: i32,
    accepted: bool,
    /// The reason for the decision: 1 to 2,000 characters, one line.
    reason: String,
    committee_date: Date,
}

/// Result of the submission mutations.
#[derive(SimpleObject)]
pub struct SubmissionPayload {
    submission: SubmissionObj,
}

#[derive(Default)]
pub struct SubmissionMutation;

#[Object]
impl SubmissionMutation {
    /// Provider: start the structure's response to an open call.
    async fn create_submission(
        &self,
        ctx: &Context<'_>,
        input: CreateSubmissionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = call_id(&input.call_id).gql(ctx)?;
        let s = submissions::create(&r.tx, &r.principal, id, input.draft.into_domain().gql(ctx)?)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: edit the draft response.
    async fn update_submission(
        &self,
        ctx: &Context<'_>,
        input: UpdateSubmissionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::update(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.draft.into_domain().gql(ctx)?,
        )
        .await
        .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: submit; issues the deposit receipt. `DEADLINE_PASSED`, `BUDGET_EXCEEDED`, or
    /// `VALIDATION` on a missing required answer.
    async fn submit_submission(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::submit(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: withdraw a submitted response, until the deadline.
    async fn withdraw_submission(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::withdraw(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Steering: start the review (instruction) of a submitted response.
    async fn start_review(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::start_review(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Steering: record the steering committee's decision.
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        input: RecordDecisionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::record_decision(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.accepted,
            &input.reason,
            input.committee_date.0,
        )
        .await
        .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }
}
