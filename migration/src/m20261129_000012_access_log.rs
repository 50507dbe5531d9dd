//! The access log: who read which sensitive field of which participant, when, through which
//! channel. Append-only like the audit log: the runtime role may only `SELECT` and `INSERT`.
//! Entries hold identifiers, never the values read, so retention leaves them as they are.
//! `field` and `channel` are codes written by the domain's enums only; no `CHECK` lists them, so
//! a new sensitive field needs no table rebuild on SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["access_entry"];

/// Never `UPDATE` or `DELETE`: a trace that its subject could rewrite traces nothing.
const GRANTS: &str = "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parcours_app') \
     THEN GRANT SELECT, INSERT ON access_entry TO parcours_app; END IF; END $$";

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
        let statements = [
            format!(
                "CREATE TABLE access_entry (
                    tenant_id {uuid} NOT NULL,
                    id {uuid} NOT NULL,
                    at {instant} NOT NULL,
                    subject text NOT NULL,
                    role text NOT NULL,
                    participant_id {uuid} NOT NULL,
                    field text NOT NULL,
                    channel text NOT NULL,
                    request_id text NULL,
                    PRIMARY KEY (tenant_id, id),
                    FOREIGN KEY (tenant_id, participant_id) REFERENCES participant (tenant_id, id)
                )"
            ),
            "CREATE INDEX access_entry_at ON access_entry (tenant_id, at)".to_owned(),
            "CREATE INDEX access_entry_participant ON access_entry (tenant_id, participant_id, id)"
                .to_owned(),
            "CREATE INDEX access_entry_subject ON access_entry (tenant_id, subject, id)".to_owned(),
        ];
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await?;
        if pg {
            let mut statements = postgres_tenant_policies(TABLES);
            statements.push(GRANTS.to_owned());
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
