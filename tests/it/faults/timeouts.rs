//! (c) An exhausted pool and a statement past its timeout, on PostgreSQL.

use super::*;

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
