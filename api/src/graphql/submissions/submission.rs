//! The `Submission` object: its status, answers, budget lines and deposit receipt.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::calls;
use parcours_domain::submissions::{self, Submission, SubmissionStatus};

use crate::graphql::attachments::AttachmentObj;
use crate::graphql::calls::CallObj;
use crate::graphql::scalars::{Date, Money};
use crate::graphql::structures::StructureObj;
use crate::graphql::{GqlResult, ids, req};

/// Where a submission stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SubmissionStatus")]
pub enum SubmissionStatusGql {
    Draft,
    Submitted,
    Withdrawn,
    UnderReview,
    Accepted,
    Rejected,
}

/// An answer to a question.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "AnswerInput")]
pub struct Answer {
    /// The question's key: one of the call's question keys (`q1` to `q50`, at most 3
    /// characters).
    pub(super) key: String,
    /// The answer (an empty one removes it). Several paragraphs (line breaks and tabs kept), at
    /// most 20,000 characters.
    pub(super) text: String,
}

/// A line of the requested budget.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "BudgetLineInput")]
pub struct BudgetLine {
    /// Label of the line: 1 to 200 characters, one line.
    pub(super) label: String,
    pub(super) amount: Money,
}

/// The deposit receipt (attestation de dépôt).
#[derive(SimpleObject)]
pub struct SubmissionReceipt {
    /// Unique within the tenant.
    number: i32,
    /// The exact instant received.
    received_at: DateTime<Utc>,
}

/// A structure's response to a call.
pub struct SubmissionObj(pub Submission);

#[Object(name = "Submission")]
impl SubmissionObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Submission", self.0.id.0)
    }
    /// The call answered.
    async fn call(&self, ctx: &Context<'_>) -> async_graphql::Result<CallObj> {
        let r = req(ctx);
        // A provider reads the call it answered even when it is closed.
        let call = calls::get(&r.tx, &r.principal, self.0.call_id)
            .await
            .gql(ctx)?;
        Ok(CallObj(call))
    }
    /// The responding structure.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StructureObj>> {
        let loader = ctx
            .data_unchecked::<crate::graphql::loaders::Loaded<crate::graphql::StructureLoader>>();
        Ok(loader
            .load_one(self.0.structure_id)
            .await?
            .map(StructureObj))
    }
    async fn status(&self) -> SubmissionStatusGql {
        match self.0.status {
            SubmissionStatus::Draft => SubmissionStatusGql::Draft,
            SubmissionStatus::Submitted => SubmissionStatusGql::Submitted,
            SubmissionStatus::Withdrawn => SubmissionStatusGql::Withdrawn,
            SubmissionStatus::UnderReview => SubmissionStatusGql::UnderReview,
            SubmissionStatus::Accepted => SubmissionStatusGql::Accepted,
            SubmissionStatus::Rejected => SubmissionStatusGql::Rejected,
        }
    }
    async fn answers(&self) -> Vec<Answer> {
        self.0
            .answers
            .iter()
            .map(|(key, text)| Answer {
                key: key.clone(),
                text: text.clone(),
            })
            .collect()
    }
    async fn requested_amount(&self) -> Money {
        Money(self.0.requested_amount)
    }
    async fn budget_lines(&self) -> Vec<BudgetLine> {
        self.0
            .budget_lines
            .iter()
            .filter_map(|l| {
                Some(BudgetLine {
                    label: l.label.clone(),
                    amount: Money(parcours_domain::money::Money::from_cents(l.amount_cents).ok()?),
                })
            })
            .collect()
    }
    /// The deposit receipt, once submitted.
    async fn receipt(&self) -> Option<SubmissionReceipt> {
        self.0.receipt.map(|r| SubmissionReceipt {
            number: r.number,
            received_at: r.received_at,
        })
    }
    /// Attached files; download them with `GET /attachments/{id}`.
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttachmentObj>> {
        let r = req(ctx);
        let files = submissions::attachments(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(files.into_iter().map(AttachmentObj).collect())
    }
    /// The steering committee's reason.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    async fn committee_date(&self) -> Option<Date> {
        self.0.committee_date.map(Date)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
