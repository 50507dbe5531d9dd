//! Who may collect, read and export ESF+ data.
//!
//! Steering collects and reads every record; a referent their own participants' records; a
//! provider the records of its conventions' operations, for the participants of its cohorts
//! (which records each reads is the scope of `store.rs`). The export and the indicators of an
//! operation: steering, and the provider for its own convention.

use crate::conventions;
use crate::db::TenantTx;
use crate::error::{DomainError, Result};
use crate::ids::{StaffId, StructureId};
use crate::principal::{Principal, Role};

use super::model::Operation;

/// Roles that collect ESF data (entry, exit and six-month situations).
pub(super) fn require_collector(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "steering, referents and providers collect ESF data",
    )
}

/// Roles that export an operation's records and count its indicators.
pub(super) fn require_exporter(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "ESF exports are for steering and the operation's provider",
    )
}

/// Refuse an operation the principal may not report on (a provider: only its conventions);
/// its label otherwise (`PLIE`, or the convention's number).
pub(super) async fn require_operation(
    tx: &TenantTx,
    principal: &Principal,
    operation: Operation,
) -> Result<String> {
    let scope = match principal.role() {
        Role::Provider => {
            if operation == Operation::Plie {
                return Err(DomainError::Forbidden(
                    "a provider reports on its own conventions' operations",
                ));
            }
            principal.structure()
        }
        _ => None,
    };
    Ok(match operation {
        Operation::Convention(id) => conventions::find_in(tx, scope, id).await?.number,
        Operation::Plie => "PLIE".to_owned(),
    })
}

/// Which ESF+ records a principal reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Readable {
    /// Every record of the tenant (steering).
    All,
    /// The records of a referent's own participants.
    OfReferent(StaffId),
    /// The records of the operations of a provider's conventions.
    OfProvider(StructureId),
    /// None (any other principal).
    Nothing,
}

/// The records `principal` reads (the store turns it into the query).
pub(super) fn readable(principal: &Principal) -> Readable {
    match (principal.role(), principal.staff(), principal.structure()) {
        (Role::Steering, _, _) => Readable::All,
        (Role::Referent, Some(staff), _) => Readable::OfReferent(staff),
        (Role::Provider, _, Some(structure)) => Readable::OfProvider(structure),
        _ => Readable::Nothing,
    }
}
