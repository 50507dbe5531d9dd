//! Queries of attendance records, and of what recording them checks.

use std::collections::HashMap;

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, RelationDef, TryGetableMany,
};

use super::sessions::sessions_in;
use super::{of_visible_cohorts, session_to_cohort};
use crate::cohorts::model::*;
use crate::cohorts::policy::{self, Cohorts};
use crate::db::{Guarded, READ, TenantTx, Upsert};
use crate::entities::{attendance, cohort, cohort_member, cohort_session};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId, SessionId};
use crate::principal::Principal;

/// For recording attendance, one query: the day of `session`, of a cohort the principal runs,
/// and which of `people` (distinct) are enrolled in that cohort or have dropped out of it
/// (with their drop-out date). It is sent with the idempotency key's claim and the records'
/// upsert (see [`crate::idempotency::claim_read_and_upsert`]); [`session_for_attendance`]
/// reads its rows. Its guard, that every one of `people` was found a member (which implies
/// the session was found), holds whenever the checks accept the records, and keeps the
/// upsert from breaking the records' foreign keys when they refuse them.
pub(crate) fn session_for_attendance_query(
    tx: &TenantTx,
    principal: &Principal,
    session: SessionId,
    people: &[uuid::Uuid],
) -> Result<Guarded> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait};
    let count = people.len();
    // The memberships of `people` in the session's cohort, locked (`FOR SHARE` on PostgreSQL)
    // and read after the lock: a concurrent drop-out, which locks its membership before it
    // checks the presences recorded after its day, is seen with its day, or sees these records
    // (SQLite's write transactions are serialised already).
    let cohort_of_session = tx
        .select::<cohort_session::Entity>()
        .select_only()
        .column(cohort_session::Column::CohortId)
        .filter(cohort_session::Column::Id.eq(session.0))
        .into_query();
    #[expect(clippy::disallowed_methods, reason = "a fixed list of statuses")]
    let members = tx
        .select::<cohort_member::Entity>()
        .select_only()
        .column(cohort_member::Column::CohortId)
        .column(cohort_member::Column::ParticipantId)
        .column(cohort_member::Column::DroppedOutOn)
        .filter(cohort_member::Column::CohortId.in_subquery(cohort_of_session))
        .filter(tx.is_in(cohort_member::Column::ParticipantId, people.iter().copied()))
        .filter(cohort_member::Column::Status.is_in(["enrolled", "dropped_out"]))
        .lock_shared()
        .into_query();
    let m = Alias::new("m");
    let mut query = tx
        .select::<cohort_session::Entity>()
        .select_only()
        .column(cohort_session::Column::Day)
        .expr(Expr::col((m.clone(), cohort_member::Column::ParticipantId)))
        .expr(Expr::col((m.clone(), cohort_member::Column::DroppedOutOn)))
        .join(JoinType::InnerJoin, session_to_cohort())
        .filter(cohort_session::Column::Id.eq(session.0));
    QuerySelect::query(&mut query).join_subquery(
        JoinType::LeftJoin,
        members,
        m.clone(),
        Expr::col((m, cohort_member::Column::CohortId))
            .equals((cohort_session::Entity, cohort_session::Column::CohortId)),
    );
    if let Cohorts::OfProvider(structure) = policy::cohorts_run(principal)? {
        query = query.filter(cohort::Column::StructureId.eq(structure.0));
    }
    // The count in the text, not a bound parameter: the planner folds it.
    let guard = Expr::cust(format!(
        "(SELECT count(\"participant_id\") FROM \"{READ}\") = {count}"
    ));
    Ok(Guarded {
        read: query.into_query(),
        guard,
    })
}

/// The rows of [`session_for_attendance_query`]: the session's day (`NOT_FOUND` when it is
/// not a session of a cohort the principal runs), and the drop-out date, if any, of each
/// enrolled or dropped-out member among the people asked about.
pub(crate) fn session_for_attendance(
    rows: &[QueryResult],
) -> Result<(
    chrono::NaiveDate,
    HashMap<ParticipantId, Option<chrono::NaiveDate>>,
)> {
    type Row = (
        chrono::NaiveDate,
        Option<uuid::Uuid>,
        Option<chrono::NaiveDate>,
    );
    let rows: Vec<Row> = rows
        .iter()
        .map(|row| Row::try_get_many_by_index(row).map_err(sea_orm::DbErr::from))
        .collect::<std::result::Result<_, _>>()?;
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
        .filter(tx.is_in(attendance::Column::SessionId, days.keys().copied()))
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

/// Whether any attendance is recorded for session `id`.
pub(crate) async fn has_attendance(tx: &TenantTx, id: SessionId) -> Result<bool> {
    use sea_orm::PaginatorTrait;
    Ok(tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::SessionId.eq(id.0))
        .count(tx.conn())
        .await?
        > 0)
}

