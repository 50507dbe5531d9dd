//! A cohort's members: a referent prescribes, the provider enrols (within capacity, under a
//! lock on the cohort) or declines, and records a drop-out with its date.

use chrono::NaiveDate;

use super::action;
use super::model::*;
use super::policy::{self, runner};
use super::store::{self, find_in, member, member_locked, members_in, set_member};
use crate::db::{Change, TenantTx, Tx};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CohortId, ParticipantId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::participants::{self, ParticipantStatus};
use crate::principal::Principal;
use crate::text::clean;

/// A referent prescribes an active participant of their portfolio to a cohort.
pub async fn prescribe(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    policy::require_prescriber(principal)?;
    let tx = tx.change(principal).await?;
    let c = find_in(&tx, principal, cohort_id).await?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict("the cohort is closed".into()));
    }
    let p = participants::find_visible_in(&tx, principal, participant).await?;
    if p.status != ParticipantStatus::Active {
        return Err(DomainError::validation(
            "participantId",
            "only an active participant is prescribed",
        ));
    }
    let member = Member {
        cohort_id,
        participant_id: participant,
        status: MemberStatus::Prescribed,
        reason: None,
        dropped_out_on: None,
        version: 1,
    };
    store::insert_member(&tx, &member, principal.subject())
        .await
        .map_err(|e| match e {
            DomainError::Conflict(_) => {
                DomainError::Conflict("already prescribed to this cohort".into())
            }
            other => other,
        })?;
    tx.commit(action("cohort.prescribe", "Participant", participant.0))
        .await?;
    Ok(member)
}

/// The provider enrols a prescribed participant: capacity is a hard limit, and a participant is
/// in at most one cohort that is not closed.
pub async fn enrol(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    let tx = tx.change(principal).await?;
    policy::require_runner(principal)?;
    // Serialise enrolments of this cohort: a row lock on PostgreSQL (SQLite's IMMEDIATE
    // transactions already serialise writers).
    let c = super::find_locked(&tx, principal, cohort_id).await?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict("the cohort is closed".into()));
    }
    let m = member(&tx, cohort_id, participant).await?;
    if m.status != MemberStatus::Prescribed {
        return Err(DomainError::Conflict(format!(
            "the participant is {}, not prescribed",
            m.status.as_str()
        )));
    }
    let enrolled = members_in(&tx, cohort_id)
        .await?
        .iter()
        .filter(|m| m.status == MemberStatus::Enrolled)
        .count();
    if enrolled >= c.size_max as usize {
        return Err(DomainError::rule(
            RuleCode::CapacityReached,
            format!("the cohort is full ({} places)", c.size_max),
        ));
    }
    // At most one cohort that is not closed per participant: the participant's row is locked
    // (PostgreSQL; SQLite's IMMEDIATE transactions are serialised already), so that two
    // enrolments of one person into two cohorts run one after the other, and the second sees
    // the first (READ COMMITTED reads anew after the lock).
    participants::lock(&tx, participant).await?;
    if super::enrolled_elsewhere(&tx, participant, cohort_id).await? {
        return Err(DomainError::Conflict(
            "the participant is already in another running cohort".into(),
        ));
    }
    let m = set_member(&tx, &m, MemberStatus::Enrolled, None, None).await?;
    answer_prescription(&tx, principal, Kind::PrescriptionAccepted, &m).await?;
    tx.commit(action("cohort.enrol", "Participant", participant.0))
        .await?;
    Ok(m)
}

/// The provider declines a prescription, with a reason.
pub async fn decline(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
) -> Result<Member> {
    let change = Transition {
        from: MemberStatus::Prescribed,
        to: MemberStatus::Declined,
        refused: "only a prescription is declined",
        action: "cohort.decline",
        notice: Some(Kind::PrescriptionDeclined),
        last_day: None,
    };
    transition(tx, principal, cohort_id, participant, reason, change).await
}

/// An enrolled participant drops out, with a reason and the day they left (their last day),
/// recorded by the provider or steering. The day is within the cohort's dates, not after today
/// (Paris time) — except the cohort's first day, for a member who leaves before it starts —
/// and no presence is recorded after it. By default: today, brought within the cohort's dates
/// (its last day when recorded after it ended).
pub async fn drop_out(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
    on: Option<NaiveDate>,
) -> Result<Member> {
    let change = Transition {
        from: MemberStatus::Enrolled,
        to: MemberStatus::DroppedOut,
        refused: "only an enrolled participant drops out",
        action: "cohort.drop_out",
        notice: None,
        last_day: Some(on),
    };
    transition(tx, principal, cohort_id, participant, reason, change).await
}

/// A membership change with a reason, from one status to another.
struct Transition {
    from: MemberStatus,
    to: MemberStatus,
    refused: &'static str,
    action: &'static str,
    /// What the participant's referent is told.
    notice: Option<Kind>,
    /// For a drop-out: the member's last day, if given (default: today, within the
    /// cohort's dates).
    last_day: Option<Option<NaiveDate>>,
}

/// Tell the participant's referent that their prescription was answered.
async fn answer_prescription(
    tx: &Change,
    principal: &Principal,
    kind: Kind,
    m: &Member,
) -> Result<()> {
    let referent = participants::referent_of(tx, m.participant_id).await?;
    let notice =
        Notice::new(kind, "Cohort", m.cohort_id.0).about("Participant", m.participant_id.0);
    notifications::notify(tx, principal.staff(), Audience::Staff(referent), notice).await?;
    Ok(())
}

async fn transition(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
    change: Transition,
) -> Result<Member> {
    let reason = clean("reason", reason, 1000)?;
    let tx = tx.change(principal).await?;
    let c = runner(&tx, principal, cohort_id).await?;
    let m = member_locked(&tx, cohort_id, participant).await?;
    if m.status != change.from {
        return Err(DomainError::Conflict(change.refused.into()));
    }
    let today = crate::paris::wall_clock(tx.now()).date();
    let on = change
        .last_day
        .map(|given| given.unwrap_or_else(|| today.clamp(c.start_date, c.end_date)));
    if let Some(on) = on {
        check_drop_out_date(&tx, &c, participant, on).await?;
    }
    let m = set_member(&tx, &m, change.to, Some(reason), on).await?;
    if let Some(kind) = change.notice {
        answer_prescription(&tx, principal, kind, &m).await?;
    }
    tx.commit(action(change.action, "Participant", participant.0))
        .await?;
    Ok(m)
}

/// A drop-out date is within the cohort's dates, not after today (Paris time), and not before
/// a presence of the member's (present or late): what was signed stays true.
async fn check_drop_out_date(
    tx: &TenantTx,
    c: &Cohort,
    participant: ParticipantId,
    on: NaiveDate,
) -> Result<()> {
    let field = "droppedOutOn";
    if on < c.start_date || on > c.end_date {
        return Err(DomainError::validation(
            field,
            format!(
                "must be within the cohort's dates ({} to {})",
                c.start_date, c.end_date
            ),
        ));
    }
    if on > c.start_date && on > crate::paris::wall_clock(tx.now()).date() {
        return Err(DomainError::validation(field, "must not be in the future"));
    }
    let later: Vec<NaiveDate> = super::member_attendance_in(tx, c.id, participant)
        .await?
        .into_iter()
        .filter(|(day, a)| *day > on && matches!(a.presence, Presence::Present | Presence::Late))
        .map(|(day, _)| day)
        .collect();
    if let Some(day) = later.first() {
        return Err(DomainError::validation(
            field,
            format!("a presence is recorded on {day}, after that date"),
        ));
    }
    Ok(())
}
