//! Path steps and employment/training episodes, each write in one audited transaction.

use chrono::NaiveDate;

use super::exits::{ContractKind, EpisodeKind};
use super::model::*;
use super::store;
use super::write::editable_unversioned;
use crate::audit::Action;
use crate::db::Tx;
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
    check_range(input.start_date, input.end_date)?;
    if participant.entry_date.is_some_and(|e| input.start_date < e) {
        return Err(DomainError::validation(
            "startDate",
            "must not be before the entry date",
        ));
    }
    if let Some(m) = input.minutes_per_week
        && !(1..=MAX_MINUTES_PER_WEEK).contains(&m)
    {
        return Err(DomainError::validation(
            "hoursPerWeek",
            "must be more than 0 and at most 48",
        ));
    }
    if matches!(input.kind, EpisodeKind::Employment(_)) && input.minutes_per_week.is_none() {
        return Err(DomainError::validation(
            "hoursPerWeek",
            "is required for an employment contract",
        ));
    }
    let employer = input
        .employer
        .as_deref()
        .map(|e| clean("employer", e, 200))
        .transpose()?;
    let existing = store::episodes_of(&tx, &[participant.id]).await?;
    // Temporary missions and fixed-term contracts may run side by side (two part-time
    // missions): the rules that total them count each day once. Other kinds do not overlap.
    let side_by_side = matches!(
        input.kind,
        EpisodeKind::Employment(ContractKind::TemporaryAgency | ContractKind::FixedTerm)
    );
    let overlaps = existing
        .get(&participant.id)
        .into_iter()
        .flatten()
        .filter(|e| e.kind == input.kind && !side_by_side)
        .any(|e| {
            let e_end = e.end_date.unwrap_or(NaiveDate::MAX);
            let i_end = input.end_date.unwrap_or(NaiveDate::MAX);
            e.start_date <= i_end && input.start_date <= e_end
        });
    if overlaps {
        return Err(DomainError::validation(
            "startDate",
            "overlaps an episode of the same kind already recorded",
        ));
    }
    let episode = Episode {
        id: EpisodeId::generate(),
        participant_id: participant.id,
        kind: input.kind,
        start_date: input.start_date,
        end_date: input.end_date,
        minutes_per_week: input.minutes_per_week,
        participant_agreement: input.participant_agreement,
        employer,
    };
    store::insert_episode(&tx, &episode).await?;
    tx.commit(Action {
        name: "episode.record",
        object_type: "Episode",
        object_id: episode.id.0,
    })
    .await?;
    Ok(episode)
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
