//! Queries of a participant's path: its steps and its episodes of work or training.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};

use crate::db::{Change, TenantTx};
use crate::entities::{episode, path_step};
use crate::error::Result;
use crate::ids::{EpisodeId, ParticipantId, PathStepId};
use crate::participants::exit_assessment::EpisodeKind;
use crate::participants::model::*;

pub(crate) async fn path_steps_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<PathStep>>> {
    let rows = tx
        .select::<path_step::Entity>()
        .filter(tx.is_in(
            path_step::Column::ParticipantId,
            participants.iter().map(|p| p.0),
        ))
        .order_by_asc(path_step::Column::StartDate)
        .order_by_asc(path_step::Column::Id)
        .all(tx.conn())
        .await?;
    let mut out: HashMap<ParticipantId, Vec<PathStep>> = HashMap::new();
    for row in rows {
        let step = to_step(row)?;
        out.entry(step.participant_id).or_default().push(step);
    }
    Ok(out)
}

pub(crate) async fn find_step(tx: &TenantTx, id: PathStepId) -> Result<Option<PathStep>> {
    tx.select::<path_step::Entity>()
        .filter(path_step::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_step)
        .transpose()
}

pub(crate) async fn save_step(tx: &Change, step: &PathStep, previous: Option<i32>) -> Result<bool> {
    let active = path_step::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(step.id.0),
        participant_id: Set(step.participant_id.0),
        kind: Set(step.kind.as_str().to_owned()),
        title: Set(step.title.clone()),
        start_date: Set(step.start_date),
        end_date: Set(step.end_date),
        outcome: Set(step.outcome.clone()),
        closed: Set(step.closed),
        created_at: Set(tx.now()),
        updated_at: Set(tx.now()),
        version: Set(step.version),
    };
    match previous {
        None => {
            tx.insert(active).await?;
            Ok(true)
        }
        Some(version) => {
            let mut active = active;
            active.created_at = sea_orm::ActiveValue::NotSet;
            active.tenant_id = sea_orm::ActiveValue::Unchanged(tx.tenant().0);
            active.id = sea_orm::ActiveValue::Unchanged(step.id.0);
            let result = tx
                .update_many::<path_step::Entity>()
                .set(active)
                .filter(path_step::Column::Id.eq(step.id.0))
                .filter(path_step::Column::Version.eq(version))
                .exec(tx.conn())
                .await?;
            Ok(result.rows_affected == 1)
        }
    }
}

fn to_step(row: path_step::Model) -> Result<PathStep> {
    Ok(PathStep {
        id: PathStepId(row.id),
        participant_id: ParticipantId(row.participant_id),
        kind: PathStepKind::parse(&row.kind)?,
        title: row.title,
        start_date: row.start_date,
        end_date: row.end_date,
        outcome: row.outcome,
        closed: row.closed,
        version: row.version,
    })
}

pub(crate) async fn episodes_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<Episode>>> {
    let rows = tx
        .select::<episode::Entity>()
        .filter(tx.is_in(
            episode::Column::ParticipantId,
            participants.iter().map(|p| p.0),
        ))
        // A cancelled episode was recorded by mistake: no rule or list sees it.
        .filter(episode::Column::CancelledAt.is_null())
        .order_by_asc(episode::Column::StartDate)
        .order_by_asc(episode::Column::Id)
        .all(tx.conn())
        .await?;
    let mut out: HashMap<ParticipantId, Vec<Episode>> = HashMap::new();
    for row in rows {
        let e = Episode {
            id: EpisodeId(row.id),
            participant_id: ParticipantId(row.participant_id),
            kind: parse_episode_kind(&row.kind)?,
            start_date: row.start_date,
            end_date: row.end_date,
            minutes_per_week: row.minutes_per_week,
            participant_agreement: row.participant_agreement,
            employer: row.employer,
            end_reason: row.end_reason.as_deref().and_then(EndReason::parse),
            version: row.version,
        };
        out.entry(e.participant_id).or_default().push(e);
    }
    Ok(out)
}

