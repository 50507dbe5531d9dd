//! Batch reads of a page of cohorts' relations: one statement per relation whatever the
//! number of cohorts, for the api's loaders. A cohort the principal may not read has no
//! members, sessions or attendance here (it never reaches a client to ask).

use std::collections::HashMap;

use super::model::{Attendance, Member, Session};
use super::policy;
use super::store;
use crate::db::Tx;
use crate::error::Result;
use crate::ids::CohortId;
use crate::principal::Principal;

/// The members of each cohort of `ids` that the principal may see (a referent: their own
/// participants'), by participant. Every key of `ids` has an entry.
pub async fn members_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Member>>> {
    let tx = tx.scoped(principal).await?;
    let mut out: HashMap<CohortId, Vec<Member>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for member in store::visible_members_of(&tx, principal, ids).await? {
        out.entry(member.cohort_id).or_default().push(member);
    }
    Ok(out)
}

/// The session calendar of each cohort of `ids`, in calendar order. Every key has an entry.
pub async fn sessions_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Session>>> {
    let tx = tx.scoped(principal).await?;
    let mut out: HashMap<CohortId, Vec<Session>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for session in store::visible_sessions_of(&tx, principal, ids).await? {
        out.entry(session.cohort_id).or_default().push(session);
    }
    Ok(out)
}

/// The attendance records of each cohort of `ids` (steering and the provider; a referent
/// reads their participants' through the members), by session then participant. Every key
/// has an entry.
pub async fn attendance_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Attendance>>> {
    policy::require_attendance_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let mut out: HashMap<CohortId, Vec<Attendance>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for (cohort, record) in store::visible_attendance_of(&tx, principal, ids).await? {
        out.entry(cohort).or_default().push(record);
    }
    Ok(out)
}
