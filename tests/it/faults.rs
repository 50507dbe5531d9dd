//! Fault tolerance: the database restarted or crashed under write load, an exhausted pool, a
//! statement past its timeout, concurrent SQLite writers, a graceful shutdown under load.
//!
//! Whatever goes wrong, a client gets either a complete answer or a coded `UNAVAILABLE` (503,
//! `Retry-After`, the request id in the message), never a 500 or the driver's text; every
//! change in the database has its audit entry and every audit entry its change.
//!
//! Requests are held "in flight" deterministically by a lock the test takes on the database
//! from outside the service (a table lock on PostgreSQL, the write lock on SQLite); nothing
//! here waits for a fixed time.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use parcours_tests::cluster::{Cluster, Stop};
use parcours_tests::{
    Backend, TestApp, create_participant, first_commune, global_uuid, on_both, participant_input,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;

const CREATE_STRUCTURE: &str = "mutation($input: CreateStructureInput!) {
    createStructure(input: $input) { structure { id } } }";

/// Words of driver and pool messages that must never reach a client.
const DRIVER_TEXT: &[&str] = &[
    "sqlx",
    "SQLSTATE",
    "error returned from database",
    "Execution Error",
    "Query Error",
    "Connection Error",
    "pool",
    "database is locked",
    "terminating connection",
    "statement timeout",
    "canceling statement",
    "io error",
];

/// No rate limit: the load tests send hundreds of requests as one subject.
fn no_rate_limit(vars: &mut std::collections::HashMap<String, String>) {
    for name in [
        "PARCOURS_RATE_SUBJECT_PER_MINUTE",
        "PARCOURS_RATE_TENANT_PER_MINUTE",
    ] {
        vars.insert(name.into(), "0".into());
    }
}

/// How one request ended, as the client saw it.
#[derive(Debug)]
enum Outcome {
    /// 200 with the created object's ID, and the request id the client sent.
    Done(String, String),
    /// A clean 503 `UNAVAILABLE`.
    Unavailable,
}

/// POST `query` with a fresh request id and check the answer is a success or a clean
/// `UNAVAILABLE`; anything else fails the test. `pick` reads the created ID out of `data`.
async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
    pick: Pick,
) -> Outcome {
    let request_id = Uuid::now_v7().to_string();
    let response = client
        .post(url)
        .bearer_auth(token)
        .header("x-request-id", &request_id)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("request {request_id}: no answer: {e}"));
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some(request_id.as_str()),
        "the answer carries the request id"
    );
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("a body");
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("request {request_id}: not JSON: {status} {text}"));
    match status {
        200 => {
            assert!(
                body.get("errors").is_none(),
                "request {request_id}: 200 with errors: {body}"
            );
            let id = pick(&body["data"])
                .unwrap_or_else(|| panic!("request {request_id}: no ID in {body}"));
            Outcome::Done(id.to_owned(), request_id)
        }
        503 => {
            assert_clean_unavailable(&body, &text, &request_id, retry_after.as_deref());
            Outcome::Unavailable
        }
        other => panic!("request {request_id}: answered {other}: {text}"),
    }
}

/// A 503 whose every error is `UNAVAILABLE` naming the request id, with `Retry-After`, no
/// `data` and no driver text.
fn assert_clean_unavailable(body: &Value, text: &str, request_id: &str, retry_after: Option<&str>) {
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{body}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], "UNAVAILABLE", "{body}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains(request_id)),
            "the message names the request id {request_id}: {body}"
        );
    }
    assert!(body.get("data").is_none(), "no data in a 503: {body}");
    assert_eq!(retry_after, Some("2"), "Retry-After on a 503: {body}");
    for word in DRIVER_TEXT {
        assert!(
            !text.to_lowercase().contains(&word.to_lowercase()),
            "driver text {word:?} reached the client: {text}"
        );
    }
}

/// Reads the created object's ID out of `data`.
type Pick = fn(&Value) -> Option<&str>;

fn structure_id(data: &Value) -> Option<&str> {
    data["createStructure"]["structure"]["id"].as_str()
}

fn updated_structure_id(data: &Value) -> Option<&str> {
    data["updateStructure"]["structure"]["id"].as_str()
}

