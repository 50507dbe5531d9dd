//! Episodes with a life cycle: a version, the reason a contract ended early, and a
//! cancellation (an episode recorded by mistake stays in the table, out of every rule).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let instant = if pg { "timestamptz" } else { "text" };
        let statements = [
            "ALTER TABLE episode ADD COLUMN version integer NOT NULL DEFAULT 1".to_owned(),
            "ALTER TABLE episode ADD COLUMN end_reason text NULL".to_owned(),
            format!("ALTER TABLE episode ADD COLUMN cancelled_at {instant} NULL"),
            "ALTER TABLE episode ADD COLUMN cancel_reason text NULL".to_owned(),
        ];
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
