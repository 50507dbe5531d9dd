//! Benchmark of the reporting reads over a large database: `indicators` (GraphQL) and the ESF
//! export (CSV) over 20 tenants × 5,000 participants, each measured through the real HTTP
//! service, reported as median and 90th percentile. Not a test: run it with
//! `cargo bench -p parcours-tests --bench reporting` (SQLite), or with
//! `BENCH_BACKEND=postgres TEST_POSTGRES_URL=postgres://parcours_owner@127.0.0.1:5432/postgres`
//! (PostgreSQL, as the runtime role). `BENCH_TENANTS`, `BENCH_PARTICIPANTS` and `BENCH_RUNS`
//! change the sizes.

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, Utc};
use parcours_tests::{Backend, TestApp, World, first_commune, global_uuid};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait, Value};
use serde_json::json;
use uuid::Uuid;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator.
struct Seq(u64);

impl Seq {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (self.0 >> 33) % n
    }
}

/// Insert `rows` (each `columns.len()` values) into `table` with multi-row INSERTs.
async fn insert(tx: &impl ConnectionTrait, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) {
    let backend = tx.get_database_backend();
    for chunk in rows.chunks(200) {
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|row| {
                let marks: Vec<String> = row
                    .iter()
                    .map(|_| {
                        n += 1;
                        match backend {
                            DbBackend::Postgres => format!("${n}"),
                            _ => format!("?{n}"),
                        }
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            tuples.join(", ")
        );
        let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
        tx.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .expect("bulk insert");
    }
}

/// `count` participants of one tenant, with exits and ESF records of the PLIE's operation.
async fn load(url: &str, tenant: Uuid, commune: Uuid, referent: Uuid, count: usize, seq: &mut Seq) {
    let db = Database::connect(url).await.expect("connect");
    let tx = db.begin().await.expect("begin");
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.to_string().into()],
        ))
        .await
        .expect("scope");
    }
    let today = Utc::now().date_naive();
    let now = Utc::now();
    let (mut people, mut exits, mut records) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..count {
        let id = Uuid::now_v7();
        let entry = today - Days::days(30 + seq.next(1_400) as i64);
        let birth = NaiveDate::from_ymd_opt(
            1960 + seq.next(45) as i32,
            1 + seq.next(12) as u32,
            1 + seq.next(28) as u32,
        )
        .unwrap_or(entry);
        let exit = (seq.next(10) < 4)
            .then(|| entry + Days::days(60 + seq.next(700) as i64))
            .filter(|d| *d < today);
        let gender = ["woman", "man", "non_binary"][(seq.next(100) as usize * 3 / 200).min(2)];
        let level = 1 + seq.next(8) as i32;
        people.push(vec![
            tenant.into(),
            id.into(),
            Some(format!("Prénom{i}")).into(),
            Some(format!("Nom{i}")).into(),
            Some(format!("nom{i}")).into(),
            Some(birth).into(),
            Some(chrono::Datelike::year(&birth)).into(),
            gender.into(),
            Some(format!("p{i}@exemple.fr")).into(),
            Some("06 00 00 00 00".to_owned()).into(),
            Some("1 rue de la Paix".to_owned()).into(),
            commune.into(),
            (seq.next(2) == 0).into(),
            (seq.next(10) < 4).into(),
            (seq.next(10) < 3).into(),
            level.into(),
            (seq.next(10) == 0).into(),
            true.into(),
            json!(["mobilité"]).into(),
            Some(entry).into(),
            Some("PLIE".to_owned()).into(),
            referent.into(),
            if exit.is_some() { "exited" } else { "active" }.into(),
            Some(entry).into(),
            Some(entry).into(),
            Option::<String>::None.into(),
            Option::<chrono::DateTime<Utc>>::None.into(),
            now.into(),
            now.into(),
            1.into(),
        ]);
        if let Some(exit) = exit {
            let positive = seq.next(100) < 46;
            exits.push(vec![
                tenant.into(),
                id.into(),
                exit.into(),
                if positive {
                    "employment_or_training"
                } else {
                    "moved_away"
                }
                .into(),
                positive.into(),
                Option::<String>::None.into(),
                Option::<String>::None.into(),
                false.into(),
                Option::<NaiveDate>::None.into(),
                now.into(),
            ]);
        }
        let band = match chrono::Datelike::year(&entry) - chrono::Datelike::year(&birth) {
            ..18 => "under_18",
            18..=29 => "18_29",
            30..=54 => "30_54",
            _ => "55_plus",
        };
        records.push(vec![
            tenant.into(),
            Uuid::now_v7().into(),
            id.into(),
            "plie".into(),
            tenant.into(),
            entry.into(),
            gender.into(),
            Some(band.to_owned()).into(),
            match level {
                1 | 2 => "0_2",
                3 | 4 => "3_4",
                _ => "5_8",
            }
            .into(),
            ["unemployed", "long_term_unemployed", "inactive", "employed"][seq.next(4) as usize]
                .into(),
            false.into(),
            Some(seq.next(10) == 0).into(),
            Some(seq.next(3) == 0).into(),
            Option::<bool>::None.into(),
            Some(false).into(),
            Some(seq.next(5) == 0).into(),
            exit.into(),
            exit.map(|_| seq.next(2) == 0).into(),
            exit.map(|_| false).into(),
            exit.map(|_| false).into(),
            exit.map(|_| seq.next(2) == 0).into(),
            Option::<bool>::None.into(),
            Option::<bool>::None.into(),
            "bench".into(),
            now.into(),
            now.into(),
            1.into(),
        ]);
    }
    insert(
        &tx,
        "participant",
        &[
            "tenant_id",
            "id",
            "first_name",
            "last_name",
            "search_name",
            "birth_date",
            "birth_year",
            "gender",
            "email",
            "phone",
            "postal_address",
            "commune_id",
            "long_term_job_seeker",
            "rsa_beneficiary",
            "priority_neighbourhood",
            "education_level",
            "recognised_disability",
            "authorised_to_work",
            "difficulties",
            "consent_date",
            "consent_scope",
            "referent_id",
            "status",
            "entry_date",
            "committee_date",
            "refusal_reason",
            "anonymised_at",
            "created_at",
            "updated_at",
            "version",
        ],
        people,
    )
    .await;
    insert(
        &tx,
        "participant_exit",
        &[
            "tenant_id",
            "participant_id",
            "exit_date",
            "kind",
            "positive",
            "rule",
            "reason",
            "needs_committee_validation",
            "committee_validated_on",
            "recorded_at",
        ],
        exits,
    )
    .await;
    insert(
        &tx,
        "esf_record",
        &[
            "tenant_id",
            "id",
            "participant_id",
            "operation_kind",
            "operation_id",
            "entry_date",
            "gender",
            "age_band",
            "isced_band",
            "employment_status",
            "disability",
            "third_country_national",
            "foreign_background",
            "minority",
            "homeless",
            "rural_area",
            "exit_date",
            "exit_job_searching",
            "exit_in_education_or_training",
            "exit_qualification_gained",
            "exit_in_employment",
            "later_in_employment",
            "later_improved_situation",
            "recorded_by",
            "created_at",
            "updated_at",
            "version",
        ],
        records,
    )
    .await;
    tx.commit().await.expect("commit");
    db.close().await.ok();
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (tenants, participants, runs) = (
        env("BENCH_TENANTS", 20),
        env("BENCH_PARTICIPANTS", 5_000),
        env("BENCH_RUNS", 40),
    );
    let backend = match std::env::var("BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::postgres().expect("TEST_POSTGRES_URL for PostgreSQL"),
        _ => Backend::Sqlite,
    };
    let app = TestApp::start(backend).await;
    let owner_url = app.config.database_owner_url.clone();
    let started = Instant::now();
    let mut seq = Seq(7);
    let mut worlds = Vec::new();
    for t in 0..tenants {
        let w = World::build(&app, &format!("t{t:02}")).await;
        let commune = global_uuid(&first_commune(&app, &w.referent).await).expect("commune");
        let tenant = global_uuid(&w.tenant.id).expect("tenant");
        let referent = global_uuid(&w.referent_id).expect("referent");
        load(
            &owner_url,
            tenant,
            commune,
            referent,
            participants,
            &mut seq,
        )
        .await;
        worlds.push(w);
    }
    eprintln!(
        "loaded {tenants} tenants x {participants} participants in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let to = Utc::now().date_naive();
    let from = to - Days::days(364);
    let query = "query($from: Date!, $to: Date!) { indicators(period: {from: $from, to: $to}) { accompanied averageAccompanied averageAge womenPercent level3OrBelowPercent positiveExitRatePercent averagePathMonths averageCostPerParticipant } }";
    let (mut figures, mut exports) = (Vec::new(), Vec::new());
    let mut accompanied = 0;
    let mut rows = 0;
    for run in 0..runs {
        let w = &worlds[run % worlds.len()];
        let t0 = Instant::now();
        let data = app
            .ok(
                &w.tenant.steering,
                query,
                json!({ "from": from.to_string(), "to": to.to_string() }),
            )
            .await;
        figures.push(t0.elapsed());
        accompanied = data["indicators"]["accompanied"].as_i64().unwrap_or(0);
        let t0 = Instant::now();
        let (status, _, body) = app
            .get(
                &w.tenant.steering,
                &format!(
                    "/esf/export?operationId={}&from={from}&to={to}",
                    w.tenant.id
                ),
            )
            .await;
        exports.push(t0.elapsed());
        assert_eq!(status, 200);
        rows = body.iter().filter(|b| **b == b'\n').count() - 1;
    }
    println!(
        "backend: {}",
        match app.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    );
    println!(
        "indicators (one tenant, {accompanied} accompanied over 12 months): {}",
        summary(figures)
    );
    println!("ESF export (one tenant, {rows} rows): {}", summary(exports));
}
