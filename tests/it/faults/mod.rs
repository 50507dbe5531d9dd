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
//!
//! `restart`: the database crashed or restarted under load (a throwaway cluster);
//! `timeouts`: an exhausted pool and a statement past its timeout; `concurrency`: concurrent
//! writers; `shutdown`: a graceful shutdown under load.

mod concurrency;
mod listener;
mod restart;
mod shutdown;
mod timeouts;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use parcours_tests::cluster::{Cluster, Stop};
use parcours_tests::{
    Backend, TestApp, create_participant, first_commune, global_uuid, no_rate_limit, on_both,
    participant_input,
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

/// PostgreSQL: stall every audit entry's insert inside its own statement, until
/// [`Stall::release`]. A trigger on `audit_entry` (in this test's throwaway cluster only)
/// sleeps while a flag row exists: a write waits at its audit entry, after its change, inside
/// its transaction, and no other session holds it.
///
/// Why not [`hold_writes`] when the server is stopped with `-m fast`: the server terminates its
/// sessions one after the other, and when the lock holder's turn comes first, its lock is
/// released before the waiting writes are terminated. On a loaded machine they then commit in
/// that gap and are answered `ok`, which is correct, but no longer the write in flight the test
/// means to fail. A statement sleeping on the server is terminated whatever the order.
struct Stall {
    conn: DatabaseConnection,
}

impl Stall {
    async fn start(conn: DatabaseConnection) -> Self {
        // SECURITY DEFINER: the runtime role, which runs the trigger, needs no right on the flag.
        for sql in [
            "CREATE TABLE test_stall (flag boolean)",
            "INSERT INTO test_stall VALUES (true)",
            "CREATE FUNCTION test_stall() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
             BEGIN
                 WHILE EXISTS (SELECT 1 FROM test_stall) LOOP PERFORM pg_sleep(0.02); END LOOP;
                 RETURN NEW;
             END $$",
            "CREATE TRIGGER test_stall BEFORE INSERT ON audit_entry
             FOR EACH ROW EXECUTE FUNCTION test_stall()",
        ] {
            conn.execute_unprepared(sql).await.expect(sql);
        }
        Self { conn }
    }

    /// Let the stalled inserts and every later one go on.
    async fn release(self) {
        for sql in [
            "DELETE FROM test_stall",
            "DROP TRIGGER test_stall ON audit_entry",
        ] {
            self.conn.execute_unprepared(sql).await.expect(sql);
        }
    }
}

/// PostgreSQL: wait (bounded) until `n` sessions sleep in [`Stall`]'s trigger. `superuser`
/// reads every session's wait event (other roles' are hidden from the owner).
async fn until_stalled(superuser: &DatabaseConnection, n: i64) {
    for _ in 0..1200 {
        let row = superuser
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'",
            ))
            .await
            .expect("pg_stat_activity")
            .expect("a row");
        if row.try_get_by_index::<i64>(0).expect("count") >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} writes never stalled at their audit entry");
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
