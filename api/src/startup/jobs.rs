//! The jobs the service runs on a schedule (retention, overdue-report reminders), and
//! `parcours retention`.

use parcours_domain::Db;

use super::{StartError, connect_and_migrate, fail};
use crate::config::Config;

/// The retention job, in production: ten minutes after the start, then every day.
pub(super) async fn retention_daily(db: Db) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(600),
        std::time::Duration::from_secs(86_400),
    );
    loop {
        ticks.tick().await;
        match parcours_domain::jobs::retention::run(&db, false).await {
            Ok(report) => {
                let anonymised: usize = report.iter().map(|t| t.anonymised).sum();
                tracing::info!(anonymised, tenants = report.len(), "retention job done");
            }
            Err(e) => tracing::warn!(error = %e, "retention job failed; retried tomorrow"),
        }
    }
}

/// Overdue-report reminders: a minute after the start, then every hour (each is sent once).
pub(super) async fn reminders_hourly(db: Db) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(3_600),
    );
    loop {
        ticks.tick().await;
        match parcours_domain::jobs::remind_overdue_reports(&db).await {
            Ok(sent) => tracing::info!(sent, "overdue-report reminders done"),
            Err(e) => {
                tracing::warn!(error = %e, "overdue-report reminders failed; retried in an hour")
            }
        }
    }
}

/// `parcours retention [--dry-run]`: run the retention job once; one line per tenant.
pub async fn retention(config: &Config, dry_run: bool) -> Result<Vec<String>, StartError> {
    let db = connect_and_migrate(config).await?;
    let report = parcours_domain::jobs::retention::run(&db, dry_run)
        .await
        .map_err(|e| fail(format!("retention: {e}")))?;
    Ok(report
        .into_iter()
        .map(|t| {
            format!(
                "{}: retention {} months, paths ended on or before {}: {} due, {} anonymised",
                t.tenant, t.retention_months, t.cutoff, t.due, t.anonymised
            )
        })
        .collect())
}
