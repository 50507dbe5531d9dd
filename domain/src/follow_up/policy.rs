//! Who may issue, transmit and read follow-up sheets.
//!
//! The cohort's provider (or steering) prepares and transmits the sheets; the participant's
//! referent and steering read the transmitted ones and record having read them. Which sheets
//! each reads (a provider: its cohorts', drafts included) is the scope of `store.rs`.

use crate::error::Result;
use crate::ids::{StaffId, StructureId};
use crate::principal::{Principal, Role};

/// Roles that prepare and revise draft sheets.
pub(super) fn require_issuer(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider issues follow-up sheets",
    )
}

/// Roles that transmit a draft sheet to the referent and steering.
pub(super) fn require_transmitter(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider transmits follow-up sheets",
    )
}

/// Roles that receive transmitted sheets and record having read them.
pub(super) fn require_recipient(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Referent, Role::Steering],
        "the participant's referent and steering read follow-up sheets",
    )
}

/// Which follow-up sheets a principal reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Readable {
    /// The transmitted sheets of the tenant (steering).
    Transmitted,
    /// Every sheet, draft or transmitted, of a provider's own cohorts.
    OfProvider(StructureId),
    /// The transmitted sheets of a referent's own participants.
    TransmittedOfReferent(StaffId),
    /// None (any other principal).
    Nothing,
}

/// The sheets `principal` reads (the store turns it into the query).
pub(super) fn readable(principal: &Principal) -> Readable {
    match (principal.role(), principal.structure(), principal.staff()) {
        (Role::Steering, _, _) => Readable::Transmitted,
        (Role::Provider, Some(structure), _) => Readable::OfProvider(structure),
        (Role::Referent, _, Some(staff)) => Readable::TransmittedOfReferent(staff),
        _ => Readable::Nothing,
    }
}

/// Which reading of a transmitted sheet a principal records and filters on: the referent's or
/// steering's (each keeps its own first reading).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reader {
    Referent,
    Steering,
}

/// The reading `principal` records: a referent's, steering's; `None` for anyone else (a
/// provider reads its sheets without recording a reading).
pub(super) fn reader(principal: &Principal) -> Option<Reader> {
    match principal.role() {
        Role::Referent => Some(Reader::Referent),
        Role::Steering => Some(Reader::Steering),
        _ => None,
    }
}
