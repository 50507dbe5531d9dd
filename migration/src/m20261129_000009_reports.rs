//! Reports (bilans) of conventions — first-quarter, mid-term and final — with their review
//! workflow, budget statement and supporting documents.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all, table_grants};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["report", "report_attachment"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let (uuid, instant, date, json) = if pg {
            ("uuid", "timestamptz", "date", "jsonb")
        } else {
            ("blob", "text", "text", "text")
        };
        let statements = [
            format!(
                "CREATE TABLE report (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    convention_id {uuid} NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('first_quarter', 'mid_term', 'final')),
                    due_date {date} NOT NULL,
                    status text NOT NULL CHECK (status IN
                        ('draft', 'submitted', 'changes_requested', 'accepted')),
                    qualitative text NOT NULL,
                    budget {json} NULL,
                    quantities {json} NULL,
                    review_comment text NULL,
                    submitted_at {instant} NULL,
                    submitted_by text NULL,
                    reviewed_at {instant} NULL,
                    reviewed_by text NULL,
                    created_at {instant} NOT NULL,
                    updated_at {instant} NOT NULL,
                    version integer NOT NULL,
                    PRIMARY KEY (tenant_id, id),
                    UNIQUE (tenant_id, convention_id, kind),
                    FOREIGN KEY (tenant_id, convention_id) REFERENCES convention (tenant_id, id)
                )"
            ),
            format!(
                "CREATE TABLE report_attachment (
                    tenant_id {uuid} NOT NULL,
                    report_id {uuid} NOT NULL,
                    attachment_id {uuid} NOT NULL,
                    PRIMARY KEY (tenant_id, report_id, attachment_id),
                    FOREIGN KEY (tenant_id, report_id) REFERENCES report (tenant_id, id),
                    FOREIGN KEY (tenant_id, attachment_id) REFERENCES attachment (tenant_id, id)
                )"
            ),
            "CREATE INDEX report_attachment_attachment ON report_attachment (tenant_id, attachment_id)"
                .to_owned(),
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
