//! Queries of cohorts, their sessions, members and attendance, scoped by the transaction's
//! tenant (and, for reads on behalf of a principal, by what [`super::policy`] lets it see).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::model::*;
use super::policy::visible;
use crate::db::{Change, TenantTx};
use crate::entities::{attendance, cohort, cohort_member, cohort_session};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ConventionId, ParticipantId, SessionId, StructureId};
use crate::principal::{Principal, Role};

pub(crate) async fn find_in(tx: &TenantTx, principal: &Principal, id: CohortId) -> Result<Cohort> {
    visible(tx, principal)?
        .filter(cohort::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_cohort)
        .transpose()?
        .ok_or(DomainError::NotFound { entity: "cohort" })
}

/// The cohort, locked until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transactions are serialised already): what rules that count its members hold on to.
pub(crate) async fn find_locked(
    tx: &TenantTx,
    principal: &Principal,
    id: CohortId,
) -> Result<Cohort> {
    visible(tx, principal)?
        .filter(cohort::Column::Id.eq(id.0))
        .lock_exclusive()
        .one(tx.conn())
        .await?
        .map(to_cohort)
        .transpose()?
        .ok_or(DomainError::NotFound { entity: "cohort" })
}

/// For recording attendance, in one statement: the day of `session`, of a cohort the
/// principal runs (`NOT_FOUND` otherwise), and which of `people` are enrolled in that cohort or
/// have dropped out of it (with their drop-out date).
pub(crate) async fn session_for_attendance(
    tx: &TenantTx,
    principal: &Principal,
    session: SessionId,
    people: &[uuid::Uuid],
) -> Result<(
    chrono::NaiveDate,
    HashMap<ParticipantId, Option<chrono::NaiveDate>>,
)> {
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    use sea_orm::{JoinType, RelationDef};
    let to_cohort = session_to_cohort();
    let people = people.to_vec();
    let to_members: RelationDef = cohort_session::Entity::belongs_to(cohort_member::Entity)
        .from((
            cohort_session::Column::TenantId,
            cohort_session::Column::CohortId,
        ))
        .to((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .on_condition(move |_, member| {
            Expr::col((member.clone(), cohort_member::Column::ParticipantId))
                .is_in(people.clone())
                .and(
                    Expr::col((member, cohort_member::Column::Status))
                        .is_in(["enrolled", "dropped_out"]),
                )
                .into_condition()
        })
        .into();
    let mut query = tx
        .select::<cohort_session::Entity>()
        .select_only()
        .column(cohort_session::Column::Day)
        .column(cohort_member::Column::ParticipantId)
        .column(cohort_member::Column::DroppedOutOn)
        .join(JoinType::InnerJoin, to_cohort)
        .join(JoinType::LeftJoin, to_members)
        .filter(cohort_session::Column::Id.eq(session.0));
    match principal.role() {
        Role::Steering => {}
        Role::Provider => {
            let structure = principal.structure().ok_or(DomainError::Forbidden(
                "a provider token carries a structure",
            ))?;
            query = query.filter(cohort::Column::StructureId.eq(structure.0));
        }
        _ => {
            return Err(DomainError::Forbidden(
                "the cohort's provider or steering does this",
            ));
        }
    }
    type Row = (
        chrono::NaiveDate,
        Option<uuid::Uuid>,
        Option<chrono::NaiveDate>,
    );
    let rows: Vec<Row> = query.into_tuple().all(tx.conn()).await?;
    let day = rows
        .first()
        .map(|r| r.0)
        .ok_or(DomainError::NotFound { entity: "session" })?;
    Ok((
        day,
        rows.into_iter()
            .filter_map(|(_, p, left)| p.map(|p| (ParticipantId(p), left)))
            .collect(),
    ))
}

/// Whether `participant` is enrolled in a cohort other than `except` that is not closed, in
/// one statement.
pub(crate) async fn enrolled_elsewhere(
    tx: &TenantTx,
    participant: ParticipantId,
    except: CohortId,
) -> Result<bool> {
    use sea_orm::{JoinType, PaginatorTrait};
    let to_cohort = member_to_cohort();
    Ok(tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .filter(cohort_member::Column::Status.eq(MemberStatus::Enrolled.as_str()))
        .filter(cohort_member::Column::CohortId.ne(except.0))
        .filter(cohort::Column::Status.ne(CohortStatus::Closed.as_str()))
        .count(tx.conn())
        .await?
        > 0)
}

pub(crate) async fn sessions_in(tx: &TenantTx, id: CohortId) -> Result<Vec<Session>> {
    tx.select::<cohort_session::Entity>()
        .filter(cohort_session::Column::CohortId.eq(id.0))
        .order_by_asc(cohort_session::Column::Day)
        .order_by_desc(cohort_session::Column::HalfDay)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_session)
        .collect()
}

pub(crate) fn to_session(r: cohort_session::Model) -> Result<Session> {
    Ok(Session {
        id: SessionId(r.id),
        cohort_id: CohortId(r.cohort_id),
        day: r.day,
        half_day: HalfDay::parse(&r.half_day)
            .ok_or_else(|| DomainError::Internal("unknown half-day".into()))?,
        hours: Hours {
            start: stored_time(&r.start_time)?,
            end: stored_time(&r.end_time)?,
        },
    })
}

fn stored_time(s: &str) -> Result<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| DomainError::Internal("unreadable session time".into()))
}

