//! Attachments in an S3-compatible store (run with `--features s3` and `TEST_S3_ENDPOINT`
//! naming a local S3-compatible server with a bucket `parcours-test`; CI uses moto's server).

use parcours_tests::{Backend, TestApp, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_round_trip_through_an_s3_compatible_store() {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "TEST_S3_ENDPOINT is required for the s3 feature's test under CI"
        );
        return;
    };
    let app = TestApp::start_with(Backend::Sqlite, move |vars| {
        for (k, v) in [
            ("PARCOURS_ATTACHMENTS_URL", "s3://parcours-test/attachments"),
            ("AWS_ENDPOINT", endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ] {
            vars.insert(k.into(), v.into());
        }
    })
    .await;
    let w = World::build(&app, "alpha").await;
    let pdf = b"%PDF-1.4\n% stored in S3\n".to_vec();
    let response = app
        .client()
        .post(format!("{}/attachments?filename=budget.pdf", app.base))
        .bearer_auth(&w.provider)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let stored: serde_json::Value = response.json().await.expect("json");
    let id = stored["id"].as_str().expect("id");
    let back = app
        .client()
        .get(format!("{}/attachments/{id}", app.base))
        .bearer_auth(&w.provider)
        .send()
        .await
        .expect("sent");
    assert_eq!(back.status().as_u16(), 200);
    assert_eq!(back.bytes().await.expect("bytes").to_vec(), pdf);
}
