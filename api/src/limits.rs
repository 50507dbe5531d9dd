//! Rate limits: a token bucket per subject and one per tenant, so that one user or one
//! territory cannot starve the others. Checked right after the token's signature, before any
//! database work; a refusal is `429 RATE_LIMITED` with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One limit: `per_minute` requests sustained, up to `burst` at once. `per_minute = 0` turns
/// it off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    fn per_second(self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }
}

/// The configured limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimits {
    pub subject: Rate,
    pub tenant: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            subject: Rate {
                per_minute: 600,
                burst: 120,
            },
            tenant: Rate {
                per_minute: 6_000,
                burst: 600,
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// The bucket refilled up to `now`.
    fn refilled(self, rate: Rate, now: Instant) -> Self {
        let gained = now.duration_since(self.at).as_secs_f64() * rate.per_second();
        Self {
            tokens: (self.tokens + gained).min(f64::from(rate.burst)),
            at: now,
        }
    }

    /// How long until one token is there.
    fn wait(self, rate: Rate) -> Duration {
        let missing = (1.0 - self.tokens).max(0.0);
        Duration::from_secs_f64(missing / rate.per_second().max(f64::MIN_POSITIVE))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Subject(Option<String>, String),
    Tenant(String),
}

/// The buckets of a process.
#[derive(Debug)]
pub struct Limiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<Key, Bucket>>,
    refused: AtomicU64,
}

/// Buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 50_000;

impl Limiter {
    /// Buckets for `limits`.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            buckets: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
        }
    }

    /// Requests refused so far (for metrics).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Take one request for `subject` of `tenant`, or say how long to wait. A request counts
    /// against both buckets only when both have room.
    pub fn take(&self, tenant: Option<&str>, subject: &str) -> Result<(), Duration> {
        self.take_at(tenant, subject, Instant::now())
    }

    fn take_at(&self, tenant: Option<&str>, subject: &str, now: Instant) -> Result<(), Duration> {
        let mut checks = Vec::with_capacity(2);
        if self.limits.subject.per_minute > 0 {
            checks.push((
                Key::Subject(tenant.map(str::to_owned), subject.to_owned()),
                self.limits.subject,
            ));
        }
        if let (Some(t), true) = (tenant, self.limits.tenant.per_minute > 0) {
            checks.push((Key::Tenant(t.to_owned()), self.limits.tenant));
        }
        if checks.is_empty() {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            // A poisoned lock only means a panic elsewhere: do not refuse service for it.
            return Ok(());
        };
        if buckets.len() > MAX_BUCKETS {
            let limits = self.limits;
            buckets.retain(|key, b| {
                let rate = match key {
                    Key::Subject(..) => limits.subject,
                    Key::Tenant(_) => limits.tenant,
                };
                b.refilled(rate, now).tokens < f64::from(rate.burst)
            });
        }
        let mut refilled = Vec::with_capacity(checks.len());
        let mut wait = Duration::ZERO;
        for (key, rate) in &checks {
            let full = Bucket {
                tokens: f64::from(rate.burst),
                at: now,
            };
            let b = buckets
                .get(key)
                .copied()
                .unwrap_or(full)
                .refilled(*rate, now);
            if b.tokens < 1.0 {
                wait = wait.max(b.wait(*rate));
            }
            refilled.push(b);
        }
        if wait > Duration::ZERO {
            for ((key, _), b) in checks.into_iter().zip(refilled) {
                buckets.insert(key, b);
            }
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(wait);
        }
        for ((key, _), mut b) in checks.into_iter().zip(refilled) {
            b.tokens -= 1.0;
            buckets.insert(key, b);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(subject: (u32, u32), tenant: (u32, u32)) -> Limiter {
        Limiter::new(RateLimits {
            subject: Rate {
                per_minute: subject.0,
                burst: subject.1,
            },
            tenant: Rate {
                per_minute: tenant.0,
                burst: tenant.1,
            },
        })
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let l = limiter((60, 3), (0, 0));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take_at(Some("a"), "u", t0).is_ok());
        }
        let wait = l.take_at(Some("a"), "u", t0).expect_err("empty");
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        // One second later one token is back, not two.
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.take_at(Some("a"), "u", t1).is_ok());
        assert!(l.take_at(Some("a"), "u", t1).is_err());
        // Another subject has its own bucket.
        assert!(l.take_at(Some("a"), "v", t1).is_ok());
        assert_eq!(l.refused(), 2);
    }

    #[test]
    fn a_tenant_shares_one_bucket_and_others_are_untouched() {
        let l = limiter((600, 100), (60, 4));
        let t0 = Instant::now();
        for who in ["u", "v", "w", "x"] {
            assert!(l.take_at(Some("a"), who, t0).is_ok());
        }
        assert!(
            l.take_at(Some("a"), "y", t0).is_err(),
            "the tenant is spent"
        );
        assert!(l.take_at(Some("b"), "u", t0).is_ok(), "another tenant");
        // A refusal by the tenant bucket costs the subject nothing.
        let l = limiter((60, 1), (60, 1));
        assert!(l.take_at(Some("a"), "u", t0).is_ok());
        assert!(l.take_at(Some("a"), "v", t0).is_err());
        assert!(l.take_at(Some("b"), "v", t0).is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let l = limiter((0, 0), (0, 0));
        let t0 = Instant::now();
        for _ in 0..1_000 {
            assert!(l.take_at(Some("a"), "u", t0).is_ok());
        }
    }
}
