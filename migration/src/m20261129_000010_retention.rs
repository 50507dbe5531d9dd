//! Per-tenant retention of participants' personal data, in months after the end of their path.

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
            &[
                "ALTER TABLE tenant ADD COLUMN retention_months integer NOT NULL DEFAULT 24 \
               CHECK (retention_months BETWEEN 1 AND 120)",
            ],
        )
        .await
    }
}