pub(crate) async fn members_in(tx: &TenantTx, id: CohortId) -> Result<Vec<Member>> {
    tx.select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(id.0))
        .order_by_asc(cohort_member::Column::ParticipantId)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_member)
        .collect()
}

/// One member's attendance records in cohort `id`, with each session's day, in calendar order.
pub(crate) async fn member_attendance_in(
    tx: &TenantTx,
    id: CohortId,
    participant: ParticipantId,
) -> Result<Vec<(chrono::NaiveDate, Attendance)>> {
    let days: HashMap<uuid::Uuid, chrono::NaiveDate> = sessions_in(tx, id)
        .await?
        .into_iter()
        .map(|s| (s.id.0, s.day))
        .collect();
    let mut out = tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::ParticipantId.eq(participant.0))
        .filter(attendance::Column::SessionId.is_in(days.keys().copied()))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| {
            let day = days.get(&row.session_id).copied().unwrap_or_default();
            to_attendance(row).map(|a| (day, a))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|(day, _)| *day);
    Ok(out)
}

/// When `participant`'s last membership of the cohorts of `convention` (by cohort start) is a
/// drop-out, its date: the day they left the action.
pub(crate) async fn dropped_out_of_action(
    tx: &TenantTx,
    convention: ConventionId,
    participant: ParticipantId,
) -> Result<Option<chrono::NaiveDate>> {
    use sea_orm::JoinType;
    let to_cohort = member_to_cohort();
    let last = tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(cohort::Column::ConventionId.eq(convention.0))
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .filter(cohort_member::Column::Status.is_in([
            MemberStatus::Enrolled.as_str(),
            MemberStatus::DroppedOut.as_str(),
        ]))
        .order_by_desc(cohort::Column::StartDate)
        .one(tx.conn())
        .await?;
    Ok(last
        .filter(|m| m.status == MemberStatus::DroppedOut.as_str())
        .and_then(|m| m.dropped_out_on))
}

/// The IDs of the cohorts run by `structure`.
pub(crate) async fn ids_of_structure(
    tx: &TenantTx,
    structure: StructureId,
) -> Result<Vec<uuid::Uuid>> {
    Ok(tx
        .select::<cohort::Entity>()
        .select_only()
        .column(cohort::Column::Id)
        .filter(cohort::Column::StructureId.eq(structure.0))
        .into_tuple()
        .all(tx.conn())
        .await?)
}

pub(crate) fn to_attendance(r: attendance::Model) -> Result<Attendance> {
    Ok(Attendance {
        session_id: SessionId(r.session_id),
        participant_id: ParticipantId(r.participant_id),
        presence: Presence::parse(&r.status)
            .ok_or_else(|| DomainError::Internal("unknown presence".into()))?,
        signed: r.signature.is_some(),
        signed_on_paper: r.signed_on_paper,
        recorded_by: r.recorded_by,
        recorded_at: r.recorded_at,
    })
}

pub(crate) fn to_member(r: cohort_member::Model) -> Result<Member> {
    Ok(Member {
        cohort_id: CohortId(r.cohort_id),
        participant_id: ParticipantId(r.participant_id),
        status: MemberStatus::parse(&r.status)
            .ok_or_else(|| DomainError::Internal("unknown member status".into()))?,
        reason: r.reason,
        dropped_out_on: r.dropped_out_on,
        version: r.version,
    })
}

