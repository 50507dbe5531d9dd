//! The database: a pool of connections, and the one transaction each unit of work runs in.
//!
//! **One request, one transaction.** The transport opens a [`Tx`] once the caller's token is
//! verified ([`Db::begin`]), authentication runs inside it ([`crate::auth::authenticate`]),
//! every resolver and loader of the operation uses it, and the transport commits it after the
//! answer is built and its access entries are written ([`Tx::commit`]). Domain functions take a
//! `&Tx` and never a `&Db`: they cannot open a second transaction. Jobs, the CLI and the demo
//! are entry points of their own and open theirs with [`Db::run`].
//!
//! **Reads** ([`Mode::Read`]) see one snapshot: `BEGIN ISOLATION LEVEL REPEATABLE READ` on
//! PostgreSQL, a deferred `BEGIN` on SQLite (in WAL mode a reader's snapshot starts at its first
//! read). **Writes** ([`Mode::Write`]) run `READ COMMITTED` on PostgreSQL, where the rules that
//! count rows take row locks and re-read after them, and `BEGIN IMMEDIATE` on SQLite, which
//! takes the write lock up front (within `busy_timeout`) instead of failing when a reader
//! later tries to write.
//!
//! **Concurrent resolvers share the transaction.** A [`Tx`] is a cheap handle; clones share one
//! connection, and each statement takes that connection for its own duration only, so sibling
//! resolvers and loader batches interleave statements without waiting for each other's
//! futures. A statement that fails on PostgreSQL aborts the transaction: every later statement
//! of the request fails too, and the transport rolls back. Mutation fields run one after the
//! other; each domain write is a [`scope::Change`] whose commit writes its audit entry, inside a
//! savepoint of its own when the operation holds several (see [`Mode::Write`]).
//!
//! **Authentication costs no statement for a known caller** on PostgreSQL: what it read is kept
//! until a tenant, a staff member or a structure changes, on any instance ([`callers`]).
//!
//! **Tenant scoping is structural.** On PostgreSQL the first statement of a tenant's work is
//! `SELECT set_config('app.tenant_id', …, true)`, transaction-local so that a pooled connection
//! never carries one tenant into the next request, and row-level security filters every
//! statement. Behind that wall (and the only one on SQLite), [`scope::TenantTx`] adds the
//! tenant to every select, update and delete of a tenant-owned entity and sets it on every
//! insert; the raw sea-orm entry points are banned elsewhere (`domain/clippy.toml`).
//!
//! **A batch read looks its keys up in one array parameter** on PostgreSQL ([`keys`]): the same
//! statement text for any number of keys, prepared once per connection.

pub(crate) mod bus;
pub(crate) mod callers;
pub mod checks;
mod combined;
mod keys;
pub(crate) mod rows;
mod scope;
mod tx;

pub(crate) use combined::{Claimed, Guarded, Pending, READ, Rows, TenantRow, Upsert};
pub(crate) use scope::{Action, Change, PlatformTx, TenantTx};
pub use tx::{Mode, Tx};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend};

use crate::error::{DomainError, Result};
use bus::Bus;

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

/// The runtime pool's settings, and how long its instance keeps a caller's account.
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
    /// On PostgreSQL, how long a caller's account read by authentication is used before it is
    /// read again, whatever the listener hears ([`callers`]); zero keeps nothing.
    pub callers_max_age: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: None,
            callers_max_age: callers::DEFAULT_MAX_AGE,
        }
    }
}

/// What the pool has sent to the database, for statement-count tests and metrics.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Every statement, `BEGIN`, `COMMIT`, `ROLLBACK` and savepoints included.
    statements: AtomicU64,
    /// Messages sent and answered: a statement each, except a `BEGIN` sent together with the
    /// tenant's `set_config` (two statements, one round trip).
    round_trips: AtomicU64,
    /// Transactions begun.
    transactions: AtomicU64,
    /// Whether the work's statements are being recorded ([`Db::record_statements`]).
    recording: AtomicBool,
    /// The work's statements sent while recording, with their values.
    recorded: std::sync::Mutex<Vec<sea_orm::Statement>>,
}

impl Counters {
    fn statement(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.round_trips.fetch_add(1, Ordering::Relaxed);
    }

    /// A statement of the work, counted, and recorded while [`Db::record_statements`] is on
    /// (`statement` builds it only then).
    fn sent(&self, statement: impl FnOnce() -> sea_orm::Statement) {
        self.statement();
        if self.recording.load(Ordering::Relaxed) {
            self.recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(statement());
        }
    }

    /// A statement that travels with the previous one, in the same message.
    fn piggyback(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }

    fn transaction(&self) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
    }
}

