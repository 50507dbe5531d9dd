//! Repair what `m20261130_000013` meant to write on PostgreSQL. Its two data updates ran as the
//! owner, whom the tables' *forced* row-level security binds like any role: with no tenant in
//! `app.tenant_id` they matched no row. Afternoon sessions recorded before it kept the
//! morning's default hours (09:00–12:00, which no afternoon session may have), and members
//! dropped out before it had no drop-out date. SQLite has no row-level security: there the
//! updates ran, and these find nothing left to repair.
//!
//! The updates run again through [`across_tenants`], on the rows still in that state only, so
//! that hours or dates recorded since are kept.

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
        let paris_day = if backend == DbBackend::Postgres {
            "(updated_at AT TIME ZONE 'Europe/Paris')::date"
        } else {
            "date(updated_at)"
        };
        let mut statements = across_tenants(
            backend,
            "cohort_session",
            "UPDATE cohort_session SET start_time = '13:30', end_time = '16:30'
             WHERE half_day = 'afternoon' AND start_time = '09:00' AND end_time = '12:00'",
        );
        statements.extend(across_tenants(
            backend,
            "cohort_member",
            &format!(
                "UPDATE cohort_member SET dropped_out_on = {paris_day}
                 WHERE status = 'dropped_out' AND dropped_out_on IS NULL"
            ),
        ));
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
