//! The participants within reach of a role beyond the plain tenant scope: a referent's
//! portfolio, and the people a provider's structure may read through its cohorts.

use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};

use crate::db::TenantTx;
use crate::entities::participant;
use crate::error::Result;
use crate::ids::{ParticipantId, StaffId, StructureId};

/// The IDs of a referent's own participants (their portfolio).
pub(crate) async fn ids_of_referent(tx: &TenantTx, referent: StaffId) -> Result<Vec<uuid::Uuid>> {
    Ok(tx
        .select::<participant::Entity>()
        .select_only()
        .column(participant::Column::Id)
        .filter(participant::Column::ReferentId.eq(referent.0))
        .into_tuple()
        .all(tx.conn())
        .await?)
}

/// Whether a provider's structure may read `participant` (see [`provider_participants`]).
pub(super) async fn provider_knows(
    tx: &TenantTx,
    structure: StructureId,
    participant: ParticipantId,
) -> Result<bool> {
    Ok(provider_participants(tx, structure)
        .await?
        .contains(&participant.0))
}

/// The participants a provider's structure may read (the action's few fields): those
/// prescribed to or enrolled in its cohorts, and those who left one of them (dropped out or
/// declined) for as long as the provider still owes work for them — their follow-up sheet not
/// yet transmitted (after a drop-out), or an ESF+ record of the cohort's convention without its
/// exit data.
pub(super) async fn provider_participants(
    tx: &TenantTx,
    structure: StructureId,
) -> Result<Vec<uuid::Uuid>> {
    use crate::entities::{cohort, cohort_member, esf_record, follow_up_sheet};
    use crate::membership::MemberStatus;
    use std::collections::{HashMap, HashSet};
    let cohorts: HashMap<uuid::Uuid, uuid::Uuid> = tx
        .select::<cohort::Entity>()
        .select_only()
        .column(cohort::Column::Id)
        .column(cohort::Column::ConventionId)
        .filter(cohort::Column::StructureId.eq(structure.0))
        .into_tuple::<(uuid::Uuid, uuid::Uuid)>()
        .all(tx.conn())
        .await?
        .into_iter()
        .collect();
    let members: Vec<(uuid::Uuid, uuid::Uuid, String)> = tx
        .select::<cohort_member::Entity>()
        .select_only()
        .column(cohort_member::Column::CohortId)
        .column(cohort_member::Column::ParticipantId)
        .column(cohort_member::Column::Status)
        .filter(tx.is_in(cohort_member::Column::CohortId, cohorts.keys().copied()))
        .into_tuple()
        .all(tx.conn())
        .await?;
    let current = |status: &str| {
        matches!(
            MemberStatus::parse(status),
            Some(MemberStatus::Prescribed | MemberStatus::Enrolled)
        )
    };
    let mut readable: HashSet<uuid::Uuid> = members
        .iter()
        .filter(|(_, _, status)| current(status))
        .map(|(_, p, _)| *p)
        .collect();
    let left: Vec<&(uuid::Uuid, uuid::Uuid, String)> = members
        .iter()
        .filter(|(_, p, status)| !current(status) && !readable.contains(p))
        .collect();
    if left.is_empty() {
        return Ok(readable.into_iter().collect());
    }
    let people: Vec<uuid::Uuid> = left.iter().map(|(_, p, _)| *p).collect();
    let transmitted: HashSet<(uuid::Uuid, uuid::Uuid)> = tx
        .select::<follow_up_sheet::Entity>()
        .select_only()
        .column(follow_up_sheet::Column::CohortId)
        .column(follow_up_sheet::Column::ParticipantId)
        .filter(tx.is_in(
            follow_up_sheet::Column::ParticipantId,
            people.iter().copied(),
        ))
        .filter(follow_up_sheet::Column::TransmittedAt.is_not_null())
        .into_tuple::<(uuid::Uuid, uuid::Uuid)>()
        .all(tx.conn())
        .await?
        .into_iter()
        .collect();
    let exit_owed: HashSet<(uuid::Uuid, uuid::Uuid)> = tx
        .select::<esf_record::Entity>()
        .select_only()
        .column(esf_record::Column::ParticipantId)
        .column(esf_record::Column::OperationId)
        .filter(tx.is_in(esf_record::Column::ParticipantId, people.iter().copied()))
        .filter(esf_record::Column::ExitDate.is_null())
        .into_tuple::<(uuid::Uuid, uuid::Uuid)>()
        .all(tx.conn())
        .await?
        .into_iter()
        .collect();
    for (cohort, participant, status) in left {
        let sheet_owed = MemberStatus::parse(status) == Some(MemberStatus::DroppedOut)
            && !transmitted.contains(&(*cohort, *participant));
        let exit = cohorts
            .get(cohort)
            .is_some_and(|convention| exit_owed.contains(&(*participant, *convention)));
        if sheet_owed || exit {
            readable.insert(*participant);
        }
    }
    Ok(readable.into_iter().collect())
}
