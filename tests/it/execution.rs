//! The objects of pages and lists, which the API resolves field after field in one future
//! (`Inline`), answer as GraphQL execution says: keys in selection order, aliases, fragments
//! on the type and on its interface, a key selected twice merged, and a field's error reported
//! at its path beside its siblings' values. Connections, whose edges are resolved the same way
//! (`InlineConnection`), answer their edges' cursors, fragments on the connection and edge
//! types, and errors at the edge's index. Lists resolved item after item (`InTurn`, a CléA
//! positioning's domains) answer the same, `@skip` and `@include` included.

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention};

/// POST `query` and return the body as text (to read the order of keys) and as JSON.
async fn post_text(app: &TestApp, token: &str, query: &str, variables: Value) -> (String, Value) {
    let text = app
        .client()
        .post(app.url())
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request sent")
        .text()
        .await
        .expect("a body");
    let body = serde_json::from_str(&text).expect("JSON");
    (text, body)
}

async fn inline_objects_answer_as_graphql_executes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(&app, &w, "Roux").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;

    let page = "query { participants(first: 5) { edges { node {
        __typename surname: lastName lastName ...N
        ... on Participant { firstName commune { name } }
        commune { id } } } } }
        fragment N on Node { id }";
    let (text, body) = post_text(&app, &w.referent, page, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let edges = body["data"]["participants"]["edges"]
        .as_array()
        .expect("edges");
    let node = &edges
        .iter()
        .find(|e| e["node"]["id"] == p.as_str())
        .expect("the participant is listed")["node"];
    assert_eq!(node["__typename"], "Participant");
    assert_eq!(
        (&node["surname"], &node["lastName"]),
        (&json!("Roux"), &json!("Roux"))
    );
    assert!(node["firstName"].is_string(), "{node}");
    assert!(
        node.get("label").is_none(),
        "a fragment on another type applies to none"
    );
    let commune = node["commune"].as_object().expect("commune");
    assert!(
        commune["name"].is_string() && commune["id"].is_string(),
        "`commune` selected twice is merged: {node}"
    );
    // Keys in selection order; the merged `commune` where it was first selected.
    let at = |key: &str| {
        text.find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} in {text}"))
    };
    let order = [
        "__typename",
        "surname",
        "lastName",
        "id",
        "firstName",
        "commune",
    ];
    let positions: Vec<usize> = order.iter().map(|k| at(k)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys in selection order {order:?}: {text}"
    );
    assert!(
        text.contains("\"commune\":{\"name\":"),
        "the commune's keys in selection order: {text}"
    );

    // A field refused inside a list of inline objects: the error at its path, the siblings
    // answered, the value never.
    let members = "query($id: ID!) { node(id: $id) { ... on Cohort {
        members { status participant { lastName birthDate firstName } } } } }";
    let (_, body) = post_text(&app, &w.provider, members, json!({ "id": c["id"] })).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["node", "members", 0, "participant", "birthDate"]),
        "{body}"
    );
    let participant = &body["data"]["node"]["members"][0]["participant"];
    assert_eq!(participant["lastName"], "Roux", "{body}");
    assert!(participant["firstName"].is_string(), "{body}");
    assert!(participant["birthDate"].is_null(), "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");

    // The same through a connection's edges: the error's path has the edge's index.
    let cohorts = "query { cohorts(first: 5) { edges { node { ... on Cohort {
        members { participant { lastName birthDate } } } } } } }";
    let (_, body) = post_text(&app, &w.provider, cohorts, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!([
            "cohorts",
            "edges",
            0,
            "node",
            "members",
            0,
            "participant",
            "birthDate"
        ]),
        "{body}"
    );
    assert_eq!(
        body["data"]["cohorts"]["edges"][0]["node"]["members"][0]["participant"]["lastName"],
        "Roux",
        "{body}"
    );
}

