//! The quantitative part of a report, counted from the records of the convention's cohorts.

use std::collections::{BTreeMap, HashSet};

use super::model::Quantities;
use super::store;
use crate::cohorts::{CohortStatus, MemberStatus, Presence};
use crate::db::TenantTx;
use crate::diagnostics::{Cefr, clea_summary};
use crate::error::{DomainError, Result};
use crate::ids::ConventionId;

/// The quantitative part of a convention, from its cohorts' records.
pub(super) async fn quantities_in(tx: &TenantTx, convention: ConventionId) -> Result<Quantities> {
    let cohort_rows = store::cohorts_of(tx, convention).await?;
    let cohort_ids: Vec<uuid::Uuid> = cohort_rows.iter().map(|c| c.id).collect();
    let closed: HashSet<uuid::Uuid> = cohort_rows
        .iter()
        .filter(|c| c.status == CohortStatus::Closed.as_str())
        .map(|c| c.id)
        .collect();
    let members = store::members_of(tx, cohort_ids.clone()).await?;
    let mut q = Quantities {
        cohorts: cohort_rows.len() as i64,
        prescribed: members.len() as i64,
        clea_modules_to_train: vec![0; crate::diagnostics::CLEA_DOMAINS.len()],
        ..Quantities::default()
    };
    let mut enrolled_people = Vec::new();
    for m in &members {
        match MemberStatus::parse(&m.status) {
            Some(MemberStatus::Enrolled) => {
                q.enrolled += 1;
                if closed.contains(&m.cohort_id) {
                    q.completed += 1;
                }
                enrolled_people.push(m.participant_id);
            }
            Some(MemberStatus::DroppedOut) => {
                q.enrolled += 1;
                q.dropped_out += 1;
                enrolled_people.push(m.participant_id);
            }
            Some(MemberStatus::Declined) => q.declined += 1,
            _ => {}
        }
    }
    let statuses = store::presences_in(tx, cohort_ids.clone()).await?;
    q.attendance_records = statuses.len() as i64;
    q.attended = statuses
        .iter()
        .filter(|s| matches!(Presence::parse(s), Some(Presence::Present | Presence::Late)))
        .count() as i64;
    let threshold = crate::tenants::clea_threshold(tx).await?;
    let diagnostics = store::final_diagnostics_in(tx, cohort_ids).await?;
    let mut levels: BTreeMap<Cefr, i64> = Default::default();
    for d in diagnostics {
        q.diagnostics_final += 1;
        q.daq_orientations += i64::from(d.daq_orientation);
        let fle: crate::diagnostics::Fle = serde_json::from_value(d.fle)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        let mobility: crate::diagnostics::Mobility = serde_json::from_value(d.mobility)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        let clea: Vec<crate::diagnostics::Acquisition> = serde_json::from_value(d.clea)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        q.fle_training_needed += i64::from(fle.training_needed);
        q.mobility_platform_referrals += i64::from(mobility.platform_referral);
        let lowest = [fle.listening, fle.reading, fle.speaking, fle.writing]
            .into_iter()
            .min()
            .unwrap_or(Cefr::PreA1);
        *levels.entry(lowest).or_default() += 1;
        let summary = clea_summary(&clea, threshold);
        q.clea_meeting_threshold += i64::from(summary.meets_threshold);
        for domain in summary.modules_to_train {
            if let Some(n) = q.clea_modules_to_train.get_mut(domain as usize) {
                *n += 1;
            }
        }
    }
    q.fle_lowest_levels = levels
        .into_iter()
        .map(|(level, n)| (crate::diagnostics::cefr_label(level).to_owned(), n))
        .collect();
    let exits = store::exits_of(tx, enrolled_people).await?;
    q.exits = exits.len() as i64;
    q.positive_exits = exits
        .iter()
        .filter(|e| {
            e.positive && (!e.needs_committee_validation || e.committee_validated_on.is_some())
        })
        .count() as i64;
    Ok(q)
}
