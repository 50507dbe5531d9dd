//! Queries of a cohort's session calendar.

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::{of_visible_cohorts, session_to_cohort};
use crate::cohorts::model::*;
use crate::db::{Change, TenantTx};
use crate::entities::cohort_session;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, SessionId};
use crate::principal::Principal;

/// The sessions of cohort `id`, in calendar order (morning first).
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

/// A session row as the domain's value.
fn to_session(r: cohort_session::Model) -> Result<Session> {
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

/// A session time as stored (`HH:MM`).
fn stored_time(s: &str) -> Result<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| DomainError::Internal("unreadable session time".into()))
}

/// Insert the sessions of a new calendar.
pub(crate) async fn insert_sessions(tx: &Change, sessions: &[Session]) -> Result<()> {
    if sessions.is_empty() {
        return Ok(());
    }
    tx.insert_many(sessions.iter().map(|s| to_row(tx, s))).await
}

/// A session as a row of this tenant.
fn to_row(tx: &Change, s: &Session) -> cohort_session::ActiveModel {
    cohort_session::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(s.id.0),
        cohort_id: Set(s.cohort_id.0),
        day: Set(s.day),
        half_day: Set(s.half_day.as_str().to_owned()),
        start_time: Set(Hours::format(s.hours.start)),
        end_time: Set(Hours::format(s.hours.end)),
    }
}

/// Insert one session added to a calendar.
pub(crate) async fn insert_session(tx: &Change, s: &Session) -> Result<()> {
    tx.insert(to_row(tx, s)).await
}

/// Write a session's day, half-day and hours (by its ID).
pub(crate) async fn update_session(tx: &Change, s: &Session) -> Result<()> {
    tx.update_many::<cohort_session::Entity>()
        .col_expr(cohort_session::Column::Day, s.day.into())
        .col_expr(cohort_session::Column::HalfDay, s.half_day.as_str().into())
        .col_expr(
            cohort_session::Column::StartTime,
            Hours::format(s.hours.start).into(),
        )
        .col_expr(
            cohort_session::Column::EndTime,
            Hours::format(s.hours.end).into(),
        )
        .filter(cohort_session::Column::Id.eq(s.id.0))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Delete session `id`.
pub(crate) async fn delete_session(tx: &Change, id: SessionId) -> Result<()> {
    tx.delete_many::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(id.0))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Session `id`, whichever cohort it belongs to.
pub(crate) async fn find_session(tx: &TenantTx, id: SessionId) -> Result<Option<Session>> {
    session_row(tx, id).await?.map(to_session).transpose()
}

/// The cohort of session `id` (reads the session's row).
pub(crate) async fn session_cohort(tx: &TenantTx, id: SessionId) -> Result<Option<CohortId>> {
    Ok(session_row(tx, id).await?.map(|s| CohortId(s.cohort_id)))
}

/// The row of session `id`.
async fn session_row(tx: &TenantTx, id: SessionId) -> Result<Option<cohort_session::Model>> {
    Ok(tx
        .select::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?)
}

/// The sessions of the cohorts `ids`, in no order (one statement).
pub(crate) async fn sessions_of_cohorts(tx: &TenantTx, ids: &[CohortId]) -> Result<Vec<Session>> {
    tx.select::<cohort_session::Entity>()
        .filter(tx.is_in(cohort_session::Column::CohortId, ids.iter().map(|i| i.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_session)
        .collect()
}

/// The sessions of the cohorts `ids` the principal may see, in calendar order (one
/// statement).
pub(crate) async fn visible_sessions_of(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<Vec<Session>> {
    let to_cohort = session_to_cohort();
    of_visible_cohorts(
        tx.select::<cohort_session::Entity>()
            .filter(tx.is_in(cohort_session::Column::CohortId, ids.iter().map(|i| i.0))),
        principal,
        to_cohort,
    )?
    .order_by_asc(cohort_session::Column::Day)
    .order_by_desc(cohort_session::Column::HalfDay)
    .all(tx.conn())
    .await?
    .into_iter()
    .map(to_session)
    .collect()
}
