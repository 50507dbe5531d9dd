//! The weekly attendance sheet of a cohort (one per week of sessions, signed on paper) and
//! the heading every printed sheet of the cohort shares.

use std::collections::HashMap;

use super::model::*;
use super::policy;
use super::store::{self, find_in, members_in, sessions_in};
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId};
use crate::principal::Principal;

/// What a week's attendance sheet prints.
#[derive(Clone, Debug)]
pub struct WeekSheet {
    pub cohort: Cohort,
    pub week: u32,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub sessions: Vec<Session>,
    /// The enrolled members, and those who dropped out on or after the week's first day, by
    /// last name.
    pub members: Vec<SheetMember>,
    /// The PLIE (the tenant's name).
    pub plie: String,
    /// The provider running the cohort.
    pub provider: String,
    /// The convention's number.
    pub convention: String,
}

/// Who a printed sheet of a cohort names: the PLIE, the provider, the convention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetHeading {
    /// The tenant's name.
    pub plie: String,
    /// The structure running the cohort.
    pub provider: String,
    /// The convention's number.
    pub convention: String,
}

/// The heading of a printed sheet of `cohort`.
pub(crate) async fn sheet_heading(tx: &TenantTx, cohort: &Cohort) -> Result<SheetHeading> {
    let plie = store::tenant_name(tx).await?.unwrap_or_default();
    let provider = store::structure_name(tx, cohort.structure_id)
        .await?
        .unwrap_or_default();
    let convention = crate::conventions::find_in(tx, None, cohort.convention_id)
        .await?
        .number;
    Ok(SheetHeading {
        plie,
        provider,
        convention,
    })
}

/// A row of an attendance sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetMember {
    pub last_name: String,
    pub first_name: String,
    /// Their last day in the cohort, when they dropped out: no box to sign after it.
    pub dropped_out_on: Option<chrono::NaiveDate>,
}

/// The attendance sheet of week `week` (1-based): steering and the cohort's provider only.
pub async fn week_sheet(
    tx: &Tx,
    principal: &Principal,
    id: CohortId,
    week: u32,
) -> Result<WeekSheet> {
    policy::require_sheet_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let cohort = find_in(&tx, principal, id).await?;
    let weeks = ((cohort.end_date - cohort.start_date).num_days() / 7 + 1) as u32;
    if week == 0 || week > weeks {
        return Err(DomainError::validation(
            "week",
            format!("must be between 1 and {weeks}"),
        ));
    }
    let from = cohort.start_date + chrono::Duration::days(i64::from(week - 1) * 7);
    let to = from + chrono::Duration::days(6);
    let sessions: Vec<Session> = sessions_in(&tx, id)
        .await?
        .into_iter()
        .filter(|s| s.day >= from && s.day <= to)
        .collect();
    // Members who dropped out print up to their drop-out date, not after.
    let left: HashMap<ParticipantId, Option<chrono::NaiveDate>> = members_in(&tx, id)
        .await?
        .into_iter()
        .filter(|m| match m.status {
            MemberStatus::Enrolled => true,
            MemberStatus::DroppedOut => m.dropped_out_on.is_none_or(|d| d >= from),
            _ => false,
        })
        .map(|m| (m.participant_id, m.dropped_out_on))
        .collect();
    let people: Vec<ParticipantId> = left.keys().copied().collect();
    let mut members: Vec<SheetMember> = store::participant_rows(&tx, &people)
        .await?
        .into_iter()
        .map(|p| SheetMember {
            dropped_out_on: left.get(&ParticipantId(p.id)).copied().flatten(),
            last_name: p.last_name.unwrap_or_else(|| "—".into()),
            first_name: p.first_name.unwrap_or_default(),
        })
        .collect();
    members.sort_by_cached_key(|m| crate::text::name_key(&m.last_name, &m.first_name));
    let heading = sheet_heading(&tx, &cohort).await?;
    Ok(WeekSheet {
        cohort,
        week,
        from,
        to,
        sessions,
        members,
        plie: heading.plie,
        provider: heading.provider,
        convention: heading.convention,
    })
}
