//! The load generator: `c` loops, each with its own connection, sending one request after the
//! other until told to stop; every latency is kept, and answers are checked against the data
//! seeded (every W3 answer, every `sample_every`-th W1/W2 answer).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::seed::{Data, W1Row, W2Cohort, uuid_of};
use crate::{R, Workload};

/// The documents of the side-by-side bench (`graphql/parcours/*.graphql`).
const W1_QUERY: &str = "query W1Participants {
  participants(first: 50, sort: NAME) {
    edges { node { id firstName lastName birthDate gender commune { name } } }
  }
}";
const W2_QUERY: &str = "query W2CohortsNested {
  cohorts(first: 20) {
    edges {
      node {
        id label startDate
        members {
          participant { firstName lastName }
          diagnostic {
            fle { listening reading speaking writing trainingNeeded }
            clea { sharePercent domains { acquisition } }
          }
        }
      }
    }
  }
}";
const W3_MUTATION: &str = "mutation W3RecordAttendance($sessionId: ID!, $key: String!, $participantId: ID!, $presence: Presence!, $paper: Boolean!) {
  recordAttendance(input: { sessionId: $sessionId, idempotencyKey: $key,
                            entries: [{ participantId: $participantId, presence: $presence, signedOnPaper: $paper }] }) {
    attendance { presence recordedAt }
  }
}";

/// What to send, to whom, and what the answers must hold.
pub struct Target {
    pub url: String,
    pub workload: Workload,
    /// `Bearer <token>` per tenant.
    pub auth: Vec<String>,
    pub data: Arc<Data>,
    pub sample_every: u64,
    /// Part of every W3 idempotency key: fresh per run.
    pub run_id: String,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// What one loop saw.
#[derive(Default)]
struct Seen {
    /// (start, latency) of each request, in µs since the run began.
    samples: Vec<(u64, u64)>,
    errors: u64,
    error_samples: Vec<String>,
    checked: u64,
    w3_ok: u64,
    w3_present: u64,
    exhausted: bool,
}

/// A run in progress.
pub struct Run {
    t0: Instant,
    stop_us: Arc<AtomicU64>,
    loops: Vec<tokio::task::JoinHandle<Seen>>,
}

/// What a run measured.
pub struct Outcome {
    /// Requests started after the mark (all of them finished).
    pub measured: u64,
    /// From the mark to the end of the last measured request.
    pub elapsed: Duration,
    pub latencies_us: Vec<u64>,
    /// Requests of the whole run, warm-up included.
    pub total: u64,
    /// Failed requests of the whole run.
    pub errors: u64,
    pub error_samples: Vec<String>,
    pub checked: u64,
    /// W3 answers that recorded their attendance, and how many of them as present.
    pub w3_ok: u64,
    pub w3_present: u64,
    pub exhausted: bool,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Run {
    /// Start `c` loops; they run until [`Run::stop_at`].
    pub fn start(target: Arc<Target>, c: usize) -> R<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(c)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let t0 = Instant::now();
        let stop_us = Arc::new(AtomicU64::new(u64::MAX));
        let next_pair = Arc::new(AtomicUsize::new(0));
        let seed = micros(std::time::UNIX_EPOCH.elapsed().unwrap_or_default());
        let loops = (0..c)
            .map(|i| {
                tokio::spawn(one_loop(
                    Arc::clone(&target),
                    client.clone(),
                    t0,
                    Arc::clone(&stop_us),
                    Arc::clone(&next_pair),
                    Rng(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)),
                ))
            })
            .collect();
        Ok(Self { t0, stop_us, loops })
    }

    /// µs since the start.
    pub fn elapsed_us(&self) -> u64 {
        micros(self.t0.elapsed())
    }

    /// Start no request after `us` µs since the start.
    pub fn stop_at(&self, us: u64) {
        self.stop_us.store(us, Ordering::Relaxed);
    }

