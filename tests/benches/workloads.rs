//! Three GraphQL workloads against the `parcours` binary, next to PostgreSQL's row-level
//! security "limit" measured with `pgbench`, on a database built for the run.
//!
//! What it does:
//! - creates a database `pb_<uuid>` as the owner role, runs `parcours migrate`, and seeds it at
//!   PLIE scale (by default 20 tenants × 5,000 participants; per tenant 40 cohorts of 10
//!   enrolled members, 24 sessions each, one final diagnostic per member, attendance for the
//!   first 12 sessions; sessions 13–24 are left free for W3);
//! - starts the binary as production would (`PARCOURS_ENV=production`, runtime role
//!   `parcours_app`, pool of 10, rate limits off) and loads it from this process (tokio and
//!   reqwest, `c` concurrent loops, one steering token per tenant, a random tenant per request):
//!   - W1: `participants(first: 50, sort: NAME)` with the commune's name;
//!   - W2: `cohorts(first: 20)` → members → participant names and diagnostic (FLE, CléA);
//!   - W3: `recordAttendance` of one free (session, member) pair under a fresh idempotency key,
//!     87% present and signed on paper, the rest absent; no pair is written twice in a run,
//!     and the rows written (attendance, idempotency keys, audit entries) are checked against
//!     the answers, then deleted;
//! - runs `pgbench -M prepared` as `parcours_app` on scripts in the RLS shape (`BEGIN;
//!   set_config('app.tenant_id', …, true); <one statement>; COMMIT`) that answer the same
//!   questions: the limit a perfect server would reach on this database;
//! - prints one markdown table: req/s, p50 and p99 latency, errors, SQL statements and
//!   transactions per request, and Parcours' req/s over each limit's.
//!
//! It exits non-zero when a request fails (transport error, non-200, GraphQL `errors`), when
//! an answer differs from the data seeded (every W3 answer; every 50th W1/W2 answer, or every
//! one at tiny sizes), when W3's rows do not match its answers, or when `pgbench` fails. The
//! timings themselves are never checked.
//!
//! Run it at full size (about 16 s of seeding, then about 3 min per concurrency at the default
//! durations):
//!
//! ```sh
//! cargo build --release -p parcours-api && \
//!   BENCH_BIN=target/release/parcours cargo bench -p parcours-tests --bench workloads
//! ```
//!
//! and at a tiny size (CI; well under a minute with the debug binary):
//!
//! ```sh
//! cargo build -p parcours-api && BENCH_BIN=target/debug/parcours BENCH_TENANTS=2 \
//!   BENCH_PARTICIPANTS=200 BENCH_COHORTS=3 BENCH_SECONDS=2 BENCH_CONCURRENCY=4 \
//!   cargo bench -p parcours-tests --bench workloads
//! ```
//!
//! Environment:
//! - `BENCH_BIN`: the binary (default `target/release/parcours`; a relative path is taken from
//!   the current directory, else from the workspace root);
//! - `TEST_POSTGRES_URL`: the owner role, which may create databases (default
//!   `postgres://parcours_owner@127.0.0.1:5432/postgres`); `TEST_POSTGRES_APP_USER`: the
//!   runtime role (default `parcours_app`); `TEST_POSTGRES_SUPERUSER_URL`, when set, runs a
//!   `CHECKPOINT` before each measurement;
//! - `BENCH_TENANTS` (20), `BENCH_PARTICIPANTS` (5000 per tenant), `BENCH_COHORTS` (40 per
//!   tenant, 10 members each: at most `BENCH_PARTICIPANTS / 10`);
//! - `BENCH_SECONDS` (20) measured per run, after `BENCH_WARMUP` seconds (5, or half of
//!   `BENCH_SECONDS` when that is less); `BENCH_CONCURRENCY` ("16,64"); `BENCH_WORKLOADS`
//!   ("w1,w2,w3");
//! - `BENCH_SAMPLE`: check every n-th W1/W2 answer (50; 1 when tenants × participants ≤ 10,000);
//! - `BENCH_PGBENCH`: the `pgbench` program (default `pgbench`); `BENCH_LIMIT=0` skips the
//!   limit (so does a missing `pgbench`, with a warning);
//! - `BENCH_KEEP=1` keeps the database (and prints its name) instead of dropping it.
//!
//! W3 has tenants × cohorts × 120 free pairs (96,000 at full size, 720 at the tiny size above);
//! a fast binary may write them all before its time is up at tiny sizes: the run then stops
//! early (a note says so) and its rate is over the time it ran.
//!
//! Counting: "statements/req" is the delta of `parcours_db_statements_total` over the requests,
//! BEGIN and COMMIT included (binaries that did not count them, before the one transaction per
//! request, get 2 per transaction added); for the limit it is BEGIN, set_config, the one
//! statement and COMMIT. "tx/req (counter)" is the delta of `parcours_db_transactions_total` (`n/a`
//! when the binary has no such counter); "tx/req (pg_stat)" is the delta of
//! `pg_stat_database.xact_commit + xact_rollback` of the bench database, read when no backend
//! is connected to it (a backend flushes its counters when it exits, at most once a second
//! before that): for pgbench over its measured run; for Parcours from before the service starts
//! to after it stops, less what a start and a stop cost alone, over all the requests of the
//! slot (warm-up included).

