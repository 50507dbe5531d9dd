//! The audit log: one entry per mutation, in its transaction; none for a refused one; steering
//! filters it by subject, object and time range.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World, code, on_both};
use std::collections::HashMap;

use serde_json::{Value, json};

const LOG: &str = "query($subject: String, $object: ID, $from: DateTime, $to: DateTime) {
    auditLog(first: 100, subject: $subject, objectId: $object, from: $from, to: $to) {
        totalCount edges { node { at subject role action objectType objectId requestId } } } }";

async fn every_mutation_is_audited_and_the_log_filters(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let t = &w.tenant.steering;
    let all = app.ok(t, LOG, json!({})).await;
    // tenant.create, 2 × structure.create, 2 × staff.invite
    let actions: Vec<&str> = all["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        [
            "staff.invite",
            "structure.create",
            "staff.invite",
            "structure.create",
            "tenant.create"
        ],
        "newest first"
    );
    let first = &all["auditLog"]["edges"][4]["node"];
    assert_eq!(first["role"], "admin");
    assert_eq!(first["objectId"], w.tenant.id);
    assert!(first["requestId"].as_str().is_some_and(|r| r.len() > 8));

    // A refused mutation leaves no entry.
    let (_, body) = app
        .post(
            t,
            "mutation { createStructure(input: {name: \"\", kind: PARTNER}) { structure { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION");
    let (_, body) = app
        .post(
            &w.referent,
            "mutation { createStructure(input: {name: \"R\", kind: PARTNER}) { structure { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let after = app.ok(t, LOG, json!({})).await;
    assert_eq!(after["auditLog"]["totalCount"], 5);

    // Filters.
    let by_object = app.ok(t, LOG, json!({ "object": w.carrier })).await;
    assert_eq!(by_object["auditLog"]["totalCount"], 1);
    assert_eq!(
        by_object["auditLog"]["edges"][0]["node"]["action"],
        "structure.create"
    );
    let by_subject = app
        .ok(t, LOG, json!({ "subject": "operator@test.example" }))
        .await;
    assert_eq!(by_subject["auditLog"]["totalCount"], 1);
    let at = first["at"].as_str().expect("at");
    let from_creation = app.ok(t, LOG, json!({ "from": at })).await;
    assert_eq!(
        from_creation["auditLog"]["totalCount"], 5,
        "from is inclusive"
    );
    let before_creation = app.ok(t, LOG, json!({ "to": at })).await;
    assert_eq!(
        before_creation["auditLog"]["totalCount"], 0,
        "to is exclusive"
    );
    let unknown = app.ok(t, LOG, json!({ "object": "garbage" })).await;
    assert_eq!(unknown["auditLog"]["totalCount"], 0);

    // Pagination walks the whole log.
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let data = app
            .ok(
                t,
                "query($after: String) { auditLog(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        seen += data["auditLog"]["edges"].as_array().expect("edges").len();
        if data["auditLog"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["auditLog"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen, 5);
    let _ = Role::Steering;

    // Entries of an earlier release named a cohort's session `Session`: the log is never
    // rewritten, and they read with the session's GraphQL type and global ID.
    let session = uuid::Uuid::now_v7();
    let tenant = parcours_tests::global_uuid(&w.tenant.id).expect("tenant");
    let id = |n: u128| match app.backend {
        Backend::Sqlite => format!("X'{:032x}'", n),
        Backend::Postgres { .. } => format!("'{}'", uuid::Uuid::from_u128(n)),
    };
    parcours_tests::owner_sql(
        &app,
        &w.tenant.id,
        &format!(
            "INSERT INTO audit_entry (tenant_id, id, at, subject, role, action, object_type, object_id)
             VALUES ({}, {}, '2026-01-05T10:00:00+00:00', 'prov@alpha.example', 'provider',
                     'attendance.record', 'Session', {})",
            id(tenant.as_u128()),
            id(uuid::Uuid::now_v7().as_u128()),
            id(session.as_u128()),
        ),
    )
    .await;
    let old = app
        .ok(t, LOG, json!({ "subject": "prov@alpha.example" }))
        .await;
    let entry = &old["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["objectType"], "CohortSession", "{old}");
    let opened = entry["objectId"]
        .as_str()
        .and_then(parcours_api::graphql::ids::decode_any);
    assert_eq!(opened, Some(("CohortSession".into(), session)), "{entry}");
}

on_both!(every_mutation_is_audited_and_the_log_filters);

/// The audit log names each object by its GraphQL type, and its `objectId` opens with `node`
/// as that type (the demo's log holds every kind of object the service audits on a PLIE:
/// tenant, structures, staff, participants and their paths, calls, submissions, conventions,
/// cohorts and their sessions, follow-up sheets, reports, ESF+ records).
pub(crate) async fn audited_objects_open_as_their_type(app: &TestApp, steering: &str) {
    let mut samples: HashMap<String, Vec<Value>> = HashMap::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .ok(
                steering,
                "query($after: String) { auditLog(first: 100, after: $after) {
                    edges { node { objectType objectId } } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        for edge in page["auditLog"]["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            let kind = node["objectType"].as_str().expect("type").to_owned();
            let ids = samples.entry(kind).or_default();
            if ids.len() < 3 && !node["objectId"].is_null() {
                ids.push(node["objectId"].clone());
            }
        }
        if page["auditLog"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["auditLog"]["pageInfo"]["endCursor"].clone();
    }
    assert!(
        samples.contains_key("CohortSession") && samples.contains_key("Participant"),
        "{:?}",
        samples.keys()
    );
    for (kind, ids) in &samples {
        let mut opened = 0;
        for id in ids {
            let (_, body) = app
                .post(
                    steering,
                    "query($id: ID!) { node(id: $id) { __typename } }",
                    json!({ "id": id }),
                )
                .await;
            if let Some(typename) = body["data"]["node"]["__typename"].as_str() {
                assert_eq!(typename, kind, "{id}");
                opened += 1;
            }
        }
        assert!(opened > 0, "no {kind} of the log opens with node: {ids:?}");
    }
}
