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

mod attendance;
mod batch;
mod calendar;
mod members;
mod model;
mod policy;
mod sheets;
mod store;

pub use attendance::{MAX_SIGNATURE_BYTES, record_attendance};
pub use batch::{attendance_of, members_of, sessions_of};
pub use calendar::{
    MAX_PLACE, add_session, create, move_session, remove_session, set_status, update,
};
pub use members::{decline, drop_out, enrol, prescribe};
pub use model::*;
pub(crate) use policy::readable_members;
pub(crate) use sheets::sheet_heading;
pub use sheets::{SheetHeading, SheetMember, WeekSheet, week_sheet};
pub(crate) use store::{
    dropped_out_of_action, enrolled_elsewhere, find_in, find_locked, ids_of_structure,
    member_attendance_in, members_in, session_for_attendance, session_for_attendance_query,
    sessions_in,
};

use std::collections::HashMap;

use crate::audit::Action;
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId, SessionId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// The audit entry of a change to a cohort, a session or a member.
fn action(name: &'static str, object_type: &'static str, id: uuid::Uuid) -> Action {
    Action {
        name,
        object_type,
        object_id: id,
    }
}

/// How many members the cohort enrolled (whoever they follow: a count is no one's personal
/// data), for whoever may read the cohort.
pub async fn enrolled_count(tx: &Tx, principal: &Principal, id: CohortId) -> Result<u32> {
    let tx = tx.scoped(principal).await?;
    find_in(&tx, principal, id).await?;
    let n = store::enrolled_count(&tx, id).await?;
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
    let found = store::visible_many(&tx, principal, ids).await?;
    Ok(found.into_iter().map(|c| (c.id, c)).collect())
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
    store::list(&tx, principal, &filter, &page).await
}

/// One session of a cohort the principal may read (`NOT_FOUND` otherwise).
pub async fn session(tx: &Tx, principal: &Principal, id: SessionId) -> Result<Session> {
    let tx = tx.scoped(principal).await?;
    let session = store::find_session(&tx, id)
        .await?
        .ok_or(DomainError::NotFound { entity: "session" })?;
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
    let Some(cohort) = store::session_cohort(&tx, session_id).await? else {
        return Err(not_found);
    };
    let key = (cohort, participant);
    if !readable_members(&tx, principal, &[key])
        .await?
        .contains(&key)
    {
        return Err(not_found);
    }
    store::find_attendance(&tx, session_id, participant)
        .await?
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
    let tx = tx.scoped(principal).await?;
    let rows = store::memberships_of_people(&tx, ids).await?;
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
    let cohorts: Vec<CohortId> = readable.iter().map(|k| k.0).collect();
    let people: Vec<ParticipantId> = readable.iter().map(|k| k.1).collect();
    let sessions: HashMap<SessionId, Session> = store::sessions_of_cohorts(&tx, &cohorts)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let at: Vec<SessionId> = sessions.keys().copied().collect();
    let records = store::attendance_at(&tx, &people, &at).await?;
    let mut out: HashMap<(CohortId, ParticipantId), Vec<Attendance>> =
        keys.iter().map(|k| (*k, Vec::new())).collect();
    for record in records {
        let Some(session) = sessions.get(&record.session_id) else {
            continue;
        };
        let key = (session.cohort_id, record.participant_id);
        if readable.contains(&key) {
            out.entry(key).or_default().push(record);
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|a| {
            sessions
                .get(&a.session_id)
                .map(|s| (s.day, s.half_day != HalfDay::Morning))
        });
    }
    Ok(out)
}
