//! The limit: `pgbench -M prepared` as the runtime role, on scripts in the RLS shape that a
//! perfect server would send: `BEGIN; set_config('app.tenant_id', …, true); <one statement>;
//! COMMIT`. Each transaction picks a random tenant (W1, W2) or the next free pair of
//! `bench.w3_pairs` (W3; its counter wraps, so a long run updates pairs already written).

use std::path::PathBuf;
use std::process::Command;

use crate::seed::{BenchDb, Data, PgUrl};
use crate::{R, Settings, Workload};

/// One pgbench script.
pub struct Script {
    pub workload: Workload,
    pub label: &'static str,
    path: PathBuf,
}

/// pgbench, its connection, and the scripts written for this database.
pub struct Limit {
    program: String,
    dir: PathBuf,
    url: PgUrl,
    user: String,
    database: String,
    pairs: usize,
    pub scripts: Vec<Script>,
}

/// What one pgbench run reported.
pub struct Outcome {
    pub ok: bool,
    pub stderr: String,
    pub transactions: u64,
    pub failed: u64,
    pub tps: Option<f64>,
    /// Per transaction, from its log (`-l`), when asked for.
    pub latencies_us: Vec<u64>,
}

/// The W1 page: 50 participants by (search_name, id) with the commune's name.
const W1: &str = "SELECT p.id, p.first_name, p.last_name, p.birth_date, p.gender, c.name
  FROM participant p
  JOIN commune c ON c.tenant_id = p.tenant_id AND c.id = p.commune_id
 WHERE p.tenant_id = TENANT
 ORDER BY p.search_name, p.id
 LIMIT 50;";

/// W2 as one JSON document: the first 20 cohorts by id, their members by participant id with
/// names and diagnostic (FLE as stored, CléA with its share of points).
const W2: &str = "SELECT coalesce(json_agg(json_build_object(
         'id', c.id, 'label', c.label, 'startDate', c.start_date, 'members', x.members)
         ORDER BY c.id), '[]')
  FROM (SELECT tenant_id, id, label, start_date FROM cohort
         WHERE tenant_id = TENANT ORDER BY id LIMIT 20) c
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'participant', json_build_object('firstName', p.first_name, 'lastName', p.last_name),
             'diagnostic', CASE WHEN d.participant_id IS NOT NULL THEN json_build_object(
               'fle', d.fle,
               'clea', json_build_object(
                 'sharePercent', (SELECT sum(CASE v WHEN 'Acquired' THEN 2
                                                    WHEN 'PartlyAcquired' THEN 1 ELSE 0 END)
                                         * 100 / 14
                                    FROM json_array_elements_text(d.clea) v),
                 'domains', d.clea)) END)
             ORDER BY m.participant_id), '[]') AS members
      FROM cohort_member m
      JOIN participant p ON p.tenant_id = m.tenant_id AND p.id = m.participant_id
      LEFT JOIN diagnostic d ON d.tenant_id = m.tenant_id AND d.cohort_id = m.cohort_id
                            AND d.participant_id = m.participant_id
     WHERE m.tenant_id = c.tenant_id AND m.cohort_id = c.id) x;";

/// The next pair of this client (`n` counts its transactions; `nc` clients, `np` pairs).
const W3_PAIR: &str = "\\set n :n + 1
\\set g ((:n - 1) * :nc + :client_id) % :np
\\set present random(1, 100) <= 87
BEGIN;
SELECT set_config('app.tenant_id', tenant::text, true) FROM bench.w3_pairs WHERE g = :g;
";

const UPSERT: &str = "ON CONFLICT (tenant_id, session_id, participant_id) DO UPDATE
   SET status = excluded.status, signature = excluded.signature,
       signed_on_paper = excluded.signed_on_paper, recorded_by = excluded.recorded_by,
       recorded_at = excluded.recorded_at";

/// W3's attendance upsert alone.
fn w3_upsert() -> String {
    format!(
        "{W3_PAIR}INSERT INTO attendance (tenant_id, session_id, participant_id, status, signature,
                        signed_on_paper, recorded_by, recorded_at)
SELECT tenant, session, participant, CASE WHEN :present THEN 'present' ELSE 'absent' END, NULL,
       :present, 'limit@bench.example', now()
  FROM bench.w3_pairs WHERE g = :g
{UPSERT};
COMMIT;
"
    )
}

/// recordAttendance's semantics in one statement: the session exists and has taken place, the
/// participant is enrolled in its cohort; the upsert; the idempotency key with its answer; the
/// audit entry.
fn w3_full() -> String {
    format!(
        "{W3_PAIR}WITH pair AS (SELECT tenant, session, participant FROM bench.w3_pairs WHERE g = :g),
checked AS (
  SELECT pair.* FROM pair
    JOIN cohort_session s ON s.tenant_id = pair.tenant AND s.id = pair.session
                         AND s.day <= current_date
    JOIN cohort_member m ON m.tenant_id = pair.tenant AND m.cohort_id = s.cohort_id
                        AND m.participant_id = pair.participant
                        AND m.status IN ('enrolled', 'dropped_out')),
written AS (
  INSERT INTO attendance (tenant_id, session_id, participant_id, status, signature,
                          signed_on_paper, recorded_by, recorded_at)
  SELECT tenant, session, participant, CASE WHEN :present THEN 'present' ELSE 'absent' END,
         NULL, :present, 'limit@bench.example', now()
    FROM checked
  {UPSERT}
  RETURNING tenant_id, session_id, participant_id, status, signed_on_paper, recorded_at),
kept AS (
  INSERT INTO idempotency_key (tenant_id, key, subject, request_hash, response, created_at)
  SELECT tenant_id, 'limit-' || gen_random_uuid(), 'limit@bench.example',
         session_id::text || ':' || participant_id::text,
         jsonb_build_array(jsonb_build_object('session', session_id, 'participant', participant_id,
                                              'presence', status, 'onPaper', signed_on_paper,
                                              'at', recorded_at)),
         now()
    FROM written),
audited AS (
  INSERT INTO audit_entry (tenant_id, id, at, subject, role, action, object_type, object_id,
                           request_id)
  SELECT tenant_id, gen_random_uuid(), now(), 'limit@bench.example', 'steering',
         'attendance.record', 'CohortSession', session_id, NULL
    FROM written)
SELECT count(*) FROM written;
COMMIT;
"
    )
}