#[path = "workloads/limit.rs"]
mod limit;
#[path = "workloads/load.rs"]
mod load;
#[path = "workloads/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use uuid::Uuid;

/// Errors are sentences for the operator; the bench stops at the first one.
type R<T> = Result<T, String>;

/// One of the three workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workload {
    W1,
    W2,
    W3,
}

impl Workload {
    fn label(self) -> &'static str {
        match self {
            Workload::W1 => "W1 list 50 participants",
            Workload::W2 => "W2 20 cohorts → members → diagnostic",
            Workload::W3 => "W3 record one attendance",
        }
    }
}

/// What the environment asks for.
struct Settings {
    bin: PathBuf,
    owner_url: String,
    superuser_url: Option<String>,
    app_user: String,
    tenants: usize,
    participants: usize,
    cohorts: usize,
    seconds: u64,
    warmup: u64,
    concurrency: Vec<usize>,
    workloads: Vec<Workload>,
    sample_every: u64,
    pgbench: Option<String>,
    keep: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> R<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name}: not a number: {v:?}")),
    }
}

impl Settings {
    fn from_env() -> R<Self> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .ok_or("the tests package sits inside the workspace")?;
        let bin =
            PathBuf::from(var("BENCH_BIN").unwrap_or_else(|| "target/release/parcours".into()));
        let bin = if bin.is_absolute() || bin.exists() {
            bin
        } else {
            workspace.join(bin)
        };
        if !bin.is_file() {
            return Err(format!(
                "{} does not exist: build it (cargo build --release -p parcours-api) or set BENCH_BIN",
                bin.display()
            ));
        }
        let (tenants, participants, cohorts) = (
            number("BENCH_TENANTS", 20)?,
            number("BENCH_PARTICIPANTS", 5_000)?,
            number("BENCH_COHORTS", 40)?,
        );
        if tenants == 0 || cohorts == 0 || cohorts * 10 > participants {
            return Err(format!(
                "need at least 1 tenant and 1 cohort, and 10 participants per cohort \
                 ({tenants} tenants, {participants} participants, {cohorts} cohorts)"
            ));
        }
        let seconds: u64 = number("BENCH_SECONDS", 20)?;
        let concurrency = var("BENCH_CONCURRENCY")
            .unwrap_or_else(|| "16,64".into())
            .split(',')
            .map(|c| match c.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("BENCH_CONCURRENCY: {c:?} is not a positive number")),
            })
            .collect::<R<Vec<_>>>()?;
        let workloads = var("BENCH_WORKLOADS")
            .unwrap_or_else(|| "w1,w2,w3".into())
            .split(',')
            .map(|w| match w.trim().to_lowercase().as_str() {
                "w1" => Ok(Workload::W1),
                "w2" => Ok(Workload::W2),
                "w3" => Ok(Workload::W3),
                other => Err(format!("BENCH_WORKLOADS: {other:?} is not w1, w2 or w3")),
            })
            .collect::<R<Vec<_>>>()?;
        let tiny = tenants * participants <= 10_000;
        let pgbench = match var("BENCH_LIMIT").as_deref() {
            Some("0") => None,
            _ => {
                let program = var("BENCH_PGBENCH").unwrap_or_else(|| "pgbench".into());
                match Command::new(&program).arg("--version").output() {
                    Ok(out) if out.status.success() => Some(program),
                    _ => {
                        eprintln!("warning: {program} not found: the limit is not measured");
                        None
                    }
                }
            }
        };
        Ok(Self {
            bin,
            owner_url: var("TEST_POSTGRES_URL")
                .unwrap_or_else(|| "postgres://parcours_owner@127.0.0.1:5432/postgres".into()),
            superuser_url: var("TEST_POSTGRES_SUPERUSER_URL"),
            app_user: var("TEST_POSTGRES_APP_USER").unwrap_or_else(|| "parcours_app".into()),
            tenants,
            participants,
            cohorts,
            seconds: seconds.max(1),
            warmup: number("BENCH_WARMUP", 5.min((seconds / 2).max(1)))?,
            concurrency,
            workloads,
            sample_every: number("BENCH_SAMPLE", if tiny { 1 } else { 50 })?.max(1),
            pgbench,
            keep: var("BENCH_KEEP").as_deref() == Some("1"),
        })
    }
}