    /// Wait for the loops; the measurement is what started at or after `mark_us`.
    pub async fn finish(self, mark_us: u64) -> R<Outcome> {
        let mut out = Outcome {
            measured: 0,
            elapsed: Duration::ZERO,
            latencies_us: Vec::new(),
            total: 0,
            errors: 0,
            error_samples: Vec::new(),
            checked: 0,
            w3_ok: 0,
            w3_present: 0,
            exhausted: false,
        };
        let mut end = mark_us;
        for handle in self.loops {
            let seen = handle
                .await
                .map_err(|e| format!("a load loop failed: {e}"))?;
            for &(start, latency) in &seen.samples {
                if start >= mark_us {
                    out.latencies_us.push(latency);
                    end = end.max(start + latency);
                }
            }
            out.total += seen.samples.len() as u64;
            out.errors += seen.errors;
            out.checked += seen.checked;
            out.w3_ok += seen.w3_ok;
            out.w3_present += seen.w3_present;
            out.exhausted |= seen.exhausted;
            for e in seen.error_samples {
                if out.error_samples.len() < 3 {
                    out.error_samples.push(e);
                }
            }
        }
        out.measured = out.latencies_us.len() as u64;
        out.elapsed = Duration::from_micros(end - mark_us);
        Ok(out)
    }
}

/// The p-th quantile of sorted latencies (µs), in ms.
pub fn percentile(sorted_us: &[u64], q: f64) -> Option<f64> {
    let last = sorted_us.len().checked_sub(1)?;
    let i = ((last as f64) * q).round() as usize;
    sorted_us.get(i.min(last)).map(|us| *us as f64 / 1000.0)
}

async fn one_loop(
    target: Arc<Target>,
    client: reqwest::Client,
    t0: Instant,
    stop_us: Arc<AtomicU64>,
    next_pair: Arc<AtomicUsize>,
    mut rng: Rng,
) -> Seen {
    let mut seen = Seen::default();
    let fixed = match target.workload {
        Workload::W1 => json!({ "query": W1_QUERY }).to_string(),
        Workload::W2 => json!({ "query": W2_QUERY }).to_string(),
        Workload::W3 => String::new(),
    };
    let tenants = target.auth.len();
    let mut n: u64 = 0;
    loop {
        let start = micros(t0.elapsed());
        if start >= stop_us.load(Ordering::Relaxed) {
            break;
        }
        let (tenant, body, present) = if target.workload == Workload::W3 {
            let g = next_pair.fetch_add(1, Ordering::Relaxed);
            let Some(pair) = target.data.pairs.get(g) else {
                seen.exhausted = true;
                break;
            };
            let present = rng.below(100) < 87;
            let body = json!({
                "query": W3_MUTATION,
                "variables": {
                    "sessionId": pair.session,
                    "key": format!("bench-{}-{g}", target.run_id),
                    "participantId": pair.participant,
                    "presence": if present { "PRESENT" } else { "ABSENT" },
                    "paper": present,
                }
            });
            (pair.tenant, body.to_string(), Some(present))
        } else {
            (rng.below(tenants), fixed.clone(), None)
        };
        n += 1;
        let check = present.is_some() || (n - 1).is_multiple_of(target.sample_every);
        let sent = Instant::now();
        let answer = match client
            .post(&target.url)
            .header("authorization", &target.auth[tenant])
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status().as_u16();
                response
                    .bytes()
                    .await
                    .map(|b| (status, b))
                    .map_err(|e| format!("reading the answer: {e}"))
            }
            Err(e) => Err(format!("request: {e}")),
        };
        seen.samples.push((start, micros(sent.elapsed())));
        let verdict = match answer {
            Err(e) => Err(e),
            Ok((status, bytes)) if status != 200 => {
                Err(format!("HTTP {status}: {}", snippet(&bytes)))
            }
            Ok((_, bytes)) if check => {
                seen.checked += 1;
                check_answer(target.workload, &target.data, tenant, &bytes, present)
            }
            Ok(_) => Ok(()),
        };
        match verdict {
            Ok(()) => {
                if let Some(present) = present {
                    seen.w3_ok += 1;
                    seen.w3_present += u64::from(present);
                }
            }
            Err(e) => {
                seen.errors += 1;
                if seen.error_samples.len() < 3 {
                    let slug = &target.data.tenants[tenant].slug;
                    seen.error_samples.push(format!("({slug}) {e}"));
                }
            }
        }
    }
    seen
}

fn snippet(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(300).collect()
}

