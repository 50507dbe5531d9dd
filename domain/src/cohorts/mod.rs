//! Cohorts of the remobilisation action: groups of 8 to 12 participants entering together for
//! three weeks of part-time sessions.
//!
//! Rules: a cohort belongs to a convention; its provider (the convention's structure) or steering
//! creates it, with a session calendar generated from weekdays and half-days over three weeks.
//! A referent prescribes an active participant of their portfolio; the provider enrols or
//! declines with a reason. Capacity is a hard limit (`CAPACITY_REACHED`), checked under a lock
//! on the cohort so that it holds under concurrent enrolments; a participant is enrolled in at
//! most one cohort that is not closed. Attendance is recorded per session and participant,
//! a whole session at once, under an idempotency key: a replay returns the first answer, the
//! same key with another payload is a `CONFLICT`. Who sees what: steering everything; the
//! provider its own cohorts; a referent the cohorts (to prescribe) and their own participants'
//! memberships.

mod batch;
mod model;
mod write;

pub use batch::{attendance_of, members_of, sessions_of};
pub use model::*;
pub use write::{
    MAX_PLACE, add_session, create, decline, drop_out, enrol, move_session, prescribe,
    record_attendance, remove_session, set_status, update,
};

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::db::{TenantTx, Tx};
use crate::entities::{attendance, cohort, cohort_member, cohort_session};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ConventionId, ParticipantId, SessionId, StructureId};
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};

/// The cohorts a principal may read: all for steering and referents, its own for a provider.
fn visible(tx: &TenantTx, principal: &Principal) -> Result<Select<cohort::Entity>> {
    let q = tx.select::<cohort::Entity>();
    match principal.role() {
        Role::Steering | Role::Referent => Ok(q),
        Role::Provider => {
            let structure = principal.structure().ok_or(DomainError::Forbidden(
                "a provider token carries a structure",
            ))?;
            Ok(q.filter(cohort::Column::StructureId.eq(structure.0)))
        }
        Role::Admin => Err(DomainError::Forbidden(
            "the platform operator sees no tenant data",
        )),
    }
}

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
    let to_cohort: RelationDef = cohort_session::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_session::Column::TenantId,
            cohort_session::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into();
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
    use sea_orm::{JoinType, PaginatorTrait, RelationDef};
    let to_cohort: RelationDef = cohort_member::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into();
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

/// How many members the cohort enrolled (whoever they follow: a count is no one's personal
/// data), for whoever may read the cohort.
pub async fn enrolled_count(tx: &Tx, principal: &Principal, id: CohortId) -> Result<u32> {
    use sea_orm::PaginatorTrait;
    let tx = tx.scoped(principal).await?;
    find_in(&tx, principal, id).await?;
    let n = tx
        .select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(id.0))
        .filter(cohort_member::Column::Status.eq(MemberStatus::Enrolled.as_str()))
        .count(tx.conn())
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// One cohort.
pub async fn get(tx: &Tx, principal: &Principal, id: CohortId) -> Result<Cohort> {
    let tx = tx.scoped(principal).await?;
    let found = find_in(&tx, principal, id).await?;
    Ok(found)
}

/// Batch read for dataloaders: the cohorts of `ids` the principal may read.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Cohort>> {
    let tx = tx.scoped(principal).await?;
    let rows = visible(&tx, principal)?
        .filter(cohort::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|r| to_cohort(r).map(|c| (c.id, c)))
        .collect()
}

/// Filters of the cohorts list; each given filter narrows it.
#[derive(Clone, Debug, Default)]
pub struct CohortFilter {
    /// Only the cohorts of this convention.
    pub convention: Option<ConventionId>,
    /// Only the cohorts in one of these statuses (none given: all).
    pub statuses: Vec<CohortStatus>,
    /// Only the cohorts whose dates meet this period, both days included: a cohort from 5 to
    /// 23 March meets a period that ends on the 5th or starts on the 23rd.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// The cohorts the principal may read, filtered, in a stable order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: CohortFilter,
    page: PageRequest,
) -> Result<Page<Cohort>> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(DomainError::validation(
            "to",
            "the period ends before it starts",
        ));
    }
    crate::batch::distinct("status", None, &filter.statuses, |s| *s)?;
    let tx = tx.scoped(principal).await?;
    let mut q = visible(&tx, principal)?;
    if let Some(c) = filter.convention {
        q = q.filter(cohort::Column::ConventionId.eq(c.0));
    }
    if !filter.statuses.is_empty() {
        q = q.filter(cohort::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(from) = filter.from {
        q = q.filter(cohort::Column::EndDate.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(cohort::Column::StartDate.lte(to));
    }
    let total = crate::page::total(&page, &q, tx.conn()).await?;
    if let Some(after) = page.after {
        q = q.filter(cohort::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(cohort::Column::Id)
        .limit(page.limit())
        .all(tx.conn())
        .await?;
    let rows = rows
        .into_iter()
        .map(to_cohort)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, &page, total))
}

/// One session of a cohort the principal may read (`NOT_FOUND` otherwise).
pub async fn session(tx: &Tx, principal: &Principal, id: SessionId) -> Result<Session> {
    let tx = tx.scoped(principal).await?;
    let found = tx
        .select::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound { entity: "session" })?;
    let session = to_session(found)?;
    find_in(&tx, principal, session.cohort_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => DomainError::NotFound { entity: "session" },
            other => other,
        })?;
    Ok(session)
}