/// One line of the table.
struct Row {
    workload: Workload,
    c: usize,
    system: String,
    limit: bool,
    rps: Option<f64>,
    p50: Option<f64>,
    p99: Option<f64>,
    errors: u64,
    statements: Option<f64>,
    tx_counter: Option<f64>,
    tx_pg: Option<f64>,
}

/// An HS256 steering token for `tenant`, as the service verifies them (api/src/auth.rs).
fn token(secret: &str, tenant: &seed::Tenant) -> R<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "sub": tenant.subject(), "iss": "parcours", "aud": "parcours",
        "iat": now, "exp": now + 24 * 3600, "tenant": tenant.slug, "role": "steering",
    });
    let key = EncodingKey::from_secret(secret.as_bytes()).map_err(|e| format!("key: {e}"))?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .map_err(|e| format!("token: {e}"))
}

/// The service, started for one slot of measurements.
struct Server {
    child: Child,
    base: String,
    metrics_token: String,
    client: reqwest::Client,
}

/// Counters read from `/metrics`.
#[derive(Clone, Copy, Default)]
struct Counters {
    statements: Option<f64>,
    transactions: Option<f64>,
    /// Whether `statements` counts BEGIN and COMMIT (its HELP says so; binaries before the
    /// one-transaction-per-request change did not count them).
    with_begin_commit: bool,
}

