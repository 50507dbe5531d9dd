//! `graphql-transport-ws` as the protocol says: its close codes, a rate budget that every
//! `subscribe` spends, a cap of sockets per instance, server pings, and a shutdown that closes
//! sockets with 1001.

use std::time::Duration;

use parcours_tests::ws::{self, Closed};
use parcours_tests::{Backend, TestApp, World, on_both};
use serde_json::json;

use crate::notifications::{SUBSCRIBE, listening};

fn closed_with(result: Result<serde_json::Value, Closed>, code: u16, what: &str) {
    match result {
        Err(closed) => assert_eq!(closed.code, code, "{what}: {closed:?}"),
        Ok(message) => panic!("{what}: expected a close {code}, got {message}"),
    }
}

async fn each_protocol_breach_closes_with_its_code(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;

    // A second `subscribe` with an id that is running: 4409, and the first one ends with it.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    s.subscribe("n", SUBSCRIBE).await;
    listening(&app, 1).await;
    s.subscribe("n", SUBSCRIBE).await;
    closed_with(s.next().await, 4409, "a duplicate id");

    // An id whose subscription the client completed may be used again.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    s.subscribe("again", SUBSCRIBE).await;
    s.send(json!({ "id": "again", "type": "complete" })).await;
    s.subscribe("again", SUBSCRIBE).await;
    s.quiet_for(Duration::from_millis(300))
        .await
        .expect("a completed id is free again");

    // An id whose subscription the server refused is free too.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    s.subscribe("q", "{ me { role } }").await;
    let refused = s.next().await.expect("open");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{refused}"
    );
    let done = s.next().await.expect("open");
    assert_eq!(
        (done["type"].as_str(), done["id"].as_str()),
        (Some("complete"), Some("q"))
    );
    s.subscribe("q", SUBSCRIBE).await;
    s.quiet_for(Duration::from_millis(300))
        .await
        .expect("a refused id is free again");

    // A message that is not the protocol's: 4400.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    s.send(json!({ "type": "bogus" })).await;
    closed_with(s.next().await, 4400, "an unknown message");

    // `subscribe` before `connection_init` is acknowledged: 4401.
    let mut s = ws::open(&app.base, "graphql-transport-ws")
        .await
        .expect("handshake");
    s.subscribe("early", SUBSCRIBE).await;
    closed_with(s.next().await, 4401, "subscribe before the ack");

    // A second `connection_init`: 4429.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    s.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", w.referent) } }))
        .await;
    closed_with(s.next().await, 4429, "a second init");
}

async fn refused_subscribes_spend_the_budget_too(backend: Backend) {
    let app = TestApp::start_with(backend, |vars| {
        vars.insert("PARCOURS_RATE_SUBJECT_PER_MINUTE".into(), "1".into());
        vars.insert("PARCOURS_RATE_SUBJECT_BURST".into(), "8".into());
    })
    .await;
    let w = World::build(&app, "nord").await;
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    // The connection spent one; seven refused subscribes (a query is not a subscription)
    // spend the rest, and the next one is refused for the budget, not for its document.
    let mut codes = Vec::new();
    for i in 0..8 {
        s.subscribe(&format!("q{i}"), "{ me { role } }").await;
        let message = s.next().await.expect("open");
        codes.push(message["payload"]["errors"][0]["extensions"]["code"].clone());
        let done = s.next().await.expect("open");
        assert_eq!(done["type"], "complete", "{done}");
    }
    assert_eq!(codes[..7], vec![json!("BAD_REQUEST"); 7][..], "{codes:?}");
    assert_eq!(codes[7], "RATE_LIMITED", "{codes:?}");
}

async fn the_instance_holds_its_cap_of_sockets_and_pings_them(backend: Backend) {
    let app = TestApp::start_with(backend, |vars| {
        vars.insert("PARCOURS_WS_MAX_CONNECTIONS".into(), "2".into());
        vars.insert("PARCOURS_WS_PING_MS".into(), "200".into());
    })
    .await;
    let w = World::build(&app, "nord").await;
    let mut alive = ws::connect(&app.base, &w.referent).await.expect("accepted");
    let silent = ws::connect(&app.base, &w.tenant.steering)
        .await
        .expect("accepted");
    // A third socket on the instance, whoever asks: 503 at the handshake.
    let third = ws::open(&app.base, "graphql-transport-ws").await;
    match third {
        Err(e) => assert!(e.contains("503"), "{e}"),
        Ok(_) => panic!("a third socket was accepted"),
    }
    // A client that reads its socket answers the pings and stays; one that reads nothing
    // for two pings is closed.
    alive.subscribe("n", SUBSCRIBE).await;
    alive
        .quiet_for(Duration::from_millis(1_200))
        .await
        .expect("a client reading its socket answers the pings and stays");
    let closed = silent.closed_without_answering().await;
    assert_eq!(
        closed.code, 3008,
        "silent for two pings (it read nothing, so it answered none): {closed:?}"
    );
    // Its place is given back.
    let mut again = None;
    for _ in 0..100 {
        if let Ok(s) = ws::connect(&app.base, &w.tenant.steering).await {
            again = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again.is_some(), "the place was never given back");
}

on_both!(
    each_protocol_breach_closes_with_its_code,
    refused_subscribes_spend_the_budget_too,
    the_instance_holds_its_cap_of_sockets_and_pings_them,
);
