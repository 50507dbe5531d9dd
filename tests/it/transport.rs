//! The hardened GraphQL-over-HTTP transport: methods, media types, size and shape limits, and
//! the nesting bomb that aborts a plain async-graphql process.

use parcours_tests::{Backend, TestApp, World, code};
use serde_json::{Value, json};

async fn app() -> (TestApp, World) {
    let app = TestApp::start(Backend::Sqlite).await;
    let world = World::build(&app, "alpha").await;
    (app, world)
}

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: Vec<u8>,
    query: &str,
) -> (u16, String, Value) {
    let mut request = app
        .client()
        .request(method, format!("{}{query}", app.url()))
        .bearer_auth(token)
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        media,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn json_body(query: &str) -> Vec<u8> {
    json!({ "query": query }).to_string().into_bytes()
}

#[tokio::test]
async fn methods_and_media_types_are_checked_before_execution() {
    let (app, w) = app().await;
    let t = &w.tenant.steering;
    let mutation =
        "mutation { createStructure(input: {name: \"X\", kind: PARTNER}) { structure { id } } }";
    let get = |q: &str| format!("?query={}", urlencode(q));

    let (status, _, body) = send(
        &app,
        t,
        reqwest::Method::GET,
        None,
        None,
        vec![],
        &get(mutation),
    )
    .await;
    assert_eq!(status, 405, "mutation over GET: {body}");
    let (status, _, body) = send(
        &app,
        t,
        reqwest::Method::GET,
        None,
        None,
        vec![],
        &get("{ me { role } }"),
    )
    .await;
    assert_eq!(status, 200, "query over GET: {body}");
    assert_eq!(body["data"]["me"]["role"], "STEERING");

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
        Some("application/json; charset=latin1"),
    ] {
        let (status, _, body) = send(
            &app,
            t,
            reqwest::Method::POST,
            content_type,
            None,
            json_body(mutation),
            "",
        )
        .await;
        assert_eq!(status, 415, "{content_type:?}: {body}");
    }
    let (status, _, _) = send(
        &app,
        t,
        reqwest::Method::PUT,
        Some("application/json"),
        None,
        json_body("{ me { role } }"),
        "",
    )
    .await;
    assert_eq!(status, 405, "PUT");

    // Nothing of those was executed.
    let data = app
        .ok(
            t,
            "{ structures(first: 100) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert!(!data.to_string().contains("\"X\""), "{data}");

    let (status, media, _) = send(
        &app,
        t,
        reqwest::Method::POST,
        Some("application/json"),
        Some("application/json"),
        json_body("{ me { role } }"),
        "",
    )
    .await;
    assert_eq!(
        (status, media.as_str()),
        (200, "application/json; charset=utf-8")
    );
    let (status, media, _) = send(
        &app,
        t,
        reqwest::Method::POST,
        Some("application/json"),
        None,
        json_body("{ me { role } }"),
        "",
    )
    .await;
    assert_eq!(
        (status, media.as_str()),
        (200, "application/graphql-response+json; charset=utf-8")
    );
    let (status, _, _) = send(
        &app,
        t,
        reqwest::Method::POST,
        Some("application/json"),
        Some("text/html"),
        json_body("{ me { role } }"),
        "",
    )
    .await;
    assert_eq!(status, 406, "Accept: text/html on POST");
}

