//! Live delivery of notifications to the subscribers of every instance.
//!
//! The bus belongs to the transaction layer: a transaction publishes its events when it
//! commits, so it sits below the areas that publish (notifications) and the transport that
//! subscribes (`api/src/ws.rs`), and depends on none of them.
//!
//! Each instance has one [`Bus`] (a broadcast channel). A change's transaction hands its
//! notifications to [`TenantTx::publish`]: on PostgreSQL they become `pg_notify` calls in that
//! transaction, which PostgreSQL delivers at commit (and never after a rollback) to the
//! `LISTEN` connection of every instance, where [`listen`] puts them on the local bus; on
//! SQLite they wait in the transaction and go on the bus after its commit. Delivery is at most
//! once and best effort (a subscriber that lags or a listener that reconnects may miss some):
//! the rows are the truth, and clients catch up with `notifications(unread: true)`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::DbBackend;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::Db;
use super::callers::{self, Callers};
use crate::error::{DomainError, Result};
use crate::ids::{NotificationId, StaffId, TenantId};

/// The PostgreSQL channel.
pub(crate) const CHANNEL: &str = "parcours_notifications";
/// Events per `pg_notify` payload (PostgreSQL caps a payload at 8,000 bytes; one event is
/// about 130).
pub(crate) const EVENTS_PER_PAYLOAD: usize = 40;
/// Events an idle subscriber may lag behind before it misses some.
const CAPACITY: usize = 1024;

/// A notification on its way to its recipient's subscriptions: which row, for whom. The
/// subscription reads the row itself, in the recipient's tenant scope, before delivering it,
/// so an event that did not come from a committed row (anyone who can connect to the database
/// may `NOTIFY`) delivers nothing, and the channel carries no more than three IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub tenant_id: Uuid,
    pub recipient_id: Uuid,
    pub id: Uuid,
}

impl Event {
    pub(crate) fn new(tenant: TenantId, recipient: StaffId, id: NotificationId) -> Self {
        Self {
            tenant_id: tenant.0,
            recipient_id: recipient.0,
            id: id.0,
        }
    }
}

/// What travels on the bus.
#[derive(Clone, Copy, Debug)]
enum Signal {
    Event(Event),
    Gap,
}

/// Events may have been missed: the subscriber lagged more than the bus holds, or the
/// listener reconnected. The client catches up with `notifications(unread: true)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missed;

/// One subscriber's events.
#[derive(Debug)]
pub struct Subscription(broadcast::Receiver<Signal>);

impl Subscription {
    /// The next event, `Err(Missed)` when some may have been missed, `None` when the bus is
    /// gone.
    pub async fn next(&mut self) -> Option<std::result::Result<Event, Missed>> {
        match self.0.recv().await {
            Ok(Signal::Event(event)) => Some(Ok(event)),
            Ok(Signal::Gap) | Err(broadcast::error::RecvError::Lagged(_)) => Some(Err(Missed)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// The instance's broadcast of notification events.
#[derive(Clone, Debug)]
pub struct Bus {
    sender: broadcast::Sender<Signal>,
    /// Whether this pool's `LISTEN` task runs (one per pool, however many routers).
    listening: Arc<AtomicBool>,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            listening: Arc::default(),
        }
    }
}

impl Bus {
    /// Every event from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription(self.sender.subscribe())
    }

    /// Tell every subscriber that events may have been missed (the listener lost its
    /// connection, and with it whatever was announced meanwhile).
    fn gap(&self) {
        let _ = self.sender.send(Signal::Gap);
    }

    /// How many live subscriptions listen on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    pub(crate) fn publish(&self, event: Event) {
        // No subscriber is not an error.
        let _ = self.sender.send(Signal::Event(event));
    }

    /// Events of a `pg_notify` payload; a malformed payload is logged and dropped.
    fn receive(&self, payload: &str) {
        match serde_json::from_str::<Vec<Event>>(payload) {
            Ok(events) => events.into_iter().for_each(|e| self.publish(e)),
            Err(e) => tracing::warn!(error = %e, "notification payload dropped"),
        }
    }
}

/// The payloads of `events`, for `pg_notify`.
pub(crate) fn payloads(events: &[Event]) -> Result<Vec<String>> {
    events
        .chunks(EVENTS_PER_PAYLOAD)
        .map(|chunk| {
            serde_json::to_string(chunk)
                .map_err(|e| DomainError::Internal(format!("notification payload: {e}")))
        })
        .collect()
}

/// On PostgreSQL, listen for every instance's notifications and put them on `db`'s bus, and
/// for the triggers' announcements that who may sign in has changed, which make `db` forget
/// the callers it keeps ([`super::callers`]), until `db`'s pool is closed; reconnects after a
/// lost connection. On SQLite, or when this pool already listens, nothing to do: `None`. The
/// listener has its own connection (same server, role and options), so it never takes one from
/// the requests' pool.
pub fn listen(db: &Db) -> Option<tokio::task::JoinHandle<()>> {
    use sea_orm::sqlx::postgres::PgPoolOptions;
    if db.backend() != DbBackend::Postgres || db.bus().listening.swap(true, Ordering::SeqCst) {
        return None;
    }
    let requests = db.conn().get_postgres_connection_pool().clone();
    let own = PgPoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(requests.connect_options().as_ref().clone());
    let bus = db.bus().clone();
    let callers = Arc::clone(&db.callers);
    Some(tokio::spawn(async move {
        // Runs until the requests' pool is closed (the service stops, a test ends).
        tokio::select! {
            () = relay(&own, &bus, &callers) => {}
            () = requests.close_event() => {}
        }
        callers.set_listening(false);
        own.close().await;
    }))
}

/// Listen on `own`'s connection and relay what arrives, reconnecting forever. A lost
/// connection is a gap on the bus, and the callers are forgotten and no longer kept until the
/// listener listens again.
async fn relay(own: &sea_orm::sqlx::PgPool, bus: &Bus, callers: &Callers) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(own).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "notification listener: cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([CHANNEL, callers::CHANNEL]).await {
            tracing::warn!(error = %e, "notification listener: LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        tracing::info!("notification listener: listening");
        callers.set_listening(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) if notification.channel() == callers::CHANNEL => {
                    callers.heard();
                }
                Ok(Some(notification)) => bus.receive(notification.payload()),
                Ok(None) => {
                    tracing::warn!("notification listener: connection lost; reconnecting");
                    callers.set_listening(false);
                    bus.gap();
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "notification listener: error; retrying");
                    callers.set_listening(false);
                    bus.gap();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}
