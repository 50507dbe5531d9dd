//! Staff members of a tenant (`parcours_domain::staff`) as the schema shows them: the
//! `StaffMember` and its `Role`, the `staff` list, and steering's mutations that invite,
//! update and deactivate a member. Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::StaffId;

use crate::graphql::ids;

mod member;
mod mutations;
mod queries;

pub use member::{Role, StaffMemberObj};
pub use mutations::StaffMutation;
pub use queries::StaffQuery;

fn staff_id(id: &ID) -> Result<StaffId, DomainError> {
    ids::decode(id, "StaffMember", "staff member").map(StaffId)
}
