//! Forward-only migrations of Parcours.
//!
//! Rules: a migration that has landed is frozen history and is never edited; each one runs in a
//! transaction on every backend; every tenant-owned table has `tenant_id` first in its primary
//! key, in each unique key and in each foreign key, and on PostgreSQL a forced row-level security
//! policy. The runtime role `parcours_app` (when it exists) gets DML grants only, and only
//! `INSERT, SELECT` on the audit and access-log tables. A statement that changes the rows of
//! tenant-owned tables goes through [`across_tenants`]: the forced policy binds the owner too.

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m20261129_000001_foundation;
mod m20261129_000002_participants;
mod m20261129_000003_calls;
mod m20261129_000004_attachments;
mod m20261129_000005_cohorts;
mod m20261129_000006_diagnostics;
mod m20261129_000007_follow_up_sheets;
mod m20261129_000008_esf;
mod m20261129_000009_reports;
mod m20261129_000010_retention;
mod m20261129_000011_notifications;
mod m20261129_000012_access_log;
mod m20261130_000013_cohort_place_times_drop_out;
mod m20261130_000014_call_half_days_per_week;
mod m20261130_000015_episode_life_cycle;
mod m20261130_000016_callers_changed;
mod m20261201_000017_data_across_tenants;
mod m20261203_000018_documents_as_json;
mod m20261203_000019_keyset_indexes;

/// The ordered list of migrations.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_participants::Migration),
            Box::new(m20261129_000003_calls::Migration),
            Box::new(m20261129_000004_attachments::Migration),
            Box::new(m20261129_000005_cohorts::Migration),
            Box::new(m20261129_000006_diagnostics::Migration),
            Box::new(m20261129_000007_follow_up_sheets::Migration),
            Box::new(m20261129_000008_esf::Migration),
            Box::new(m20261129_000009_reports::Migration),
            Box::new(m20261129_000010_retention::Migration),
            Box::new(m20261129_000011_notifications::Migration),
            Box::new(m20261129_000012_access_log::Migration),
            Box::new(m20261130_000013_cohort_place_times_drop_out::Migration),
            Box::new(m20261130_000014_call_half_days_per_week::Migration),
            Box::new(m20261130_000015_episode_life_cycle::Migration),
            Box::new(m20261130_000016_callers_changed::Migration),
            Box::new(m20261201_000017_data_across_tenants::Migration),
            Box::new(m20261203_000018_documents_as_json::Migration),
            Box::new(m20261203_000019_keyset_indexes::Migration),
        ]
    }
}

/// Statements to run one after the other on `manager`'s connection.
pub(crate) async fn run_all(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// Row-level security and grants for the tenant-owned `tables` (PostgreSQL only).
pub(crate) fn postgres_tenant_policies(tables: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for table in tables {
        out.push(format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"));
        out.push(format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY"));
        out.push(format!(
            "CREATE POLICY tenant_isolation ON {table} \
             USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) \
             WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
        ));
    }
    out
}

/// `statement`, a data change of tenant-owned rows meant for every tenant's. On PostgreSQL
/// the tables' forced row-level security binds their owner, who runs migrations, to the tenant
/// in `app.tenant_id`: with none set, the statement would match no row, silently. So it runs
/// once per tenant, with that tenant set for the migration's transaction, and the setting is
/// cleared after the last one (no lock beyond the rows it changes; `statement` must not hold
/// `$$`).
pub(crate) fn across_tenants(backend: DbBackend, statement: &str) -> String {
    if backend != DbBackend::Postgres {
        return statement.to_owned();
    }
    format!(
        "DO $$ DECLARE t uuid; BEGIN \
           FOR t IN SELECT id FROM tenant ORDER BY id LOOP \
             PERFORM set_config('app.tenant_id', t::text, true); \
             {statement}; \
           END LOOP; \
           PERFORM set_config('app.tenant_id', '', true); \
         END $$"
    )
}

/// DML grants on `tables` to the runtime role, when it exists.
pub(crate) fn table_grants(tables: &[&str]) -> String {
    format!(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parcours_app') THEN \
         GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO parcours_app; END IF; END $$",
        tables.join(", ")
    )
}

/// Connect to `url` (as the owner role), apply every pending migration, and disconnect.
pub async fn run(url: &str) -> Result<(), DbErr> {
    let db = sea_orm_migration::sea_orm::Database::connect(url).await?;
    Migrator::up(&db, None).await?;
    db.close().await
}
