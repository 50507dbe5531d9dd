//! Production mode: closed schema, no GraphiQL, no development tokens, no generated secret.

use std::collections::HashMap;

use parcours_api::auth::TokenRequest;
use parcours_api::config::Config;
use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World};
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
    assert_eq!(
        (status, parcours_tests::code(&body)),
        (400, "INTROSPECTION_DISABLED"),
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

/// The documented way to run production without Docker: PostgreSQL you already have, the
/// runtime role for requests, the owner role for migrations, secrets read from files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_runs_on_postgres_with_secrets_from_files() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let dir = std::env::temp_dir()
        .join("parcours-tests")
        .join(format!("secrets-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("secrets dir");
    let app = TestApp::start_with(backend, |vars| {
        for (name, file) in [
            ("DATABASE_URL", "database_url"),
            ("DATABASE_OWNER_URL", "database_owner_url"),
            ("PARCOURS_JWT_SECRET", "jwt_secret"),
        ] {
            let value = vars.remove(name).expect("set by the harness");
            let path = dir.join(file);
            std::fs::write(&path, format!("{value}\n")).expect("secret written");
            vars.insert(format!("{name}_FILE"), path.display().to_string());
        }
        vars.insert("PARCOURS_ENV".into(), "production".into());
    })
    .await;
    assert!(
        app.config.database_url.contains("parcours_app"),
        "requests run as the runtime role"
    );
    assert!(!app.config.database_owner_url.contains("parcours_app"));
    let w = World::build(&app, "prod").await;
    let data = app
        .ok(
            &w.tenant.steering,
            "{ me { role } structures { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["me"]["role"], "STEERING");
    std::fs::remove_dir_all(&dir).ok();

    // A secret file that cannot be read stops the start, naming its variable.
    let err = Config::from_lookup(|name| {
        (name == "DATABASE_URL_FILE").then(|| "/nonexistent/parcours/database_url".to_owned())
    })
    .expect_err("refused");
    assert_eq!(err.variable, "DATABASE_URL_FILE");
}

/// A database down at start: a few spaced retries, then an error naming the variable, and no
/// service (readiness is never reached).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_down_at_start_is_a_clear_error_after_bounded_retries() {
    // Port 9 (discard) on loopback: nothing listens there.
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some("postgres://parcours_app@127.0.0.1:9/parcours".into()),
        "DATABASE_OWNER_URL" => Some("postgres://parcours_owner@127.0.0.1:9/parcours".into()),
        "PARCOURS_JWT_SECRET" => Some("x".repeat(40)),
        _ => None,
    })
    .expect("config");
    let err = parcours_api::connect_and_migrate(&config)
        .await
        .expect_err("no database, no service");
    let message = err.to_string();
    assert!(
        message.contains("DATABASE_OWNER_URL") && message.contains("not reachable"),
        "{message}"
    );
}
