//! Diagnostics of cohort members: French (FLE), mobility, CléA positioning, DAQ orientation.
//!
//! Rules: the provider running the cohort writes the diagnostic of an enrolled (or dropped-out)
//! member, as a draft until it is final; a final diagnostic no longer changes. CEFR levels go
//! from pre-A1 to C2 for each of the four skills. CléA positioning covers the 7 domains, each
//! acquired (2 points), partly acquired (1) or not acquired (0); the modules to train are the
//! domains not acquired, and the share of points is compared with the tenant's threshold (75%
//! unless steering changed it). Steering and the provider read every diagnostic of the cohort;
//! a referent reads their own participants'.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::audit::Action;
use crate::cohorts::{self, MemberStatus};
use crate::db::Tx;
use crate::entities::diagnostic;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId};
use crate::principal::{Principal, Role};
use crate::text::clean_paragraphs;

/// CEFR levels, from pre-A1 to C2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cefr {
    PreA1,
    A1_1,
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
}

/// A CEFR level as written in reports: `pre-A1`, `A1.1`, `A1` … `C2`.
pub fn cefr_label(level: Cefr) -> &'static str {
    match level {
        Cefr::PreA1 => "pre-A1",
        Cefr::A1_1 => "A1.1",
        Cefr::A1 => "A1",
        Cefr::A2 => "A2",
        Cefr::B1 => "B1",
        Cefr::B2 => "B2",
        Cefr::C1 => "C1",
        Cefr::C2 => "C2",
    }
}

/// The French-language diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fle {
    pub listening: Cefr,
    pub reading: Cefr,
    pub speaking: Cefr,
    pub writing: Cefr,
    pub training_needed: bool,
}

/// The mobility diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mobility {
    pub driving_licence: bool,
    pub vehicle_access: bool,
    pub public_transport_autonomy: bool,
    /// Acceptable one-way commute, in minutes (0 to 240).
    pub acceptable_commute_minutes: i32,
    pub psychological_barriers: bool,
    pub platform_referral: bool,
}

/// Positioning on one CléA domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acquisition {
    Acquired,
    PartlyAcquired,
    NotAcquired,
}

/// A domain of the CléA certificate (socle de connaissances et de compétences
/// professionnelles, décret n° 2015-172), in the certificate's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CleaDomain {
    CommunicatingInFrench,
    CalculationAndReasoning,
    DigitalCommunication,
    RulesAndTeamwork,
    AutonomousWork,
    LearningToLearn,
    SafetyAndEnvironmentRules,
}

impl CleaDomain {
    /// Its number on the certificate, from 1.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// Its name on the certificate.
    pub fn french_name(self) -> &'static str {
        match self {
            Self::CommunicatingInFrench => "Communiquer en français",
            Self::CalculationAndReasoning => {
                "Utiliser les règles de base de calcul et du raisonnement mathématique"
            }
            Self::DigitalCommunication => {
                "Utiliser les techniques usuelles de l'information et de la communication numérique"
            }
            Self::RulesAndTeamwork => {
                "Travailler dans le cadre de règles définies d'un travail en équipe"
            }
            Self::AutonomousWork => "Travailler en autonomie et réaliser un objectif individuel",
            Self::LearningToLearn => "Apprendre à apprendre tout au long de la vie",
            Self::SafetyAndEnvironmentRules => {
                "Maîtriser les gestes et postures, et respecter des règles d'hygiène, de sécurité et environnementales"
            }
        }
    }
}

/// The 7 CléA domains, in the certificate's order.
pub const CLEA_DOMAINS: [CleaDomain; 7] = [
    CleaDomain::CommunicatingInFrench,
    CleaDomain::CalculationAndReasoning,
    CleaDomain::DigitalCommunication,
    CleaDomain::RulesAndTeamwork,
    CleaDomain::AutonomousWork,
    CleaDomain::LearningToLearn,
    CleaDomain::SafetyAndEnvironmentRules,
];

/// A diagnostic's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticContent {
    pub fle: Fle,
    pub mobility: Mobility,
    /// One per domain of [`CLEA_DOMAINS`].
    pub clea: Vec<Acquisition>,
    pub daq_orientation: bool,
    pub recommendations: String,
}

/// A diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub is_final: bool,
    pub content: DiagnosticContent,
    pub written_by: String,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// The CléA summary of a positioning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleaSummary {
    /// Percent of the points (acquired 2, partly 1, not 0), rounded down.
    pub share_percent: i32,
    pub threshold_percent: i32,
    pub meets_threshold: bool,
    /// The domains to train (not acquired or partly), in the certificate's order.
    pub modules_to_train: Vec<CleaDomain>,
}

