//! `schema.graphql` is the SDL clients read; it must match the code. In development the
//! standard introspection queries that tools send are answered whole; in production
//! introspection is off with a coded error.

use parcours_tests::{Backend, TestApp, code};
use serde_json::json;

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = parcours_api::schema_sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date; regenerate it with:\n\n    cargo run -q -p parcours-api -- schema > schema.graphql\n"
    );
}

#[test]
fn no_internal_name_leaks_into_the_schema() {
    let sdl = parcours_api::schema_sdl();
    let leaked: Vec<&str> = sdl
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|word| word.ends_with("Gql") || word.ends_with("Obj"))
        .collect();
    assert!(leaked.is_empty(), "internal names in the SDL: {leaked:?}");
}

/// Every output type with an `id: ID!` field implements `Node`, so that any ID a client holds
/// opens through `node(id:)`.
#[test]
fn every_object_with_an_id_is_a_node() {
    let sdl = parcours_api::schema_sdl();
    let mut missing = Vec::new();
    let mut current: Option<(&str, bool)> = None;
    for line in sdl.lines() {
        if let Some(rest) = line.strip_prefix("type ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            current = Some((name, rest.contains("implements") && rest.contains("Node")));
        } else if line.starts_with('}') {
            current = None;
        } else if line.trim() == "id: ID!"
            && let Some((name, node)) = current
            && !node
        {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "types with an ID that are not nodes: {missing:?}"
    );
}

/// graphql-js 16's `getIntrospectionQuery()`, with every option on and with none (what
/// GraphiQL, graphql-codegen, Apollo and Python `gql` send), as printed by graphql-js.
const INTROSPECTION: [(&str, &str); 2] = [
    (
        "all options",
        include_str!("../fixtures/introspection-all-options.graphql"),
    ),
    (
        "default",
        include_str!("../fixtures/introspection-default.graphql"),
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_answers_the_standard_introspection_queries_whole() {
    let app = TestApp::start(Backend::Sqlite).await;
    let token = app.admin();
    for (name, query) in INTROSPECTION {
        let (status, body) = app.post(&token, query, json!({})).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert!(body.get("errors").is_none(), "{name}: {body}");
        let types = body["data"]["__schema"]["types"].as_array().expect("types");
        assert!(
            types.iter().any(|t| t["name"] == "Participant"),
            "{name}: the whole schema"
        );
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot");
    }
    // Every other query keeps the depth limit, even beside an introspection field.
    let deep = "{ __typename structures(first: 1) { edges { node { staff(first: 1) { edges { node { structure { staff(first: 1) { edges { node { structure { staff(first: 1) { edges { node { id } } } } } } } } } } } } } } }";
    let (status, body) = app.post(&token, deep, json!({})).await;
    assert_eq!((status, code(&body)), (400, "QUERY_TOO_DEEP"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_introspection_with_its_code() {
    let app = TestApp::start_with(Backend::Sqlite, |vars| {
        vars.insert("PARCOURS_ENV".into(), "production".into());
    })
    .await;
    for (name, query) in INTROSPECTION {
        let (status, body) = app.post(&app.admin(), query, json!({})).await;
        assert_eq!(
            (status, code(&body)),
            (400, "INTROSPECTION_DISABLED"),
            "{name}: {body}"
        );
    }
    let (status, body) = app
        .post(
            &app.admin(),
            "{ __type(name: \"Participant\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (400, "INTROSPECTION_DISABLED"),
        "{body}"
    );
    let (status, body) = app.post(&app.admin(), "{ __typename }", json!({})).await;
    assert_eq!(
        (status, body["data"]["__typename"].as_str()),
        (200, Some("QueryRoot"))
    );
}
