//! The instance's count of open subscription sockets: in all (at most
//! `PARCOURS_WS_MAX_CONNECTIONS`) and per subject (at most [`MAX_CONNECTIONS_PER_SUBJECT`]), so
//! that one user cannot hold the instance's sockets. Held in the shared state; `ws` takes and
//! gives back places.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Open connections per subject (tenant and `sub`) on one instance.
pub const MAX_CONNECTIONS_PER_SUBJECT: usize = 10;

/// The open connections: of each subject, so that one user cannot hold the instance's
/// sockets, and in all, so that the instance holds at most its cap.
#[derive(Debug)]
pub struct Connections {
    per_subject: Mutex<HashMap<(Option<String>, String), usize>>,
    open: AtomicUsize,
    settings: crate::config::WsSettings,
}

impl Connections {
    pub fn new(settings: crate::config::WsSettings) -> Self {
        Self {
            per_subject: Mutex::default(),
            open: AtomicUsize::new(0),
            settings,
        }
    }

    /// How often the server pings each socket.
    pub(crate) fn ping_every(&self) -> std::time::Duration {
        self.settings.ping_every
    }

    /// A place for one more socket on the instance, if there is one.
    pub(crate) fn socket(self: &Arc<Self>) -> Option<Socket> {
        let taken = self.open.fetch_add(1, Ordering::SeqCst);
        if taken >= self.settings.max_connections {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Socket(Arc::clone(self)))
    }
}

/// One socket's place on the instance, given back when dropped.
pub(crate) struct Socket(Arc<Connections>);

impl Drop for Socket {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One counted connection, released when dropped (when the socket closes).
pub(crate) struct Counted {
    table: Arc<Connections>,
    key: (Option<String>, String),
}

impl Connections {
    pub(crate) fn open(self: &Arc<Self>, key: (Option<String>, String)) -> Option<Counted> {
        let mut open = self.per_subject.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key.clone()).or_default();
        if *count >= MAX_CONNECTIONS_PER_SUBJECT {
            return None;
        }
        *count += 1;
        Some(Counted {
            table: Arc::clone(self),
            key,
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self
            .table
            .per_subject
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}