/// One attendance record, for whoever may read the member's records (steering, the cohort's
/// provider, the participant's referent); `NOT_FOUND` otherwise.
pub async fn attendance_record(
    tx: &Tx,
    principal: &Principal,
    session_id: SessionId,
    participant: ParticipantId,
) -> Result<Attendance> {
    let not_found = DomainError::NotFound {
        entity: "attendance",
    };
    let tx = tx.scoped(principal).await?;
    let Some(session) = tx
        .select::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(session_id.0))
        .one(tx.conn())
        .await?
    else {
        return Err(not_found);
    };
    let key = (CohortId(session.cohort_id), participant);
    if !readable_members(&tx, principal, &[key])
        .await?
        .contains(&key)
    {
        return Err(not_found);
    }
    tx.select::<attendance::Entity>()
        .filter(attendance::Column::SessionId.eq(session_id.0))
        .filter(attendance::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_attendance)
        .transpose()?
        .ok_or(not_found)
}

/// Batch read for dataloaders: each participant's memberships (prescriptions, enrolments,
/// declines, drop-outs) that the principal may read — steering all, a referent their own
/// participants', a provider those of its own cohorts — by cohort start date. Two statements
/// whatever the number of participants.
pub async fn memberships_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<Member>>> {
    use sea_orm::{JoinType, RelationDef};
    let tx = tx.scoped(principal).await?;
    let to_cohort: RelationDef = cohort_member::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into();
    let rows = tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(cohort_member::Column::ParticipantId.is_in(ids.iter().map(|p| p.0)))
        .order_by_asc(cohort::Column::StartDate)
        .order_by_asc(cohort::Column::Id)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_member)
        .collect::<Result<Vec<_>>>()?;
    let keys: Vec<(CohortId, ParticipantId)> = rows
        .iter()
        .map(|m| (m.cohort_id, m.participant_id))
        .collect();
    let readable = readable_members(&tx, principal, &keys).await?;
    let mut out: HashMap<ParticipantId, Vec<Member>> =
        ids.iter().map(|p| (*p, Vec::new())).collect();
    for m in rows {
        if readable.contains(&(m.cohort_id, m.participant_id)) {
            out.entry(m.participant_id).or_default().push(m);
        }
    }
    Ok(out)
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

/// Of the memberships `keys`, those whose member-level records (diagnostic, attendance,
/// follow-up sheet) the principal may read: steering all; a provider those of its own cohorts;
/// a referent those of their own participants. At most one statement, whatever the number of
/// keys: this is the one scope that batch reads of member records go through.
pub(crate) async fn readable_members(
    tx: &TenantTx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<std::collections::HashSet<(CohortId, ParticipantId)>> {
    use crate::entities::participant;
    if keys.is_empty() {
        return Ok(Default::default());
    }
    match principal.role() {
        Role::Steering => Ok(keys.iter().copied().collect()),
        Role::Provider => {
            let cohorts: Vec<uuid::Uuid> = keys.iter().map(|k| k.0.0).collect();
            let own: std::collections::HashSet<CohortId> = visible(tx, principal)?
                .filter(cohort::Column::Id.is_in(cohorts))
                .all(tx.conn())
                .await?
                .into_iter()
                .map(|c| CohortId(c.id))
                .collect();
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
            let people: Vec<uuid::Uuid> = keys.iter().map(|k| k.1.0).collect();
            let own: std::collections::HashSet<ParticipantId> = tx
                .select::<participant::Entity>()
                .filter(participant::Column::Id.is_in(people))
                .filter(participant::Column::ReferentId.eq(staff.0))
                .all(tx.conn())
                .await?
                .into_iter()
                .map(|p| ParticipantId(p.id))
                .collect();
            Ok(keys
                .iter()
                .copied()
                .filter(|k| own.contains(&k.1))
                .collect())
        }
        Role::Admin => Ok(Default::default()),
    }
}

/// Batch read for dataloaders: the attendance records of each membership in `keys`, in
/// calendar order, for the principal allowed to read them (an empty list otherwise). A
/// referent reads their own participants' attendance; steering and the provider everyone's.
pub async fn member_attendance(
    tx: &Tx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<HashMap<(CohortId, ParticipantId), Vec<Attendance>>> {
    let tx = tx.scoped(principal).await?;
    let readable = readable_members(&tx, principal, keys).await?;
    let cohorts: Vec<uuid::Uuid> = readable.iter().map(|k| k.0.0).collect();
    let people: Vec<uuid::Uuid> = readable.iter().map(|k| k.1.0).collect();
    let sessions: HashMap<uuid::Uuid, (CohortId, chrono::NaiveDate, String)> = tx
        .select::<cohort_session::Entity>()
        .filter(cohort_session::Column::CohortId.is_in(cohorts))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, (CohortId(s.cohort_id), s.day, s.half_day)))
        .collect();
    let rows = tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::ParticipantId.is_in(people))
        .filter(attendance::Column::SessionId.is_in(sessions.keys().copied().collect::<Vec<_>>()))
        .all(tx.conn())
        .await?;
    let mut out: HashMap<(CohortId, ParticipantId), Vec<Attendance>> =
        keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        let Some((cohort, _, _)) = sessions.get(&row.session_id) else {
            continue;
        };
        let key = (*cohort, ParticipantId(row.participant_id));
        if readable.contains(&key) {
            out.entry(key).or_default().push(to_attendance(row)?);
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|a| {
            sessions
                .get(&a.session_id.0)
                .map(|(_, day, half)| (*day, half != "morning"))
        });
    }
    Ok(out)
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
    use sea_orm::{JoinType, RelationDef};
    let to_cohort: RelationDef = cohort_member::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into();
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

