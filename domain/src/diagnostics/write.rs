//! Writing a diagnostic: a draft until it is final, for an enrolled or dropped-out member, at
//! its version.

use super::model::*;
use super::{policy, store};
use crate::audit::Action;
use crate::cohorts::{self, MemberStatus};
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId};
use crate::principal::Principal;
use crate::text::clean_paragraphs;

/// Write (or finalise) the diagnostic of a cohort member.
pub async fn save(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    version: Option<i32>,
    content: DiagnosticContent,
    finalise: bool,
) -> Result<Diagnostic> {
    policy::require_writer(principal)?;
    if content.clea.len() != CLEA_DOMAINS.len() {
        return Err(DomainError::validation(
            "clea.domains",
            "position each of the 7 CléA domains",
        ));
    }
    if !(0..=240).contains(&content.mobility.acceptable_commute_minutes) {
        return Err(DomainError::validation(
            "mobility.acceptableCommuteMinutes",
            "must be 0 to 240",
        ));
    }
    let recommendations = if content.recommendations.trim().is_empty() {
        String::new()
    } else {
        clean_paragraphs("recommendations", &content.recommendations, 5_000)?
    };
    let content = DiagnosticContent {
        recommendations,
        ..content
    };
    let tx = tx.change(principal).await?;
    cohorts::find_in(&tx, principal, cohort_id).await?;
    let member = cohorts::members_in(&tx, cohort_id)
        .await?
        .into_iter()
        .find(|m| m.participant_id == participant);
    if !member
        .is_some_and(|m| matches!(m.status, MemberStatus::Enrolled | MemberStatus::DroppedOut))
    {
        return Err(DomainError::validation(
            "participantId",
            "is not enrolled in this cohort",
        ));
    }
    let existing = store::find(&tx, cohort_id, participant).await?;
    let next = match (&existing, version) {
        (None, None | Some(0)) => 1,
        (Some(d), Some(v)) if d.version == v => {
            if d.is_final {
                return Err(DomainError::Conflict(
                    "a final diagnostic no longer changes".into(),
                ));
            }
            v + 1
        }
        _ => return Err(DomainError::stale("diagnostic")),
    };
    let saved = Diagnostic {
        cohort_id,
        participant_id: participant,
        is_final: finalise,
        content,
        written_by: principal.subject().to_owned(),
        updated_at: tx.now(),
        version: next,
    };
    store::write(&tx, &saved, existing.is_some()).await?;
    let done = Action {
        name: if finalise {
            "diagnostic.finalise"
        } else {
            "diagnostic.save"
        },
        object_type: "Participant",
        object_id: participant.0,
    };
    tx.commit(done).await?;
    Ok(saved)
}
