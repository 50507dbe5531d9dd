//! Announce every change to who may sign in: on PostgreSQL, a statement trigger on `tenant`,
//! `staff_member` and `structure` calls `pg_notify('parcours_callers', '')`, which PostgreSQL
//! delivers at commit (and never after a rollback) to every instance's listener, so that each
//! forgets the callers it keeps (`domain/src/db/callers.rs`): whatever wrote the change, the
//! service or an operator in `psql`. SQLite keeps no callers: nothing to do there.

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
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = vec![
            // A fixed search_path: the function names nothing a role could shadow.
            "CREATE FUNCTION parcours_callers_changed() RETURNS trigger LANGUAGE plpgsql \
             SET search_path = pg_catalog AS \
             $$ BEGIN PERFORM pg_notify('parcours_callers', ''); RETURN NULL; END $$"
                .to_owned(),
        ];
        for table in ["tenant", "staff_member", "structure"] {
            statements.push(format!(
                "CREATE TRIGGER {table}_callers_changed \
                 AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION parcours_callers_changed()"
            ));
            // Also under `session_replication_role = replica` (logical replication's apply,
            // some bulk loaders), where ordinary triggers do not fire.
            statements.push(format!(
                "ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_callers_changed"
            ));
        }
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        run_all(manager, &statements).await
    }
}
