//! Tenant scoping in the type: a [`TenantTx`] reads only its tenant's rows, and only a
//! [`Change`] writes, each change committing with its audit entry.
//!
//! This is the one module that calls sea-orm's entry points (`Entity::find`, `insert`,
//! `update_many`, `delete_many`); `domain/clippy.toml` bans them everywhere else.

use std::ops::Deref;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DeleteMany, EntityTrait, IntoActiveModel, QueryFilter, Select,
    UpdateMany,
};

use super::tx::{Shared, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{AuditEntryId, TenantId};
use crate::principal::{Principal, Role};

/// A table whose rows belong to one tenant, through its `tenant_id` column (always the first
/// column of its primary key).
pub(crate) trait TenantOwned: EntityTrait {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;

    /// Whether authentication reads this table: a write to it makes the instance forget the
    /// callers it keeps (see [`super::callers`]).
    const SIGNS_IN: bool = false;
}

macro_rules! tenant_owned {
    ($($entity:ident),* $(,)?) => {
        $(
            impl TenantOwned for crate::entities::$entity::Entity {
                fn tenant_column() -> Self::Column {
                    crate::entities::$entity::Column::TenantId
                }
            }
        )*
    };
}

tenant_owned!(
    access_entry,
    amendment,
    attachment,
    attendance,
    audit_entry,
    call_for_projects,
    cohort,
    cohort_member,
    cohort_session,
    commune,
    convention,
    diagnostic,
    episode,
    esf_record,
    follow_up_sheet,
    idempotency_key,
    notification,
    participant,
    participant_exit,
    path_step,
    report,
    report_attachment,
    submission,
);

impl TenantOwned for crate::entities::staff_member::Entity {
    fn tenant_column() -> Self::Column {
        crate::entities::staff_member::Column::TenantId
    }

    const SIGNS_IN: bool = true;
}

impl TenantOwned for crate::entities::structure::Entity {
    fn tenant_column() -> Self::Column {
        crate::entities::structure::Column::TenantId
    }

    const SIGNS_IN: bool = true;
}

impl Tx {
    /// This transaction as seen by `principal`, a member of a tenant: only that tenant's rows.
    /// The first call enters the tenant (authentication usually has); a transaction serves one
    /// tenant, so a principal of another is refused. The platform operator has no tenant.
    pub(crate) async fn scoped(&self, principal: &Principal) -> Result<TenantTx> {
        let tenant = principal.tenant_id()?;
        match self.tenant() {
            Some(current) if current == tenant => {}
            Some(_) if principal.role() != Role::Admin => {
                return Err(DomainError::Internal(
                    "a principal of another tenant in this transaction".into(),
                ));
            }
            _ => self.enter(tenant).await?,
        }
        Ok(TenantTx {
            tx: self.clone(),
            tenant,
        })
    }

    /// Begin a change by `principal` in their tenant (see [`Change`]).
    pub(crate) async fn change(&self, principal: &Principal) -> Result<Change> {
        self.scoped(principal).await?.change(principal).await
    }

    /// This transaction as the platform operator sees it: the tenant registry, and any
    /// tenant's scope on demand ([`PlatformTx::enter`]).
    pub(crate) fn platform(&self, principal: &Principal) -> Result<PlatformTx> {
        principal.require(&[Role::Admin], "only the platform operator")?;
        Ok(PlatformTx { tx: self.clone() })
    }

    /// The tenant registry, for authentication and jobs (no principal yet, or a system one).
    pub(crate) fn registry(&self) -> PlatformTx {
        PlatformTx { tx: self.clone() }
    }
}

/// A transaction in which every statement sees one tenant only.
#[derive(Clone)]
pub(crate) struct TenantTx {
    tx: Tx,
    tenant: TenantId,
}

impl TenantTx {
    pub(crate) fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The instant of this transaction: every rule in it reads this one.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.tx.now()
    }

    /// The executor for queries built from [`TenantTx::select`] (or raw statements that
    /// filter on the tenant themselves).
    pub(crate) fn conn(&self) -> &Shared {
        self.tx.conn()
    }

    /// The whole transaction.
    pub(crate) fn tx(&self) -> &Tx {
        &self.tx
    }

    /// `SELECT … FROM <E> WHERE tenant_id = <this tenant>`, to refine and execute.
    pub(crate) fn select<E: TenantOwned>(&self) -> Select<E> {
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        E::find().filter(E::tenant_column().eq(self.tenant.0))
    }

    /// Append the access log's entries of what this transaction read: the one write a read
    /// transaction makes, and the one write without an audit entry (these entries are the
    /// audit of reads; the runtime role may only insert and select them).
    pub(crate) async fn record_reads(
        &self,
        rows: Vec<crate::entities::access_entry::ActiveModel>,
    ) -> Result<()> {
        let tenant = self.tenant;
        self.tx
            .side_write(async |tx| {
                tx.enter(tenant).await?;
                // One statement per thousand entries (bound parameters stay under the limits).
                for chunk in rows.chunks(1000) {
                    let rows = chunk.iter().cloned().map(|mut row| {
                        row.tenant_id = sea_orm::ActiveValue::Set(tenant.0);
                        row
                    });
                    #[expect(clippy::disallowed_methods, reason = "the access log's entry point")]
                    let insert = crate::entities::access_entry::Entity::insert_many(rows);
                    insert.exec_without_returning(tx.conn()).await?;
                }
                Ok(())
            })
            .await
    }

    /// Begin a change by `principal` (see [`Change`]).
    pub(crate) async fn change(&self, principal: &Principal) -> Result<Change> {
        let savepoint = self.tx.open_change().await?;
        Ok(Change {
            scope: self.clone(),
            principal: principal.clone(),
            savepoint,
            done: false,
        })
    }
}

