//! Production mode: closed schema, no GraphiQL, no development tokens, no generated secret.

use std::collections::HashMap;

use parcours_api::auth::TokenRequest;
use parcours_api::config::Config;
use parcours_domain::Role;
use parcours_tests::{Backend, TestApp};
use serde_json::json;

fn production(extra: &[(&str, &str)]) -> Config {
    let dir = std::env::temp_dir().join(format!("parcours-prod-{}", uuid::Uuid::now_v7()));
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("PARCOURS_ENV".into(), "production".into());
    vars.insert("PARCOURS_DATA_DIR".into(), dir.display().to_string());
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("config")
}

#[test]
fn token_minting_is_refused_in_production() {
    let config = production(&[(
        "PARCOURS_JWT_SECRET",
        "an-explicit-production-secret-of-40-bytes",
    )]);
    let err = parcours_api::token(
        &config,
        &TokenRequest {
            tenant: Some("dijon".into()),
            role: Role::Steering,
            subject: "x".into(),
            structure: None,
            ttl: chrono::Duration::hours(1),
        },
    )
    .expect_err("refused");
    assert!(err.0.contains("production"), "{err}");
}

#[test]
fn production_refuses_the_generated_development_secret() {
    let dev = production(&[("PARCOURS_JWT_SECRET", "placeholder-placeholder-placeholder")]);
    std::fs::create_dir_all(&dev.data_dir).expect("dir");
    let generated = "0123456789abcdef0123456789abcdef0123456789abcdef";
    std::fs::write(dev.dev_secret_path(), generated).expect("write");
    let config = production(&[
        ("PARCOURS_JWT_SECRET", generated),
        ("PARCOURS_DATA_DIR", &dev.data_dir.display().to_string()),
    ]);
    let err = parcours_api::dev_secret(&config).expect_err("refused");
    assert!(err.0.contains("PARCOURS_JWT_SECRET"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_closes_introspection_suggestions_and_graphiql() {
    let app = TestApp::start_with(Backend::Sqlite, |vars| {
        vars.insert("PARCOURS_ENV".into(), "production".into());
    })
    .await;
    let (status, body) = app
        .post(&app.admin(), "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["data"]["__schema"].is_null(),
        "introspection is off: {body}"
    );
    let (_, body) = app
        .post(&app.admin(), "{ tenantz { totalCount } }", json!({}))
        .await;
    assert!(
        !body.to_string().contains("Did you mean"),
        "no suggestions: {body}"
    );
    let response = app
        .client()
        .get(app.url())
        .header("accept", "text/html")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 404, "no GraphiQL in production");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_attachments_url_stops_the_start_naming_its_variable() {
    let app = TestApp::start(Backend::Sqlite).await;
    let mut config = app.config.clone();
    config.attachments_url = Some("s3x://nowhere/prefix".into());
    let err = parcours_api::build_router(&config, app.db.clone()).expect_err("refused");
    assert!(err.0.contains("PARCOURS_ATTACHMENTS_URL"), "{err}");
    config.attachments_url = Some("memory:///attachments".into());
    assert!(
        parcours_api::build_router(&config, app.db.clone()).is_ok(),
        "memory:/// works"
    );
}