pub(crate) async fn insert_episode(tx: &Change, e: &Episode) -> Result<()> {
    let kind: EpisodeKind = e.kind;
    tx.insert(episode::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(e.id.0),
        participant_id: Set(e.participant_id.0),
        kind: Set(episode_kind_str(kind).to_owned()),
        start_date: Set(e.start_date),
        end_date: Set(e.end_date),
        minutes_per_week: Set(e.minutes_per_week),
        participant_agreement: Set(e.participant_agreement),
        employer: Set(e.employer.clone()),
        created_at: Set(tx.now()),
        version: Set(e.version),
        end_reason: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
    })
    .await?;
    Ok(())
}

/// Write `e`'s dates, time, agreement, employer and end reason over version `previous`;
/// false when that version is no longer the stored one.
pub(crate) async fn update_episode(tx: &Change, e: &Episode, previous: i32) -> Result<bool> {
    let result = tx
        .update_many::<episode::Entity>()
        .col_expr(episode::Column::StartDate, e.start_date.into())
        .col_expr(episode::Column::EndDate, e.end_date.into())
        .col_expr(episode::Column::MinutesPerWeek, e.minutes_per_week.into())
        .col_expr(
            episode::Column::ParticipantAgreement,
            e.participant_agreement.into(),
        )
        .col_expr(episode::Column::Employer, e.employer.clone().into())
        .col_expr(
            episode::Column::EndReason,
            e.end_reason.map(|r| r.as_str().to_owned()).into(),
        )
        .col_expr(episode::Column::Version, e.version.into())
        .filter(episode::Column::Id.eq(e.id.0))
        .filter(episode::Column::Version.eq(previous))
        .filter(episode::Column::CancelledAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Cancel the episode `id` at version `previous`; false when that version is no longer the
/// stored one.
pub(crate) async fn cancel_episode(
    tx: &Change,
    id: EpisodeId,
    previous: i32,
    reason: &str,
) -> Result<bool> {
    let result = tx
        .update_many::<episode::Entity>()
        .col_expr(episode::Column::CancelledAt, tx.now().into())
        .col_expr(episode::Column::CancelReason, reason.into())
        .col_expr(episode::Column::Version, (previous + 1).into())
        .filter(episode::Column::Id.eq(id.0))
        .filter(episode::Column::Version.eq(previous))
        .filter(episode::Column::CancelledAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Close the steps of `id`'s path still open when the path closes on `on` (an exit): a step
/// without an end ends that day, or on its own start if it had not started yet.
pub(crate) async fn close_open_steps(
    tx: &Change,
    id: ParticipantId,
    on: chrono::NaiveDate,
) -> Result<()> {
    let open = || {
        Condition::all()
            .add(path_step::Column::ParticipantId.eq(id.0))
            .add(path_step::Column::Closed.eq(false))
    };
    tx.update_many::<path_step::Entity>()
        .col_expr(path_step::Column::EndDate, Expr::value(Some(on)))
        .filter(open())
        .filter(path_step::Column::EndDate.is_null())
        .filter(path_step::Column::StartDate.lte(on))
        .exec(tx.conn())
        .await?;
    tx.update_many::<path_step::Entity>()
        .col_expr(
            path_step::Column::EndDate,
            Expr::col(path_step::Column::StartDate),
        )
        .filter(open())
        .filter(path_step::Column::EndDate.is_null())
        .exec(tx.conn())
        .await?;
    tx.update_many::<path_step::Entity>()
        .col_expr(path_step::Column::Closed, Expr::value(true))
        .col_expr(path_step::Column::UpdatedAt, Expr::value(tx.now()))
        .col_expr(
            path_step::Column::Version,
            Expr::col(path_step::Column::Version).add(1),
        )
        .filter(open())
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// The participant an episode belongs to; with `live_only`, only if it is not cancelled.
pub(crate) async fn episode_owner(
    tx: &TenantTx,
    id: EpisodeId,
    live_only: bool,
) -> Result<Option<ParticipantId>> {
    let mut query = tx
        .select::<episode::Entity>()
        .select_only()
        .column(episode::Column::ParticipantId)
        .filter(episode::Column::Id.eq(id.0));
    if live_only {
        query = query.filter(episode::Column::CancelledAt.is_null());
    }
    let owner: Option<uuid::Uuid> = query.into_tuple().one(tx.conn()).await?;
    Ok(owner.map(ParticipantId))
}