/// What a change did to which object: the audit entry it commits with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Action {
    pub name: &'static str,
    pub object_type: &'static str,
    pub object_id: uuid::Uuid,
}

/// One change (a mutation, a job's step): the only way to write a tenant's rows. It ends with
/// [`Change::commit`], which writes its audit entry; a change that ends otherwise (an error,
/// `?`) is undone: rolled back to its savepoint, or, without one, with the whole transaction.
pub(crate) struct Change {
    scope: TenantTx,
    principal: Principal,
    savepoint: Option<u32>,
    done: bool,
}

impl Deref for Change {
    type Target = TenantTx;

    fn deref(&self) -> &TenantTx {
        &self.scope
    }
}

impl Drop for Change {
    fn drop(&mut self) {
        if !self.done {
            self.scope.tx.abandon_change(self.savepoint, false);
        }
    }
}

impl Change {
    /// Note a write to `E` (see [`TenantOwned::SIGNS_IN`]).
    pub(super) fn writes<E: TenantOwned>(&self) {
        if E::SIGNS_IN {
            self.scope.tx.callers_change();
        }
    }

    /// `rows` with this tenant in their `tenant_id`, whatever it held.
    pub(super) fn in_tenant<A>(&self, rows: impl IntoIterator<Item = A>) -> impl Iterator<Item = A>
    where
        A: ActiveModelTrait,
        A::Entity: TenantOwned,
    {
        let tenant = self.tenant.0;
        rows.into_iter().map(move |mut row| {
            row.set(<A::Entity as TenantOwned>::tenant_column(), tenant.into());
            row
        })
    }

