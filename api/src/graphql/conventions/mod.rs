//! Conventions (`parcours_domain::conventions`): the funding agreement signed with a
//! structure after an accepted submission, as the schema shows it — the `Convention` object
//! with its report calendar and `Amendment`s, the `conventions` list, and steering's mutations
//! that sign and amend one. Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::ConventionId;

use crate::graphql::ids;

mod amendment;
mod convention;
mod mutations;
mod queries;

pub use amendment::{AmendmentKindGql, AmendmentObj};
pub use convention::ConventionObj;
pub use mutations::ConventionMutation;
pub use queries::ConventionQuery;

pub(crate) fn convention_id(id: &ID) -> Result<ConventionId, DomainError> {
    ids::decode(id, "Convention", "convention").map(ConventionId)
}
