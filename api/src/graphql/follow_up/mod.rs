//! Follow-up sheets (fiches de suivi; `parcours_domain::follow_up`) as the schema shows them:
//! the `FollowUpSheet` with its `AttendanceSummary`, the `followUpSheets` list, and the
//! mutations of a sheet's life: issued by the provider, read by the referent and steering.
//! Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::FollowUpSheetId;

use crate::graphql::ids;

mod mutations;
mod queries;
mod sheet;

pub use mutations::FollowUpMutation;
pub use queries::FollowUpQuery;
pub use sheet::FollowUpSheetObj;

pub(crate) fn sheet_id(id: &ID) -> Result<FollowUpSheetId, DomainError> {
    ids::decode(id, "FollowUpSheet", "follow-up sheet").map(FollowUpSheetId)
}