fn participant_id(data: &Value) -> Option<&str> {
    data["createParticipant"]["participant"]["id"].as_str()
}

/// Every node ID of a connection field of the root, all pages.
async fn all_ids(app: &TestApp, token: &str, field: &str) -> BTreeSet<String> {
    let query = format!(
        "query($after: String) {{ {field}(first: 100, after: $after) {{
            edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut ids = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let data = app.ok(token, &query, json!({ "after": after })).await;
        for edge in data[field]["edges"].as_array().expect("edges") {
            ids.insert(edge["node"]["id"].as_str().expect("id").to_owned());
        }
        if data[field]["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        after = data[field]["pageInfo"]["endCursor"].clone();
    }
}

/// The objects of every audit entry with `action`, all pages.
async fn audited(app: &TestApp, token: &str, action: &str) -> BTreeSet<String> {
    audit_requests(app, token, action)
        .await
        .into_keys()
        .collect()
}

/// Every audit entry with `action`, all pages: its object and the request id it records.
async fn audit_requests(app: &TestApp, token: &str, action: &str) -> BTreeMap<String, String> {
    let query = "query($after: String) { auditLog(first: 100, after: $after) {
        edges { node { action objectId requestId } } pageInfo { hasNextPage endCursor } } }";
    let mut ids = BTreeMap::new();
    let mut after = Value::Null;
    loop {
        let data = app.ok(token, query, json!({ "after": after })).await;
        for edge in data["auditLog"]["edges"].as_array().expect("edges") {
            if edge["node"]["action"] == action {
                let id = edge["node"]["objectId"]
                    .as_str()
                    .expect("object")
                    .to_owned();
                let request = edge["node"]["requestId"].as_str().unwrap_or("").to_owned();
                assert!(
                    ids.insert(id, request).is_none(),
                    "one {action} entry per object"
                );
            }
        }
        if data["auditLog"]["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        after = data["auditLog"]["pageInfo"]["endCursor"].clone();
    }
}

/// The structures created through `createStructure` (the tenant's steering body is made with
/// the tenant and audited as `tenant.create`).
async fn created_structures(app: &TestApp, token: &str, steering_body: &str) -> BTreeSet<String> {
    let mut ids = all_ids(app, token, "structures").await;
    ids.remove(steering_body);
    ids
}

/// A connection to the test's database from outside the service: the owner role on
/// PostgreSQL (it may lock the tables), the same file on SQLite.
async fn outside(app: &TestApp) -> DatabaseConnection {
    sea_orm::Database::connect(app.config.database_owner_url.as_str())
        .await
        .expect("outside connection")
}

/// Hold every write of the service: on PostgreSQL a `SHARE` lock on the audit log (a write
/// waits at its audit entry, after its change, inside its transaction; reads go on); on SQLite
/// the database's write lock (a write waits at its `BEGIN IMMEDIATE`, within busy_timeout).
/// Writes go on when the transaction ends.
async fn hold_writes(conn: &DatabaseConnection) -> DatabaseTransaction {
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            let tx = conn.begin().await.expect("begin");
            tx.execute_unprepared("LOCK TABLE audit_entry IN SHARE MODE")
                .await
                .expect("lock the audit log");
            tx
        }
        _ => conn
            .begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .expect("take the write lock"),
    }
}

/// PostgreSQL: how many lock requests wait on the audit log.
async fn waiting_on_audit(conn: &DatabaseConnection) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit_entry'::regclass",
        ))
        .await
        .expect("pg_locks")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("count")
}

/// Wait (bounded) until `n` requests hold a pooled connection of the service at once: they are
/// being processed.
async fn until_in_flight(app: &TestApp, n: u32) {
    for _ in 0..1200 {
        let (open, idle) = app.db.pool_use();
        if open.saturating_sub(u32::try_from(idle).unwrap_or(u32::MAX)) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} requests never got in flight: {:?}", app.db.pool_use());
}

/// Wait (bounded) until `n` writes wait on the held audit log (PostgreSQL).
async fn until_waiting_on_audit(conn: &DatabaseConnection, n: i64) {
    for _ in 0..1200 {
        if waiting_on_audit(conn).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} writes never reached the audit log");
}

