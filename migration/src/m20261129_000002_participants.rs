//! Participants, their path steps, their employment/training episodes and their exit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all, table_grants};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["participant", "path_step", "episode", "participant_exit"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let pg = backend == DbBackend::Postgres;
        let (uuid, instant, boolean, json) = if pg {
            ("uuid", "timestamptz", "boolean", "jsonb")
        } else {
            ("blob", "text", "integer", "text")
        };
        let date = if pg { "date" } else { "text" };
        let statements = vec![
            format!(
                "CREATE TABLE participant (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    first_name text NULL,
                    last_name text NULL,
                    search_name text NULL,
                    birth_date {date} NULL,
                    birth_year integer NULL,
                    gender text NOT NULL CHECK (gender IN ('woman', 'man', 'non_binary')),
                    email text NULL,
                    phone text NULL,
                    postal_address text NULL,
                    commune_id {uuid} NOT NULL,
                    long_term_job_seeker {boolean} NOT NULL,
                    rsa_beneficiary {boolean} NOT NULL,
                    priority_neighbourhood {boolean} NOT NULL,
                    education_level integer NOT NULL CHECK (education_level BETWEEN 1 AND 8),
                    recognised_disability {boolean} NOT NULL,
                    authorised_to_work {boolean} NOT NULL,
                    difficulties {json} NOT NULL,
                    consent_date {date} NULL,
                    consent_scope text NULL,
                    referent_id {uuid} NOT NULL,
                    status text NOT NULL CHECK (status IN ('candidate', 'active', 'refused', 'exited')),
                    entry_date {date} NULL,
                    committee_date {date} NULL,
                    refusal_reason text NULL,
                    anonymised_at {instant} NULL,
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, commune_id) REFERENCES commune (tenant_id, id),
                    FOREIGN KEY (tenant_id, referent_id) REFERENCES staff_member (tenant_id, id)
                )"
            ),
            "CREATE INDEX participant_referent ON participant (tenant_id, referent_id)".into(),
            "CREATE INDEX participant_name ON participant (tenant_id, search_name)".into(),
            "CREATE INDEX participant_entry ON participant (tenant_id, entry_date)".into(),
            format!(
                "CREATE TABLE path_step (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    participant_id {uuid} NOT NULL,
                    kind text NOT NULL,
                    title text NOT NULL,
                    start_date {date} NOT NULL,
                    end_date {date} NULL,
                    outcome text NULL,
                    closed {boolean} NOT NULL,
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
            "CREATE INDEX path_step_participant ON path_step (tenant_id, participant_id)".into(),
            format!(
                "CREATE TABLE episode (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    participant_id {uuid} NOT NULL,
                    kind text NOT NULL,
                    start_date {date} NOT NULL,
                    end_date {date} NULL,
                    minutes_per_week integer NULL,
                    participant_agreement {boolean} NOT NULL,
                    employer text NULL,
                    created_at {instant} NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
            "CREATE INDEX episode_participant ON episode (tenant_id, participant_id)".into(),
            format!(
                "CREATE TABLE participant_exit (
                    tenant_id {uuid} NOT NULL,
                    participant_id {uuid} NOT NULL,
                    exit_date {date} NOT NULL,
                    kind text NOT NULL,
                    positive {boolean} NOT NULL,
                    rule text NULL,
                    reason text NULL,
                    needs_committee_validation {boolean} NOT NULL,
                    committee_validated_on {date} NULL,
                    recorded_at {instant} NOT NULL,
                    PRIMARY KEY (tenant_id, participant_id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
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