impl Server {
    async fn start(s: &Settings, db: &seed::BenchDb, secret: &str) -> R<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let metrics_token = format!("bench-metrics-{}", Uuid::now_v7().simple());
        let mut command = seed::parcours(&s.bin);
        command
            .arg("serve")
            .envs(db.server_env())
            .env("PARCOURS_JWT_SECRET", secret)
            .env("PARCOURS_METRICS_TOKEN", &metrics_token)
            .env("PARCOURS_LISTEN", format!("127.0.0.1:{port}"))
            .env("PARCOURS_DB_MAX_CONNECTIONS", "10")
            .env("PARCOURS_RATE_SUBJECT_PER_MINUTE", "0")
            .env("PARCOURS_RATE_TENANT_PER_MINUTE", "0")
            .stdin(Stdio::null());
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", s.bin.display()))?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            metrics_token,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("parcours exited at start-up ({status})"));
            }
            let up = server
                .client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err("parcours did not answer /healthz within 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn counters(&self) -> R<Counters> {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .bearer_auth(&self.metrics_token)
            .send()
            .await
            .map_err(|e| format!("/metrics: {e}"))?
            .error_for_status()
            .map_err(|e| format!("/metrics: {e}"))?
            .text()
            .await
            .map_err(|e| format!("/metrics: {e}"))?;
        let sum = |metric: &str| -> Option<f64> {
            let values: Vec<f64> = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.rsplit_once(' '))
                .filter(|(name, _)| name.split('{').next() == Some(metric))
                .filter_map(|(_, v)| v.trim().parse().ok())
                .collect();
            (!values.is_empty()).then(|| values.iter().sum())
        };
        Ok(Counters {
            statements: sum("parcours_db_statements_total"),
            transactions: sum("parcours_db_transactions_total"),
            with_begin_commit: text.lines().any(|l| {
                l.starts_with("# HELP parcours_db_statements_total")
                    && l.contains("BEGIN and COMMIT included")
            }),
        })
    }

    /// SIGTERM (in-flight requests finish, the pool closes), then SIGKILL after 15 s.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!("warning: parcours did not stop on SIGTERM within 15 s; killed");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn per(delta: Option<f64>, requests: u64) -> Option<f64> {
    delta.filter(|_| requests > 0).map(|d| d / requests as f64)
}

/// What every measurement needs, and the failures found so far.
struct Bench<'a> {
    s: &'a Settings,
    db: &'a seed::BenchDb,
    stats: seed::Stats,
    data: Arc<seed::Data>,
    /// `Bearer <token>` per tenant.
    auth: Vec<String>,
    secret: String,
    /// Transactions that starting and stopping the service costs (migrations, checks).
    startup_xacts: i64,
    failures: Vec<String>,
}