/// (a) PostgreSQL crashed and restarted during a bounded write load (4 writers × 50
/// mutations), with 4 writes held in flight inside their transactions at the moment of the
/// crash: every answer is a success or a clean `UNAVAILABLE`; the held ones fail; every
/// acknowledged structure exists; every structure has its audit entry and no entry lacks its
/// structure; the service works again without being restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_crash_under_write_load_fails_cleanly_loses_nothing_and_recovers() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let app = TestApp::start_with(
        Backend::Postgres {
            owner_url: cluster.owner_url(),
        },
        |vars| {
            no_rate_limit(vars);
            vars.insert("PARCOURS_DB_ACQUIRE_TIMEOUT_MS".into(), "2000".into());
        },
    )
    .await;
    let tenant = app.tenant("crash").await;
    let owner = outside(&app).await;
    let held = hold_writes(&owner).await;

    let writers: Vec<_> = (0..4)
        .map(|w| {
            let client = reqwest::Client::new();
            let url = app.url();
            let token = tenant.steering.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for i in 0..50 {
                    let input =
                        json!({ "input": { "name": format!("S{w}-{i}"), "kind": "PARTNER" } });
                    outcomes.push(
                        send(&client, &url, &token, CREATE_STRUCTURE, input, structure_id).await,
                    );
                }
                outcomes
            })
        })
        .collect();
    // The first write of each writer has inserted its structure and waits at its audit entry.
    let watcher = outside(&app).await;
    until_waiting_on_audit(&watcher, 4).await;
    cluster.restart(Stop::Immediate).await;
    drop(held);

    let mut acknowledged = BTreeSet::new();
    let mut requests = BTreeMap::new();
    let mut unavailable = 0;
    for writer in writers {
        let outcomes = writer.await.expect("writer");
        assert!(
            matches!(outcomes[0], Outcome::Unavailable),
            "the write in flight at the crash fails: {:?}",
            outcomes[0]
        );
        for outcome in outcomes {
            match outcome {
                Outcome::Done(id, request_id) => {
                    assert!(acknowledged.insert(id.clone()));
                    assert!(requests.insert(id, request_id).is_none());
                }
                Outcome::Unavailable => unavailable += 1,
            }
        }
    }
    eprintln!(
        "crash under load: {} acknowledged, {unavailable} unavailable",
        acknowledged.len()
    );

    // Recovered, without restarting the service: the next write and readiness succeed.
    let data = app
        .ok(
            &tenant.steering,
            CREATE_STRUCTURE,
            json!({ "input": { "name": "After", "kind": "PARTNER" } }),
        )
        .await;
    acknowledged.insert(structure_id(&data).expect("id").to_owned());
    let (status, _, _) = app.get("", "/readyz").await;
    assert_eq!(status, 200, "ready again");

    let stored = created_structures(&app, &tenant.steering, &tenant.steering_body).await;
    let audit = audit_requests(&app, &tenant.steering, "structure.create").await;
    assert_eq!(
        stored,
        audit.keys().cloned().collect(),
        "every change has its audit entry, and the reverse"
    );
    for (id, request_id) in &requests {
        assert_eq!(
            audit.get(id),
            Some(request_id),
            "the audit entry of {id} records the request that made it"
        );
    }
    assert!(
        acknowledged.is_subset(&stored),
        "an acknowledged write was lost: {:?}",
        acknowledged.difference(&stored).collect::<Vec<_>>()
    );
    assert!(
        stored.len() <= acknowledged.len() + unavailable,
        "only writes that were answered UNAVAILABLE may have committed unacknowledged"
    );
}

