//! [`Tx`]: one transaction, shared by everything a unit of work runs.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, AssertSqlSafe, Postgres, Sqlite};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr,
    Statement,
};
use sea_query_sqlx::SqlxValues;

use super::bus::{Bus, Event};
use super::{Counters, Db};
use crate::error::{DomainError, Result};
use crate::ids::TenantId;

/// What a transaction is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Reads, from one snapshot (`REPEATABLE READ` on PostgreSQL). The only rows such a
    /// transaction writes are the access log's entries of what it read.
    Read,
    /// Changes, one after the other (`READ COMMITTED` on PostgreSQL, `BEGIN IMMEDIATE` on
    /// SQLite). With `isolated`, each change runs inside a savepoint of its own: one that
    /// fails is undone alone and the others still commit (a GraphQL operation with several
    /// mutation fields). Without it, a change that fails fails the whole transaction, which
    /// then rolls back instead of committing (one mutation field, a job, the demo).
    Write { isolated: bool },
}

impl Mode {
    /// One change, or a batch that stands or falls as a whole.
    pub fn write() -> Self {
        Self::Write { isolated: false }
    }
}

/// The transaction of one unit of work (a request, a subscription delivery, a job). Clones
/// share it. See the module documentation of [`crate::db`].
#[derive(Clone)]
pub struct Tx(Arc<Shared>);

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tx({:?})", self.0.mode)
    }
}

/// The shared state: the connection (one statement at a time) and the bookkeeping.
pub(crate) struct Shared {
    live: tokio::sync::Mutex<Option<Conn>>,
    /// The pool, for the one write a SQLite read transaction cannot make itself (see
    /// [`Tx::side_write`]).
    db: Db,
    backend: DbBackend,
    mode: Mode,
    now: DateTime<Utc>,
    counters: Arc<Counters>,
    bus: Bus,
    state: Mutex<State>,
}

enum Conn {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(sqlx::Transaction<'static, Sqlite>),
}

#[derive(Default)]
struct State {
    /// The tenant whose rows this transaction sees (`app.tenant_id` on PostgreSQL).
    tenant: Option<TenantId>,
    /// The tenant's row (its settings), read at most once per transaction.
    settings: Option<crate::entities::tenant::Model>,
    /// SQLite: events published once the transaction commits.
    outbox: Vec<Event>,
    /// The change in progress, if any (changes never nest).
    open_change: bool,
    savepoints: u32,
    /// A savepoint to roll back to before the next statement (a change that failed).
    rollback_to: Option<u32>,
    /// A change failed outside a savepoint: the transaction rolls back instead of committing.
    failed: bool,
    /// A change wrote to a table authentication reads (`tenant`, `staff_member`,
    /// `structure`): the callers kept by this instance are forgotten once it commits.
    callers_changed: bool,
}

impl Tx {
    pub(super) async fn begin(db: &Db, mode: Mode) -> Result<Self> {
        Self::begin_in(db, mode, None).await
    }

    /// Begin, already in `tenant`'s scope when given: on PostgreSQL the `BEGIN` and the
    /// `set_config('app.tenant_id', …)` travel in one message (one round trip, two statements).
    pub(super) async fn begin_in(db: &Db, mode: Mode, tenant: Option<TenantId>) -> Result<Self> {
        let begin = match (db.backend(), mode) {
            (DbBackend::Postgres, Mode::Read) => "BEGIN ISOLATION LEVEL REPEATABLE READ",
            (DbBackend::Postgres, Mode::Write { .. }) => "BEGIN ISOLATION LEVEL READ COMMITTED",
            (_, Mode::Read) => "BEGIN",
            (_, Mode::Write { .. }) => "BEGIN IMMEDIATE",
        };
        db.counters.statement();
        db.counters.transaction();
        let conn = match db.backend() {
            DbBackend::Postgres => {
                let pool = db.conn().get_postgres_connection_pool();
                let sql = match tenant {
                    // A UUID's text is hex digits and hyphens: nothing to quote.
                    Some(tenant) => {
                        db.counters.piggyback();
                        format!(
                            "{begin}; SELECT set_config('app.tenant_id', '{}', true)",
                            tenant.0
                        )
                    }
                    None => begin.to_owned(),
                };
                let begun =
                    on_live_connection(pool, || pool.begin_with(AssertSqlSafe(sql.clone()))).await;
                Conn::Postgres(begun.map_err(acquire_err)?)
            }
            _ => Conn::Sqlite(
                db.conn()
                    .get_sqlite_connection_pool()
                    .begin_with(begin)
                    .await
                    .map_err(acquire_err)?,
            ),
        };
        let state = State {
            tenant,
            ..State::default()
        };
        Ok(Self(Arc::new(Shared {
            live: tokio::sync::Mutex::new(Some(conn)),
            db: db.clone(),
            backend: db.backend(),
            mode,
            now: db.clock().now(),
            counters: Arc::clone(&db.counters),
            bus: db.bus().clone(),
            state: Mutex::new(state),
        })))
    }

