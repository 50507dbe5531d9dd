//! ESF+ (`parcours_domain::esf`) as the schema shows it: a participant's `EsfRecord` in one
//! operation and its completeness, the common indicators of an operation, the `esfRecords` and
//! `esfIndicators` queries, and the mutations that record entry, exit and the later situation.
//! Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::esf::Operation;
use parcours_domain::ids::EsfRecordId;
use parcours_domain::{DomainError, Principal};

use crate::graphql::ids;

mod indicator;
mod mutations;
mod queries;
mod record;

pub use mutations::EsfMutation;
pub use queries::EsfQuery;
pub use record::EsfRecordObj;

/// The decoded operation of an `operationId`: a Convention's ID, or the Tenant's ID for the
/// PLIE's accompaniment (another tenant's ID is not found).
pub fn operation(principal: &Principal, id: &ID) -> Result<Operation, DomainError> {
    let (kind, uuid) = ids::decode_any(id).ok_or(DomainError::NotFound {
        entity: "operation",
    })?;
    Operation::identified(principal, &kind, uuid)
}

fn record_id(id: &ID) -> Result<EsfRecordId, DomainError> {
    ids::decode(id, "EsfRecord", "ESF record").map(EsfRecordId)
}
