//! What an ESF+ audit reads on an attendance sheet: a cohort's place, each session's times,
//! and the date a member dropped out.
//!
//! Sessions keep their half-day; their times default to 09:00–12:00 in the morning and
//! 13:30–16:30 in the afternoon, Paris local time, stored as `HH:MM`. A member recorded as
//! dropped out before this migration gets the Paris date of that record as drop-out date.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let date = if pg { "date" } else { "text" };
        let paris_day = if pg {
            "(updated_at AT TIME ZONE 'Europe/Paris')::date"
        } else {
            // SQLite has no time zones: the UTC date, at most one day off at night.
            "date(updated_at)"
        };
        let statements = [
            "ALTER TABLE cohort ADD COLUMN place text NULL".to_owned(),
            "ALTER TABLE cohort_session ADD COLUMN start_time text NOT NULL DEFAULT '09:00'"
                .to_owned(),
            "ALTER TABLE cohort_session ADD COLUMN end_time text NOT NULL DEFAULT '12:00'"
                .to_owned(),
            "UPDATE cohort_session SET start_time = '13:30', end_time = '16:30'
             WHERE half_day = 'afternoon'"
                .to_owned(),
            format!("ALTER TABLE cohort_member ADD COLUMN dropped_out_on {date} NULL"),
            format!(
                "UPDATE cohort_member SET dropped_out_on = {paris_day} WHERE status = 'dropped_out'"
            ),
        ];
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