/// The same with a clean shutdown (`pg_ctl restart -m fast`): sessions are terminated
/// (`57P01`), the held writes fail cleanly, nothing half-written remains.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_fails_the_writes_in_flight_cleanly_and_the_service_goes_on() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let app = TestApp::start_with(
        Backend::Postgres {
            owner_url: cluster.owner_url(),
        },
        no_rate_limit,
    )
    .await;
    let tenant = app.tenant("restart").await;
    let before = app
        .ok(
            &tenant.steering,
            CREATE_STRUCTURE,
            json!({ "input": { "name": "Before", "kind": "PARTNER" } }),
        )
        .await;
    let owner = outside(&app).await;
    let held = hold_writes(&owner).await;
    let writes: Vec<_> = (0..3)
        .map(|i| {
            let client = reqwest::Client::new();
            let url = app.url();
            let token = tenant.steering.clone();
            tokio::spawn(async move {
                let input = json!({ "input": { "name": format!("Held {i}"), "kind": "PARTNER" } });
                send(&client, &url, &token, CREATE_STRUCTURE, input, structure_id).await
            })
        })
        .collect();
    let watcher = outside(&app).await;
    until_waiting_on_audit(&watcher, 3).await;
    cluster.restart(Stop::Fast).await;
    drop(held);
    for write in writes {
        let outcome = write.await.expect("write");
        assert!(matches!(outcome, Outcome::Unavailable), "{outcome:?}");
    }
    let after = app
        .ok(
            &tenant.steering,
            CREATE_STRUCTURE,
            json!({ "input": { "name": "After", "kind": "PARTNER" } }),
        )
        .await;
    let expected: BTreeSet<String> = [structure_id(&before), structure_id(&after)]
        .into_iter()
        .map(|id| id.expect("id").to_owned())
        .collect();
    let stored = created_structures(&app, &tenant.steering, &tenant.steering_body).await;
    assert_eq!(stored, expected, "the held writes left nothing behind");
    assert_eq!(
        audited(&app, &tenant.steering, "structure.create").await,
        expected
    );
}

/// (c) Pool exhausted: with 2 connections, both held by writes waiting on a lock, the next
/// request waits the acquire timeout (200 ms) and gets a 503 `UNAVAILABLE` — well before the
/// 30 s request timeout; the held writes complete once the lock goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_a_fast_503_and_the_waiting_writes_still_complete() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start_with(backend, |vars| {
        no_rate_limit(vars);
        vars.insert("PARCOURS_DB_MAX_CONNECTIONS".into(), "2".into());
        vars.insert("PARCOURS_DB_ACQUIRE_TIMEOUT_MS".into(), "200".into());
    })
    .await;
    let tenant = app.tenant("pool").await;
    let owner = outside(&app).await;
    let held = hold_writes(&owner).await;
    let writes: Vec<_> = (0..2)
        .map(|i| {
            let client = reqwest::Client::new();
            let url = app.url();
            let token = tenant.steering.clone();
            tokio::spawn(async move {
                let input = json!({ "input": { "name": format!("Slow {i}"), "kind": "PARTNER" } });
                send(&client, &url, &token, CREATE_STRUCTURE, input, structure_id).await
            })
        })
        .collect();
    until_waiting_on_audit(&outside(&app).await, 2).await;

    for query in ["{ me { role } }", CREATE_STRUCTURE] {
        let started = Instant::now();
        let outcome = send(
            app.client(),
            &app.url(),
            &tenant.steering,
            query,
            json!({ "input": { "name": "Third", "kind": "PARTNER" } }),
            structure_id,
        )
        .await;
        let elapsed = started.elapsed();
        eprintln!("exhausted pool: 503 after {elapsed:?}");
        assert!(
            matches!(outcome, Outcome::Unavailable),
            "{query}: {outcome:?}"
        );
        assert!(
            elapsed < Duration::from_secs(10),
            "a fast 503, not a wait for the request timeout: {elapsed:?}"
        );
    }

    // The routes beside /graphql answer the same way.
    let request_id = Uuid::now_v7().to_string();
    let response = app
        .client()
        .get(format!(
            "{}/esf/export?operationId=x&from=2024-01-01&to=2024-12-31",
            app.base
        ))
        .bearer_auth(&tenant.steering)
        .header("x-request-id", &request_id)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 503);
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_clean_unavailable(&body, &text, &request_id, retry_after.as_deref());

    held.commit().await.expect("release");
    let mut done = BTreeSet::new();
    for write in writes {
        match write.await.expect("write") {
            Outcome::Done(id, _) => done.insert(id),
            other => panic!("the waiting write completes: {other:?}"),
        };
    }
    let stored = created_structures(&app, &tenant.steering, &tenant.steering_body).await;
    assert_eq!(
        stored, done,
        "the two waiting writes, nothing of the refused one"
    );
    assert_eq!(
        audited(&app, &tenant.steering, "structure.create").await,
        done
    );
}