/// What a week's attendance sheet prints.
#[derive(Clone, Debug)]
pub struct WeekSheet {
    pub cohort: Cohort,
    pub week: u32,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub sessions: Vec<Session>,
    /// The enrolled members, and those who dropped out on or after the week's first day, by
    /// last name.
    pub members: Vec<SheetMember>,
    /// The PLIE (the tenant's name).
    pub plie: String,
    /// The provider running the cohort.
    pub provider: String,
    /// The convention's number.
    pub convention: String,
}

/// Who a printed sheet of a cohort names: the PLIE, the provider, the convention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetHeading {
    /// The tenant's name.
    pub plie: String,
    /// The structure running the cohort.
    pub provider: String,
    /// The convention's number.
    pub convention: String,
}

/// The heading of a printed sheet of `cohort`.
pub(crate) async fn sheet_heading(tx: &TenantTx, cohort: &Cohort) -> Result<SheetHeading> {
    let plie = tx
        .tx()
        .registry()
        .tenants()
        .filter(crate::entities::tenant::Column::Id.eq(tx.tenant().0))
        .one(tx.conn())
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    let provider = tx
        .select::<crate::entities::structure::Entity>()
        .filter(crate::entities::structure::Column::Id.eq(cohort.structure_id.0))
        .one(tx.conn())
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let convention = crate::conventions::find_in(tx, None, cohort.convention_id)
        .await?
        .number;
    Ok(SheetHeading {
        plie,
        provider,
        convention,
    })
}

/// A row of an attendance sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetMember {
    pub last_name: String,
    pub first_name: String,
    /// Their last day in the cohort, when they dropped out: no box to sign after it.
    pub dropped_out_on: Option<chrono::NaiveDate>,
}

/// The attendance sheet of week `week` (1-based): steering and the cohort's provider only.
pub async fn week_sheet(
    tx: &Tx,
    principal: &Principal,
    id: CohortId,
    week: u32,
) -> Result<WeekSheet> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "attendance sheets are for steering and the cohort's provider",
    )?;
    let tx = tx.scoped(principal).await?;
    let cohort = find_in(&tx, principal, id).await?;
    let weeks = ((cohort.end_date - cohort.start_date).num_days() / 7 + 1) as u32;
    if week == 0 || week > weeks {
        return Err(DomainError::validation(
            "week",
            format!("must be between 1 and {weeks}"),
        ));
    }
    let from = cohort.start_date + chrono::Duration::days(i64::from(week - 1) * 7);
    let to = from + chrono::Duration::days(6);
    let sessions: Vec<Session> = sessions_in(&tx, id)
        .await?
        .into_iter()
        .filter(|s| s.day >= from && s.day <= to)
        .collect();
    // Members who dropped out print up to their drop-out date, not after.
    let left: HashMap<uuid::Uuid, Option<chrono::NaiveDate>> = tx
        .select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(id.0))
        .all(tx.conn())
        .await?
        .into_iter()
        .filter(|m| match MemberStatus::parse(&m.status) {
            Some(MemberStatus::Enrolled) => true,
            Some(MemberStatus::DroppedOut) => m.dropped_out_on.is_none_or(|d| d >= from),
            _ => false,
        })
        .map(|m| (m.participant_id, m.dropped_out_on))
        .collect();
    let mut members: Vec<SheetMember> = tx
        .select::<crate::entities::participant::Entity>()
        .filter(crate::entities::participant::Column::Id.is_in(left.keys().copied()))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|p| SheetMember {
            dropped_out_on: left.get(&p.id).copied().flatten(),
            last_name: p.last_name.unwrap_or_else(|| "—".into()),
            first_name: p.first_name.unwrap_or_default(),
        })
        .collect();
    members.sort_by_cached_key(|m| crate::text::name_key(&m.last_name, &m.first_name));
    let heading = sheet_heading(&tx, &cohort).await?;
    Ok(WeekSheet {
        cohort,
        week,
        from,
        to,
        sessions,
        members,
        plie: heading.plie,
        provider: heading.provider,
        convention: heading.convention,
    })
}
