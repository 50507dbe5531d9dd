//! Cohorts of an action, their sessions, members (prescription and enrolment) and attendance,
//! with the idempotency keys of attendance submissions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all, table_grants};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "cohort",
    "cohort_session",
    "cohort_member",
    "attendance",
    "idempotency_key",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let (uuid, instant, json, date, blob) = if pg {
            ("uuid", "timestamptz", "jsonb", "date", "bytea")
        } else {
            ("blob", "text", "text", "text", "blob")
        };
        let boolean = if pg { "boolean" } else { "integer" };
        let statements = [
            format!(
                "CREATE TABLE cohort (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    convention_id {uuid} NOT NULL,
                    structure_id {uuid} NOT NULL,
                    label text NOT NULL,
                    start_date {date} NOT NULL,
                    end_date {date} NOT NULL,
                    size_min integer NOT NULL,
                    size_max integer NOT NULL,
                    status text NOT NULL CHECK (status IN ('planned', 'running', 'closed')),
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, convention_id) REFERENCES convention (tenant_id, id),
                    FOREIGN KEY (tenant_id, structure_id) REFERENCES structure (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE cohort_session (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    cohort_id {uuid} NOT NULL,
                    day {date} NOT NULL,
                    half_day text NOT NULL CHECK (half_day IN ('morning', 'afternoon')),
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, cohort_id, day, half_day),
                    FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohort (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE cohort_member (
                    tenant_id {uuid} NOT NULL,
                    cohort_id {uuid} NOT NULL,
                    participant_id {uuid} NOT NULL,
                    status text NOT NULL CHECK (status IN ('prescribed', 'enrolled', 'declined', 'dropped_out')),
                    reason text NULL,
                    prescribed_by text NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, cohort_id, participant_id),
                    FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohort (tenant_id, id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE attendance (
                    tenant_id {uuid} NOT NULL,
                    session_id {uuid} NOT NULL,
                    participant_id {uuid} NOT NULL,
                    status text NOT NULL CHECK (status IN ('present', 'absent', 'excused', 'late')),
                    signature {blob} NULL,
                    signed_on_paper {boolean} NOT NULL,
                    recorded_by text NOT NULL,
                    recorded_at {instant} NOT NULL,
                    PRIMARY KEY (tenant_id, session_id, participant_id),
                    FOREIGN KEY (tenant_id, session_id) REFERENCES cohort_session (tenant_id, id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE idempotency_key (
                    tenant_id {uuid} NOT NULL,
                    key text NOT NULL,
                    subject text NOT NULL,
                    request_hash text NOT NULL,
                    response {json} NOT NULL,
                    created_at {instant} NOT NULL,
                    PRIMARY KEY (tenant_id, key)
                )"
            ),
            "CREATE INDEX cohort_member_participant ON cohort_member (tenant_id, participant_id)".into(),
            "CREATE INDEX cohort_session_cohort ON cohort_session (tenant_id, cohort_id)".into(),
        ];
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await?;
        if pg {
            let mut statements = postgres_tenant_policies(TABLES);
            statements.push(table_grants(TABLES));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