async fn connections_answer_as_graphql_executes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    for name in ["Abel", "Blanc", "Colin"] {
        active_participant(&app, &w, name).await;
    }
    let page = "query($after: String) { participants(first: 2, after: $after) {
        __typename
        ... on ParticipantConnection { totalCount }
        pageInfo { hasNextPage endCursor }
        edges { __typename c: cursor node { lastName } ...E }
        nodes { lastName } } }
        fragment E on ParticipantEdge { cursor node { id } }";
    let (text, body) = post_text(&app, &w.referent, page, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let conn = &body["data"]["participants"];
    assert_eq!(conn["__typename"], "ParticipantConnection");
    assert_eq!(conn["totalCount"], 3, "{body}");
    assert_eq!(conn["pageInfo"]["hasNextPage"], true, "{body}");
    let edges = conn["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2, "{body}");
    for (edge, node) in edges.iter().zip(conn["nodes"].as_array().expect("nodes")) {
        assert_eq!(edge["__typename"], "ParticipantEdge");
        assert!(
            edge["c"].is_string() && edge["c"] == edge["cursor"],
            "{edge}"
        );
        assert!(
            edge["node"]["lastName"].is_string() && edge["node"]["id"].is_string(),
            "the edge's `node` selected twice is merged: {edge}"
        );
        assert_eq!(edge["node"]["lastName"], node["lastName"]);
    }
    assert_eq!(edges[1]["cursor"], conn["pageInfo"]["endCursor"], "{body}");
    assert!(
        text.contains("\"edges\":[{\"__typename\":\"ParticipantEdge\",\"c\":"),
        "the edge's keys in selection order: {text}"
    );

    // The edge's cursor continues the list.
    let after = edges[1]["cursor"].clone();
    let (_, next) = post_text(&app, &w.referent, page, json!({ "after": after })).await;
    assert!(next.get("errors").is_none(), "{next}");
    let rest = &next["data"]["participants"];
    assert_eq!(rest["pageInfo"]["hasNextPage"], false, "{next}");
    let names: Vec<&Value> = edges
        .iter()
        .chain(rest["edges"].as_array().expect("edges"))
        .map(|e| &e["node"]["lastName"])
        .collect();
    assert_eq!(
        names,
        [&json!("Abel"), &json!("Blanc"), &json!("Colin")],
        "every participant once over the two pages, in name order: {names:?}"
    );
}

async fn lists_in_turn_answer_as_graphql_executes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(&app, &w, "Roux").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    let d = crate::cohorts::diagnostic(&c["id"], &p, None, crate::workloads::clea(), true);
    app.ok(&w.provider, SAVE_DIAG, d).await;
    let domains = |set: &str| {
        format!(
            "query {{ cohorts(first: 1) {{ edges {{ node {{ members {{ diagnostic {{ clea {{
                domains {{ {set} }} }} }} }} }} }} }} }}
            fragment D on CleaDomainResult {{ domain }}"
        )
    };
    let items = |body: &Value| {
        body["data"]["cohorts"]["edges"][0]["node"]["members"][0]["diagnostic"]["clea"]["domains"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };

    // Keys in selection order, an alias, a named and an inline fragment, a key selected twice.
    let (text, body) = post_text(
        &app,
        &w.tenant.steering,
        &domains("__typename a: acquisition ...D ... on CleaDomainResult { name } a: acquisition"),
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let got = items(&body);
    assert_eq!(got.len(), 7, "{body}");
    assert!(
        text.contains(
            r#"{"__typename":"CleaDomainResult","a":"ACQUIRED","domain":"COMMUNICATING_IN_FRENCH","name":"Communiquer en français"}"#
        ),
        "{text}"
    );
    assert_eq!(
        got[1],
        json!({ "__typename": "CleaDomainResult", "a": "PARTLY_ACQUIRED",
                "domain": "CALCULATION_AND_REASONING",
                "name": "Utiliser les règles de base de calcul et du raisonnement mathématique" })
    );
    assert_eq!(got[2]["a"], "NOT_ACQUIRED");
    assert_eq!(got[6]["domain"], "SAFETY_AND_ENVIRONMENT_RULES");

    // `@skip` and `@include` apply item by item.
    let (_, body) = post_text(
        &app,
        &w.tenant.steering,
        &domains(
            "acquisition name @skip(if: true) ...D @include(if: false) domain @include(if: true)",
        ),
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let got = items(&body);
    assert_eq!(got.len(), 7, "{body}");
    assert_eq!(
        got[0],
        json!({ "acquisition": "ACQUIRED", "domain": "COMMUNICATING_IN_FRENCH" })
    );
}

on_both!(inline_objects_answer_as_graphql_executes);
on_both!(lists_in_turn_answer_as_graphql_executes);
on_both!(connections_answer_as_graphql_executes);
