//! The part-time frame of a call's action: how many half-days a week a cohort may hold.
//!
//! Existing calls get 5 (half-time: five of a working week's ten half-days), the default of a
//! new call.

use sea_orm_migration::prelude::*;

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &["ALTER TABLE call_for_projects ADD COLUMN max_half_days_per_week integer NOT NULL DEFAULT 5"],
        )
        .await
    }
}
