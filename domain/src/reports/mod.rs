//! Reports (bilans) of a convention: a first-quarter, a mid-term and a final report, due on the
//! dates of the convention's calendar.
//!
//! Rules: the convention's provider (or steering) starts a report of a kind once, writes its
//! qualitative part and — for the mid-term and final reports — its budget statement (planned and
//! spent per budget line, resources, supporting documents among the structure's files), and
//! submits it. The quantitative part is computed from the records of the convention's cohorts
//! (prescriptions, enrolments, completions, attendance, diagnostics, FLE and CléA distributions,
//! DAQ orientations, mobility-platform referrals, exits); it is live while the report is a
//! draft and frozen at each submission. Steering reviews a submitted report: accepted, or
//! changes requested with a comment, after which the provider revises and resubmits. A final
//! report is submitted once the action has ended. A report is overdue when its due date has
//! passed and it has not been submitted (or waits for changes), including a report never
//! started. Steering reads every report; a provider its own conventions'.

mod due;
mod model;
mod policy;
mod quantities;
mod store;
mod write;

pub use due::overdue;
pub(crate) use due::overdue_in;
pub use model::*;
pub use write::{review, save, start, submit};

use crate::db::Tx;
use crate::error::Result;
use crate::ids::{ConventionId, ReportId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// One report.
pub async fn get(tx: &Tx, principal: &Principal, id: ReportId) -> Result<Report> {
    let tx = tx.scoped(principal).await?;
    let r = store::find_readable(&tx, principal, id).await?;
    Ok(r)
}

/// The reports the principal may read, optionally of one convention, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    convention: Option<ConventionId>,
    page: PageRequest,
) -> Result<Page<Report>> {
    let tx = tx.scoped(principal).await?;
    store::list(&tx, principal, convention, &page).await
}

/// The live quantitative part of a report (what a submission would freeze).
pub async fn live_quantities(tx: &Tx, principal: &Principal, id: ReportId) -> Result<Quantities> {
    let tx = tx.scoped(principal).await?;
    let r = store::find_readable(&tx, principal, id).await?;
    let q = quantities::quantities_in(&tx, r.convention_id).await?;
    Ok(q)
}
