//! Reminders of overdue reports: once per report and due date, to the tenant's steering
//! staff (see [`crate::reports`] for the calendar and [`crate::notifications`] for delivery).

use crate::audit::Action;
use crate::db::{Db, Mode, Tx};
use crate::error::Result;
use crate::notifications::{Audience, Kind, Notice, notify};
use crate::principal::{Principal, Role, TenantScope};

/// Remind steering of overdue reports, once per report and due date, in every active tenant.
/// Returns how many notifications were written. Run by the service every hour; idempotent. A
/// tenant that fails (another replica writing the same reminders at the same moment hits the
/// once-only index and rolls back) is logged and left for the next run; the others go on.
pub async fn remind_overdue_reports(db: &Db) -> Result<usize> {
    let mut told = 0;
    for tenant in crate::tenants::active_scopes(db).await? {
        let slug = tenant.slug.clone();
        #[expect(
            clippy::disallowed_methods,
            reason = "a job's entry point, one transaction per tenant"
        )]
        let reminded = db
            .run(Mode::write(), async |tx| remind_in(tx, tenant).await)
            .await;
        match reminded {
            Ok(n) => told += n,
            Err(e) => tracing::warn!(tenant = slug, error = %e, "overdue reminders skipped"),
        }
    }
    Ok(told)
}

async fn remind_in(tx: &Tx, tenant: TenantScope) -> Result<usize> {
    let id = tenant.id;
    let system = Principal::system(tenant, "system:reminders", Role::Steering);
    let tx = tx.change(&system).await?;
    let mut told = 0;
    for due in crate::reports::overdue_in(&tx, &system).await? {
        let key = format!(
            "report_overdue:{}:{}:{}",
            due.convention_id,
            due.kind.as_str(),
            due.due_date
        );
        let notice = Notice {
            detail: Some(due.kind.as_str().to_owned()),
            dedupe_key: Some(key),
            ..Notice::new(Kind::ReportOverdue, "Convention", due.convention_id.0)
        };
        told += notify(&tx, None, Audience::Steering, notice).await?;
    }
    if told == 0 {
        tx.unchanged().await?;
    } else {
        tx.commit(Action {
            name: "reports.remind_overdue",
            object_type: "Tenant",
            object_id: id.0,
        })
        .await?;
    }
    Ok(told)
}