/// A script that scopes its transaction to a random tenant of `tenants`.
fn random_tenant(tenants: &[uuid::Uuid], statement: &str) -> String {
    let list: Vec<String> = tenants.iter().map(ToString::to_string).collect();
    let tenant = format!("('{{{}}}'::uuid[])[:t]", list.join(","));
    format!(
        "\\set t random(1, {})
BEGIN;
SELECT set_config('app.tenant_id', {tenant}::text, true);
{}
COMMIT;
",
        tenants.len(),
        statement.replace("TENANT", &tenant)
    )
}

fn first_number<T: std::str::FromStr>(output: &str, prefix: &str) -> Option<T> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

impl Limit {
    /// Write the scripts into a temporary folder.
    pub fn prepare(program: &str, s: &Settings, db: &BenchDb, data: &Data) -> R<Self> {
        let dir = std::env::temp_dir().join(format!("{}-pgbench", db.name));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let tenants: Vec<uuid::Uuid> = data.tenants.iter().map(|t| t.id).collect();
        let mut scripts = Vec::new();
        for (workload, label, file, text) in [
            (
                Workload::W1,
                "limit (pgbench, RLS shape)",
                "w1.sql",
                random_tenant(&tenants, W1),
            ),
            (
                Workload::W2,
                "limit (pgbench, RLS shape, json)",
                "w2.sql",
                random_tenant(&tenants, W2),
            ),
            (
                Workload::W3,
                "limit: the upsert alone",
                "w3_upsert.sql",
                w3_upsert(),
            ),
            (
                Workload::W3,
                "limit: checks + upsert + key + audit in 1 statement",
                "w3_full.sql",
                w3_full(),
            ),
        ] {
            let path = dir.join(file);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            scripts.push(Script {
                workload,
                label,
                path,
            });
        }
        Ok(Self {
            program: program.to_owned(),
            dir,
            url: PgUrl::parse(&s.owner_url)?,
            user: db.app_user.clone(),
            database: db.name.clone(),
            pairs: data.pairs.len().max(1),
            scripts,
        })
    }

    /// Run `script` with `c` clients for `seconds`; with `log`, read each transaction's latency.
    pub fn run(&self, script: &Script, c: usize, seconds: u64, log: bool) -> R<Outcome> {
        let prefix = self.dir.join(format!("log-c{c}"));
        let mut command = Command::new(&self.program);
        command
            .env("PGDATABASE", &self.database)
            .args(["-h", self.url.host.as_str(), "-p", self.url.port.as_str()])
            .args(["-U", self.user.as_str(), "-n", "-M", "prepared"])
            .args([
                "-c".to_owned(),
                c.to_string(),
                "-j".to_owned(),
                c.min(2).to_string(),
                "-T".to_owned(),
                seconds.to_string(),
            ])
            .args([
                "-D".to_owned(),
                "n=0".to_owned(),
                "-D".to_owned(),
                format!("nc={c}"),
                "-D".to_owned(),
                format!("np={}", self.pairs),
            ])
            .arg("-f")
            .arg(&script.path);
        if log {
            command
                .arg("-l")
                .arg(format!("--log-prefix={}", prefix.display()));
        }
        if let Some(password) = self
            .url
            .password
            .as_ref()
            .filter(|_| self.user == self.url.user)
        {
            command.env("PGPASSWORD", password);
        }
        let out = command
            .current_dir(&self.dir)
            .output()
            .map_err(|e| format!("running {}: {e}", self.program))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut latencies_us = Vec::new();
        if log {
            let name = prefix
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let entries = std::fs::read_dir(&self.dir).map_err(|e| format!("{e}"))?;
            for entry in entries.flatten() {
                if !entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{name}."))
                {
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                // client_id transaction_no time(µs) script_no time_epoch time_us
                latencies_us.extend(
                    text.lines()
                        .filter_map(|l| l.split_whitespace().nth(2))
                        .filter_map(|t| t.parse::<u64>().ok()),
                );
                std::fs::remove_file(entry.path()).ok();
            }
        }
        Ok(Outcome {
            ok: out.status.success(),
            stderr: String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(5)
                .collect::<Vec<_>>()
                .join(" / "),
            transactions: first_number(&stdout, "number of transactions actually processed:")
                .unwrap_or(0),
            failed: first_number(&stdout, "number of failed transactions:").unwrap_or(0),
            tps: first_number(&stdout, "tps ="),
            latencies_us,
        })
    }
}

impl Drop for Limit {
    /// Remove the scripts and logs.
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}