    /// Insert `row` in this tenant (its `tenant_id` is set here, whatever it held).
    pub(crate) async fn insert<A>(&self, mut row: A) -> Result<()>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        row.set(
            <A::Entity as TenantOwned>::tenant_column(),
            self.tenant.0.into(),
        );
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let insert = A::Entity::insert(row);
        insert.exec_without_returning(self.conn()).await?;
        Ok(())
    }

    /// Insert `rows` in this tenant, in one statement (nothing when empty).
    pub(crate) async fn insert_many<A>(&self, rows: impl IntoIterator<Item = A>) -> Result<()>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        let rows: Vec<A> = self.in_tenant(rows).collect();
        if rows.is_empty() {
            return Ok(());
        }
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let insert = A::Entity::insert_many(rows);
        insert.exec_without_returning(self.conn()).await?;
        Ok(())
    }

    /// Insert `row` in this tenant, or do `on_conflict` when its key exists (an upsert).
    /// Returns how many rows were inserted or updated (0 after `DO NOTHING`).
    pub(crate) async fn upsert<A>(&self, row: A, on_conflict: OnConflict) -> Result<u64>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        self.upsert_many([row], on_conflict).await
    }

    /// [`Change::upsert`] of several rows in one statement (at least one row).
    pub(crate) async fn upsert_many<A>(
        &self,
        rows: impl IntoIterator<Item = A>,
        on_conflict: OnConflict,
    ) -> Result<u64>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
    {
        let rows = self.in_tenant(rows);
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let insert = A::Entity::insert_many(rows).on_conflict(on_conflict);
        Ok(insert.exec_without_returning(self.conn()).await?)
    }

    /// Update the row of this tenant whose primary key `row` holds, with `row`'s set columns.
    pub(crate) async fn update<A>(&self, mut row: A) -> Result<()>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantOwned,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        row.set(
            <A::Entity as TenantOwned>::tenant_column(),
            self.tenant.0.into(),
        );
        self.writes::<A::Entity>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        let update = A::Entity::update(row);
        update.exec(self.conn()).await?;
        Ok(())
    }

    /// `UPDATE <E> … WHERE tenant_id = <this tenant>`, to refine and execute.
    pub(crate) fn update_many<E: TenantOwned>(&self) -> UpdateMany<E> {
        self.writes::<E>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        E::update_many().filter(E::tenant_column().eq(self.tenant.0))
    }

    /// `DELETE FROM <E> WHERE tenant_id = <this tenant>`, to refine and execute.
    pub(crate) fn delete_many<E: TenantOwned>(&self) -> DeleteMany<E> {
        self.writes::<E>();
        #[expect(clippy::disallowed_methods, reason = "the one scoped entry point")]
        E::delete_many().filter(E::tenant_column().eq(self.tenant.0))
    }

    /// Write the change's audit entry and keep the change.
    pub(crate) async fn commit(self, action: Action) -> Result<()> {
        self.commit_all([action]).await
    }

    /// Write the change's audit entries (at least one) and keep the change.
    pub(crate) async fn commit_all(self, actions: impl IntoIterator<Item = Action>) -> Result<()> {
        let mut audited = 0;
        for action in actions {
            self.record(action).await?;
            audited += 1;
        }
        if audited == 0 {
            return Err(DomainError::Internal(
                "a change commits with its audit".into(),
            ));
        }
        self.keep().await
    }

    /// Write the audit entry of `action` inside the change. The runtime role may only insert
    /// and select these rows.
    async fn record(&self, action: Action) -> Result<()> {
        self.insert(self.audit_row(action)).await
    }

    /// The audit entry of `action`: tenant, subject, role, action, object, time, request id.
    pub(super) fn audit_row(&self, action: Action) -> crate::entities::audit_entry::ActiveModel {
        crate::entities::audit_entry::ActiveModel {
            tenant_id: Set(self.tenant().0),
            id: Set(AuditEntryId::generate().0),
            at: Set(self.now()),
            subject: Set(self.principal.subject.clone()),
            role: Set(self.principal.role.as_str().to_owned()),
            action: Set(action.name.to_owned()),
            object_type: Set(action.object_type.to_owned()),
            object_id: Set(Some(action.object_id)),
            request_id: Set(self.principal.request_id.clone()),
        }
    }

    /// End a change that wrote nothing (an idempotent replay): nothing to audit.
    pub(crate) async fn unchanged(self) -> Result<()> {
        self.keep().await
    }

    /// Keep what the change wrote (its audit entry written by the caller).
    pub(super) async fn keep(mut self) -> Result<()> {
        self.done = true;
        self.scope.tx.close_change(self.savepoint, true).await
    }

    /// Notify subscribers if, and when, the transaction commits (see
    /// [`crate::notifications`]).
    pub(crate) async fn publish(&self, events: Vec<super::bus::Event>) -> Result<()> {
        self.scope.tx.publish(events).await
    }
}

/// The platform's tenant registry (the `tenant` table, which belongs to no tenant).
pub(crate) struct PlatformTx {
    tx: Tx,
}