    /// What this transaction is for.
    pub fn mode(&self) -> Mode {
        self.0.mode
    }

    /// The instant of this transaction: every rule in it reads this one.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.now
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.0.backend
    }

    /// Commit what the work did. When a change failed outside a savepoint (its error has
    /// already reached the caller), roll back instead: nothing of it is kept. On SQLite, the
    /// notifications published in the transaction go on the bus once it has committed.
    pub async fn commit(&self) -> Result<()> {
        let failed = self.0.state().failed;
        if failed {
            self.rollback().await;
            return Ok(());
        }
        let conn = self.0.take().await?;
        self.0.counters.statement();
        match conn {
            Conn::Postgres(c) => c.commit().await,
            Conn::Sqlite(c) => c.commit().await,
        }
        .map_err(|e| DomainError::from(query_err(e)))?;
        if self.0.state().callers_changed {
            // The other instances learn it from the triggers' notification.
            self.0.db.callers().forget();
        }
        let events = std::mem::take(&mut self.0.state().outbox);
        for event in events {
            self.0.bus.publish(event);
        }
        Ok(())
    }

    /// End the unit of work with its `outcome`: commit when it succeeded (the commit's failure
    /// is then the outcome), roll back when it failed.
    pub async fn end<T>(&self, outcome: Result<T>) -> Result<T> {
        match outcome {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(err) => {
                self.rollback().await;
                Err(err)
            }
        }
    }

    /// Undo everything the work did. Never fails: a transaction that cannot be rolled back
    /// explicitly is rolled back by the server when its connection is dropped.
    pub async fn rollback(&self) {
        if let Ok(conn) = self.0.take().await {
            self.0.counters.statement();
            let result = match conn {
                Conn::Postgres(c) => c.rollback().await,
                Conn::Sqlite(c) => c.rollback().await,
            };
            if let Err(err) = result {
                tracing::debug!(error = %err, "rollback failed; the connection is discarded");
            }
        }
    }

    /// Whether a change of this transaction failed and it will roll back.
    pub fn failed(&self) -> bool {
        self.0.state().failed
    }