#[tokio::test]
async fn malformed_batched_and_oversized_bodies_are_request_errors() {
    let (app, w) = app().await;
    let t = &w.tenant.steering;
    let ct = Some("application/json");
    let batch = json!([{ "query": "{ me { role } }" }, { "query": "{ me { role } }" }]).to_string();
    let huge = json!({ "query": format!("{{ me {{ role }} }} #{}", "x".repeat(4 * 1024 * 1024)) })
        .to_string();
    let deep_json = format!(
        "{{\"query\":\"{{ me {{ role }} }}\",\"variables\":{{\"a\":{}1{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("batch", batch.into_bytes(), 400, "BAD_REQUEST"),
        (
            "malformed JSON",
            b"{\"query\": ".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        ("a number", b"42".to_vec(), 400, "BAD_REQUEST"),
        (
            "invalid UTF-8",
            vec![b'{', 0xff, 0xfe, b'}'],
            400,
            "BAD_REQUEST",
        ),
        (
            "missing query",
            b"{\"variables\": {}}".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        ("4 MiB body", huge.into_bytes(), 413, "PAYLOAD_TOO_LARGE"),
        (
            "100000-deep JSON variables",
            deep_json.into_bytes(),
            400,
            "BAD_REQUEST",
        ),
        (
            "syntax error",
            json_body("{ me { "),
            400,
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "unknown field",
            json_body("{ nope }"),
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (name, body, expected_status, expected_code) in cases {
        let (status, _, response) = send(&app, t, reqwest::Method::POST, ct, None, body, "").await;
        assert_eq!(status, expected_status, "{name}: {response}");
        assert_eq!(code(&response), expected_code, "{name}: {response}");
        assert!(
            response.get("data").is_none(),
            "{name}: request errors carry no data"
        );
    }
}

#[tokio::test]
async fn nesting_bombs_are_refused_and_the_process_keeps_answering() {
    let (app, w) = app().await;
    let t = &w.tenant.steering;
    let list = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let object = format!("{}1{}", "{a:".repeat(3000), "}".repeat(3000));
    let in_argument = format!("{{ structures(after: {list}) {{ totalCount }} }}");
    let in_variable_default = format!("query($v: [Int] = {list}) {{ me {{ role }} }}");
    let object_argument = format!("{{ structures(after: {object}) {{ totalCount }} }}");
    for (name, query) in [
        ("5000-deep list in an argument", in_argument),
        ("5000-deep list in a variable default", in_variable_default),
        ("3000-deep object in an argument", object_argument),
    ] {
        let (status, body) = app.post(t, &query, json!({})).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(code(&body), "QUERY_TOO_DEEP", "{name}");
    }
    let data = app.ok(t, "{ me { role } }", json!({})).await;
    assert_eq!(data["me"]["role"], "STEERING", "the process still answers");
}

#[tokio::test]
async fn depth_complexity_alias_and_typename_floods_get_coded_errors() {
    let (app, w) = app().await;
    let t = &w.tenant.steering;
    let deep = "{ staff(first: 1) { edges { node { structure { staff(first: 1) { edges { node { structure { staff(first: 1) { edges { node { structure { name } } } } } } } } } } } } }";
    let complex = "{ structures(first: 100) { edges { node { staff(first: 100) { edges { node { structure { staff(first: 100) { totalCount } } } } } } } } }";
    let aliases = format!(
        "{{{}}}",
        (0..2000)
            .map(|i| format!("a{i}:me{{role}}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // 2,900 fit under the 32 KiB query cap; the field cap (500) must refuse them.
    let typenames = format!("{{ {} }}", "__typename ".repeat(2900));
    let fragment_flood = format!(
        "{{ {} }} fragment F on Query {{ {} }}",
        "...F ".repeat(100),
        "__typename ".repeat(100)
    );
    let directives = format!("{{ me {} {{ role }} }}", "@include(if: true) ".repeat(500));
    for (name, query, expected) in [
        ("depth", deep.to_owned(), "QUERY_TOO_DEEP"),
        (
            "first: 100 nested three times",
            complex.to_owned(),
            "QUERY_TOO_COMPLEX",
        ),
        ("2000 aliases", aliases, "QUERY_TOO_COMPLEX"),
        ("2900 __typename", typenames, "QUERY_TOO_COMPLEX"),
        (
            "__typename through fragments",
            fragment_flood,
            "QUERY_TOO_COMPLEX",
        ),
        ("500 directives", directives, "QUERY_TOO_COMPLEX"),
    ] {
        let (status, body) = app.post(t, &query, json!({})).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    let (status, body) = app
        .post(t, "{ structures(first: 100000) { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        code(&body),
        "VALIDATION",
        "page size above the maximum: {body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
}

#[tokio::test]
async fn health_ready_and_request_ids() {
    let (app, _) = app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .client()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert!(response.headers().get("x-request-id").is_some(), "{path}");
    }
    let response = app
        .client()
        .get(format!("{}/graphql", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200, "GraphiQL in development");
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("graphiql")
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
