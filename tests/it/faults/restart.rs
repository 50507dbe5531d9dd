//! (a) The database crashed or restarted under write load, on a throwaway cluster.

use futures_util::future::join_all;

use super::*;

/// (a) PostgreSQL crashed and restarted during a bounded write load (4 writers × 50
/// mutations, two tenants), with 4 writes held in flight inside their transactions at the
/// moment of the crash: every answer is a success or a clean `UNAVAILABLE`; the held ones
/// fail; every acknowledged structure exists, in its own tenant only; every structure has its
/// audit entry, recording the request that made it, and no entry lacks its structure; the
/// service works again without being restarted.
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
    let tenants = [app.tenant("crash-a").await, app.tenant("crash-b").await];
    let owner = outside(&app).await;
    let held = hold_writes(&owner).await;

    // Writers 0 and 2 write in the first tenant, 1 and 3 in the second.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let client = reqwest::Client::new();
            let url = app.url();
            let token = tenants[w % 2].steering.clone();
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

    // Per tenant: acknowledged structure -> the request id that made it; UNAVAILABLE answers.
    let mut acknowledged = [BTreeMap::new(), BTreeMap::new()];
    let mut unavailable = [0, 0];
    for (w, writer) in writers.into_iter().enumerate() {
        let outcomes = writer.await.expect("writer");
        assert!(
            matches!(outcomes[0], Outcome::Unavailable),
            "the write in flight at the crash fails: {:?}",
            outcomes[0]
        );
        for outcome in outcomes {
            match outcome {
                Outcome::Done(id, request_id) => {
                    assert!(acknowledged[w % 2].insert(id, request_id).is_none());
                }
                Outcome::Unavailable => unavailable[w % 2] += 1,
            }
        }
    }
    eprintln!(
        "crash under load: {} acknowledged, {} unavailable",
        acknowledged[0].len() + acknowledged[1].len(),
        unavailable[0] + unavailable[1]
    );

    // Recovered, without restarting the service: the next write and readiness succeed.
    let data = app
        .ok(
            &tenants[0].steering,
            CREATE_STRUCTURE,
            json!({ "input": { "name": "After", "kind": "PARTNER" } }),
        )
        .await;
    let after = structure_id(&data).expect("id").to_owned();
    let (status, _, _) = app.get("", "/readyz").await;
    assert_eq!(status, 200, "ready again");

    for (t, tenant) in tenants.iter().enumerate() {
        let stored = created_structures(&app, &tenant.steering, &tenant.steering_body).await;
        let audit = audit_requests(&app, &tenant.steering, "structure.create").await;
        assert_eq!(
            stored,
            audit.keys().cloned().collect(),
            "{}: every change has its audit entry, and the reverse",
            tenant.slug
        );
        for (id, request_id) in &acknowledged[t] {
            assert!(
                stored.contains(id),
                "{}: acknowledged {id} was lost",
                tenant.slug
            );
            assert_eq!(
                audit.get(id),
                Some(request_id),
                "the audit entry of {id} records the request that made it"
            );
        }
        let other = &acknowledged[1 - t];
        assert!(
            stored.iter().all(|id| !other.contains_key(id)),
            "{} sees none of the other tenant's structures",
            tenant.slug
        );
        let extra = usize::from(t == 0);
        assert!(
            stored.len() <= acknowledged[t].len() + extra + unavailable[t],
            "only writes that were answered UNAVAILABLE may have committed unacknowledged"
        );
        if t == 0 {
            assert!(stored.contains(&after));
        }
    }
}

/// The same with a clean shutdown (`pg_ctl restart -m fast`): sessions are terminated
/// (`57P01`), the writes in flight (stalled at their audit entry by [`Stall`]) fail cleanly,
/// nothing half-written remains.
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
    let stall = Stall::start(outside(&app).await).await;
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
    let superuser = sea_orm::Database::connect(cluster.superuser_url())
        .await
        .expect("superuser connection");
    until_stalled(&superuser, 3).await;
    cluster.restart(Stop::Fast).await;
    for write in writes {
        let outcome = write.await.expect("write");
        assert!(matches!(outcome, Outcome::Unavailable), "{outcome:?}");
    }
    stall.release().await;
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

/// Connections the server closed while they sat idle in the pool (a restart, clean or after a
/// crash) are replaced without a single failed request: the pool hands its idle connections out
/// untested (no ping before each transaction), and a transaction's first message that meets a
/// closed connection is sent again on another. Readiness answers at once too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_while_idle_are_replaced_without_a_failed_request() {
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
    let tenant = app.tenant("idle").await;
    let create = |name: String| {
        app.ok(
            &tenant.steering,
            CREATE_STRUCTURE,
            json!({ "input": { "name": name, "kind": "PARTNER" } }),
        )
    };
    for (round, mode) in [Stop::Fast, Stop::Immediate].into_iter().enumerate() {
        // Four writes held at once at their audit entry each hold a connection; released, the
        // connections stay idle in the pool.
        let (owner, watcher) = (outside(&app).await, outside(&app).await);
        let held = hold_writes(&owner).await;
        let (created, ()) = tokio::join!(
            join_all((0..4).map(|i| create(format!("Before {round}.{i}")))),
            async {
                until_waiting_on_audit(&watcher, 4).await;
                held.rollback().await.expect("release");
            }
        );
        assert!(created.iter().all(|data| structure_id(data).is_some()));
        // The pool takes each connection back in a task of its own, after its ping.
        let mut idle = 0;
        for _ in 0..500 {
            idle = app.db.pool_use().1;
            if idle >= 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            idle >= 4,
            "{mode:?}: {idle} idle connection(s) before the restart"
        );
        cluster.restart(mode).await;

        // The first of these meet only closed connections (`ok` fails on any error).
        let (reads, write) = tokio::join!(
            join_all((0..4).map(|_| all_ids(&app, &tenant.steering, "structures"))),
            create(format!("After {round}"))
        );
        let write = structure_id(&write).expect("created").to_owned();
        for ids in reads {
            assert!(ids.contains(&tenant.steering_body), "{ids:?}");
        }
        let (status, body, _) = app.get("", "/readyz").await;
        assert_eq!(status, 200, "{mode:?}: readiness {body:?}");
        assert!(
            all_ids(&app, &tenant.steering, "structures")
                .await
                .contains(&write)
        );
    }
}