    /// Where to append rows that a read transaction writes (the access log's): this
    /// transaction, except a SQLite read transaction, whose snapshot cannot become a write once
    /// another connection has committed (`SQLITE_BUSY_SNAPSHOT`): there the rows go in a short
    /// write transaction of their own, committed before the caller answers.
    pub(crate) async fn side_write<T>(
        &self,
        work: impl AsyncFnOnce(&Tx) -> Result<T>,
    ) -> Result<T> {
        if self.0.backend == DbBackend::Sqlite && self.0.mode == Mode::Read {
            #[expect(
                clippy::disallowed_methods,
                reason = "SQLite's read snapshot cannot write"
            )]
            let written = self.0.db.run(Mode::write(), work).await;
            return written;
        }
        work(self).await
    }

    /// Note that this transaction writes to a table authentication reads (see
    /// [`super::callers`]).
    pub(crate) fn callers_change(&self) {
        self.0.state().callers_changed = true;
    }

    /// The pool this transaction came from (for what outlives it, like the tenants seen).
    pub(crate) fn db(&self) -> &Db {
        &self.0.db
    }

    /// The connection, as sea-orm's executors take it.
    pub(crate) fn conn(&self) -> &Shared {
        &self.0
    }

    /// The tenant whose rows this transaction sees, once entered.
    pub(crate) fn tenant(&self) -> Option<TenantId> {
        self.0.state().tenant
    }

    /// See only `tenant`'s rows from now on: on PostgreSQL, the transaction-local
    /// `app.tenant_id` that row-level security reads.
    pub(crate) async fn enter(&self, tenant: TenantId) -> Result<()> {
        if self.tenant() == Some(tenant) {
            return Ok(());
        }
        if self.0.backend == DbBackend::Postgres {
            #[expect(clippy::disallowed_methods, reason = "the scope's own statement")]
            self.0
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT set_config('app.tenant_id', $1, true)",
                    [tenant.0.to_string().into()],
                ))
                .await?;
        }
        self.0.state().tenant = Some(tenant);
        Ok(())
    }

    /// Record that the transaction already sees `tenant` (authentication set it in the same
    /// statement that read the tenant).
    pub(crate) fn entered(&self, tenant: crate::entities::tenant::Model) {
        let mut state = self.0.state();
        state.tenant = Some(TenantId(tenant.id));
        state.settings = Some(tenant);
    }

    /// The entered tenant's row as this transaction read it (its settings), if read.
    pub(crate) fn settings(&self) -> Option<crate::entities::tenant::Model> {
        self.0.state().settings.clone()
    }

    /// Keep the entered tenant's row for the rest of the transaction (`None`: read it again).
    pub(crate) fn cache_settings(&self, tenant: Option<crate::entities::tenant::Model>) {
        self.0.state().settings = tenant;
    }

    /// Start a change: refused in a read transaction and inside another change. Returns the
    /// savepoint the change runs in, when changes are isolated.
    pub(crate) async fn open_change(&self) -> Result<Option<u32>> {
        let isolated = match self.0.mode {
            Mode::Read => {
                return Err(DomainError::Internal(
                    "a change was attempted in a read transaction".into(),
                ));
            }
            Mode::Write { isolated } => isolated,
        };
        let savepoint = {
            let mut state = self.0.state();
            if state.open_change {
                return Err(DomainError::Internal("changes do not nest".into()));
            }
            if state.failed {
                return Err(DomainError::Internal(
                    "an earlier change failed; this transaction rolls back".into(),
                ));
            }
            state.open_change = true;
            isolated.then(|| {
                state.savepoints += 1;
                state.savepoints
            })
        };
        if let Some(n) = savepoint {
            #[expect(clippy::disallowed_methods, reason = "the change's own savepoint")]
            let opened = self
                .0
                .execute_unprepared(&format!("SAVEPOINT change_{n}"))
                .await;
            if let Err(err) = opened {
                self.0.state().open_change = false;
                return Err(err.into());
            }
        }
        Ok(savepoint)
    }

    /// End the change opened with `savepoint`: kept (`RELEASE`) or undone.
    pub(crate) async fn close_change(&self, savepoint: Option<u32>, kept: bool) -> Result<()> {
        self.abandon_change(savepoint, kept);
        if kept && let Some(n) = savepoint {
            #[expect(clippy::disallowed_methods, reason = "the change's own savepoint")]
            self.0
                .execute_unprepared(&format!("RELEASE SAVEPOINT change_{n}"))
                .await?;
        }
        Ok(())
    }

    /// Synchronous half of [`Tx::close_change`], for a change dropped without an outcome: a
    /// change in a savepoint is rolled back before the next statement; one without fails the
    /// transaction.
    pub(crate) fn abandon_change(&self, savepoint: Option<u32>, kept: bool) {
        let mut state = self.0.state();
        state.open_change = false;
        if !kept {
            match savepoint {
                Some(n) => state.rollback_to = Some(n),
                None => state.failed = true,
            }
        }
    }

    /// On PostgreSQL, `pg_notify` in the transaction (delivered at commit, never after a
    /// rollback); on SQLite, kept until [`Tx::commit`].
    pub(crate) async fn publish(&self, events: Vec<Event>) -> Result<()> {
        if self.0.backend == DbBackend::Postgres {
            for payload in super::bus::payloads(&events)? {
                #[expect(clippy::disallowed_methods, reason = "notifications leave at commit")]
                self.0
                    .execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "SELECT pg_notify($1, $2)",
                        [super::bus::CHANNEL.into(), payload.into()],
                    ))
                    .await?;
            }
        } else {
            self.0.state().outbox.extend(events);
        }
        Ok(())
    }
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state holds no invariant that a panic elsewhere could break half-way.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The connection for one statement, after rolling back a failed change's savepoint.
    async fn live(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Conn>>, DbErr> {
        let mut live = self.live.lock().await;
        let pending = self.state().rollback_to.take();
        if let Some(n) = pending {
            let conn = live.as_mut().ok_or_else(ended)?;
            self.counters.statement();
            let sql = format!("ROLLBACK TO SAVEPOINT change_{n}");
            match conn {
                Conn::Postgres(c) => sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut **c)
                    .await
                    .map(drop),
                Conn::Sqlite(c) => sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut **c)
                    .await
                    .map(drop),
            }
            .map_err(exec_err)?;
        }
        Ok(live)
    }

    /// The connection, to end the transaction; later statements fail.
    async fn take(&self) -> Result<Conn> {
        let mut live = self.live().await?;
        live.take()
            .ok_or_else(|| DomainError::Internal("the transaction has already ended".into()))
    }
}

