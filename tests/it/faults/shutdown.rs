//! (e) A graceful shutdown under load.

use super::*;

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

/// Subscription sockets outlive the HTTP server's own drain: on shutdown each is closed with
/// 1001 ("going away"), and the server waits for them.
async fn a_shutdown_closes_subscription_sockets_with_1001(backend: Backend) {
    let app = TestApp::start_with(backend, no_rate_limit).await;
    let w = parcours_tests::World::build(&app, "stop").await;
    let router = parcours_api::build_router(&app.config, app.db.clone()).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(parcours_api::serve_on(listener, router, async move {
        let _ = stopped.await;
    }));
    let mut sockets = Vec::new();
    for token in [&w.referent, &w.tenant.steering] {
        let mut s = parcours_tests::ws::connect(&base, token)
            .await
            .expect("accepted");
        s.subscribe("n", crate::notifications::SUBSCRIBE).await;
        sockets.push(s);
    }
    crate::notifications::listening(&app, 2).await;
    stop.send(()).expect("server running");
    for mut s in sockets {
        match s.next().await {
            Err(closed) => assert_eq!(closed.code, 1001, "{closed:?}"),
            Ok(message) => panic!("expected a close 1001, got {message}"),
        }
    }
    tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server stops")
        .expect("server task")
        .expect("clean stop");
}

on_both!(
    a_graceful_shutdown_finishes_the_requests_in_flight_and_refuses_new_ones,
    a_shutdown_closes_subscription_sockets_with_1001,
);
