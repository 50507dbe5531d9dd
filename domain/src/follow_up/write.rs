//! Preparing, transmitting and reading follow-up sheets, each in one audited transaction, and
//! the attendance summary a sheet carries.

use super::model::*;
use super::{policy, store};
use crate::audit::Action;
use crate::cohorts::{self, CohortStatus, MemberStatus, Presence};
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CohortId, FollowUpSheetId, ParticipantId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::principal::Principal;
use crate::text::clean_paragraphs;
use crate::{diagnostics, participants};

/// The provider (or steering) prepares or revises the draft sheet of a cohort member.
/// `recommendations` default to the diagnostic's when the sheet is first prepared.
pub async fn save(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    version: Option<i32>,
    recommendations: Option<&str>,
) -> Result<FollowUpSheet> {
    policy::require_issuer(principal)?;
    let recommendations = match recommendations.map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(clean_paragraphs("recommendations", text, 5_000)?),
    };
    let tx = tx.change(principal).await?;
    let cohort = cohorts::find_in(&tx, principal, cohort_id).await?;
    if cohort.status == CohortStatus::Planned {
        return Err(DomainError::Conflict(
            "the cohort has not started: no follow-up sheet yet".into(),
        ));
    }
    member_of(&tx, cohort_id, participant).await?;
    let existing = store::find_of(&tx, cohort_id, participant).await?;
    let attendance = summarise(&tx, cohort_id, participant).await?;
    let now = tx.now();
    let sheet = match (existing, version) {
        (None, None | Some(0)) => {
            let recommendations = match recommendations {
                Some(r) => r,
                None => diagnostics::find(&tx, cohort_id, participant)
                    .await?
                    .map(|d| d.content.recommendations)
                    .unwrap_or_default(),
            };
            let sheet = FollowUpSheet {
                id: FollowUpSheetId::generate(),
                cohort_id,
                participant_id: participant,
                status: SheetStatus::Draft,
                attendance,
                recommendations,
                written_by: principal.subject().to_owned(),
                updated_at: now,
                transmitted_at: None,
                transmitted_by: None,
                referent_read_at: None,
                steering_read_at: None,
                version: 1,
            };
            store::insert(&tx, &sheet).await.map_err(|e| match e {
                DomainError::Conflict(_) => DomainError::stale("follow-up sheet"),
                other => other,
            })?;
            sheet
        }
        (Some(current), Some(v)) if current.version == v => {
            if current.status == SheetStatus::Transmitted {
                return Err(DomainError::Conflict(
                    "a transmitted follow-up sheet no longer changes".into(),
                ));
            }
            let sheet = FollowUpSheet {
                attendance,
                recommendations: recommendations.unwrap_or(current.recommendations.clone()),
                written_by: principal.subject().to_owned(),
                updated_at: now,
                version: v + 1,
                ..current
            };
            store::update(&tx, &sheet).await?;
            sheet
        }
        _ => return Err(DomainError::stale("follow-up sheet")),
    };
    tx.commit(action("follow_up_sheet.save", sheet.id)).await?;
    Ok(sheet)
}

