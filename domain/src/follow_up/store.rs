//! Queries of follow-up sheets, scoped by the transaction's tenant; reads are further scoped
//! to a provider's own cohorts and a referent's own participants.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, Select};

use super::model::*;
use super::policy::{self, Readable, Reader};
use crate::cohorts;
use crate::db::{Change, TenantTx};
use crate::entities::{attendance, follow_up_sheet, participant};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, FollowUpSheetId, ParticipantId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// The sheets the principal may read (see [`policy::readable`]), in the transaction's
/// tenant: the structural scope of this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<follow_up_sheet::Entity>> {
    let q = tx.select::<follow_up_sheet::Entity>();
    let transmitted = follow_up_sheet::Column::Status.eq("transmitted");
    Ok(match policy::readable(principal) {
        Readable::Transmitted => q.filter(transmitted),
        Readable::OfProvider(structure) => {
            let own = cohorts::ids_of_structure(tx, structure).await?;
            q.filter(tx.is_in(follow_up_sheet::Column::CohortId, own))
        }
        Readable::TransmittedOfReferent(staff) => {
            let own = crate::participants::ids_of_referent(tx, staff).await?;
            q.filter(transmitted)
                .filter(tx.is_in(follow_up_sheet::Column::ParticipantId, own))
        }
        Readable::Nothing => q.filter(follow_up_sheet::Column::Version.lt(0)),
    })
}

pub(super) async fn list(
    tx: &TenantTx,
    principal: &Principal,
    filter: SheetFilter,
    page: &PageRequest,
) -> Result<Page<FollowUpSheet>> {
    let mut q = readable(tx, principal).await?;
    if let Some(c) = filter.cohort {
        q = q.filter(follow_up_sheet::Column::CohortId.eq(c.0));
    }
    if filter.unread {
        q = match policy::reader(principal) {
            Some(Reader::Referent) => q.filter(follow_up_sheet::Column::ReferentReadAt.is_null()),
            Some(Reader::Steering) => q.filter(follow_up_sheet::Column::SteeringReadAt.is_null()),
            None => q,
        };
    }
    crate::page::oldest_first(tx.conn(), q, follow_up_sheet::Column::Id, page)
        .await?
        .try_map(to_sheet)
}

pub(super) async fn find_readable(
    tx: &TenantTx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<FollowUpSheet> {
    readable(tx, principal)
        .await?
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "follow-up sheet",
        })
}

/// The sheets of `people` the principal may read.
pub(super) async fn readable_of(
    tx: &TenantTx,
    principal: &Principal,
    people: Vec<uuid::Uuid>,
) -> Result<Vec<FollowUpSheet>> {
    readable(tx, principal)
        .await?
        .filter(tx.is_in(follow_up_sheet::Column::ParticipantId, people))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_sheet)
        .collect()
}

/// The sheet `id` of the tenant, whoever reads it (the caller checks the cohort's scope).
pub(super) async fn find(tx: &TenantTx, id: FollowUpSheetId) -> Result<Option<FollowUpSheet>> {
    tx.select::<follow_up_sheet::Entity>()
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()
}

/// The sheet of `participant` in `cohort`, whoever reads it.
pub(super) async fn find_of(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<Option<FollowUpSheet>> {
    tx.select::<follow_up_sheet::Entity>()
        .filter(follow_up_sheet::Column::CohortId.eq(cohort.0))
        .filter(follow_up_sheet::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_sheet)
        .transpose()
}

/// The stored presence of each of `participant`'s attendance records at `sessions`.
pub(super) async fn presences_of(
    tx: &TenantTx,
    participant: ParticipantId,
    sessions: Vec<uuid::Uuid>,
) -> Result<Vec<String>> {
    Ok(tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::ParticipantId.eq(participant.0))
        .filter(tx.is_in(attendance::Column::SessionId, sessions))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|r| r.status)
        .collect())
}

/// The participant's (last name, first name), `None` for a participant who does not exist.
pub(super) async fn name_of(
    tx: &TenantTx,
    participant: ParticipantId,
) -> Result<Option<(Option<String>, Option<String>)>> {
    Ok(tx
        .select::<participant::Entity>()
        .filter(participant::Column::Id.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(|p| (p.last_name, p.first_name)))
}

pub(super) async fn insert(tx: &Change, sheet: &FollowUpSheet) -> Result<()> {
    tx.insert(to_row(tx, sheet)).await?;
    Ok(())
}

pub(super) async fn update(tx: &Change, sheet: &FollowUpSheet) -> Result<()> {
    let result = tx
        .update_many::<follow_up_sheet::Entity>()
        .set(to_row(tx, sheet))
        .filter(follow_up_sheet::Column::Id.eq(sheet.id.0))
        .filter(follow_up_sheet::Column::Version.eq(sheet.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("follow-up sheet"));
    }
    Ok(())
}

/// Record that the referent's side (`by_referent`) or steering's read the sheet now.
pub(super) async fn set_read(tx: &Change, id: FollowUpSheetId, by_referent: bool) -> Result<()> {
    let column = if by_referent {
        follow_up_sheet::Column::ReferentReadAt
    } else {
        follow_up_sheet::Column::SteeringReadAt
    };
    tx.update_many::<follow_up_sheet::Entity>()
        .col_expr(column, tx.now().into())
        .filter(follow_up_sheet::Column::Id.eq(id.0))
        .exec(tx.conn())
        .await?;
    Ok(())
}

fn to_row(tx: &TenantTx, s: &FollowUpSheet) -> follow_up_sheet::ActiveModel {
    follow_up_sheet::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(s.id.0),
        cohort_id: Set(s.cohort_id.0),
        participant_id: Set(s.participant_id.0),
        status: Set(match s.status {
            SheetStatus::Draft => "draft",
            SheetStatus::Transmitted => "transmitted",
        }
        .to_owned()),
        sessions_planned: Set(s.attendance.planned),
        sessions_present: Set(s.attendance.present),
        sessions_late: Set(s.attendance.late),
        sessions_excused: Set(s.attendance.excused),
        sessions_absent: Set(s.attendance.absent),
        recommendations: Set(s.recommendations.clone()),
        written_by: Set(s.written_by.clone()),
        updated_at: Set(s.updated_at),
        transmitted_at: Set(s.transmitted_at),
        transmitted_by: Set(s.transmitted_by.clone()),
        referent_read_at: Set(s.referent_read_at),
        steering_read_at: Set(s.steering_read_at),
        version: Set(s.version),
    }
}

fn to_sheet(r: follow_up_sheet::Model) -> Result<FollowUpSheet> {
    Ok(FollowUpSheet {
        id: FollowUpSheetId(r.id),
        cohort_id: CohortId(r.cohort_id),
        participant_id: ParticipantId(r.participant_id),
        status: match r.status.as_str() {
            "draft" => SheetStatus::Draft,
            "transmitted" => SheetStatus::Transmitted,
            _ => return Err(DomainError::Internal("unknown sheet status".into())),
        },
        attendance: AttendanceSummary {
            planned: r.sessions_planned,
            present: r.sessions_present,
            late: r.sessions_late,
            excused: r.sessions_excused,
            absent: r.sessions_absent,
        },
        recommendations: r.recommendations,
        written_by: r.written_by,
        updated_at: r.updated_at,
        transmitted_at: r.transmitted_at,
        transmitted_by: r.transmitted_by,
        referent_read_at: r.referent_read_at,
        steering_read_at: r.steering_read_at,
        version: r.version,
    })
}
