//! ESF+ participant records (Regulation (EU) 2021/1057, Annex I): one per participant and
//! operation, with the data at entry (kept from the first entry), at exit and six months later.

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
        let (uuid, instant, date, boolean) = if pg {
            ("uuid", "timestamptz", "date", "boolean")
        } else {
            ("blob", "text", "text", "integer")
        };
        let table = format!(
            "CREATE TABLE esf_record (
                tenant_id {uuid} NOT NULL,
                id {uuid} NOT NULL,
                participant_id {uuid} NOT NULL,
                operation_kind text NOT NULL CHECK (operation_kind IN ('plie', 'convention')),
                operation_id {uuid} NOT NULL,
                entry_date {date} NOT NULL,
                gender text NOT NULL,
                age_band text NULL CHECK (age_band IN ('under_18', '18_29', '30_54', '55_plus')),
                isced_band text NOT NULL CHECK (isced_band IN ('0_2', '3_4', '5_8')),
                employment_status text NOT NULL CHECK (employment_status IN
                    ('unemployed', 'long_term_unemployed', 'inactive', 'employed')),
                disability {boolean} NOT NULL,
                third_country_national {boolean} NULL,
                foreign_background {boolean} NULL,
                minority {boolean} NULL,
                homeless {boolean} NULL,
                rural_area {boolean} NULL,
                exit_date {date} NULL,
                exit_job_searching {boolean} NULL,
                exit_in_education_or_training {boolean} NULL,
                exit_qualification_gained {boolean} NULL,
                exit_in_employment {boolean} NULL,
                later_in_employment {boolean} NULL,
                later_improved_situation {boolean} NULL,
                recorded_by text NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                version integer NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, participant_id, operation_id),
                FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
            )"
        );
        run_all(
            manager,
            &[
                &table,
                "CREATE INDEX esf_record_operation ON esf_record (tenant_id, operation_id, entry_date)",
            ],
        )
        .await?;
        if pg {
            let mut statements = postgres_tenant_policies(&["esf_record"]);
            statements.push(table_grants(&["esf_record"]));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