pub(crate) fn to_cohort(r: cohort::Model) -> Result<Cohort> {
    Ok(Cohort {
        id: CohortId(r.id),
        convention_id: ConventionId(r.convention_id),
        structure_id: StructureId(r.structure_id),
        label: r.label,
        start_date: r.start_date,
        end_date: r.end_date,
        size_min: r.size_min,
        size_max: r.size_max,
        status: CohortStatus::parse(&r.status)
            .ok_or_else(|| DomainError::Internal("unknown cohort status".into()))?,
        place: r.place,
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    })
}

pub(super) async fn member(
    tx: &TenantTx,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    tx.select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(super::to_member)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "prescription",
        })
}

pub(super) async fn set_member(
    tx: &Change,
    m: &Member,
    status: MemberStatus,
    reason: Option<String>,
    dropped_out_on: Option<NaiveDate>,
) -> Result<Member> {
    let result = tx
        .update_many::<cohort_member::Entity>()
        .col_expr(cohort_member::Column::Status, status.as_str().into())
        .col_expr(cohort_member::Column::Reason, reason.clone().into())
        .col_expr(cohort_member::Column::DroppedOutOn, dropped_out_on.into())
        .col_expr(cohort_member::Column::UpdatedAt, tx.now().into())
        .col_expr(cohort_member::Column::Version, (m.version + 1).into())
        .filter(cohort_member::Column::CohortId.eq(m.cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(m.participant_id.0))
        .filter(cohort_member::Column::Version.eq(m.version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("membership"));
    }
    Ok(Member {
        status,
        reason,
        dropped_out_on,
        version: m.version + 1,
        ..m.clone()
    })
}

pub(super) async fn has_attendance(tx: &TenantTx, id: SessionId) -> Result<bool> {
    use sea_orm::PaginatorTrait;
    Ok(tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::SessionId.eq(id.0))
        .count(tx.conn())
        .await?
        > 0)
}

/// `cohort_member` → `cohort`, on the tenant and the cohort (the composite key).
pub(super) fn member_to_cohort() -> sea_orm::RelationDef {
    cohort_member::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into()
}

/// `cohort_session` → `cohort`, on the tenant and the cohort (the composite key).
pub(super) fn session_to_cohort() -> sea_orm::RelationDef {
    cohort_session::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_session::Column::TenantId,
            cohort_session::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into()
}

/// Insert a new cohort.
pub(super) async fn insert(tx: &Change, c: &Cohort) -> Result<()> {
    tx.insert(cohort::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(c.id.0),
        convention_id: Set(c.convention_id.0),
        structure_id: Set(c.structure_id.0),
        label: Set(c.label.clone()),
        start_date: Set(c.start_date),
        end_date: Set(c.end_date),
        size_min: Set(c.size_min),
        size_max: Set(c.size_max),
        status: Set(c.status.as_str().to_owned()),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        version: Set(c.version),
        place: Set(c.place.clone()),
    })
    .await
}

/// Write `next` over the cohort at the version before it (`CONFLICT`, stale, when another
/// writer changed it meanwhile): its label, place and status.
pub(super) async fn save(tx: &Change, next: &Cohort) -> Result<()> {
    let result = tx
        .update_many::<cohort::Entity>()
        .col_expr(cohort::Column::Label, next.label.clone().into())
        .col_expr(cohort::Column::Place, next.place.clone().into())
        .col_expr(cohort::Column::Status, next.status.as_str().into())
        .col_expr(cohort::Column::UpdatedAt, next.updated_at.into())
        .col_expr(cohort::Column::Version, next.version.into())
        .filter(cohort::Column::Id.eq(next.id.0))
        .filter(cohort::Column::Version.eq(next.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("cohort"));
    }
    Ok(())
}

/// Insert the sessions of a new calendar.
pub(super) async fn insert_sessions(tx: &Change, sessions: &[Session]) -> Result<()> {
    if sessions.is_empty() {
        return Ok(());
    }
    tx.insert_many(sessions.iter().map(|s| cohort_session::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(s.id.0),
        cohort_id: Set(s.cohort_id.0),
        day: Set(s.day),
        half_day: Set(s.half_day.as_str().to_owned()),
        start_time: Set(Hours::format(s.hours.start)),
        end_time: Set(Hours::format(s.hours.end)),
    }))
    .await
}
