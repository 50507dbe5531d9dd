//! The calendar of due reports: which reports of which conventions are overdue.

use super::model::{Overdue, ReportKind};
use super::{policy, store};
use crate::conventions;
use crate::db::{TenantTx, Tx};
use crate::error::Result;
use crate::principal::Principal;

/// The overdue reports of the conventions the principal may read, by due date.
pub async fn overdue(tx: &Tx, principal: &Principal) -> Result<Vec<Overdue>> {
    let tx = tx.scoped(principal).await?;
    let out = overdue_in(&tx, principal).await?;
    Ok(out)
}

/// [`overdue`] inside a transaction (the hourly reminder writes its notifications in it).
pub(crate) async fn overdue_in(tx: &TenantTx, principal: &Principal) -> Result<Vec<Overdue>> {
    let scope = policy::require_party(principal)?;
    let today = crate::paris::wall_clock(tx.now()).date();
    let conventions = conventions::all_in(tx, scope).await?;
    let ids: Vec<uuid::Uuid> = conventions.iter().map(|c| c.id.0).collect();
    let started = store::of_conventions(tx, ids).await?;
    let mut out = Vec::new();
    for c in &conventions {
        for kind in [
            ReportKind::FirstQuarter,
            ReportKind::MidTerm,
            ReportKind::Final,
        ] {
            let due = kind.due(c);
            if due >= today {
                continue;
            }
            let report = started
                .iter()
                .find(|r| r.convention_id == c.id && r.kind == kind)
                .cloned();
            if report.as_ref().is_none_or(|r| r.status.editable()) {
                out.push(Overdue {
                    convention_id: c.id,
                    convention_number: c.number.clone(),
                    kind,
                    due_date: due,
                    report,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.due_date, o.convention_number.clone()));
    Ok(out)
}