impl PlatformTx {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.tx.now()
    }

    pub(crate) fn conn(&self) -> &Shared {
        self.tx.conn()
    }

    /// `SELECT … FROM tenant`.
    pub(crate) fn tenants(&self) -> Select<crate::entities::tenant::Entity> {
        #[expect(clippy::disallowed_methods, reason = "the registry's entry point")]
        crate::entities::tenant::Entity::find()
    }

    /// Insert a tenant (the platform operator's change; audited in the new tenant's scope).
    pub(crate) async fn insert_tenant(
        &self,
        row: crate::entities::tenant::ActiveModel,
    ) -> Result<()> {
        self.tx.callers_change();
        #[expect(clippy::disallowed_methods, reason = "the registry's entry point")]
        let insert = crate::entities::tenant::Entity::insert(row);
        insert.exec_without_returning(self.conn()).await?;
        Ok(())
    }

    /// `UPDATE tenant …`, to refine and execute (the platform operator's change; audited in
    /// that tenant's scope).
    pub(crate) fn update_tenants(&self) -> UpdateMany<crate::entities::tenant::Entity> {
        self.tx.callers_change();
        #[expect(clippy::disallowed_methods, reason = "the registry's entry point")]
        crate::entities::tenant::Entity::update_many()
    }

    /// Enter `tenant`'s scope in this same transaction (creating a tenant writes its first
    /// rows; a job acts in each tenant in turn).
    pub(crate) async fn enter(&self, tenant: TenantId) -> Result<TenantTx> {
        self.tx.enter(tenant).await?;
        Ok(TenantTx {
            tx: self.tx.clone(),
            tenant,
        })
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, DbBackend, QueryFilter, QueryTrait};

    use crate::db::{Db, Mode, PoolSettings};
    use crate::entities::{participant, structure};
    use crate::ids::TenantId;
    use crate::principal::{Principal, Role, TenantScope};

    async fn sqlite() -> Db {
        Db::connect("sqlite::memory:", &PoolSettings::default())
            .await
            .expect("in-memory SQLite")
    }

    fn steering(tenant: TenantId) -> Principal {
        Principal::system(
            TenantScope {
                id: tenant,
                slug: "t".into(),
            },
            "system:test",
            Role::Steering,
        )
    }

    /// Every query of a tenant-owned table that the scope builds names the tenant, whatever
    /// the caller adds.
    #[tokio::test]
    async fn selects_updates_and_deletes_carry_the_tenant() {
        let db = sqlite().await;
        let tenant = TenantId(uuid::Uuid::now_v7());
        let principal = steering(tenant);
        #[expect(clippy::disallowed_methods, reason = "the test is its own entry point")]
        let tx = db.begin(Mode::write()).await.expect("begin");
        let scope = tx.scoped(&principal).await.expect("scope");
        let wanted = format!("\"tenant_id\" = '{}'", tenant.0);
        let select = scope
            .select::<participant::Entity>()
            .filter(participant::Column::LastName.eq("x"))
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(select.contains(&wanted), "{select}");
        let change = scope.change(&principal).await.expect("change");
        let update = change
            .update_many::<structure::Entity>()
            .col_expr(structure::Column::Active, Expr::value(false))
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(update.contains(&wanted), "{update}");
        let delete = change
            .delete_many::<structure::Entity>()
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(delete.contains(&wanted), "{delete}");
        drop(change);
        assert!(
            tx.failed(),
            "a change dropped without its audit fails the transaction"
        );
        tx.rollback().await;
    }

    /// A principal of another tenant cannot use a transaction already scoped to one, and a
    /// read transaction refuses changes.
    #[tokio::test]
    async fn one_tenant_per_transaction_and_no_change_in_a_read() {
        let db = sqlite().await;
        let (a, b) = (
            TenantId(uuid::Uuid::now_v7()),
            TenantId(uuid::Uuid::now_v7()),
        );
        #[expect(clippy::disallowed_methods, reason = "the test is its own entry point")]
        let tx = db.begin(Mode::Read).await.expect("begin");
        tx.scoped(&steering(a)).await.expect("first tenant");
        assert!(tx.scoped(&steering(b)).await.is_err(), "second tenant");
        assert!(tx.change(&steering(a)).await.is_err(), "a change in a read");
        tx.rollback().await;
    }
}
