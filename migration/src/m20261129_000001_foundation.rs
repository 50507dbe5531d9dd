//! Tenants and their communes, structures, staff members and the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{postgres_tenant_policies, run_all};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TENANT_TABLES: &[&str] = &["commune", "structure", "staff_member", "audit_entry"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let types = Types::of(backend);
        let tables = tables(&types);
        let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
        run_all(manager, &tables).await?;
        if backend == DbBackend::Postgres {
            let mut statements = postgres_tenant_policies(TENANT_TABLES);
            statements.push(GRANTS.to_owned());
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            run_all(manager, &statements).await?;
        }
        Ok(())
    }
}

/// Column types per backend, matching how sea-orm binds the Rust types.
struct Types {
    uuid: &'static str,
    instant: &'static str,
    boolean: &'static str,
    json: &'static str,
}

impl Types {
    fn of(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => Types {
                uuid: "uuid",
                instant: "timestamptz",
                boolean: "boolean",
                json: "jsonb",
            },
            _ => Types {
                uuid: "blob",
                instant: "text",
                boolean: "integer",
                json: "text",
            },
        }
    }
}

fn tables(t: &Types) -> Vec<String> {
    let Types {
        uuid,
        instant,
        boolean,
        json,
    } = t;
    vec![
        format!(
            "CREATE TABLE tenant (
                id {uuid} NOT NULL PRIMARY KEY,
                slug text NOT NULL UNIQUE,
                name text NOT NULL,
                status text NOT NULL CHECK (status IN ('active', 'suspended')),
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                version integer NOT NULL
            )"
        ),
        format!(
            "CREATE TABLE commune (
                tenant_id {uuid} NOT NULL REFERENCES tenant (id),
                id {uuid} NOT NULL,
                insee_code text NULL,
                name text NOT NULL,
                priority_neighbourhoods {json} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, name),
                UNIQUE (tenant_id, insee_code)
            )"
        ),
        format!(
            "CREATE TABLE structure (
                tenant_id {uuid} NOT NULL REFERENCES tenant (id),
                id {uuid} NOT NULL,
                name text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('steering_body', 'referent_carrier', 'provider', 'partner')),
                active {boolean} NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                version integer NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, name)
            )"
        ),
        format!(
            "CREATE TABLE staff_member (
                tenant_id {uuid} NOT NULL,
                id {uuid} NOT NULL,
                subject text NOT NULL,
                display_name text NOT NULL,
                email text NOT NULL,
                role text NOT NULL CHECK (role IN ('steering', 'referent', 'provider')),
                structure_id {uuid} NOT NULL,
                active {boolean} NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                version integer NOT NULL,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, subject),
                UNIQUE (tenant_id, email),
                FOREIGN KEY (tenant_id, structure_id) REFERENCES structure (tenant_id, id)
            )"
        ),
        "CREATE INDEX staff_member_structure ON staff_member (tenant_id, structure_id)".to_owned(),
        format!(
            "CREATE TABLE audit_entry (
                tenant_id {uuid} NOT NULL REFERENCES tenant (id),
                id {uuid} NOT NULL,
                at {instant} NOT NULL,
                subject text NOT NULL,
                role text NOT NULL,
                action text NOT NULL,
                object_type text NOT NULL,
                object_id {uuid} NULL,
                request_id text NULL,
                PRIMARY KEY (tenant_id, id)
            )"
        ),
        "CREATE INDEX audit_entry_at ON audit_entry (tenant_id, at)".to_owned(),
        "CREATE INDEX audit_entry_subject ON audit_entry (tenant_id, subject)".to_owned(),
        "CREATE INDEX audit_entry_object ON audit_entry (tenant_id, object_id)".to_owned(),
    ]
}

/// The runtime role reads and writes, but never rewrites history: the audit log is append-only.
const GRANTS: &str = "DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parcours_app') THEN
        GRANT USAGE ON SCHEMA public TO parcours_app;
        GRANT SELECT, INSERT, UPDATE ON tenant TO parcours_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON commune, structure, staff_member TO parcours_app;
        GRANT SELECT, INSERT ON audit_entry TO parcours_app;
    END IF;
END
$$";