/// (c) Statement timeout (PostgreSQL, 500 ms here): an update blocked on a row lock is
/// cancelled by the server, its transaction rolled back, and answered 503 `UNAVAILABLE`; the
/// service's sessions hold no lock afterwards; the same update, retried once the row is free,
/// succeeds on the version it was based on (the cancelled one changed nothing) and only it is
/// audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_its_timeout_is_cancelled_leaving_no_lock_and_no_change() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start_with(backend, |vars| {
        vars.insert("PARCOURS_DB_STATEMENT_TIMEOUT_MS".into(), "500".into());
    })
    .await;
    let tenant = app.tenant("slow").await;
    let structure = app.structure(&tenant, "Row", "PARTNER").await;
    let update = "mutation($input: UpdateStructureInput!) {
        updateStructure(input: $input) { structure { id name version } } }";

    // Someone else holds the structure's row.
    let owner = outside(&app).await;
    let locker = owner.begin().await.expect("begin");
    locker
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [global_uuid(&tenant.id).expect("tenant").to_string().into()],
        ))
        .await
        .expect("tenant scope");
    let locked = locker
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM structure WHERE id = $1 FOR UPDATE",
            [global_uuid(&structure).expect("structure").into()],
        ))
        .await
        .expect("row lock");
    assert_eq!(locked.len(), 1, "the row is locked");

    let started = Instant::now();
    let outcome = send(
        app.client(),
        &app.url(),
        &tenant.steering,
        update,
        json!({ "input": { "id": structure, "version": 1, "name": "Cancelled" } }),
        updated_structure_id,
    )
    .await;
    eprintln!("statement timeout: 503 after {:?}", started.elapsed());
    assert!(matches!(outcome, Outcome::Unavailable), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // The service's sessions hold no lock once the statement was cancelled.
    let watcher = outside(&app).await;
    let row = watcher
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE a.usename = 'parcours_app' AND a.datname = current_database()
               AND l.locktype IN ('relation', 'tuple', 'transactionid')",
        ))
        .await
        .expect("pg_locks")
        .expect("row");
    assert_eq!(
        row.try_get_by_index::<i64>(0).expect("count"),
        0,
        "no lock left behind by the cancelled transaction"
    );
    locker.rollback().await.expect("release the row");

    let data = app
        .ok(
            &tenant.steering,
            update,
            json!({ "input": { "id": structure, "version": 1, "name": "Retried" } }),
        )
        .await;
    assert_eq!(data["updateStructure"]["structure"]["name"], "Retried");
    assert_eq!(data["updateStructure"]["structure"]["version"], 2);
    let updates = audited(&app, &tenant.steering, "structure.update").await;
    assert_eq!(
        updates,
        BTreeSet::from([structure.clone()]),
        "one update audited"
    );
    let log = app
        .ok(
            &tenant.steering,
            "query($o: ID) { auditLog(first: 10, objectId: $o) { totalCount } }",
            json!({ "o": structure }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["totalCount"], 2,
        "create and the retried update"
    );
}

