//! Attachments of submissions: metadata here, content in the object store.

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
            "CREATE TABLE attachment (
                tenant_id {uuid} NOT NULL,
                id {uuid} NOT NULL,
                structure_id {uuid} NOT NULL,
                submission_id {uuid} NULL,
                filename text NOT NULL,
                content_type text NOT NULL,
                size_bytes bigint NOT NULL,
                storage_key text NOT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, structure_id) REFERENCES structure (tenant_id, id),
                FOREIGN KEY (tenant_id, submission_id) REFERENCES submission (tenant_id, id)
            )"
        );
        run_all(
            manager,
            &[
                &table,
                "CREATE INDEX attachment_submission ON attachment (tenant_id, submission_id)",
            ],
        )
        .await?;
        if pg {
            let mut statements = postgres_tenant_policies(&["attachment"]);
            statements.push(table_grants(&["attachment"]));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
