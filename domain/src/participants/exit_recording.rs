//! Recording exits (the service decides whether they are positive) and the committee's
//! case-by-case validation.

use chrono::NaiveDate;

use super::exit_assessment::{self, Assessment, EpisodeFacts, ExitFacts};
use super::model::*;
use super::store;
use super::write::{editable, save};
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::ParticipantId;
use crate::principal::Principal;
use crate::text::clean;

/// Input of `record_exit`.
#[derive(Clone, Debug)]
pub struct NewExit {
    pub participant_id: ParticipantId,
    pub version: i32,
    pub date: NaiveDate,
    pub kind: ExitKind,
    /// Required for any kind but employment or training.
    pub reason: Option<String>,
}

/// Record the exit of an active participant. For an employment or training exit the rule
/// engine decides whether it is positive; any other exit is non-positive with its reason.
pub async fn record_exit(tx: &Tx, principal: &Principal, input: NewExit) -> Result<Exit> {
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, input.participant_id, input.version).await?;
    if current.status != ParticipantStatus::Active {
        return Err(DomainError::Conflict(format!(
            "only an active participant exits; this one is {}",
            current.status.as_str()
        )));
    }
    if input.date > crate::paris::today(tx.now()) {
        return Err(DomainError::validation("date", "must not be in the future"));
    }
    if current.entry_date.is_some_and(|entry| input.date < entry) {
        return Err(DomainError::validation(
            "date",
            "must not be before the entry date",
        ));
    }
    let reason = input
        .reason
        .as_deref()
        .map(|r| clean("reason", r, 1000))
        .transpose()?;
    let exit = match input.kind {
        ExitKind::EmploymentOrTraining => {
            let assessment = assess_in(&tx, &current, input.date, false).await?;
            Exit {
                participant_id: current.id,
                date: input.date,
                kind: input.kind,
                positive: assessment.positive,
                rule: assessment.rule,
                reason: reason
                    .or_else(|| (!assessment.positive).then(|| assessment.reasons.join("; "))),
                needs_committee_validation: assessment.needs_committee_validation,
                committee_validated_on: None,
            }
        }
        _ => Exit {
            participant_id: current.id,
            date: input.date,
            kind: input.kind,
            positive: false,
            rule: None,
            reason: Some(reason.ok_or_else(|| {
                DomainError::validation("reason", "is required for this kind of exit")
            })?),
            needs_committee_validation: false,
            committee_validated_on: None,
        },
    };
    store::save_exit(&tx, &exit, true).await?;
    // The path closes with the exit: its open steps end on the exit date.
    store::close_open_steps(&tx, current.id, input.date).await?;
    let changed = Participant {
        status: ParticipantStatus::Exited,
        ..current.clone()
    };
    save(tx, current, changed, "participant.record_exit").await?;
    Ok(exit)
}

/// Steering: the validation committee agrees to the senior worksite exception; the exit is
/// assessed again with that agreement.
pub async fn validate_exit(
    tx: &Tx,
    principal: &Principal,
    participant_id: ParticipantId,
    version: i32,
    committee_date: NaiveDate,
) -> Result<Exit> {
    super::policy::require_steering(principal, "only steering records committee decisions")?;
    let tx = tx.change(principal).await?;
    let current = editable(&tx, principal, participant_id, version).await?;
    let exit = store::exits_of(&tx, &[participant_id])
        .await?
        .remove(&participant_id)
        .ok_or_else(|| DomainError::Conflict("no exit recorded for this participant".into()))?;
    if !exit.needs_committee_validation {
        return Err(DomainError::Conflict(
            "this exit needs no committee validation".into(),
        ));
    }
    if committee_date < exit.date || committee_date > crate::paris::today(tx.now()) {
        return Err(DomainError::validation(
            "committeeDate",
            "must be between the exit date and today",
        ));
    }
    let assessment = assess_in(&tx, &current, exit.date, true).await?;
    let validated = Exit {
        positive: assessment.positive,
        rule: assessment.rule,
        reason: (!assessment.positive).then(|| assessment.reasons.join("; ")),
        needs_committee_validation: false,
        committee_validated_on: Some(committee_date),
        ..exit
    };
    store::save_exit(&tx, &validated, false).await?;
    save(tx, current.clone(), current, "participant.validate_exit").await?;
    Ok(validated)
}

/// What the rule engine says of the participant's exit on `on` (a preview before recording).
pub async fn assess(
    tx: &Tx,
    principal: &Principal,
    participant_id: ParticipantId,
    on: Option<NaiveDate>,
) -> Result<Assessment> {
    let tx = tx.scoped(principal).await?;
    let participant = store::find_visible(&tx, principal, participant_id).await?;
    super::policy::require_owner(principal, &participant)?;
    let exit = store::exits_of(&tx, &[participant_id])
        .await?
        .remove(&participant_id);
    let on = on
        .or(exit.as_ref().map(|e| e.date))
        .unwrap_or_else(|| crate::paris::today(tx.now()));
    let validated = exit.is_some_and(|e| e.committee_validated_on.is_some());
    let assessment = assess_in(&tx, &participant, on, validated).await?;
    Ok(assessment)
}

/// What the rule engine says of an already loaded participant (for batch readers: no query).
/// `today` is used when neither `on` nor a recorded exit gives the date.
pub fn assess_loaded(
    participant: &Participant,
    episodes: &[Episode],
    exit: Option<&Exit>,
    on: Option<NaiveDate>,
    today: NaiveDate,
) -> Assessment {
    let on = on.or(exit.map(|e| e.date)).unwrap_or(today);
    let validated = exit.is_some_and(|e| e.committee_validated_on.is_some());
    run_engine(participant, episodes, on, validated)
}

async fn assess_in(
    tx: &TenantTx,
    participant: &Participant,
    on: NaiveDate,
    committee_validated: bool,
) -> Result<Assessment> {
    let episodes = store::episodes_of(tx, &[participant.id])
        .await?
        .remove(&participant.id)
        .unwrap_or_default();
    Ok(run_engine(participant, &episodes, on, committee_validated))
}

fn run_engine(
    participant: &Participant,
    episodes: &[Episode],
    on: NaiveDate,
    committee_validated: bool,
) -> Assessment {
    let facts: Vec<EpisodeFacts> = episodes
        .iter()
        .map(|e| EpisodeFacts {
            id: e.id,
            kind: e.kind,
            start: e.start_date,
            end: e.end_date,
            minutes_per_week: e.minutes_per_week,
            participant_agreement: e.participant_agreement,
        })
        .collect();
    exit_assessment::assess(
        &facts,
        &ExitFacts {
            assessed_on: on,
            birth_date: participant.birth_date,
            committee_validated,
        },
    )
}
