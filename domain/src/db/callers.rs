//! The callers' accounts as authentication last read them, kept between requests on
//! PostgreSQL so that a request of a known caller sends no statement to authenticate.
//!
//! What is kept, per tenant and subject, is the row authentication reads in one statement
//! (`staff::store::signing_in_at`): the tenant (status and settings), the staff member (role,
//! structure, active) and whether their structure is active. Every request still checks it
//! (`auth::admit`); only the reading is saved. An entry is kept only while a change to those
//! rows cannot go unnoticed:
//!
//! - **Every instance forgets every entry when one of the three tables changes.** On PostgreSQL a
//!   statement trigger on `tenant`, `staff_member` and `structure` calls
//!   `pg_notify('parcours_callers', '')` (migration `m20261130_000016`), delivered at commit to the
//!   `LISTEN` connection of every instance ([`super::bus::listen`]): a suspension, a deactivation,
//!   a new role, a structure closed, a setting changed, by the service or by hand in `psql`,
//!   takes effect within the notification's delivery (milliseconds: `tests/it/callers.rs`
//!   prints the delays, and proves that the notification, not the age bound, made each change
//!   take effect).
//! - **The instance that made the change forgets at once**, after its commit: its own next
//!   request never waits for the notification ([`super::Tx::commit`]).
//! - **No listener, no cache.** Entries are kept only while the listener is connected and
//!   listening; when it loses its connection, everything is forgotten and nothing is kept until it
//!   listens again. SQLite has no listener: there nothing is kept (the statement costs no round
//!   trip there).
//! - **A reading that may predate a change is never kept.** [`Callers::generation`] is taken
//!   before the transaction begins (a `REPEATABLE READ` snapshot is fixed by its first
//!   statement, the tenant's `set_config`); forgetting moves it on; [`Callers::keep`] drops a
//!   reading taken under an older generation.
//! - **Bounded**: an entry is read again after its maximum age ([`DEFAULT_MAX_AGE`] unless
//!   configured; zero keeps nothing), and at [`CAPACITY`] entries the cache starts over.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::entities::{staff_member, tenant};
use crate::ids::TenantId;

/// The PostgreSQL channel on which the triggers announce a change to who may sign in.
pub(crate) const CHANNEL: &str = "parcours_callers";

/// How long an entry is used before it is read again, whatever the notifications say, unless
/// configured otherwise (`PARCOURS_CALLERS_MAX_AGE_MS`): the bound for a listener whose
/// connection died without the instance noticing (a half-open TCP connection), or a trigger
/// disabled by hand.
pub(crate) const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

/// How many callers are kept at most (then everything is forgotten).
pub(crate) const CAPACITY: usize = 10_000;

/// What authentication reads about a caller: the tenant, the staff member with that subject,
/// and whether their structure is active (`None`: it does not exist).
#[derive(Clone, Debug)]
pub(crate) struct SigningIn {
    pub tenant: tenant::Model,
    pub staff: Option<staff_member::Model>,
    pub structure_active: Option<bool>,
}

/// A tenant's callers kept: per subject, when it was read and what.
type Subjects = HashMap<String, (Instant, SigningIn)>;

/// A moment of the cache: readings taken under an older one are not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Generation(u64);

/// The instance's callers (see the module documentation).
#[derive(Debug)]
pub(crate) struct Callers {
    /// How long an entry is used before it is read again (zero: nothing is kept).
    max_age: Duration,
    /// Per tenant, per subject: when it was read, and what.
    entries: RwLock<HashMap<TenantId, Subjects>>,
    /// How many subjects are kept, over all tenants.
    len: std::sync::atomic::AtomicUsize,
    generation: AtomicU64,
    /// Whether the listener is listening (only then are entries kept and used).
    listening: AtomicBool,
    /// How many announcements of a change the listener has heard.
    heard: AtomicU64,
}

impl Default for Callers {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_AGE)
    }
}

