//! Path steps and employment/training episodes, each write in one audited transaction.

use chrono::NaiveDate;

use super::exit_assessment::{ContractKind, EpisodeKind};
use super::model::*;
use super::store;
use super::write::editable_unversioned;
use crate::audit::Action;
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{EpisodeId, ParticipantId, PathStepId};
use crate::principal::Principal;
use crate::text::{Name, clean};

/// Input of `add_step`.
#[derive(Clone, Debug)]
pub struct NewPathStep {
    pub participant_id: ParticipantId,
    pub kind: PathStepKind,
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Input of `update_step` (and of `close_step`, with `close`).
#[derive(Clone, Debug)]
pub struct PathStepChanges {
    pub id: PathStepId,
    pub version: i32,
    pub title: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub outcome: Option<String>,
}

/// Input of `record_episode`.
#[derive(Clone, Debug)]
pub struct NewEpisode {
    pub participant_id: ParticipantId,
    pub kind: EpisodeKind,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub minutes_per_week: Option<i32>,
    pub participant_agreement: bool,
    pub employer: Option<String>,
}

/// The most a week of work may count (the legal maximum, 48 h).
pub const MAX_MINUTES_PER_WEEK: i32 = 48 * 60;

/// Add a step to a participant's path.
pub async fn add_step(tx: &Tx, principal: &Principal, input: NewPathStep) -> Result<PathStep> {
    let tx = tx.change(principal).await?;
    let participant = editable_unversioned(&tx, principal, input.participant_id).await?;
    let title = Name::parse("title", &input.title)?.into_inner();
    check_range(input.start_date, input.end_date)?;
    if participant.entry_date.is_some_and(|e| input.start_date < e) {
        return Err(DomainError::validation(
            "startDate",
            "must not be before the entry date",
        ));
    }
    let step = PathStep {
        id: PathStepId::generate(),
        participant_id: participant.id,
        kind: input.kind,
        title,
        start_date: input.start_date,
        end_date: input.end_date,
        outcome: None,
        closed: false,
        version: 1,
    };
    store::save_step(&tx, &step, None).await?;
    tx.commit(step_action("path_step.add", step.id)).await?;
    Ok(step)
}

/// Change a step; with `close`, also mark it closed (an end date is then required).
pub async fn update_step(
    tx: &Tx,
    principal: &Principal,
    input: PathStepChanges,
    close: bool,
) -> Result<PathStep> {
    let tx = tx.change(principal).await?;
    let current = store::find_step(&tx, input.id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "path step",
        })?;
    editable_unversioned(&tx, principal, current.participant_id).await?;
    if current.version != input.version {
        return Err(DomainError::stale("path step"));
    }
    if current.closed {
        return Err(DomainError::Conflict("this step is closed".into()));
    }
    let mut changed = current.clone();
    if let Some(title) = &input.title {
        changed.title = Name::parse("title", title)?.into_inner();
    }
    if let Some(start) = input.start_date {
        changed.start_date = start;
    }
    if input.end_date.is_some() {
        changed.end_date = input.end_date;
    }
    if let Some(outcome) = &input.outcome {
        changed.outcome = Some(clean("outcome", outcome, 2000)?);
    }
    check_range(changed.start_date, changed.end_date)?;
    if close {
        if changed.end_date.is_none() {
            return Err(DomainError::validation(
                "endDate",
                "is required to close a step",
            ));
        }
        changed.closed = true;
    }
    changed.version = current.version + 1;
    if !store::save_step(&tx, &changed, Some(current.version)).await? {
        return Err(DomainError::stale("path step"));
    }
    let name = if close {
        "path_step.close"
    } else {
        "path_step.update"
    };
    tx.commit(step_action(name, changed.id)).await?;
    Ok(changed)
}

