//! Submissions (`parcours_domain::submissions`): a structure's response to a call, as the
//! schema shows it — the `Submission` object with its answers, budget and receipt, the
//! `submissions` list, and the mutations of the response's life (the provider drafts, submits
//! and withdraws; steering reviews and decides). Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::SubmissionId;

use crate::graphql::ids;

mod mutations;
mod queries;
mod submission;

pub use mutations::SubmissionMutation;
pub use queries::SubmissionQuery;
pub use submission::{Answer, BudgetLine, SubmissionObj};

pub(crate) fn submission_id(id: &ID) -> Result<SubmissionId, DomainError> {
    ids::decode(id, "Submission", "submission").map(SubmissionId)
}
