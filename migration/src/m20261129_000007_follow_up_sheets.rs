//! Follow-up sheets (fiches de suivi): one per cohort member, issued by the provider at the end
//! of the cohort with an attendance summary frozen at transmission, and read by the referent and
//! steering.

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
        let (uuid, instant) = if pg {
            ("uuid", "timestamptz")
        } else {
            ("blob", "text")
        };
        let table = format!(
            "CREATE TABLE follow_up_sheet (
                tenant_id {uuid} NOT NULL,
                id {uuid} NOT NULL,
                cohort_id {uuid} NOT NULL,
                participant_id {uuid} NOT NULL,
                status text NOT NULL CHECK (status IN ('draft', 'transmitted')),
                sessions_planned integer NOT NULL CHECK (sessions_planned >= 0),
                sessions_present integer NOT NULL CHECK (sessions_present >= 0),
                sessions_late integer NOT NULL CHECK (sessions_late >= 0),
                sessions_excused integer NOT NULL CHECK (sessions_excused >= 0),
                sessions_absent integer NOT NULL CHECK (sessions_absent >= 0),
                recommendations text NOT NULL,
                written_by text NOT NULL,
                updated_at {instant} NOT NULL,
                transmitted_at {instant} NULL,
                transmitted_by text NULL,
                referent_read_at {instant} NULL,
                steering_read_at {instant} NULL,
                version integer NOT NULL,
                PRIMARY KEY (tenant_id, cohort_id, participant_id),
                UNIQUE (tenant_id, id),
                FOREIGN KEY (tenant_id, cohort_id, participant_id)
                    REFERENCES cohort_member (tenant_id, cohort_id, participant_id),
                CHECK ((status = 'transmitted') = (transmitted_at IS NOT NULL))
            )"
        );
        run_all(
            manager,
            &[
                &table,
                "CREATE INDEX follow_up_sheet_participant ON follow_up_sheet (tenant_id, participant_id)",
                "CREATE INDEX attendance_participant ON attendance (tenant_id, participant_id)",
            ],
        )
        .await?;
        if pg {
            let mut statements = postgres_tenant_policies(&["follow_up_sheet"]);
            statements.push(table_grants(&["follow_up_sheet"]));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