impl Callers {
    /// An empty cache whose entries are used for `max_age` (zero: nothing is kept).
    pub(crate) fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            entries: RwLock::default(),
            len: std::sync::atomic::AtomicUsize::default(),
            generation: AtomicU64::default(),
            listening: AtomicBool::default(),
            heard: AtomicU64::default(),
        }
    }

    /// What is kept for `subject` in `tenant`, if fresh and the cache is in use.
    pub(crate) fn get(&self, tenant: TenantId, subject: &str) -> Option<SigningIn> {
        if !self.in_use() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (at, found) = entries.get(&tenant)?.get(subject)?;
        (at.elapsed() < self.max_age).then(|| found.clone())
    }

    /// The generation to give [`Callers::keep`] for a reading about to be taken.
    pub(crate) fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::Acquire))
    }

    /// Keep `found`, read under `generation`, unless something was forgotten since or the
    /// listener is not listening.
    pub(crate) fn keep(
        &self,
        generation: Generation,
        tenant: TenantId,
        subject: &str,
        found: SigningIn,
    ) {
        if !self.in_use() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // Checked under the lock that `forget` also takes: no reading older than a forgetting
        // can slip in after it.
        if self.generation() != generation {
            return;
        }
        if self.len.load(Ordering::Relaxed) >= CAPACITY {
            entries.clear();
            self.len.store(0, Ordering::Relaxed);
        }
        let kept = entries.entry(tenant).or_default();
        if kept
            .insert(subject.to_owned(), (Instant::now(), found))
            .is_none()
        {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Forget every entry (a change to who may sign in, somewhere).
    pub(crate) fn forget(&self) {
        let forgotten = {
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            self.generation.fetch_add(1, Ordering::AcqRel);
            self.len.store(0, Ordering::Relaxed);
            std::mem::take(&mut *entries)
        };
        // Freed outside the lock.
        drop(forgotten);
    }

    /// The listener heard that a tenant, a staff member or a structure changed: forget.
    pub(crate) fn heard(&self) {
        self.forget();
        self.heard.fetch_add(1, Ordering::AcqRel);
    }

    /// How many announcements of a change the listener has heard since the instance started.
    pub(crate) fn changes_heard(&self) -> u64 {
        self.heard.load(Ordering::Acquire)
    }

    /// The listener listens (`true`) or has lost its connection (`false`); either way what was
    /// kept may be stale.
    pub(crate) fn set_listening(&self, listening: bool) {
        self.forget();
        self.listening.store(listening, Ordering::Release);
    }

    /// Whether entries are kept and used now: the listener listens and they may be kept at all.
    pub(crate) fn in_use(&self) -> bool {
        self.listening.load(Ordering::Acquire) && !self.max_age.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(tenant: TenantId) -> SigningIn {
        let now = chrono::Utc::now();
        SigningIn {
            tenant: tenant::Model {
                id: tenant.0,
                slug: "t".into(),
                name: "T".into(),
                status: "active".into(),
                clea_threshold_percent: 70,
                retention_months: 24,
                created_at: now,
                updated_at: now,
                version: 1,
            },
            staff: None,
            structure_active: None,
        }
    }

    #[test]
    fn nothing_is_kept_without_a_listener() {
        let callers = Callers::default();
        let t = TenantId(uuid::Uuid::now_v7());
        callers.keep(callers.generation(), t, "a", reading(t));
        assert!(callers.get(t, "a").is_none());
        callers.set_listening(true);
        callers.keep(callers.generation(), t, "a", reading(t));
        assert!(callers.get(t, "a").is_some());
        assert!(callers.get(t, "b").is_none(), "another subject");
        callers.set_listening(false);
        assert!(callers.get(t, "a").is_none(), "a lost listener forgets");
        callers.set_listening(true);
        assert!(callers.get(t, "a").is_none(), "and does not remember after");
    }

    /// A reading taken before a change is forgotten must not be kept after it: the race of a
    /// request that read the old row while the change committed.
    #[test]
    fn a_reading_older_than_a_forgetting_is_not_kept() {
        let callers = Callers::default();
        callers.set_listening(true);
        let t = TenantId(uuid::Uuid::now_v7());
        let before = callers.generation();
        callers.forget();
        callers.keep(before, t, "a", reading(t));
        assert!(callers.get(t, "a").is_none());
        callers.keep(callers.generation(), t, "a", reading(t));
        assert!(callers.get(t, "a").is_some());
        callers.forget();
        assert!(callers.get(t, "a").is_none());
    }

    #[test]
    fn an_entry_is_used_for_its_maximum_age_and_zero_keeps_nothing() {
        let t = TenantId(uuid::Uuid::now_v7());
        for (max_age, kept) in [
            (Duration::from_secs(3600), true),
            (Duration::from_millis(1), false),
        ] {
            let callers = Callers::new(max_age);
            callers.set_listening(true);
            callers.keep(callers.generation(), t, "a", reading(t));
            std::thread::sleep(Duration::from_millis(5));
            assert_eq!(callers.get(t, "a").is_some(), kept, "used for {max_age:?}");
        }

        let off = Callers::new(Duration::ZERO);
        off.set_listening(true);
        assert!(!off.in_use());
        off.keep(off.generation(), t, "a", reading(t));
        assert!(off.get(t, "a").is_none());
        assert_eq!(off.len.load(Ordering::Relaxed), 0, "nothing stored");
    }

    #[test]
    fn a_change_heard_forgets_and_is_counted() {
        let callers = Callers::default();
        callers.set_listening(true);
        let t = TenantId(uuid::Uuid::now_v7());
        callers.keep(callers.generation(), t, "a", reading(t));
        callers.heard();
        assert!(callers.get(t, "a").is_none());
        callers.forget();
        assert_eq!(
            callers.changes_heard(),
            1,
            "a forgetting of its own is not heard"
        );
    }

    #[test]
    fn the_cache_starts_over_at_its_capacity() {
        let callers = Callers::default();
        callers.set_listening(true);
        let t = TenantId(uuid::Uuid::now_v7());
        for i in 0..=CAPACITY {
            callers.keep(callers.generation(), t, &i.to_string(), reading(t));
        }
        assert!(callers.get(t, "0").is_none(), "the first was dropped");
        assert!(callers.get(t, &CAPACITY.to_string()).is_some());
    }
}
