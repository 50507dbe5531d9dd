//! Prometheus metrics: counted by route and by GraphQL operation, with no personal data in
//! them, and closed in production unless a token guards them.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World};
use serde_json::json;

async fn named(app: &TestApp, token: &str, name: &str, query: &str) -> u16 {
    app.client()
        .post(app.url())
        .bearer_auth(token)
        .json(&json!({ "query": query, "operationName": name }))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_operations_are_counted_without_personal_data() {
    let app = TestApp::start(Backend::Sqlite).await;
    let w = World::build(&app, "alpha").await;
    assert_eq!(
        named(&app, &w.referent, "Me", "query Me { me { role } }").await,
        200
    );
    assert_eq!(
        named(&app, &w.referent, "Me", "query Me { me { role } }").await,
        200
    );
    let figures = "query Figures { indicators(period: {from: \"2025-01-01\", to: \"2025-12-31\"}) { accompanied } }";
    assert_eq!(named(&app, &w.referent, "Figures", figures).await, 200);
    let odd = "query Drop_Table_Secrets_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx { me { role } }";
    named(
        &app,
        &w.referent,
        "Drop_Table_Secrets_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        odd,
    )
    .await;

    // An error of the GraphQL library itself is counted under its code, as it is answered.
    assert_eq!(
        named(&app, &w.referent, "Bad", "query Bad { me { nope } }").await,
        400
    );

    let (status, content_type, body) = app.get("", "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = String::from_utf8(body).expect("utf-8");
    for line in [
        "parcours_graphql_operations_total{operation=\"Me\",outcome=\"ok\"} 2",
        "parcours_graphql_operations_total{operation=\"Figures\",outcome=\"FORBIDDEN\"} 1",
        "parcours_graphql_operations_total{operation=\"other\",outcome=\"ok\"} 1",
        "parcours_graphql_operations_total{operation=\"Bad\",outcome=\"GRAPHQL_VALIDATION_FAILED\"} 1",
        "parcours_http_requests_total{route=\"/graphql\",status=\"200\"}",
        "parcours_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"}",
        "parcours_db_pool_connections{state=\"idle\"}",
        "parcours_rate_limited_total 0",
        "parcours_subscriptions 0",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    for secret in ["@", "alpha", &w.referent, "Drop_Table"] {
        assert!(
            !text.contains(secret),
            "{secret:?} must not be in the metrics"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_serves_metrics_only_behind_their_token() {
    let closed = TestApp::start_with(Backend::Sqlite, |vars| {
        vars.insert("PARCOURS_ENV".into(), "production".into());
    })
    .await;
    assert_eq!(closed.get("", "/metrics").await.0, 404);
    let guarded = TestApp::start_with(Backend::Sqlite, |vars| {
        vars.insert("PARCOURS_ENV".into(), "production".into());
        vars.insert(
            "PARCOURS_METRICS_TOKEN".into(),
            "scrape-me-0123456789".into(),
        );
    })
    .await;
    assert_eq!(guarded.get("", "/metrics").await.0, 401);
    let challenge = guarded
        .client()
        .get(guarded.url().replace("/graphql", "/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        challenge
            .headers()
            .get("www-authenticate")
            .map(|v| v.as_bytes()),
        Some(&b"Bearer"[..]),
        "a 401 names its scheme"
    );
    assert_eq!(guarded.get("wrong", "/metrics").await.0, 401);
    let steering = guarded.token(None, Role::Admin, "operator@test.example", None);
    assert_eq!(
        guarded.get(&steering, "/metrics").await.0,
        401,
        "a user token is not the scrape token"
    );
    assert_eq!(guarded.get("scrape-me-0123456789", "/metrics").await.0, 200);
}
