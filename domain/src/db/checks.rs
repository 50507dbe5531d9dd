//! Start-up checks of the database's isolation walls (PostgreSQL).
//!
//! The runtime role must not be a superuser or `BYPASSRLS` (both bypass row-level security),
//! must own no table (owners bypass RLS unless it is forced, and may alter policies), and every
//! table with a `tenant_id` column must have row-level security enabled and forced. Views must be
//! `security_invoker`. The tables authentication reads (tenant, staff, structure) must announce
//! their changes to every instance (the `parcours_callers_changed` trigger, `ENABLE ALWAYS`).
//! Each failed check is one line of the answer.

#![expect(
    clippy::disallowed_methods,
    reason = "start-up checks and the RLS probe read the catalogue and bypass the scoping on purpose"
)]

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::db::Db;
use crate::error::Result;

const CHECKS: &[(&str, &str)] = &[
    (
        "SELECT rolname FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)",
        "the runtime role is a superuser or has BYPASSRLS",
    ),
    (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') \
         AND pg_get_userbyid(c.relowner) = current_user",
        "the runtime role owns tables (run requests as a non-owner role; migrations as the owner)",
    ),
    (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
         AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
        "tenant-owned tables without forced row-level security",
    ),
    (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'v' \
         AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)",
        "views without security_invoker",
    ),
    (
        // The instances forget the callers they keep when these tables change
        // (`domain/src/db/callers.rs`): without the trigger, enabled `ALWAYS`, a deactivated
        // account or a suspended tenant would be served by the others for up to 5 s.
        "SELECT w.relname FROM (VALUES ('tenant'), ('staff_member'), ('structure')) AS w(relname) \
         WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g \
           JOIN pg_class c ON c.oid = g.tgrelid \
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' \
           JOIN pg_proc p ON p.oid = g.tgfoid AND p.proname = 'parcours_callers_changed' \
           WHERE c.relname = w.relname AND g.tgenabled = 'A')",
        "tables whose changes the other instances would not hear of (trigger \
         parcours_callers_changed missing or not ENABLE ALWAYS)",
    ),
];

/// The isolation problems of this database; empty when all is well or on SQLite.
pub async fn isolation_problems(db: &Db) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if db.backend() != DbBackend::Postgres {
        return Ok(problems);
    }
    for (sql, what) in CHECKS {
        let rows = db
            .conn()
            .query_all_raw(Statement::from_string(DbBackend::Postgres, *sql))
            .await?;
        if !rows.is_empty() {
            let names: Vec<String> = rows
                .iter()
                .filter_map(|r| r.try_get_by_index::<String>(0).ok())
                .collect();
            problems.push(format!("{what}: {}", names.join(", ")));
        }
    }
    Ok(problems)
}

/// The tenant-owned tables that [`visible_tenants`] may probe.
pub const TENANT_TABLES: &[&str] = &[
    "commune",
    "structure",
    "staff_member",
    "audit_entry",
    "access_entry",
    "notification",
];

/// Probe of the row-level security wall: the distinct `tenant_id`s that a raw, unscoped
/// `SELECT` on `table` returns inside a transaction set for `tenant` (or with no tenant set).
/// Used by the isolation tests; the domain's own queries never rely on RLS alone.
pub async fn visible_tenants(
    db: &Db,
    table: &str,
    tenant: Option<crate::ids::TenantId>,
) -> Result<Vec<uuid::Uuid>> {
    use sea_orm::TransactionTrait;
    if !TENANT_TABLES.contains(&table) {
        return Err(crate::DomainError::validation(
            "table",
            "not a tenant-owned table",
        ));
    }
    let tx = db.conn().begin().await?;
    if let Some(tenant) = tenant {
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.0.to_string().into()],
        ))
        .await?;
    }
    let rows = tx
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!("SELECT DISTINCT tenant_id FROM {table}"),
        ))
        .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<uuid::Uuid>(0).ok())
        .collect())
}