/// Record an employment, training or business-creation episode.
pub async fn record_episode(tx: &Tx, principal: &Principal, input: NewEpisode) -> Result<Episode> {
    let tx = tx.change(principal).await?;
    let participant = editable_unversioned(&tx, principal, input.participant_id).await?;
    let employer = input
        .employer
        .as_deref()
        .map(|e| clean("employer", e, 200))
        .transpose()?;
    let episode = Episode {
        id: EpisodeId::generate(),
        participant_id: participant.id,
        kind: input.kind,
        start_date: input.start_date,
        end_date: input.end_date,
        minutes_per_week: input.minutes_per_week,
        participant_agreement: input.participant_agreement,
        employer,
        end_reason: None,
        version: 1,
    };
    check_episode(&tx, &participant, &episode).await?;
    store::insert_episode(&tx, &episode).await?;
    tx.commit(episode_action("episode.record", episode.id))
        .await?;
    Ok(episode)
}

/// The checks every version of an episode passes: its dates within the path, a working time
/// for a contract, and no overlap with another episode of its kind (temporary missions and
/// fixed-term contracts may run side by side: the rules that total them count each day once).
async fn check_episode(tx: &TenantTx, participant: &Participant, e: &Episode) -> Result<()> {
    check_range(e.start_date, e.end_date)?;
    if participant
        .entry_date
        .is_some_and(|entry| e.start_date < entry)
    {
        return Err(DomainError::validation(
            "startDate",
            "must not be before the entry date",
        ));
    }
    if let Some(m) = e.minutes_per_week
        && !(1..=MAX_MINUTES_PER_WEEK).contains(&m)
    {
        return Err(DomainError::validation(
            "hoursPerWeek",
            "must be more than 0 and at most 48",
        ));
    }
    if matches!(e.kind, EpisodeKind::Employment(_)) && e.minutes_per_week.is_none() {
        return Err(DomainError::validation(
            "hoursPerWeek",
            "is required for an employment contract",
        ));
    }
    let side_by_side = matches!(
        e.kind,
        EpisodeKind::Employment(ContractKind::TemporaryAgency | ContractKind::FixedTerm)
    );
    let existing = store::episodes_of(tx, &[participant.id]).await?;
    let overlaps = existing
        .get(&participant.id)
        .into_iter()
        .flatten()
        .filter(|other| other.id != e.id && other.kind == e.kind && !side_by_side)
        .any(|other| {
            let other_end = other.end_date.unwrap_or(NaiveDate::MAX);
            let end = e.end_date.unwrap_or(NaiveDate::MAX);
            other.start_date <= end && e.start_date <= other_end
        });
    if overlaps {
        return Err(DomainError::validation(
            "startDate",
            "overlaps an episode of the same kind already recorded",
        ));
    }
    Ok(())
}

/// The episode `id` at `version`, of a participant whose path the principal may edit (not
/// once exited: an exit's evidence no longer changes).
async fn editable_episode(
    tx: &TenantTx,
    principal: &Principal,
    id: EpisodeId,
    version: i32,
) -> Result<(Participant, Episode)> {
    let not_found = || DomainError::NotFound { entity: "episode" };
    let owner = store::episode_owner(tx, id, true)
        .await?
        .ok_or_else(not_found)?;
    let participant = editable_unversioned(tx, principal, owner).await?;
    let episode = store::episodes_of(tx, &[participant.id])
        .await?
        .remove(&participant.id)
        .and_then(|list| list.into_iter().find(|e| e.id == id))
        .ok_or_else(not_found)?;
    if episode.version != version {
        return Err(DomainError::stale("episode"));
    }
    Ok((participant, episode))
}