impl Bench<'_> {
    /// Transactions of a start and a stop of the service with no request in between.
    async fn measure_startup(&mut self) -> R<()> {
        self.stats.wait_idle().await;
        let x0 = self.stats.xacts().await?;
        Server::start(self.s, self.db, &self.secret)
            .await?
            .stop()
            .await;
        self.stats.wait_idle().await;
        self.startup_xacts = self.stats.xacts().await? - x0;
        Ok(())
    }

    /// Warm up, measure and check Parcours on one workload at concurrency `c`. The load runs
    /// on from the warm-up into the measurement; `/metrics` is read at the boundary and at the
    /// end. `pg_stat_database` is read before the start and after the stop of the service (a
    /// backend flushes its counters when it exits), for all the requests of the slot.
    async fn parcours(&mut self, workload: Workload, c: usize) -> R<Row> {
        let s = self.s;
        self.stats.wait_idle().await;
        let x0 = self.stats.xacts().await?;
        let server = Server::start(s, self.db, &self.secret).await?;
        let target = Arc::new(load::Target {
            url: format!("{}/graphql", server.base),
            workload,
            auth: self.auth.clone(),
            data: Arc::clone(&self.data),
            sample_every: s.sample_every,
            run_id: Uuid::now_v7().simple().to_string(),
        });
        let run = load::Run::start(target, c)?;
        tokio::time::sleep(Duration::from_secs(s.warmup)).await;
        let mark = run.elapsed_us();
        let m0 = server.counters().await?;
        run.stop_at(mark + s.seconds * 1_000_000);
        let out = run.finish(mark).await?;
        let m1 = server.counters().await?;
        server.stop().await;
        self.stats.wait_idle().await;
        let x1 = self.stats.xacts().await?;
        let name = format!("{} c={c}", workload.label());
        if out.errors > 0 {
            self.failures.push(format!(
                "{name}: {} failed requests, e.g. {}",
                out.errors,
                out.error_samples.join(" | ")
            ));
        }
        if out.exhausted {
            eprintln!(
                "note: {name}: every free (session, member) pair was written; the run stopped early"
            );
        }
        if workload == Workload::W3 {
            let w = self.db.reset_w3(&self.data.tenants).await?;
            self.stats.wait_idle().await;
            if (w.attendance, w.present, w.idempotency, w.audit)
                != (out.w3_ok, out.w3_present, out.w3_ok, out.w3_ok)
            {
                self.failures.push(format!(
                    "{name}: {} answers recorded an attendance ({} present), but the database \
                     holds {} attendance rows ({} present), {} idempotency keys and {} audit entries",
                    out.w3_ok, out.w3_present, w.attendance, w.present, w.idempotency, w.audit
                ));
            }
        }
        eprintln!(
            "{name}: parcours, {} requests measured ({} in all, {} answers checked)",
            out.measured, out.total, out.checked
        );
        let delta = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
        let tx_counter = per(delta(m0.transactions, m1.transactions), out.measured);
        let tx_pg = per(Some((x1 - x0 - self.startup_xacts) as f64), out.total);
        let mut statements = per(delta(m0.statements, m1.statements), out.measured);
        if !m1.with_begin_commit {
            statements = statements
                .zip(tx_counter.or(tx_pg))
                .map(|(n, tx)| n + 2.0 * tx);
        }
        let mut latencies = out.latencies_us;
        latencies.sort_unstable();
        Ok(Row {
            workload,
            c,
            system: "**parcours**".into(),
            limit: false,
            rps: (out.measured > 0).then(|| out.measured as f64 / out.elapsed.as_secs_f64()),
            p50: load::percentile(&latencies, 0.50),
            p99: load::percentile(&latencies, 0.99),
            errors: out.errors,
            statements,
            tx_counter,
            tx_pg,
        })
    }

    /// Warm up (a pgbench run of its own), then measure one limit script at concurrency `c`.
    async fn limit(&mut self, limit: &limit::Limit, script: &limit::Script, c: usize) -> R<Row> {
        let s = self.s;
        let name = format!("{} c={c} {}", script.workload.label(), script.label);
        let warm = tokio::task::block_in_place(|| limit.run(script, c, s.warmup, false))?;
        if script.workload == Workload::W3 {
            self.db.reset_w3(&self.data.tenants).await?;
        }
        self.stats.wait_idle().await;
        checkpoint(s).await;
        let x0 = self.stats.xacts().await?;
        let out = tokio::task::block_in_place(|| limit.run(script, c, s.seconds, true))?;
        self.stats.wait_idle().await;
        let x1 = self.stats.xacts().await?;
        if script.workload == Workload::W3 {
            self.db.reset_w3(&self.data.tenants).await?;
            self.stats.wait_idle().await;
        }
        let errors = out.failed + warm.failed + u64::from(!out.ok) + u64::from(!warm.ok);
        if errors > 0 {
            let detail = if out.ok { &warm.stderr } else { &out.stderr };
            self.failures
                .push(format!("{name}: pgbench failed: {}", detail.trim()));
        }
        eprintln!("{name}: {} transactions measured", out.transactions);
        let mut latencies = out.latencies_us;
        latencies.sort_unstable();
        Ok(Row {
            workload: script.workload,
            c,
            system: script.label.into(),
            limit: true,
            rps: out.tps,
            p50: load::percentile(&latencies, 0.50),
            p99: load::percentile(&latencies, 0.99),
            errors,
            statements: Some(4.0),
            tx_counter: None,
            tx_pg: per(Some((x1 - x0) as f64), out.transactions),
        })
    }
}

/// A CHECKPOINT before a measurement, when a superuser URL is given (best effort).
async fn checkpoint(s: &Settings) {
    if let Some(url) = &s.superuser_url
        && let Err(e) = seed::checkpoint(url).await
    {
        eprintln!("warning: CHECKPOINT: {e}");
    }
}