/// The runtime database: a pool of connections as the runtime (non-owner) role.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    clock: Clock,
    counters: Arc<Counters>,
    bus: Bus,
    /// Tenant slugs already seen, with their IDs: a slug never changes and a tenant is never
    /// deleted, so a request can begin in its tenant's scope at once (see [`crate::auth`]).
    /// Only the mapping is kept: the tenant's status is read by every request.
    slugs: Arc<std::sync::RwLock<std::collections::HashMap<String, crate::ids::TenantId>>>,
    /// The callers' accounts as authentication last read them (PostgreSQL, while the listener
    /// listens; see [`callers`]).
    callers: Arc<callers::Callers>,
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
            // No ping when a connection leaves the pool: it would cost every request a round
            // trip (the pool already pings each connection it takes back). A connection closed
            // while idle fails the transaction's first message and is replaced there (see
            // `Tx::begin_in`).
            .test_before_acquire(false)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let mut conn = sea_orm::Database::connect(options)
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))?;
        let counters = Arc::new(Counters::default());
        let counted = Arc::clone(&counters);
        // Statements sent outside a `Tx` (start-up checks, the demo's emptiness test).
        conn.set_metric_callback(move |_| counted.statement());
        Ok(Self {
            conn,
            clock: Clock::system(),
            counters,
            bus: Bus::default(),
            slugs: Arc::default(),
            callers: Arc::new(callers::Callers::new(pool.callers_max_age)),
        })
    }

    /// The same database read with another clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// How many statements this pool has sent since it was opened, `BEGIN`, `COMMIT` and
    /// savepoints included (for statement-count tests and metrics).
    pub fn statements_executed(&self) -> u64 {
        self.counters.statements.load(Ordering::Relaxed)
    }

    /// How many messages this pool has sent to the database and waited for (see
    /// [`Db::statements_executed`]; a `BEGIN` sent with its `set_config` is one).
    pub fn round_trips(&self) -> u64 {
        self.counters.round_trips.load(Ordering::Relaxed)
    }

    /// How many transactions this pool has begun since it was opened.
    pub fn transactions_begun(&self) -> u64 {
        self.counters.transactions.load(Ordering::Relaxed)
    }

    /// From now on (`true`) or no longer (`false`), record each statement of the work that
    /// this pool sends (SQL and values, in the order sent, savepoints included; not a
    /// transaction's own `BEGIN`, `COMMIT` or `ROLLBACK`, nor a rollback to a savepoint), for
    /// a test to look at what the service itself sends: a statement's plan, its shape. Off
    /// unless a test turns it on; off, it costs one atomic load per statement.
    pub fn record_statements(&self, on: bool) {
        self.counters.recording.store(on, Ordering::Relaxed);
    }

    /// The statements recorded so far ([`Db::record_statements`]), taken.
    pub fn recorded_statements(&self) -> Vec<sea_orm::Statement> {
        std::mem::take(
            &mut *self
                .counters
                .recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
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

    /// The callers' accounts kept between requests (see [`callers`]).
    pub(crate) fn callers(&self) -> &callers::Callers {
        &self.callers
    }

    /// Whether this instance keeps its callers' accounts between requests now: on PostgreSQL,
    /// while its listener listens (see `domain/src/db/callers.rs`).
    pub fn keeps_callers(&self) -> bool {
        self.callers.in_use()
    }

    /// How many announcements that a tenant, a staff member or a structure changed this
    /// instance's listener has heard (each one made it forget the callers it keeps).
    pub fn changes_heard(&self) -> u64 {
        self.callers.changes_heard()
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Whether the database answers (`UNAVAILABLE` otherwise). On PostgreSQL a pooled
    /// connection that the server closed while it sat idle is dropped and another tried, as a
    /// transaction's `BEGIN` does, so a restart the pool has not noticed yet is no failure.
    pub async fn ping(&self) -> Result<()> {
        let answered = match self.backend() {
            DbBackend::Postgres => {
                use sea_orm::sqlx::Connection;
                let pool = self.conn.get_postgres_connection_pool();
                tx::on_live_connection(pool, || async { pool.acquire().await?.ping().await })
                    .await
                    .map_err(|e| e.to_string())
            }
            _ => self.conn.ping().await.map_err(|e| e.to_string()),
        };
        answered.map_err(DomainError::Unavailable)
    }

    /// Close the pool.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await.map_err(DomainError::from)
    }

    /// Begin the one transaction of a unit of work: a request (its transport calls this once
    /// the token is verified), a job or a CLI command. Nothing in the domain calls it: domain
    /// functions receive the transaction.
    pub async fn begin(&self, mode: Mode) -> Result<Tx> {
        Tx::begin(self, mode).await
    }

    /// Run `work` in a transaction of its own, committed when it succeeds and rolled back when
    /// it fails: for jobs, the CLI and the demo, which are entry points of their own.
    pub async fn run<T>(&self, mode: Mode, work: impl AsyncFnOnce(&Tx) -> Result<T>) -> Result<T> {
        #[expect(clippy::disallowed_methods, reason = "`run` is `begin` with its end")]
        let tx = self.begin(mode).await?;
        let outcome = work(&tx).await;
        tx.end(outcome).await
    }

    /// Begin in `tenant`'s scope (see [`Tx::begin_in`]).
    pub(crate) async fn begin_in(&self, mode: Mode, tenant: crate::ids::TenantId) -> Result<Tx> {
        Tx::begin_in(self, mode, Some(tenant)).await
    }

    /// The ID of the tenant with `slug`, when a request has seen it.
    pub(crate) fn known_tenant(&self, slug: &str) -> Option<crate::ids::TenantId> {
        let slugs = self.slugs.read().unwrap_or_else(|e| e.into_inner());
        slugs.get(slug).copied()
    }

    /// Remember that `slug` is `tenant`'s (a bounded map: one entry per tenant that exists).
    pub(crate) fn remember_tenant(&self, slug: &str, tenant: crate::ids::TenantId) {
        let mut slugs = self.slugs.write().unwrap_or_else(|e| e.into_inner());
        slugs.insert(slug.to_owned(), tenant);
    }

    /// For start-up checks and tests: the raw connection.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

/// Run one statement outside any tenant scope, on `db`'s own role. For tooling and tests
/// (creating a test database); never called from a request path.
pub async fn execute_unscoped(db: &Db, sql: &str) -> Result<()> {
    #[expect(clippy::disallowed_methods, reason = "tooling outside any tenant")]
    db.conn.execute_unprepared(sql).await?;
    Ok(())
}
