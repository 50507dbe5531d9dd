//! Calls for projects, submissions (with their deposit receipts), conventions and amendments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all, table_grants};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "call_for_projects",
    "submission",
    "receipt_counter",
    "convention",
    "amendment",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let (uuid, instant, json, date) = if pg {
            ("uuid", "timestamptz", "jsonb", "date")
        } else {
            ("blob", "text", "text", "text")
        };
        let statements = [
            format!(
                "CREATE TABLE call_for_projects (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    reference text NOT NULL,
                    title text NOT NULL,
                    summary text NOT NULL,
                    specification text NOT NULL,
                    budget_cap_cents bigint NOT NULL CHECK (budget_cap_cents >= 0),
                    target_participants_per_year integer NOT NULL,
                    group_size_min integer NOT NULL,
                    group_size_max integer NOT NULL,
                    cadence_weeks integer NOT NULL,
                    opens_at {instant} NOT NULL,
                    deadline_at {instant} NOT NULL,
                    expected_start {date} NULL,
                    questions {json} NOT NULL,
                    status text NOT NULL CHECK (status IN ('draft', 'published', 'decided')),
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, reference)
                )"
            ),
            format!(
                "CREATE TABLE submission (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    call_id {uuid} NOT NULL,
                    structure_id {uuid} NOT NULL,
                    status text NOT NULL CHECK (status IN ('draft', 'submitted', 'withdrawn', 'under_review', 'accepted', 'rejected')),
                    answers {json} NOT NULL,
                    requested_amount_cents bigint NOT NULL CHECK (requested_amount_cents >= 0),
                    budget_lines {json} NOT NULL,
                    receipt_number integer NULL,
                    received_at {instant} NULL,
                    decision_reason text NULL,
                    committee_date {date} NULL,
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, call_id, structure_id),
                    UNIQUE (tenant_id, receipt_number),
                    FOREIGN KEY (tenant_id, call_id) REFERENCES call_for_projects (tenant_id, id),
                    FOREIGN KEY (tenant_id, structure_id) REFERENCES structure (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE receipt_counter (
                    tenant_id {uuid} NOT NULL PRIMARY KEY REFERENCES tenant (id),
                    last_number integer NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE convention (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    submission_id {uuid} NOT NULL,
                    structure_id {uuid} NOT NULL,
                    number text NOT NULL,
                    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
                    start_date {date} NOT NULL,
                    end_date {date} NOT NULL,
                    renewals integer NOT NULL,
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, submission_id),
                    UNIQUE (tenant_id, number),
                    FOREIGN KEY (tenant_id, submission_id) REFERENCES submission (tenant_id, id),
                    FOREIGN KEY (tenant_id, structure_id) REFERENCES structure (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE amendment (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    convention_id {uuid} NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('extension', 'budget_change', 'other')),
                    description text NOT NULL,
                    signed_on {date} NOT NULL,
                    new_end_date {date} NULL,
                    new_amount_cents bigint NULL,
                    created_at {instant} NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, convention_id) REFERENCES convention (tenant_id, id)
                )"
            ),
            "CREATE INDEX submission_call ON submission (tenant_id, call_id)".into(),
            "CREATE INDEX convention_structure ON convention (tenant_id, structure_id)".into(),
            "CREATE INDEX amendment_convention ON amendment (tenant_id, convention_id)".into(),
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
