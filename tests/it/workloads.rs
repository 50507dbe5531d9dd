//! The three workloads of the side-by-side benchmark (`tests/benches/workloads.rs`), counted in
//! SQL statements (`BEGIN` and `COMMIT` included) and transactions: each request is one
//! transaction, and its statements do not grow with the page size, the number of cohorts or
//! their members.

use parcours_tests::{Backend, TestApp, World, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention};

/// W1: a page of participants by name, with their commune.
const W1: &str = "query($n: Int!) { participants(first: $n, sort: NAME) { edges { node {
    id firstName lastName birthDate gender commune { name } } } } }";
/// W2: cohorts, their members, each member's participant and diagnostic.
const W2: &str = "query($n: Int!) { cohorts(first: $n) { edges { node { id label startDate
    members { participant { firstName lastName }
              diagnostic { fle { listening reading speaking writing trainingNeeded }
                           clea { sharePercent domains { acquisition } } } } } } } }";
/// W3: one attendance, under a fresh idempotency key.
const W3: &str = "mutation($s: ID!, $k: String!, $p: ID!) { recordAttendance(input: {
    sessionId: $s, idempotencyKey: $k,
    entries: [{ participantId: $p, presence: PRESENT, signedOnPaper: true }] }) {
    attendance { presence recordedAt } } }";

/// The most statements each workload may send (issue 12's targets).
const W1_MAX: u64 = 6;
const W2_MAX: u64 = 10;
const W3_MAX: u64 = 10;

/// What one request sent to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    statements: u64,
    round_trips: u64,
}

/// The cost and the number of transactions of one successful request, by a caller the
/// instance knows (on PostgreSQL it keeps their account: `db/callers.rs`).
async fn cost(app: &TestApp, token: &str, query: &str, variables: Value) -> (Cost, u64, Value) {
    app.known_caller(token).await;
    let db = &app.db;
    let before = (
        db.statements_executed(),
        db.round_trips(),
        db.transactions_begun(),
    );
    let data = app.ok(token, query, variables).await;
    (
        Cost {
            statements: db.statements_executed() - before.0,
            round_trips: db.round_trips() - before.1,
        },
        db.transactions_begun() - before.2,
        data,
    )
}

/// A CléA positioning of the 7 domains.
pub(crate) fn clea() -> Value {
    json!([
        "ACQUIRED",
        "PARTLY_ACQUIRED",
        "NOT_ACQUIRED",
        "ACQUIRED",
        "ACQUIRED",
        "ACQUIRED",
        "ACQUIRED"
    ])
}