/// Check one answer: no GraphQL `errors`, and the data seeded.
fn check_answer(
    workload: Workload,
    data: &Data,
    tenant: usize,
    bytes: &[u8],
    present: Option<bool>,
) -> Result<(), String> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e}): {}", snippet(bytes)))?;
    if let Some(errors) = v.get("errors") {
        return Err(format!(
            "GraphQL errors: {}",
            snippet(errors.to_string().as_bytes())
        ));
    }
    let d = &v["data"];
    match workload {
        Workload::W1 => check_w1(&d["participants"]["edges"], &data.w1[tenant]),
        Workload::W2 => check_w2(&d["cohorts"]["edges"], &data.w2[tenant]),
        Workload::W3 => {
            let entries = d["recordAttendance"]["attendance"]
                .as_array()
                .ok_or("W3: no recordAttendance.attendance")?;
            let want = if present == Some(true) {
                "PRESENT"
            } else {
                "ABSENT"
            };
            match entries.as_slice() {
                [one] if one["presence"] == want && one["recordedAt"].is_string() => Ok(()),
                _ => Err(format!("W3: expected one {want} entry, got {entries:?}")),
            }
        }
    }
}

fn text<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} is not a string: {v}"))
}

fn check_w1(edges: &Value, expected: &[W1Row]) -> Result<(), String> {
    let edges = edges.as_array().ok_or("W1: no participants.edges")?;
    if edges.len() != expected.len() {
        return Err(format!(
            "W1: {} participants, expected {}",
            edges.len(),
            expected.len()
        ));
    }
    for (i, (edge, want)) in edges.iter().zip(expected).enumerate() {
        let node = &edge["node"];
        let same = uuid_of(text(&node["id"], "W1 id")?) == Some(want.id)
            && text(&node["firstName"], "W1 firstName")? == want.first_name
            && text(&node["lastName"], "W1 lastName")? == want.last_name
            && text(&node["commune"]["name"], "W1 commune.name")? == want.commune;
        text(&node["birthDate"], "W1 birthDate")?;
        text(&node["gender"], "W1 gender")?;
        if !same {
            return Err(format!(
                "W1: participant {i} is {node}, expected {} {} of {} ({})",
                want.first_name, want.last_name, want.commune, want.id
            ));
        }
    }
    Ok(())
}

fn check_w2(edges: &Value, expected: &[W2Cohort]) -> Result<(), String> {
    let edges = edges.as_array().ok_or("W2: no cohorts.edges")?;
    if edges.len() != expected.len() {
        return Err(format!(
            "W2: {} cohorts, expected {}",
            edges.len(),
            expected.len()
        ));
    }
    for (edge, want) in edges.iter().zip(expected) {
        let node = &edge["node"];
        if uuid_of(text(&node["id"], "W2 id")?) != Some(want.id) {
            return Err(format!("W2: cohort {} instead of {}", node["id"], want.id));
        }
        text(&node["label"], "W2 label")?;
        text(&node["startDate"], "W2 startDate")?;
        let members = node["members"].as_array().ok_or("W2: no members")?;
        if members.len() != want.members.len() {
            return Err(format!(
                "W2: cohort {} has {} members, expected {}",
                want.id,
                members.len(),
                want.members.len()
            ));
        }
        for (member, (first, last)) in members.iter().zip(&want.members) {
            let p = &member["participant"];
            if text(&p["firstName"], "W2 firstName")? != first
                || text(&p["lastName"], "W2 lastName")? != last
            {
                return Err(format!("W2: member {p}, expected {first} {last}"));
            }
            let diagnostic = &member["diagnostic"];
            let fle = &diagnostic["fle"];
            for skill in ["listening", "reading", "speaking", "writing"] {
                text(&fle[skill], "W2 fle level")?;
            }
            if !fle["trainingNeeded"].is_boolean() {
                return Err(format!(
                    "W2: diagnostic without fle.trainingNeeded: {diagnostic}"
                ));
            }
            let clea = &diagnostic["clea"];
            let domains = clea["domains"].as_array().ok_or("W2: no clea.domains")?;
            let points = domains
                .iter()
                .map(|d| match d["acquisition"].as_str() {
                    Some("ACQUIRED") => Ok(2),
                    Some("PARTLY_ACQUIRED") => Ok(1),
                    Some("NOT_ACQUIRED") => Ok(0),
                    _ => Err(format!("W2: CléA domain {d}")),
                })
                .sum::<Result<i64, String>>()?;
            if domains.len() != 7 || clea["sharePercent"].as_i64() != Some(points * 100 / 14) {
                return Err(format!("W2: CléA positioning {clea}"));
            }
        }
    }
    Ok(())
}