fn ended() -> DbErr {
    DbErr::Custom("the transaction has already ended".into())
}

fn values(stmt: &Statement) -> SqlxValues {
    SqlxValues(stmt.values.clone().unwrap_or(Values(Vec::new())))
}

fn query_err(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

fn exec_err(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

/// Run `attempt`, the first message on a connection from `pool`, again when the connection
/// turns out to have been closed while it sat idle (a restart, a terminated backend): the pool
/// hands out idle connections untested (see `Db::connect`), and drops the closed one when the
/// attempt gives it back. At most once per connection the pool can hold, then on a new one;
/// nothing began on a closed connection, so nothing is done twice.
pub(super) async fn on_live_connection<T, F, Fut>(
    pool: &sqlx::PgPool,
    mut attempt: F,
) -> std::result::Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
{
    let mut retries = pool.options().get_max_connections();
    loop {
        match attempt().await {
            Err(e) if retries > 0 && crate::error::lost_connection(&e) => {
                tracing::info!(error = %e, "a pooled connection was closed while idle; trying another");
                retries -= 1;
            }
            done => return done,
        }
    }
}

fn acquire_err(err: sqlx::Error) -> DbErr {
    match err {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    }
}

/// Every statement of the work goes through here, one at a time on the transaction's
/// connection.
#[async_trait::async_trait]
impl ConnectionTrait for Shared {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut live = self.live().await?;
        let conn = live.as_mut().ok_or_else(ended)?;
        self.counters.sent(|| stmt.clone());
        let sql = AssertSqlSafe(stmt.sql.as_str());
        match conn {
            Conn::Postgres(c) => sqlx::query_with(sql, values(&stmt))
                .execute(&mut **c)
                .await
                .map(ExecResult::from),
            Conn::Sqlite(c) => sqlx::query_with(sql, values(&stmt))
                .execute(&mut **c)
                .await
                .map(ExecResult::from),
        }
        .map_err(exec_err)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut live = self.live().await?;
        let conn = live.as_mut().ok_or_else(ended)?;
        self.counters
            .sent(|| Statement::from_string(self.backend, sql));
        match conn {
            Conn::Postgres(c) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut **c)
                .await
                .map(ExecResult::from),
            Conn::Sqlite(c) => sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut **c)
                .await
                .map(ExecResult::from),
        }
        .map_err(exec_err)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut live = self.live().await?;
        let conn = live.as_mut().ok_or_else(ended)?;
        self.counters.sent(|| stmt.clone());
        let sql = AssertSqlSafe(stmt.sql.as_str());
        match conn {
            Conn::Postgres(c) => sqlx::query_with(sql, values(&stmt))
                .fetch_optional(&mut **c)
                .await
                .map(|row| row.map(QueryResult::from)),
            Conn::Sqlite(c) => sqlx::query_with(sql, values(&stmt))
                .fetch_optional(&mut **c)
                .await
                .map(|row| row.map(QueryResult::from)),
        }
        .map_err(query_err)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut live = self.live().await?;
        let conn = live.as_mut().ok_or_else(ended)?;
        self.counters.sent(|| stmt.clone());
        let sql = AssertSqlSafe(stmt.sql.as_str());
        match conn {
            Conn::Postgres(c) => sqlx::query_with(sql, values(&stmt))
                .fetch_all(&mut **c)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect()),
            Conn::Sqlite(c) => sqlx::query_with(sql, values(&stmt))
                .fetch_all(&mut **c)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect()),
        }
        .map_err(query_err)
    }
}