async fn each_workload_is_one_transaction_of_a_few_statements_whatever_its_size(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    // Three cohorts of 3, 2 and 1 members, each member with a diagnostic.
    let mut sessions = Vec::new();
    let mut members = Vec::new();
    for (i, (start, size)) in [("2026-09-07", 3), ("2026-09-28", 2), ("2026-10-19", 1)]
        .into_iter()
        .enumerate()
    {
        let c = cohort(&app, &w, &conv, start, &format!("Groupe {i}")).await;
        for n in 0..size {
            let p = active_participant(&app, &w, &format!("Nom{i}{n}")).await;
            app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
                .await;
            app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
                .await;
            let d = crate::cohorts::diagnostic(&c["id"], &p, None, clea(), true);
            app.ok(&w.provider, SAVE_DIAG, d).await;
            members.push((c["sessions"][0]["id"].clone(), p));
        }
        sessions.push(c);
    }
    let s = &w.tenant.steering;

    let mut w1 = Vec::new();
    for n in [2, 6] {
        let (statements, transactions, data) = cost(&app, s, W1, json!({ "n": n })).await;
        let edges = data["participants"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(edges.len(), n, "{data}");
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["commune"]["name"].is_string()),
            "{data}"
        );
        assert_eq!(transactions, 1, "W1 is one transaction");
        w1.push(statements);
    }

    let mut w2 = Vec::new();
    let mut w2_sql = Vec::new();
    for n in [1, 3] {
        app.db.record_statements(true);
        let (statements, transactions, data) = cost(&app, s, W2, json!({ "n": n })).await;
        app.db.record_statements(false);
        w2_sql.push(
            app.db
                .recorded_statements()
                .into_iter()
                // The page's size is written into its statement (`LIMIT n + 1`).
                .map(|s| s.sql.split(" LIMIT ").next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>(),
        );
        let cohorts = data["cohorts"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(cohorts.len(), n, "{data}");
        for c in &cohorts {
            let members = c["node"]["members"].as_array().cloned().unwrap_or_default();
            assert!(!members.is_empty(), "{data}");
            for m in &members {
                assert!(m["participant"]["lastName"].is_string(), "{data}");
                assert_eq!(m["diagnostic"]["fle"]["listening"], "B1", "{data}");
                assert_eq!(
                    m["diagnostic"]["clea"]["domains"].as_array().map(Vec::len),
                    Some(7),
                    "{data}"
                );
            }
        }
        assert_eq!(transactions, 1, "W2 is one transaction");
        w2.push(statements);
    }

    app.set_now(Some("2026-12-01T10:00:00Z"));
    let mut w3 = Vec::new();
    for (i, (session, participant)) in members.iter().take(2).enumerate() {
        let vars = json!({ "s": session, "k": format!("w3-{i}"), "p": participant });
        let (statements, transactions, data) = cost(&app, &w.provider, W3, vars).await;
        assert_eq!(
            data["recordAttendance"]["attendance"][0]["presence"],
            "PRESENT"
        );
        assert_eq!(transactions, 1, "W3 is one transaction");
        w3.push(statements);
    }
    app.set_now(None);
    // Each W3 left its audit entry (on PostgreSQL written by the request's one statement), with
    // the session it recorded and the caller, and nothing more.
    let log = app
        .ok(
            s,
            "{ auditLog(first: 100) { edges { node { action objectType objectId subject role requestId } } } }",
            json!({}),
        )
        .await;
    let mut recorded: Vec<Value> = log["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["action"] == "attendance.record")
        .collect();
    recorded.reverse();
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    for (entry, (session, _)) in recorded.iter().zip(members.iter()) {
        assert_eq!(entry["objectType"], "CohortSession", "{entry}");
        assert_eq!(&entry["objectId"], session, "{entry}");
        assert_eq!(entry["role"], "provider", "{entry}");
        assert!(
            entry["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("prov@")),
            "{entry}"
        );
        assert!(entry["requestId"].is_string(), "{entry}");
    }

    eprintln!(
        "statements per request: W1 {w1:?}, W2 {w2:?}, W3 {w3:?} ({:?})",
        app.backend
    );
    assert_eq!(w1[0], w1[1], "W1 does not grow with the page: {w1:?}");
    assert_eq!(w2[0], w2[1], "W2 does not grow with the cohorts: {w2:?}");
    assert_eq!(w3[0], w3[1], "W3 is the same for every member: {w3:?}");
    // On PostgreSQL W2 sends the same statements whatever the number of cohorts and members
    // (but for the page's `LIMIT`): a batch's keys travel as arrays (`db/keys.rs`), so each
    // text is prepared once per connection, however long the batch.
    if matches!(app.backend, Backend::Postgres { .. }) {
        assert_eq!(w2_sql[0], w2_sql[1], "W2's statements change with its size");
        assert!(
            w2_sql[1].iter().any(|sql| sql.contains("unnest(")),
            "the diagnostics by their whole key: {:?}",
            w2_sql[1]
        );
    }
    assert!(w1[1].statements <= W1_MAX, "W1: {w1:?} > {W1_MAX}");
    assert!(w2[1].statements <= W2_MAX, "W2: {w2:?} > {W2_MAX}");
    assert!(w3[1].statements <= W3_MAX, "W3: {w3:?} > {W3_MAX}");
    // Once its tenant is known, a request begins in its scope: on PostgreSQL the BEGIN and the
    // set_config travel together, and a known caller's account is not read again. W1: BEGIN
    // (+ set_config), the page with its communes, COMMIT; SQLite reads the account (one
    // statement, no round trip over a network).
    let authentication = u64::from(matches!(app.backend, Backend::Sqlite));
    assert_eq!(w1[1].round_trips, 3 + authentication, "W1: {w1:?}");
    assert_eq!(w2[1].round_trips, 6 + authentication, "W2: {w2:?}");
    // W3: BEGIN (+ set_config), one statement that claims the idempotency key, reads the
    // session and the memberships and upserts the record with its audit entry, COMMIT;
    // SQLite sends those four writes and reads as four statements.
    let apart = 3 * u64::from(matches!(app.backend, Backend::Sqlite));
    assert_eq!(w3[1].round_trips, 3 + apart + authentication, "W3: {w3:?}");
}

on_both!(each_workload_is_one_transaction_of_a_few_statements_whatever_its_size);

/// A query answers from one snapshot (`REPEATABLE READ` on PostgreSQL): what commits while it
/// runs, between two of its statements, is not in its answer, and the next query sees it.
/// The request is held after it began, deterministically: a restrictive row-level-security
/// policy, added to this test's database only, makes every read of a cohort wait for an
/// advisory lock the test holds. While W2 waits there, at its first statement after `BEGIN`,
/// the test renames the cohort's member and changes her diagnostic, which W2 reads in later
/// statements; then it releases the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_answers_from_one_snapshot_whatever_commits_while_it_runs() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(&app, &w, "Avant").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    let d = crate::cohorts::diagnostic(&c["id"], &p, None, clea(), true);
    app.ok(&w.provider, SAVE_DIAG, d).await;
    let s = &w.tenant.steering;
    let member = |data: &Value| data["cohorts"]["edges"][0]["node"]["members"][0].clone();
    let before = member(&app.ok(s, W2, json!({ "n": 1 })).await);

    let outside = sea_orm::Database::connect(app.config.database_owner_url.as_str())
        .await
        .expect("outside connection");
    outside
        .execute_unprepared(
            "CREATE FUNCTION snapshot_probe() RETURNS boolean LANGUAGE plpgsql AS
               $$ BEGIN PERFORM pg_advisory_xact_lock_shared(7301); RETURN true; END $$;
             CREATE POLICY snapshot_probe ON cohort AS RESTRICTIVE FOR SELECT
               USING (snapshot_probe())",
        )
        .await
        .expect("the probe");
    let holder = outside.begin().await.expect("begin");
    holder
        .execute_unprepared("SELECT pg_advisory_xact_lock(7301)")
        .await
        .expect("the lock");
    let change = async {
        // Until the request waits for the lock (bounded: 10 s).
        for _ in 0..500 {
            let row = outside
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()
                       AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
                ))
                .await
                .expect("waiting sessions")
                .expect("a row");
            if row.try_get::<i64>("", "n").expect("n") > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let tx = outside.begin().await.expect("begin");
        let tenant = parcours_tests::global_uuid(&w.tenant.id).expect("tenant");
        let person = parcours_tests::global_uuid(&p).expect("participant");
        for (sql, value) in [
            (
                "SELECT set_config('app.tenant_id', $1, true)",
                tenant.to_string(),
            ),
            (
                "UPDATE participant SET last_name = 'Après' WHERE id = $1::uuid",
                person.to_string(),
            ),
            (
                "UPDATE diagnostic SET fle = jsonb_set(fle::jsonb, '{listening}', '\"C2\"')
                   WHERE participant_id = $1::uuid",
                person.to_string(),
            ),
        ] {
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                [value.into()],
            ))
            .await
            .expect(sql);
        }
        tx.commit().await.expect("the change commits");
        holder.commit().await.expect("release");
    };
    let (during, ()) = tokio::join!(app.ok(s, W2, json!({ "n": 1 })), change);
    let after = member(&app.ok(s, W2, json!({ "n": 1 })).await);

    assert_eq!(
        member(&during),
        before,
        "the answer is the snapshot's, whole"
    );
    assert_eq!(before["participant"]["lastName"], "Avant");
    assert_eq!(after["participant"]["lastName"], "Après", "{after}");
    assert_eq!(after["diagnostic"]["fle"]["listening"], "C2", "{after}");
}
