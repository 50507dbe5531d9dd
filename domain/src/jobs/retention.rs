//! Retention (GDPR; CNIL guidance for social accompaniment): a participant's personal data is
//! kept for the tenant's retention period after the end of their path — their exit, or the
//! refusal of their entry — and then anonymised, like steering's `anonymiseParticipant` does:
//! names, contact details, birth date (the year stays), free texts. What is not personal stays:
//! dates, statuses, exits, and the ESF+ records whose aggregates the Fund still needs. The
//! access log holds identifiers only, so its entries stay untouched (see [`crate::access_log`]).
//!
//! The job runs daily inside the service and on demand (`parcours retention [--dry-run]`); it
//! acts as `system:retention`, so each anonymisation has its audit entry.

use chrono::{Months, NaiveDate};

use crate::db::{Db, Mode};
use crate::error::Result;
use crate::ids::TenantId;
use crate::participants::due_for_anonymisation;
use crate::principal::{Principal, Role, TenantScope};

/// The subject written in the audit entries of the job.
pub const SUBJECT: &str = "system:retention";

/// What the job found (and did) in one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRetention {
    pub tenant: String,
    pub retention_months: i32,
    /// Paths that ended on or before this day are due.
    pub cutoff: NaiveDate,
    /// Participants due for anonymisation.
    pub due: usize,
    /// Participants anonymised by this run (0 in a dry run).
    pub anonymised: usize,
}

/// Run the job over every tenant; with `dry_run`, only count. Each anonymisation is a
/// transaction of its own, as steering's would be.
#[expect(clippy::disallowed_methods, reason = "a job's entry point")]
pub async fn run(db: &Db, dry_run: bool) -> Result<Vec<TenantRetention>> {
    let tenants = db
        .run(Mode::Read, async |tx| {
            crate::tenants::every_tenant(tx).await
        })
        .await?;
    let today = crate::paris::wall_clock(db.clock().now()).date();
    let mut out = Vec::with_capacity(tenants.len());
    for t in tenants {
        let cutoff = today
            .checked_sub_months(Months::new(t.retention_months.max(1) as u32))
            .unwrap_or(today);
        let due = db
            .run(Mode::Read, async |tx| {
                let tx = tx.registry().enter(TenantId(t.id)).await?;
                due_for_anonymisation(&tx, cutoff).await
            })
            .await?;
        let mut anonymised = 0;
        if !dry_run {
            let scope = TenantScope {
                id: TenantId(t.id),
                slug: t.slug.clone(),
            };
            let system = Principal::system(scope, SUBJECT, Role::Steering);
            for (id, version) in &due {
                // A participant changed meanwhile is left for the next run.
                let done = db
                    .run(Mode::write(), async |tx| {
                        crate::participants::anonymise(tx, &system, *id, *version).await
                    })
                    .await;
                if done.is_ok() {
                    anonymised += 1;
                }
            }
            if anonymised > 0 {
                tracing::info!(
                    tenant = t.slug,
                    anonymised,
                    "retention: participants anonymised"
                );
            }
        }
        out.push(TenantRetention {
            tenant: t.slug,
            retention_months: t.retention_months,
            cutoff,
            due: due.len(),
            anonymised,
        });
    }
    Ok(out)
}
