//! On PostgreSQL, the JSON documents are stored as `json` (their text) rather than `jsonb`.
//!
//! The service reads each of them whole and never looks inside one in SQL: no operator, index
//! or constraint uses their structure. A `jsonb` value is rebuilt into text at every read
//! (`jsonb_send` escapes and prints each key and value again): for a page of 20 cohorts with
//! their members' diagnostics, two documents per member, PostgreSQL's instructions per request
//! went from 11.1 M to 9.1 M (-18%, callgrind) once they were `json`, which is sent as it was
//! stored. Writes still check that a document is valid JSON; the service writes them from its
//! own types, so the text is canonical. A new SQL use of a document's structure would cast it
//! (`::jsonb`). SQLite stores them as text already: nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every JSON document column: (table, columns).
const DOCUMENTS: &[(&str, &[&str])] = &[
    ("call_for_projects", &["questions"]),
    ("commune", &["priority_neighbourhoods"]),
    ("diagnostic", &["fle", "mobility", "clea"]),
    ("idempotency_key", &["response"]),
    ("participant", &["difficulties"]),
    ("report", &["budget", "quantities"]),
    ("submission", &["answers", "budget_lines"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let statements: Vec<String> = DOCUMENTS
            .iter()
            .map(|(table, columns)| {
                let changes: Vec<String> = columns
                    .iter()
                    .map(|c| format!("ALTER COLUMN {c} TYPE json USING {c}::json"))
                    .collect();
                format!("ALTER TABLE {table} {}", changes.join(", "))
            })
            .collect();
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
