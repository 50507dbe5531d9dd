//! Who may see and change participants.
//!
//! Steering sees and edits every participant of its tenant; a referent sees and edits only
//! their own portfolio (another referent's participant is `FORBIDDEN`, another tenant's
//! `NOT_FOUND`); a provider sees, read-only, the participants prescribed to or enrolled in its
//! cohorts, and only the fields the action needs; the platform operator sees none. RSA status and recognised
//! disability are readable by steering and by the participant's own referent only.

use crate::error::{DomainError, Result};
use crate::ids::{StaffId, StructureId};
use crate::principal::{Principal, Role};

use super::model::{Participant, Shape};

/// Roles that read participants at all (a provider: only those of its cohorts, few fields).
pub(crate) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "only steering staff, referents and providers read participants",
    )
}

/// Referents and steering create participants.
pub(crate) fn require_creator(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent],
        "only referents and steering create participants",
    )
}

/// Whether the principal reads the whole record (not only the action's few fields: name,
/// contact, commune, referent, status).
pub fn reads_whole_record(principal: &Principal, participant: &impl Shape) -> bool {
    owns(principal, participant)
}

/// Whether the principal may read and edit this participant (given it is in their tenant).
pub(crate) fn owns(principal: &Principal, participant: &impl Shape) -> bool {
    match principal.role() {
        Role::Steering => true,
        Role::Referent => principal.staff() == Some(participant.referent_id()),
        Role::Provider | Role::Admin => false,
    }
}

/// Refuse unless the principal may edit `participant`.
pub(crate) fn require_owner(principal: &Principal, participant: &Participant) -> Result<()> {
    if owns(principal, participant) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "this participant is in another referent's portfolio",
        ))
    }
}

/// Whether RSA status and recognised disability may be shown to the principal.
pub fn may_read_sensitive(principal: &Principal, participant: &impl Shape) -> bool {
    owns(principal, participant)
}

/// Refuse the `rsaBeneficiary` filter to those who may not read RSA status: a list filtered on
/// it tells the status of everyone listed. Steering and referents read it for every participant
/// they see (a referent sees only their own portfolio).
pub(crate) fn require_sensitive_filter(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent],
        "filtering by RSA status is for steering and referents only",
    )
}

/// Steering only: committee decisions, reassignment, erasure.
pub(crate) fn require_steering(principal: &Principal, what: &'static str) -> Result<()> {
    principal.require(&[Role::Steering], what)
}

/// Which participants a principal sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visible {
    /// Every participant of the tenant (steering).
    All,
    /// A referent's own portfolio.
    OfReferent(StaffId),
    /// The participants of a provider's cohorts (the action's few fields only).
    OfProvider(StructureId),
    /// None (any other principal).
    Nothing,
}

/// The participants `principal` sees (the store turns it into the query).
pub(crate) fn visible(principal: &Principal) -> Visible {
    match (principal.role(), principal.staff(), principal.structure()) {
        (Role::Steering, _, _) => Visible::All,
        (Role::Referent, Some(staff), _) => Visible::OfReferent(staff),
        (Role::Provider, _, Some(structure)) => Visible::OfProvider(structure),
        _ => Visible::Nothing,
    }
}

/// The referent of a participant `principal` creates: a referent creates in their own
/// portfolio (`referentId` omitted or their own; another's is `FORBIDDEN`); steering names
/// one (`referentId` required: `VALIDATION`).
pub(crate) fn referent_of_new(
    principal: &Principal,
    requested: Option<StaffId>,
) -> Result<StaffId> {
    match (principal.role(), requested) {
        (Role::Referent, None) => principal
            .staff()
            .ok_or(DomainError::Forbidden("no staff record")),
        (Role::Referent, Some(id)) if Some(id) == principal.staff() => Ok(id),
        (Role::Referent, Some(_)) => Err(DomainError::Forbidden(
            "a referent creates participants in their own portfolio",
        )),
        (_, Some(id)) => Ok(id),
        (_, None) => Err(DomainError::validation("referentId", "is required")),
    }
}
