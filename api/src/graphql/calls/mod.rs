//! Calls for projects (`parcours_domain::calls`) as the schema shows them: the
//! `CallForProjects` object, the `callsForProjects` list, and steering's mutations that write,
//! edit and publish a call. Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::CallId;

use crate::graphql::ids;

mod call;
mod mutations;
mod queries;

pub use call::{CallObj, ParisDateTime};
pub use mutations::CallMutation;
pub use queries::CallQuery;

pub(crate) fn call_id(id: &ID) -> Result<CallId, DomainError> {
    ids::decode(id, "CallForProjects", "call for projects").map(CallId)
}