/// (d) 40 mutations at once from 40 tasks, two roles, on one database: every one succeeds
/// (SQLite's writers queue on `BEGIN IMMEDIATE` within busy_timeout; no "database is locked"
/// reaches a client) and every change has exactly its audit entry.
async fn forty_concurrent_writers_all_succeed_each_with_its_audit_entry(backend: Backend) {
    let app = TestApp::start_with(backend, no_rate_limit).await;
    let w = parcours_tests::World::build(&app, "busy").await;
    let commune = first_commune(&app, &w.referent).await;
    // One participant made beforehand: the referent's portfolio is not empty.
    create_participant(&app, &w.referent, participant_input(&commune, "Avant")).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let client = reqwest::Client::new();
            let url = app.url();
            let (token, query, input, pick): (String, &str, Value, Pick) = if i % 2 == 0 {
                (
                    w.tenant.steering.clone(),
                    CREATE_STRUCTURE,
                    json!({ "name": format!("Concurrent {i}"), "kind": "PARTNER" }),
                    structure_id,
                )
            } else {
                (
                    w.referent.clone(),
                    parcours_tests::CREATE_PARTICIPANT,
                    participant_input(&commune, &format!("Concurrent{i}")),
                    participant_id,
                )
            };
            tokio::spawn(async move {
                send(
                    &client,
                    &url,
                    &token,
                    query,
                    json!({ "input": input }),
                    pick,
                )
                .await
            })
        })
        .collect();
    let mut structures = BTreeSet::new();
    let mut participants = BTreeSet::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Outcome::Done(id, _) if i % 2 == 0 => assert!(structures.insert(id)),
            Outcome::Done(id, _) => assert!(participants.insert(id)),
            Outcome::Unavailable => panic!("mutation {i} was refused as UNAVAILABLE"),
        }
    }
    assert_eq!((structures.len(), participants.len()), (20, 20));

    let t = &w.tenant.steering;
    let mut stored = created_structures(&app, t, &w.tenant.steering_body).await;
    stored.remove(&w.carrier);
    stored.remove(&w.provider_structure);
    assert_eq!(stored, structures, "every structure stored once");
    let mut audited_structures = audited(&app, t, "structure.create").await;
    audited_structures.remove(&w.carrier);
    audited_structures.remove(&w.provider_structure);
    assert_eq!(audited_structures, structures, "each with its audit entry");
    let stored_participants = all_ids(&app, t, "participants").await;
    let audited_participants = audited(&app, t, "participant.create").await;
    assert_eq!(stored_participants.len(), 21);
    assert!(participants.is_subset(&stored_participants));
    assert_eq!(
        audited_participants, stored_participants,
        "each with its audit entry"
    );
}

/// (e) Graceful shutdown under load: 6 writes are in flight (held by a lock) when the
/// shutdown is triggered; new connections are refused from then on; once the lock goes, all 6
/// get complete 200 answers and the server stops.
async fn a_graceful_shutdown_finishes_the_requests_in_flight_and_refuses_new_ones(
    backend: Backend,
) {
    let app = TestApp::start_with(backend, no_rate_limit).await;
    let tenant = app.tenant("stop").await;
    let router = parcours_api::build_router(&app.config, app.db.clone()).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(parcours_api::serve_on(listener, router, async move {
        let _ = stopped.await;
    }));
    let url = format!("http://{address}/graphql");

    let outside_conn = outside(&app).await;
    let held = hold_writes(&outside_conn).await;
    let n = 6;
    let writes: Vec<_> = (0..n)
        .map(|i| {
            let client = reqwest::Client::new();
            let url = url.clone();
            let token = tenant.steering.clone();
            tokio::spawn(async move {
                let input =
                    json!({ "input": { "name": format!("Draining {i}"), "kind": "PARTNER" } });
                send(&client, &url, &token, CREATE_STRUCTURE, input, structure_id).await
            })
        })
        .collect();
    until_in_flight(&app, n).await;

    stop.send(()).expect("server running");
    let mut refused = false;
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        refused,
        "new connections are refused once shutdown has begun"
    );
    assert!(
        writes.iter().all(|w| !w.is_finished()),
        "the writes were still in flight when the listener closed"
    );
    assert!(!server.is_finished(), "the server waits for them");

    held.commit().await.expect("release");
    let mut done = BTreeSet::new();
    for write in writes {
        match write.await.expect("write") {
            Outcome::Done(id, _) => done.insert(id),
            other => panic!("a request in flight is completed: {other:?}"),
        };
    }
    assert_eq!(done.len(), n as usize);
    tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server stops once they are answered")
        .expect("server task")
        .expect("clean stop");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "still refused after the stop"
    );
    let stored = created_structures(&app, &tenant.steering, &tenant.steering_body).await;
    assert_eq!(stored, done, "the drained writes are stored");
    assert_eq!(
        audited(&app, &tenant.steering, "structure.create").await,
        done
    );
}

on_both!(
    forty_concurrent_writers_all_succeed_each_with_its_audit_entry,
    a_graceful_shutdown_finishes_the_requests_in_flight_and_refuses_new_ones,
);
