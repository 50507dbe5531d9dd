//! Diagnostics of cohort members (FLE, mobility, CléA, DAQ) and the tenant's CléA threshold.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all, table_grants};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let (uuid, instant, json, boolean) = if pg {
            ("uuid", "timestamptz", "jsonb", "boolean")
        } else {
            ("blob", "text", "text", "integer")
        };
        let table = format!(
            "CREATE TABLE diagnostic (
                tenant_id {uuid} NOT NULL,
                cohort_id {uuid} NOT NULL,
                participant_id {uuid} NOT NULL,
                status text NOT NULL CHECK (status IN ('draft', 'final')),
                fle {json} NOT NULL,
                mobility {json} NOT NULL,
                clea {json} NOT NULL,
                daq_orientation {boolean} NOT NULL,
                recommendations text NOT NULL,
                written_by text NOT NULL,
                updated_at {instant} NOT NULL,
                version integer NOT NULL,
                PRIMARY KEY (tenant_id, cohort_id, participant_id),
                FOREIGN KEY (tenant_id, cohort_id, participant_id)
                    REFERENCES cohort_member (tenant_id, cohort_id, participant_id)
            )"
        );
        run_all(
            manager,
            &[
                "ALTER TABLE tenant ADD COLUMN clea_threshold_percent integer NOT NULL DEFAULT 75",
                &table,
            ],
        )
        .await?;
        if pg {
            let mut statements = postgres_tenant_policies(&["diagnostic"]);
            statements.push(table_grants(&["diagnostic"]));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
