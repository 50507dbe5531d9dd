//! Rate limits: a bucket per subject and one per tenant; a refusal is 429 with Retry-After, and
//! another tenant is not touched.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp};
use serde_json::{Value, json};

async fn ask(app: &TestApp, token: &str) -> (u16, Option<String>, Value) {
    let response = app
        .client()
        .post(app.url())
        .bearer_auth(token)
        .json(&json!({ "query": "{ me { role } }" }))
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_subject_or_one_tenant_cannot_take_everything() {
    // A request a minute sustained: nothing refills while the test runs.
    let app = TestApp::start_with(Backend::Sqlite, |vars| {
        for (k, v) in [
            ("PARCOURS_RATE_SUBJECT_PER_MINUTE", "1"),
            ("PARCOURS_RATE_SUBJECT_BURST", "3"),
            ("PARCOURS_RATE_TENANT_PER_MINUTE", "1"),
            ("PARCOURS_RATE_TENANT_BURST", "5"),
        ] {
            vars.insert(k.into(), v.into());
        }
    })
    .await;
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    // alpha: 5 in its bucket. Inviting a second account takes one of the first subject's 3.
    let (_, second) = app
        .staff(
            &alpha,
            Role::Steering,
            "second@alpha.example",
            &alpha.steering_body,
        )
        .await;
    for _ in 0..2 {
        assert_eq!(ask(&app, &alpha.steering).await.0, 200);
    }
    let (status, retry, body) = ask(&app, &alpha.steering).await;
    assert_eq!(status, 429, "the first subject is spent: {body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let retry: u64 = retry
        .and_then(|r| r.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    // The second subject has its own bucket, but shares the tenant's: 2 left of 5.
    for _ in 0..2 {
        assert_eq!(ask(&app, &second).await.0, 200);
    }
    let (status, _, body) = ask(&app, &second).await;
    assert_eq!(status, 429, "the tenant is spent: {body}");
    // Another territory is untouched.
    let (status, _, body) = ask(&app, &beta.steering).await;
    assert_eq!(
        (status, &body["data"]["me"]["role"]),
        (200, &json!("STEERING"))
    );
}

#[test]
fn a_limit_without_burst_is_refused_at_start() {
    let err = parcours_api::config::Config::from_lookup(|name| match name {
        "PARCOURS_RATE_TENANT_PER_MINUTE" => Some("100".into()),
        "PARCOURS_RATE_TENANT_BURST" => Some("0".into()),
        _ => None,
    })
    .expect_err("refused");
    assert_eq!(err.variable, "PARCOURS_RATE_TENANT_BURST");
    let err = parcours_api::config::Config::from_lookup(|name| {
        (name == "PARCOURS_RATE_SUBJECT_PER_MINUTE").then(|| "lots".into())
    })
    .expect_err("refused");
    assert_eq!(err.variable, "PARCOURS_RATE_SUBJECT_PER_MINUTE");
}