/// End an episode early: a contract broken, a mission or training stopped. The day is its last
/// worked day — not before its start, not after today (Paris time), not after its planned end
/// (correct the episode to extend it) — with the reason. Audited; every exit assessment reads
/// the new end.
pub async fn end_episode(
    tx: &Tx,
    principal: &Principal,
    id: EpisodeId,
    version: i32,
    on: NaiveDate,
    reason: EndReason,
) -> Result<Episode> {
    let tx = tx.change(principal).await?;
    let (participant, current) = editable_episode(&tx, principal, id, version).await?;
    if on < current.start_date {
        return Err(DomainError::validation(
            "endDate",
            "must not be before the start date",
        ));
    }
    if on > crate::paris::today(tx.now()) {
        return Err(DomainError::validation(
            "endDate",
            "must not be in the future",
        ));
    }
    if current.end_date.is_some_and(|planned| on > planned) {
        return Err(DomainError::validation(
            "endDate",
            "must not be after the planned end: correct the episode to extend it",
        ));
    }
    let changed = Episode {
        end_date: Some(on),
        end_reason: Some(reason),
        version: version + 1,
        ..current
    };
    check_episode(&tx, &participant, &changed).await?;
    if !store::update_episode(&tx, &changed, version).await? {
        return Err(DomainError::stale("episode"));
    }
    tx.commit(episode_action("episode.end", id)).await?;
    Ok(changed)
}

/// What a correction gives: the whole of an episode's editable fields (its kind stays: cancel
/// and record another to change it).
#[derive(Clone, Debug)]
pub struct EpisodeCorrection {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub minutes_per_week: Option<i32>,
    pub participant_agreement: bool,
    pub employer: Option<String>,
}

/// Correct an episode's fields (a wrong date, a working time), with the same checks as a new
/// one. Audited; every exit assessment reads the corrected episode.
pub async fn correct_episode(
    tx: &Tx,
    principal: &Principal,
    id: EpisodeId,
    version: i32,
    input: EpisodeCorrection,
) -> Result<Episode> {
    let employer = input
        .employer
        .as_deref()
        .map(|e| clean("employer", e, 200))
        .transpose()?;
    let tx = tx.change(principal).await?;
    let (participant, current) = editable_episode(&tx, principal, id, version).await?;
    let changed = Episode {
        start_date: input.start_date,
        end_date: input.end_date,
        minutes_per_week: input.minutes_per_week,
        participant_agreement: input.participant_agreement,
        employer,
        // An end moved by a correction is no longer an early end.
        end_reason: current
            .end_reason
            .filter(|_| input.end_date == current.end_date),
        version: version + 1,
        ..current
    };
    check_episode(&tx, &participant, &changed).await?;
    if !store::update_episode(&tx, &changed, version).await? {
        return Err(DomainError::stale("episode"));
    }
    tx.commit(episode_action("episode.correct", id)).await?;
    Ok(changed)
}

/// Cancel an episode recorded by mistake, with a reason: it stays in the table (and in the
/// audit log) but no rule, list or overlap check sees it again.
pub async fn cancel_episode(
    tx: &Tx,
    principal: &Principal,
    id: EpisodeId,
    version: i32,
    reason: &str,
) -> Result<EpisodeId> {
    let reason = clean("reason", reason, 1000)?;
    let tx = tx.change(principal).await?;
    editable_episode(&tx, principal, id, version).await?;
    if !store::cancel_episode(&tx, id, version, &reason).await? {
        return Err(DomainError::stale("episode"));
    }
    tx.commit(episode_action("episode.cancel", id)).await?;
    Ok(id)
}

fn episode_action(name: &'static str, id: EpisodeId) -> Action {
    Action {
        name,
        object_type: "Episode",
        object_id: id.0,
    }
}

fn check_range(start: NaiveDate, end: Option<NaiveDate>) -> Result<()> {
    if end.is_some_and(|end| end < start) {
        return Err(DomainError::validation(
            "endDate",
            "must not be before the start date",
        ));
    }
    if chrono::Datelike::year(&start) < 1950 || chrono::Datelike::year(&start) > 2100 {
        return Err(DomainError::validation("startDate", "is not plausible"));
    }
    Ok(())
}

fn step_action(name: &'static str, id: PathStepId) -> Action {
    Action {
        name,
        object_type: "PathStep",
        object_id: id.0,
    }
}
