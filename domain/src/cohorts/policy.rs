//! Who may do what with cohorts, and which cohorts each role sees: steering and referents
//! read every cohort of the tenant (a referent to prescribe), a provider its own; steering or
//! the cohort's provider runs a cohort (enrolment, calendar, attendance); referents and
//! steering prescribe; attendance and its sheets are for steering and the provider.

use std::collections::HashSet;

use sea_orm::Select;
use sea_orm::{ColumnTrait, QueryFilter};

use super::model::*;
use super::store::{self, find_in};
use crate::db::TenantTx;
use crate::entities::cohort;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId, StaffId, StructureId};
use crate::principal::{Principal, Role};

/// Steering or a provider: the roles that run cohorts (the cohort's own provider is then
/// checked by [`visible`]).
pub(super) fn require_runner(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "the cohort's provider or steering does this",
    )
}

/// Steering or the action's provider create cohorts.
pub(super) fn require_planner(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "steering or the action's provider creates cohorts",
    )
}

/// Referents prescribe their participants (steering may too).
pub(super) fn require_prescriber(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Referent, Role::Steering],
        "referents prescribe their participants",
    )
}

/// Attendance records are read by steering and the cohort's provider.
pub(super) fn require_attendance_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "attendance is read by steering and the provider",
    )
}

/// Attendance sheets are printed by steering and the cohort's provider.
pub(super) fn require_sheet_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "attendance sheets are for steering and the cohort's provider",
    )
}

/// The cohort, run by the principal: its provider, or steering.
pub(super) async fn runner(tx: &TenantTx, principal: &Principal, id: CohortId) -> Result<Cohort> {
    require_runner(principal)?;
    find_in(tx, principal, id).await
}

/// Which cohorts a principal reads, or runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cohorts {
    /// Every cohort of the tenant.
    All,
    /// The cohorts a provider's structure runs.
    OfProvider(StructureId),
}

/// The cohorts a principal may read: all for steering and referents, its own for a provider;
/// `FORBIDDEN` for the platform operator (and a provider token without its structure).
pub(crate) fn cohorts_seen(principal: &Principal) -> Result<Cohorts> {
    match principal.role() {
        Role::Steering | Role::Referent => Ok(Cohorts::All),
        Role::Provider => {
            principal
                .structure()
                .map(Cohorts::OfProvider)
                .ok_or(DomainError::Forbidden(
                    "a provider token carries a structure",
                ))
        }
        Role::Admin => Err(DomainError::Forbidden(
            "the platform operator sees no tenant data",
        )),
    }
}

/// The cohorts whose sessions a principal records attendance for: all for steering, its own
/// for a provider; `FORBIDDEN` for anyone else.
pub(crate) fn cohorts_run(principal: &Principal) -> Result<Cohorts> {
    match principal.role() {
        Role::Steering | Role::Provider => cohorts_seen(principal),
        _ => Err(DomainError::Forbidden(
            "the cohort's provider or steering does this",
        )),
    }
}

/// Whose memberships a principal reads in the cohorts it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Members {
    /// Every member (steering, the cohort's provider).
    All,
    /// A referent's own participants.
    OfReferent(StaffId),
    /// None (a referent token without its staff record).
    Nothing,
}

/// Whose memberships `principal` reads.
pub(crate) fn members_seen(principal: &Principal) -> Members {
    match (principal.role(), principal.staff()) {
        (Role::Referent, Some(staff)) => Members::OfReferent(staff),
        (Role::Referent, None) => Members::Nothing,
        _ => Members::All,
    }
}

/// The cohorts a principal may read (see [`cohorts_seen`]), as the query the store refines.
pub(super) fn visible(tx: &TenantTx, principal: &Principal) -> Result<Select<cohort::Entity>> {
    let q = tx.select::<cohort::Entity>();
    Ok(match cohorts_seen(principal)? {
        Cohorts::All => q,
        Cohorts::OfProvider(structure) => q.filter(cohort::Column::StructureId.eq(structure.0)),
    })
}

/// Of the memberships `keys`, those whose member-level records (diagnostic, attendance,
/// follow-up sheet) the principal may read: steering all; a provider those of its own cohorts;
/// a referent those of their own participants. At most one statement, whatever the number of
/// keys: this is the one scope that batch reads of member records go through.
pub(crate) async fn readable_members(
    tx: &TenantTx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<HashSet<(CohortId, ParticipantId)>> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    match principal.role() {
        Role::Steering => Ok(keys.iter().copied().collect()),
        Role::Provider => {
            let cohorts: Vec<CohortId> = keys.iter().map(|k| k.0).collect();
            let own = store::visible_ids(tx, principal, &cohorts).await?;
            Ok(keys
                .iter()
                .copied()
                .filter(|k| own.contains(&k.0))
                .collect())
        }
        Role::Referent => {
            let Some(staff) = principal.staff() else {
                return Ok(Default::default());
            };
            let people: Vec<ParticipantId> = keys.iter().map(|k| k.1).collect();
            let own = store::followed_by(tx, staff, &people).await?;
            Ok(keys
                .iter()
                .copied()
                .filter(|k| own.contains(&k.1))
                .collect())
        }
        Role::Admin => Ok(Default::default()),
    }
}

/// The conventions a principal may open a cohort under: a provider its own structure's
/// (`Some`), steering any (`None`).
pub(super) fn convention_scope(principal: &Principal) -> Option<StructureId> {
    match principal.role() {
        Role::Provider => principal.structure(),
        _ => None,
    }
}
