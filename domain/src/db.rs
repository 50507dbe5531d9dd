//! The database handle and its transactions.
//!
//! Every tenant query runs inside a [`TenantTx`]: a transaction whose first statement, on
//! PostgreSQL, is `SELECT set_config('app.tenant_id', $1, true)`, transaction-local so that a
//! pooled connection never carries one tenant into the next request. Row-level security then
//! filters every statement, behind the scoping that each `store.rs` applies itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};

use crate::error::{DomainError, Result};
use crate::ids::TenantId;
use crate::notifications::Bus;
use crate::notifications::bus::{CHANNEL, Event, payloads};

/// The time source. Fixed once per transaction; tests can set it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock that calls `f`.
    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// The current instant, truncated to microseconds (what both databases keep).
    pub fn now(&self) -> DateTime<Utc> {
        let now = (self.0)();
        let micros = now.timestamp_micros();
        DateTime::from_timestamp_micros(micros).unwrap_or(now)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a request waits for a connection (or for a new one to open) before it is
    /// answered `UNAVAILABLE`.
    pub acquire_timeout: Duration,
    /// On PostgreSQL, the server cancels any statement running longer (a connection option,
    /// so it costs no statement); its transaction is rolled back and the request is answered
    /// `UNAVAILABLE`. `None`: no limit. SQLite has no such limit (its waits for the write lock
    /// end at `busy_timeout`).
    pub statement_timeout: Option<Duration>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: None,
        }
    }
}

/// The runtime database: a pool of connections as the runtime (non-owner) role.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    clock: Clock,
    statements: Arc<AtomicU64>,
    bus: Bus,
}

impl Db {
    /// Connect to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        if let Some(timeout) = pool.statement_timeout {
            let millis = timeout.as_millis().max(1);
            options.map_sqlx_postgres_opts(move |opts| {
                opts.options([("statement_timeout", millis.to_string())])
            });
        }
        options
            .max_connections(pool.max_connections)
            .min_connections(0)
            .connect_timeout(pool.acquire_timeout)
            .acquire_timeout(pool.acquire_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let mut conn = sea_orm::Database::connect(options)
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self {
            conn,
            clock: Clock::system(),
            statements,
            bus: Bus::default(),
        })
    }

    /// The same database read with another clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// How many SQL statements this pool has run since it was opened (for N+1 tests and
    /// metrics).
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The pool's connections: (open, idle).
    pub fn pool_use(&self) -> (u32, usize) {
        match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        }
    }

    /// The instance's notification bus (see [`crate::notifications`]).
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.conn
            .ping()
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))
    }

    /// Close the pool.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await.map_err(DomainError::from)
    }

    /// A read transaction scoped to `tenant`.
    pub(crate) async fn tenant_tx(&self, tenant: TenantId) -> Result<TenantTx> {
        self.platform_tx().await?.into_tenant(tenant).await
    }

    /// A write transaction scoped to `tenant`. On SQLite it begins `IMMEDIATE`: it waits for
    /// the write lock up front (within `busy_timeout`) instead of failing with "database is
    /// locked" when a read transaction later tries to become a write.
    pub(crate) async fn tenant_write(&self, tenant: TenantId) -> Result<TenantTx> {
        self.platform_write().await?.into_tenant(tenant).await
    }

    /// A write transaction on the tenant registry (see [`Db::tenant_write`]).
    pub(crate) async fn platform_write(&self) -> Result<PlatformTx> {
        let options = sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(PlatformTx {
            tx: self.conn.begin_with_options(options).await?,
            now: self.clock.now(),
            bus: self.bus.clone(),
        })
    }

    /// A transaction on the platform's tenant registry (the `tenant` table only).
    pub(crate) async fn platform_tx(&self) -> Result<PlatformTx> {
        Ok(PlatformTx {
            tx: self.conn.begin().await?,
            now: self.clock.now(),
            bus: self.bus.clone(),
        })
    }

    /// For start-up checks and tests: the raw connection.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

/// A transaction in which every statement sees one tenant only.
pub(crate) struct TenantTx {
    tx: DatabaseTransaction,
    tenant: TenantId,
    now: DateTime<Utc>,
    bus: Bus,
    /// SQLite: events published once the transaction commits.
    outbox: Mutex<Vec<Event>>,
}

impl TenantTx {
    pub(crate) fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The instant of this transaction: every rule in it reads this one.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Deliver `events` to the subscribers of every instance if, and when, this transaction
    /// commits (see [`crate::notifications`]).
    pub(crate) async fn publish(&self, events: Vec<Event>) -> Result<()> {
        if self.tx.get_database_backend() == DbBackend::Postgres {
            for payload in payloads(&events)? {
                self.tx
                    .execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "SELECT pg_notify($1, $2)",
                        [CHANNEL.into(), payload.into()],
                    ))
                    .await?;
            }
        } else {
            self.outbox
                .lock()
                .map_err(|_| DomainError::Internal("notification outbox poisoned".into()))?
                .extend(events);
        }
        Ok(())
    }

    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(DomainError::from)?;
        let events = self
            .outbox
            .into_inner()
            .map_err(|_| DomainError::Internal("notification outbox poisoned".into()))?;
        for event in events {
            self.bus.publish(event);
        }
        Ok(())
    }
}

/// A transaction on the tenant registry, before or outside any tenant scope.
pub(crate) struct PlatformTx {
    tx: DatabaseTransaction,
    now: DateTime<Utc>,
    bus: Bus,
}

impl PlatformTx {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Enter `tenant`'s scope in this same transaction (creating a tenant writes its first rows).
    pub(crate) async fn into_tenant(self, tenant: TenantId) -> Result<TenantTx> {
        if self.tx.get_database_backend() == DbBackend::Postgres {
            self.tx
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT set_config('app.tenant_id', $1, true)",
                    [tenant.0.to_string().into()],
                ))
                .await?;
        }
        Ok(TenantTx {
            tx: self.tx,
            tenant,
            now: self.now,
            bus: self.bus,
            outbox: Mutex::default(),
        })
    }

    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(DomainError::from)
    }
}

/// Run one statement outside any tenant scope, on `db`'s own role. For tooling and tests
/// (creating a test database); never called from a request path.
pub async fn execute_unscoped(db: &Db, sql: &str) -> Result<()> {
    db.conn.execute_unprepared(sql).await?;
    Ok(())
}
