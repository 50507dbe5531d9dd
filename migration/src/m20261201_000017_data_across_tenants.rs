//! Repair what `m20261130_000013` meant to write on PostgreSQL. Its two data updates ran as the
//! owner, whom the tables' *forced* row-level security binds like any role: with no tenant in
//! `app.tenant_id` they matched no row. Afternoon sessions recorded before it kept the
//! morning's default hours (09:00–12:00, which no afternoon session may have), and members
//! dropped out before it had no drop-out date. SQLite has no row-level security: there the
//! updates ran, and these find nothing left to repair.
//!
//! The updates run again through [`across_tenants`] (once per tenant, in its scope), on the
//! rows still in that state only, so that hours or dates recorded since are kept; a repaired
//! drop-out date is the day it was recorded, within the cohort's dates, as the service sets it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{across_tenants, run_all};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // The day the drop-out was recorded (Paris time; SQLite has no time zones: the UTC
        // date, at most one day off at night), within the cohort's dates as the service keeps
        // every drop-out date.
        let day = if backend == DbBackend::Postgres {
            "LEAST(GREATEST((cohort_member.updated_at AT TIME ZONE 'Europe/Paris')::date, \
             c.start_date), c.end_date)"
        } else {
            "MIN(MAX(date(cohort_member.updated_at), c.start_date), c.end_date)"
        };
        let statements = [
            across_tenants(
                backend,
                "UPDATE cohort_session SET start_time = '13:30', end_time = '16:30' \
                 WHERE half_day = 'afternoon' AND start_time = '09:00' AND end_time = '12:00'",
            ),
            across_tenants(
                backend,
                &format!(
                    "UPDATE cohort_member SET dropped_out_on = (SELECT {day} FROM cohort c \
                       WHERE c.tenant_id = cohort_member.tenant_id AND c.id = cohort_member.cohort_id) \
                     WHERE status = 'dropped_out' AND dropped_out_on IS NULL"
                ),
            ),
        ];
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
