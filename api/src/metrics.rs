//! Prometheus metrics at `/metrics` (text exposition format 0.0.4): requests by route and status,
//! a latency histogram by route, GraphQL operations by name and outcome, the database pool's
//! use, SQL statements run, rate-limit refusals and live subscriptions. Labels hold route templates, operation
//! names and error codes only — never an identifier, a name or a token.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use parcours_domain::Db;

use crate::config::Secret;
use crate::limits::Limiter;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Distinct GraphQL operation names kept; others are counted as `other`.
const MAX_OPERATIONS: usize = 200;

#[derive(Clone, Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The process's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    operations: Mutex<HashMap<(String, String), u64>>,
}

impl Metrics {
    fn observe(&self, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry(route.to_owned()).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    /// Count one executed GraphQL operation: its name (when a plain identifier) and its
    /// outcome (`ok`, or the first error's code).
    pub fn operation(&self, name: Option<&str>, outcome: &str) {
        let name = operation_label(name);
        if let Ok(mut ops) = self.operations.lock() {
            let known = ops.keys().any(|(n, _)| n == name);
            let name = if known || ops.len() < MAX_OPERATIONS {
                name
            } else {
                "other"
            };
            *ops.entry((name.to_owned(), outcome.to_owned()))
                .or_default() += 1;
        }
    }

    fn render(&self, db: &Db, limiter: &Limiter) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP parcours_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE parcours_http_requests_total counter");
        if let Ok(r) = self.requests.lock() {
            for ((route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "parcours_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP parcours_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(
            out,
            "# TYPE parcours_http_request_duration_seconds histogram"
        );
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                for (bound, n) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "parcours_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "parcours_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "parcours_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "parcours_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP parcours_graphql_operations_total GraphQL operations by name and outcome (ok or the first error code)."
        );
        let _ = writeln!(out, "# TYPE parcours_graphql_operations_total counter");
        if let Ok(ops) = self.operations.lock() {
            let sorted: BTreeMap<_, _> = ops.iter().collect();
            for ((name, outcome), n) in sorted {
                let _ = writeln!(
                    out,
                    "parcours_graphql_operations_total{{operation=\"{name}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        let (open, idle) = db.pool_use();
        let _ = writeln!(
            out,
            "# HELP parcours_db_pool_connections Database pool connections by state."
        );
        let _ = writeln!(out, "# TYPE parcours_db_pool_connections gauge");
        let _ = writeln!(out, "parcours_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "parcours_db_pool_connections{{state=\"in_use\"}} {}",
            (open as usize).saturating_sub(idle)
        );
        let _ = writeln!(
            out,
            "# HELP parcours_db_statements_total SQL statements sent, BEGIN and COMMIT included."
        );
        let _ = writeln!(out, "# TYPE parcours_db_statements_total counter");
        let _ = writeln!(
            out,
            "parcours_db_statements_total {}",
            db.statements_executed()
        );
        let _ = writeln!(
            out,
            "# HELP parcours_db_transactions_total Transactions begun (one per request)."
        );
        let _ = writeln!(out, "# TYPE parcours_db_transactions_total counter");
        let _ = writeln!(
            out,
            "parcours_db_transactions_total {}",
            db.transactions_begun()
        );
        let _ = writeln!(
            out,
            "# HELP parcours_rate_limited_total Requests refused by the rate limits."
        );
        let _ = writeln!(out, "# TYPE parcours_rate_limited_total counter");
        let _ = writeln!(out, "parcours_rate_limited_total {}", limiter.refused());
        let _ = writeln!(
            out,
            "# HELP parcours_subscriptions Live notification subscriptions on this instance."
        );
        let _ = writeln!(out, "# TYPE parcours_subscriptions gauge");
        let _ = writeln!(out, "parcours_subscriptions {}", db.bus().subscribers());
        out
    }
}

/// An operation name fit for a label or a log line: a plain identifier of at most 64
/// characters, else `other`; `anonymous` without a name.
pub fn operation_label(name: Option<&str>) -> &str {
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 64
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            n
        }
        Some(_) => "other",
        None => "anonymous",
    }
}

/// Middleware: time and count each request by its route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe(
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// What `GET /metrics` reads: the counters, the database pool and the rate limits, and the
/// token it asks for (`None`: open).
#[derive(Clone)]
pub struct Exposed {
    pub metrics: Arc<Metrics>,
    pub db: Db,
    pub limiter: Arc<Limiter>,
    pub token: Option<Secret>,
}

/// `GET /metrics`: open on a development machine; in production only with the bearer token
/// `PARCOURS_METRICS_TOKEN` (and not served at all without one).
pub async fn endpoint(State(exposed): State<Exposed>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = exposed.token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !constant_time_eq(given.as_bytes(), token.expose()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            )
                .into_response();
        }
    }
    let mut response = exposed
        .metrics
        .render(&exposed.db, &exposed.limiter)
        .into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
