//! Notifications: one row per recipient (a staff member), written in the transaction of the
//! change that caused it, so an event exists exactly when its change does. Rows carry kinds and
//! IDs only, never personal data.

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
            "CREATE TABLE notification (
                tenant_id {uuid} NOT NULL,
                id {uuid} NOT NULL,
                recipient_id {uuid} NOT NULL,
                kind text NOT NULL,
                subject_type text NOT NULL,
                subject_id {uuid} NOT NULL,
                related_type text NULL,
                related_id {uuid} NULL,
                detail text NULL,
                dedupe_key text NULL,
                created_at {instant} NOT NULL,
                read_at {instant} NULL,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, recipient_id) REFERENCES staff_member (tenant_id, id)
            )"
        );
        run_all(
            manager,
            &[
                &table,
                "CREATE INDEX notification_inbox ON notification (tenant_id, recipient_id, id)",
                // Reminders (an overdue report) are sent once per recipient and occasion.
                "CREATE UNIQUE INDEX notification_once \
                 ON notification (tenant_id, recipient_id, dedupe_key)",
            ],
        )
        .await?;
        if pg {
            let mut statements = postgres_tenant_policies(&["notification"]);
            statements.push(table_grants(&["notification"]));
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}
