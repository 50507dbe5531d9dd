//! Recording a participant's entry into an operation, their exit and their situation six
//! months later, each in one audited transaction.

use chrono::NaiveDate;

use super::model::*;
use super::{policy, store};
use crate::audit::Action;
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{EsfRecordId, ParticipantId};
use crate::participants::{self, ParticipantStatus};
use crate::principal::Principal;

/// Record a participant's entry into an operation; a re-entry keeps the first entry's data and
/// fills only what is still missing. Returns the record and whether it already existed.
pub async fn record_entry(
    tx: &Tx,
    principal: &Principal,
    participant: ParticipantId,
    operation: Operation,
    entry_date: Option<NaiveDate>,
    status: EmploymentStatus,
    answers: EntryAnswers,
) -> Result<(EsfRecord, bool)> {
    policy::require_collector(principal)?;
    let tx = tx.change(principal).await?;
    policy::require_operation(&tx, principal, operation).await?;
    let p = participants::find_readable_in(&tx, principal, participant).await?;
    if !matches!(
        p.status,
        ParticipantStatus::Active | ParticipantStatus::Exited
    ) {
        return Err(DomainError::Conflict(
            "ESF data is collected once the participant's entry is validated".into(),
        ));
    }
    let today = crate::paris::wall_clock(tx.now()).date();
    let entry_date = match (entry_date, operation) {
        (Some(d), _) => d,
        (None, Operation::Plie) => p.entry_date.unwrap_or(today),
        (None, Operation::Convention(_)) => today,
    };
    if entry_date > today {
        return Err(DomainError::validation(
            "entryDate",
            "must not be in the future",
        ));
    }
    if p.entry_date.is_some_and(|e| entry_date < e) {
        return Err(DomainError::validation(
            "entryDate",
            "must not be before the participant's entry into the PLIE",
        ));
    }
    let existing = store::find_of(&tx, participant, operation).await?;
    let (record, reentry) = match existing {
        Some(mut r) => {
            // A re-entry: the first entry's data stays; only missing answers are filled.
            let e = &mut r.entry;
            e.third_country_national = e.third_country_national.or(answers.third_country_national);
            e.foreign_background = e.foreign_background.or(answers.foreign_background);
            e.minority = e.minority.or(answers.minority);
            e.homeless = e.homeless.or(answers.homeless);
            e.rural_area = e.rural_area.or(answers.rural_area);
            r.version += 1;
            store::save(&tx, principal, &r, false).await?;
            (r, true)
        }
        None => {
            let r = EsfRecord {
                id: EsfRecordId::generate(),
                participant_id: participant,
                operation,
                entry_date,
                gender: p.gender.as_str().to_owned(),
                age_band: age_band(p.birth_date, p.birth_year, entry_date),
                isced_band: isced_band(p.education_level.get()),
                employment_status: status,
                disability: p.recognised_disability,
                entry: answers,
                exit: None,
                later: LaterAnswers {
                    in_employment: None,
                    improved_situation: None,
                },
                version: 1,
            };
            store::save(&tx, principal, &r, true)
                .await
                .map_err(|e| match e {
                    DomainError::Conflict(_) => DomainError::Conflict(
                        "this participant's entry into the operation was just recorded".into(),
                    ),
                    other => other,
                })?;
            (r, false)
        }
    };
    tx.commit(action("esf.entry", record.id)).await?;
    Ok((record, reentry))
}

/// Record the situation at exit. For an action's record, a participant who dropped out of
/// the action (their last membership of its cohorts) left it on their drop-out date: that is
/// the exit date.
pub async fn record_exit(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    answers: ExitAnswers,
) -> Result<EsfRecord> {
    change(
        tx,
        principal,
        id,
        version,
        "esf.exit",
        async |tx, r, today| {
            if answers.date < r.entry_date {
                return Err(DomainError::validation(
                    "date",
                    "must not be before the entry",
                ));
            }
            if answers.date > today {
                return Err(DomainError::validation("date", "must not be in the future"));
            }
            if let Operation::Convention(convention) = r.operation
                && let Some(left) =
                    crate::cohorts::dropped_out_of_action(tx, convention, r.participant_id).await?
                && answers.date != left
            {
                return Err(DomainError::validation(
                    "date",
                    format!(
                        "the participant dropped out of the action on {left}: that is the exit date"
                    ),
                ));
            }
            r.exit = Some(answers);
            Ok(())
        },
    )
    .await
}

/// Record the situation six months after the exit (not before).
pub async fn record_later(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    answers: LaterAnswers,
) -> Result<EsfRecord> {
    change(
        tx,
        principal,
        id,
        version,
        "esf.later",
        async |_, r, today| {
            let Some(exit) = r.exit else {
                return Err(DomainError::Conflict("record the exit first".into()));
            };
            let from = later_from(exit.date);
            if today < from {
                return Err(DomainError::validation(
                    "inEmployment",
                    format!("the six-month situation is recorded from {from}"),
                ));
            }
            r.later = answers;
            Ok(())
        },
    )
    .await
}

/// Change a record the principal may read, at `version`: `apply` checks and changes it, given
/// the transaction and today's date in Paris; the record is then saved and audited as `name`.
async fn change(
    tx: &Tx,
    principal: &Principal,
    id: EsfRecordId,
    version: i32,
    name: &'static str,
    apply: impl AsyncFnOnce(&TenantTx, &mut EsfRecord, NaiveDate) -> Result<()>,
) -> Result<EsfRecord> {
    policy::require_collector(principal)?;
    let tx = tx.change(principal).await?;
    let mut r = store::find_readable(&tx, principal, id).await?;
    if r.version != version {
        return Err(DomainError::stale("ESF record"));
    }
    apply(&tx, &mut r, crate::paris::wall_clock(tx.now()).date()).await?;
    r.version += 1;
    store::save(&tx, principal, &r, false).await?;
    tx.commit(action(name, r.id)).await?;
    Ok(r)
}

fn action(name: &'static str, id: EsfRecordId) -> Action {
    Action {
        name,
        object_type: "EsfRecord",
        object_id: id.0,
    }
}