/// The provider (or steering) transmits a draft sheet to the referent and steering.
pub async fn transmit(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
    version: i32,
) -> Result<FollowUpSheet> {
    policy::require_transmitter(principal)?;
    let tx = tx.change(principal).await?;
    let current = store::find(&tx, id).await?.ok_or(DomainError::NotFound {
        entity: "follow-up sheet",
    })?;
    // The provider's scope: another provider's sheet does not exist for it.
    let cohort = cohorts::find_in(&tx, principal, current.cohort_id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => DomainError::NotFound {
                entity: "follow-up sheet",
            },
            other => other,
        })?;
    if current.version != version {
        return Err(DomainError::stale("follow-up sheet"));
    }
    if current.status == SheetStatus::Transmitted {
        return Err(DomainError::Conflict(
            "this follow-up sheet was already transmitted".into(),
        ));
    }
    let member = member_of(&tx, current.cohort_id, current.participant_id).await?;
    let completed = member == MemberStatus::Enrolled;
    if completed && cohort.status != CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a follow-up sheet is transmitted once the cohort is closed".into(),
        ));
    }
    let diagnostic = diagnostics::find(&tx, current.cohort_id, current.participant_id).await?;
    if completed && !diagnostic.is_some_and(|d| d.is_final) {
        return Err(DomainError::Rule {
            code: RuleCode::DiagnosticNotFinal,
            message: "finalise the participant's diagnostic before transmitting the sheet".into(),
        });
    }
    let now = tx.now();
    let sheet = FollowUpSheet {
        status: SheetStatus::Transmitted,
        attendance: summarise(&tx, current.cohort_id, current.participant_id).await?,
        updated_at: now,
        transmitted_at: Some(now),
        transmitted_by: Some(principal.subject().to_owned()),
        version: version + 1,
        ..current
    };
    store::update(&tx, &sheet).await?;
    let referent = participants::referent_of(&tx, sheet.participant_id).await?;
    let notice = Notice::new(Kind::FollowUpSheetTransmitted, "FollowUpSheet", id.0)
        .about("Participant", sheet.participant_id.0);
    notifications::notify(&tx, principal.staff(), Audience::Staff(referent), notice).await?;
    tx.commit(action("follow_up_sheet.transmit", id)).await?;
    Ok(sheet)
}

/// The referent or steering records having read a transmitted sheet. The first reading is the
/// one kept; a second call changes nothing.
pub async fn mark_read(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<FollowUpSheet> {
    policy::require_recipient(principal)?;
    let tx = tx.change(principal).await?;
    let mut sheet = store::find_readable(&tx, principal, id).await?;
    let by_referent = policy::reader(principal) == Some(policy::Reader::Referent);
    let already = if by_referent {
        &mut sheet.referent_read_at
    } else {
        &mut sheet.steering_read_at
    };
    if already.is_some() {
        tx.unchanged().await?;
        return Ok(sheet);
    }
    *already = Some(tx.now());
    store::set_read(&tx, id, by_referent).await?;
    tx.commit(action("follow_up_sheet.read", id)).await?;
    Ok(sheet)
}

/// The attendance summary of `participant` in `cohort`, from the records: the sessions planned
/// while they were a member (up to their last day, for a drop-out) and their presence at each.
async fn summarise(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<AttendanceSummary> {
    let last_day = cohorts::members_in(tx, cohort)
        .await?
        .into_iter()
        .find(|m| m.participant_id == participant)
        .and_then(|m| m.dropped_out_on);
    let sessions: Vec<uuid::Uuid> = cohorts::sessions_in(tx, cohort)
        .await?
        .iter()
        .filter(|s| last_day.is_none_or(|on| s.day <= on))
        .map(|s| s.id.0)
        .collect();
    let mut summary = AttendanceSummary {
        planned: sessions.len() as i32,
        ..AttendanceSummary::default()
    };
    for status in store::presences_of(tx, participant, sessions).await? {
        match Presence::parse(&status) {
            Some(Presence::Present) => summary.present += 1,
            Some(Presence::Late) => summary.late += 1,
            Some(Presence::Excused) => summary.excused += 1,
            Some(Presence::Absent) => summary.absent += 1,
            None => return Err(DomainError::Internal("unknown presence".into())),
        }
    }
    Ok(summary)
}

/// The member's status, refusing a participant who is not (or no longer) in the cohort.
async fn member_of(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<MemberStatus> {
    cohorts::members_in(tx, cohort)
        .await?
        .into_iter()
        .find(|m| m.participant_id == participant)
        .map(|m| m.status)
        .filter(|s| matches!(s, MemberStatus::Enrolled | MemberStatus::DroppedOut))
        .ok_or_else(|| DomainError::validation("participantId", "is not enrolled in this cohort"))
}

fn action(name: &'static str, id: FollowUpSheetId) -> Action {
    Action {
        name,
        object_type: "FollowUpSheet",
        object_id: id.0,
    }
}