/// Seed, then measure every workload and concurrency: Parcours, then the limit.
async fn body(s: &Settings, db: &seed::BenchDb) -> R<(Vec<Row>, Vec<String>)> {
    let started = Instant::now();
    let data = Arc::new(seed::seed(s, db).await?);
    eprintln!(
        "seeded {} tenants × {} participants, {} cohorts each, in {:.1} s ({} free W3 pairs)",
        s.tenants,
        s.participants,
        s.cohorts,
        started.elapsed().as_secs_f64(),
        data.pairs.len()
    );
    let secret = format!("bench-jwt-secret-{}", Uuid::now_v7().simple());
    let auth = data
        .tenants
        .iter()
        .map(|t| token(&secret, t).map(|t| format!("Bearer {t}")))
        .collect::<R<Vec<_>>>()?;
    let limit = match &s.pgbench {
        Some(program) => Some(limit::Limit::prepare(program, s, db, &data)?),
        None => None,
    };
    let mut bench = Bench {
        s,
        db,
        stats: seed::Stats::connect(s, &db.name).await?,
        data,
        auth,
        secret,
        startup_xacts: 0,
        failures: Vec::new(),
    };
    bench.measure_startup().await?;
    let mut rows = Vec::new();
    for &workload in &s.workloads {
        for &c in &s.concurrency {
            checkpoint(s).await;
            rows.push(bench.parcours(workload, c).await?);
            if let Some(limit) = &limit {
                for script in limit.scripts.iter().filter(|x| x.workload == workload) {
                    rows.push(bench.limit(limit, script, c).await?);
                }
            }
        }
    }
    bench.stats.close().await;
    Ok((rows, bench.failures))
}

fn fmt(value: Option<f64>, decimals: usize) -> String {
    match value {
        None => "n/a".into(),
        Some(v) if decimals == 0 && v < 100.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.decimals$}"),
    }
}

fn print_table(s: &Settings, rows: &[Row]) {
    println!(
        "\n{} tenants × {} participants, {} cohorts each; {} s measured after {} s of warm-up\n",
        s.tenants, s.participants, s.cohorts, s.seconds, s.warmup
    );
    println!(
        "| workload | c | system | req/s | p50 ms | p99 ms | errors | statements/req | tx/req (counter) | tx/req (pg_stat) | parcours/limit |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let parcours = rows
            .iter()
            .find(|r| !r.limit && r.workload == row.workload && r.c == row.c)
            .and_then(|r| r.rps);
        let ratio = match (row.limit, parcours, row.rps) {
            (true, Some(p), Some(l)) if l > 0.0 => format!("{:.3}", p / l),
            _ => String::new(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.workload.label(),
            row.c,
            row.system,
            fmt(row.rps, 0),
            fmt(row.p50, 1),
            fmt(row.p99, 1),
            row.errors,
            fmt(row.statements, 1),
            if row.limit {
                "–".into()
            } else {
                fmt(row.tx_counter, 2)
            },
            fmt(row.tx_pg, 2),
            ratio,
        );
    }
    println!(
        "\nstatements/req: SQL statements sent, BEGIN and COMMIT included (Parcours: \
         parcours_db_statements_total, plus 2 per transaction when the binary does not count \
         them; limit: BEGIN, set_config, its one statement, COMMIT). Latencies of the limit \
         come from pgbench's per-transaction log. Errors of Parcours include the warm-up's."
    );
}

async fn run() -> R<bool> {
    let s = Settings::from_env()?;
    let db = seed::BenchDb::create(&s).await?;
    let outcome = body(&s, &db).await;
    if s.keep {
        eprintln!("kept database {} (BENCH_KEEP=1)", db.name);
    } else if let Err(e) = db.drop_database().await {
        eprintln!("warning: {e}");
    }
    let (rows, failures) = outcome?;
    print_table(&s, &rows);
    for failure in &failures {
        eprintln!("FAILED: {failure}");
    }
    Ok(failures.is_empty())
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