/// Summarise a positioning against `threshold_percent`.
pub fn clea_summary(clea: &[Acquisition], threshold_percent: i32) -> CleaSummary {
    let points: i32 = clea
        .iter()
        .map(|a| match a {
            Acquisition::Acquired => 2,
            Acquisition::PartlyAcquired => 1,
            Acquisition::NotAcquired => 0,
        })
        .sum();
    let max = 2 * CLEA_DOMAINS.len() as i32;
    let share_percent = points * 100 / max;
    CleaSummary {
        share_percent,
        threshold_percent,
        meets_threshold: points * 100 >= threshold_percent * max,
        modules_to_train: clea
            .iter()
            .zip(CLEA_DOMAINS)
            .filter(|(a, _)| **a != Acquisition::Acquired)
            .map(|(_, d)| d)
            .collect(),
    }
}

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
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider writes diagnostics",
    )?;
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
    let existing = find(&tx, cohort_id, participant).await?;
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
    let row = diagnostic::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        cohort_id: Set(cohort_id.0),
        participant_id: Set(participant.0),
        status: Set(if finalise { "final" } else { "draft" }.to_owned()),
        fle: Set(serde_json::to_value(&content.fle).unwrap_or_default()),
        mobility: Set(serde_json::to_value(&content.mobility).unwrap_or_default()),
        clea: Set(serde_json::to_value(&content.clea).unwrap_or_default()),
        daq_orientation: Set(content.daq_orientation),
        recommendations: Set(content.recommendations.clone()),
        written_by: Set(principal.subject().to_owned()),
        updated_at: Set(tx.now()),
        version: Set(next),
    };
    if existing.is_some() {
        let result = tx
            .update_many::<diagnostic::Entity>()
            .set(row)
            .filter(diagnostic::Column::CohortId.eq(cohort_id.0))
            .filter(diagnostic::Column::ParticipantId.eq(participant.0))
            .filter(diagnostic::Column::Version.eq(next - 1))
            .exec(tx.conn())
            .await?;
        if result.rows_affected != 1 {
            return Err(DomainError::stale("diagnostic"));
        }
    } else {
        tx.insert(row).await.map_err(|e| match e {
            DomainError::Conflict(_) => DomainError::stale("diagnostic"),
            other => other,
        })?;
    }
    let done = Action {
        name: if finalise {
            "diagnostic.finalise"
        } else {
            "diagnostic.save"
        },
        object_type: "Participant",
        object_id: participant.0,
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
    tx.commit(done).await?;
    Ok(saved)
}

pub(crate) async fn find(
    tx: &crate::db::TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<Option<Diagnostic>> {
    tx.select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.eq(cohort.0))
        .filter(diagnostic::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_diagnostic)
        .transpose()
}

/// Batch read for dataloaders: the diagnostics of `keys` the principal may read, with the
/// tenant's CléA threshold.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<(HashMap<(CohortId, ParticipantId), Diagnostic>, i32)> {
    let tx = tx.scoped(principal).await?;
    let threshold = crate::tenants::clea_threshold(&tx).await?;
    // By the primary key's columns (tenant, cohort, participant), not the participant alone.
    let cohorts: std::collections::BTreeSet<uuid::Uuid> = keys.iter().map(|k| k.0.0).collect();
    let participants: std::collections::BTreeSet<uuid::Uuid> = keys.iter().map(|k| k.1.0).collect();
    let rows = tx
        .select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.is_in(cohorts))
        .filter(diagnostic::Column::ParticipantId.is_in(participants))
        .all(tx.conn())
        .await?;
    let readable = cohorts::readable_members(&tx, principal, keys).await?;
    let mut out = HashMap::new();
    for row in rows {
        let d = to_diagnostic(row)?;
        let key = (d.cohort_id, d.participant_id);
        if readable.contains(&key) {
            out.insert(key, d);
        }
    }
    Ok((out, threshold))
}

fn to_diagnostic(r: diagnostic::Model) -> Result<Diagnostic> {
    let bad = |what: &str| DomainError::Internal(format!("stored diagnostic {what} unreadable"));
    Ok(Diagnostic {
        cohort_id: CohortId(r.cohort_id),
        participant_id: ParticipantId(r.participant_id),
        is_final: r.status == "final",
        content: DiagnosticContent {
            fle: serde_json::from_value(r.fle).map_err(|_| bad("fle"))?,
            mobility: serde_json::from_value(r.mobility).map_err(|_| bad("mobility"))?,
            clea: serde_json::from_value(r.clea).map_err(|_| bad("clea"))?,
            daq_orientation: r.daq_orientation,
            recommendations: r.recommendations,
        },
        written_by: r.written_by,
        updated_at: r.updated_at,
        version: r.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Acquisition::*;

    #[test]
    fn clea_share_on_both_sides_of_the_threshold() {
        // 10 of 14 points = 71%: below 75.
        let below = [
            Acquired,
            Acquired,
            Acquired,
            PartlyAcquired,
            PartlyAcquired,
            Acquired,
            NotAcquired,
        ];
        let s = clea_summary(&below, 75);
        assert_eq!((s.share_percent, s.meets_threshold), (71, false));
        assert_eq!(
            s.modules_to_train,
            vec![
                CleaDomain::RulesAndTeamwork,
                CleaDomain::AutonomousWork,
                CleaDomain::SafetyAndEnvironmentRules
            ]
        );
        // 11 of 14 = 78%: above.
        let above = [
            Acquired,
            Acquired,
            Acquired,
            Acquired,
            PartlyAcquired,
            Acquired,
            NotAcquired,
        ];
        assert!(clea_summary(&above, 75).meets_threshold);
        // 71.4%: meets a 71% threshold, not a 72% one (the edge is inclusive).
        assert!(clea_summary(&below, 71).meets_threshold);
        assert!(!clea_summary(&below, 72).meets_threshold);
        assert!(clea_summary(&[Acquired; 7], 100).meets_threshold);
    }
}