/// An attendance row as the domain's value.
fn to_attendance(r: attendance::Model) -> Result<Attendance> {
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

/// The upsert of the attendance records given, each with its signature image: inserted, or
/// overwriting those already recorded for the same session and participant, with the audit
/// entry of `action` (sent with the idempotency key's claim: see
/// [`crate::idempotency::claim_read_and_upsert`]).
pub(crate) fn attendance_upsert<'a>(
    records: impl IntoIterator<Item = (&'a Attendance, Option<&'a [u8]>)>,
    action: crate::db::Action,
) -> Upsert<attendance::ActiveModel> {
    let rows = records
        .into_iter()
        .map(|(a, signature)| attendance::ActiveModel {
            session_id: Set(a.session_id.0),
            participant_id: Set(a.participant_id.0),
            status: Set(a.presence.as_str().to_owned()),
            signature: Set(signature.map(<[u8]>::to_vec)),
            signed_on_paper: Set(a.signed_on_paper),
            recorded_by: Set(a.recorded_by.clone()),
            recorded_at: Set(a.recorded_at),
            ..Default::default()
        })
        .collect();
    let on_conflict = OnConflict::columns([
        attendance::Column::TenantId,
        attendance::Column::SessionId,
        attendance::Column::ParticipantId,
    ])
    .update_columns([
        attendance::Column::Status,
        attendance::Column::Signature,
        attendance::Column::SignedOnPaper,
        attendance::Column::RecordedBy,
        attendance::Column::RecordedAt,
    ])
    .to_owned();
    Upsert {
        rows,
        on_conflict,
        action,
    }
}

/// The attendance record of `participant` at `session`, if any.
pub(crate) async fn find_attendance(
    tx: &TenantTx,
    session: SessionId,
    participant: ParticipantId,
) -> Result<Option<Attendance>> {
    tx.select::<attendance::Entity>()
        .filter(attendance::Column::SessionId.eq(session.0))
        .filter(attendance::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_attendance)
        .transpose()
}

/// The attendance records of `people` at `sessions` (one statement).
pub(crate) async fn attendance_at(
    tx: &TenantTx,
    people: &[ParticipantId],
    sessions: &[SessionId],
) -> Result<Vec<Attendance>> {
    tx.select::<attendance::Entity>()
        .filter(tx.is_in(
            attendance::Column::ParticipantId,
            people.iter().map(|p| p.0),
        ))
        .filter(tx.is_in(attendance::Column::SessionId, sessions.iter().map(|s| s.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_attendance)
        .collect()
}

/// An attendance record with the cohort of its session.
#[derive(Debug)]
struct WithCohort {
    record: attendance::Model,
    cohort_id: uuid::Uuid,
}

impl FromQueryResult for WithCohort {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Ok(Self {
            record: attendance::Model::from_query_result(row, pre)?,
            cohort_id: row.try_get(pre, "session_cohort_id")?,
        })
    }
}

/// The attendance records of the cohorts `ids` the principal may see, each with its cohort,
/// by session then participant (one statement).
pub(crate) async fn visible_attendance_of(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<Vec<(CohortId, Attendance)>> {
    let to_session: RelationDef = attendance::Entity::belongs_to(cohort_session::Entity)
        .from((attendance::Column::TenantId, attendance::Column::SessionId))
        .to((cohort_session::Column::TenantId, cohort_session::Column::Id))
        .into();
    let session_to_cohort = session_to_cohort();
    of_visible_cohorts(
        tx.select::<attendance::Entity>()
            .join(JoinType::InnerJoin, to_session)
            .column_as(cohort_session::Column::CohortId, "session_cohort_id")
            .filter(tx.is_in(cohort_session::Column::CohortId, ids.iter().map(|i| i.0))),
        principal,
        session_to_cohort,
    )?
    .order_by_asc(attendance::Column::SessionId)
    .order_by_asc(attendance::Column::ParticipantId)
    .into_model::<WithCohort>()
    .all(tx.conn())
    .await?
    .into_iter()
    .map(|row| Ok((CohortId(row.cohort_id), to_attendance(row.record)?)))
    .collect()
}
