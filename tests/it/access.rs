//! The access log of sensitive-field reads: exactly one entry per participant and field per
//! request for what was answered, none for what was refused or not sensitive, one statement per
//! request whatever the page size, steering-only and tenant-scoped, append-only for the runtime
//! role, the ESF+ export recorded, and no data at all when the log cannot be written.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

use crate::cohorts::{PRESCRIBE, active_participant, cohort, convention};

const LOG: &str = "query($filter: AccessLogFilter, $first: Int) {
    accessLog(filter: $filter, first: $first) {
        totalCount
        edges { node { id at subject role participantId field channel requestId } } } }";

const SENSITIVE: &str =
    "query($id: ID!) { participant(id: $id) { lastName rsaBeneficiary recognisedDisability } }";

/// POST an operation; returns the `x-request-id` the service answered, the status and the body.
async fn post_traced(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> (String, u16, Value) {
    let response = app
        .client()
        .post(app.url())
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request sent");
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an x-request-id header")
        .to_owned();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (request_id, status, body)
}

/// The access log as `token` reads it, with `filter`: (totalCount, nodes).
async fn log(app: &TestApp, token: &str, filter: Value) -> (i64, Vec<Value>) {
    let data = app
        .ok(token, LOG, json!({ "filter": filter, "first": 100 }))
        .await;
    let total = data["accessLog"]["totalCount"]
        .as_i64()
        .expect("totalCount");
    let nodes = data["accessLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    (total, nodes)
}

/// The (participant, field, channel) triples of `nodes`, sorted.
fn triples(nodes: &[Value]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = nodes
        .iter()
        .map(|n| {
            (
                n["participantId"]
                    .as_str()
                    .expect("participantId")
                    .to_owned(),
                n["field"].as_str().expect("field").to_owned(),
                n["channel"].as_str().expect("channel").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// "Roux", active, prescribed on a cohort of the provider's convention: (convention, participant).
async fn roux_prescribed_on_a_cohort(app: &TestApp, w: &World) -> (String, String) {
    let conv = convention(app, w).await;
    let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(app, w, "Roux").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    (conv, p)
}

/// One entry per participant and sensitive field read, with the reader and the request id;
/// non-sensitive and refused reads record nothing.
async fn reads_of_sensitive_fields_are_recorded_once_each(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    let (_, p) = roux_prescribed_on_a_cohort(&app, &w).await;
    let colleague = w.colleague(&app).await;
    let (total, _) = log(&app, steering, json!({})).await;
    assert_eq!(total, 0, "creating and validating read no sensitive field");

    // Steering reads both fields, one of them twice through aliases: two entries.
    let twice = "query($id: ID!) {
        a: participant(id: $id) { rsaBeneficiary recognisedDisability }
        b: participant(id: $id) { rsaBeneficiary }
        list: participants(first: 10) { edges { node { recognisedDisability } } } }";
    let (rid, status, body) = post_traced(&app, steering, twice, json!({ "id": p })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["a"]["rsaBeneficiary"], true, "{body}");
    let (total, nodes) = log(&app, steering, json!({})).await;
    assert_eq!(total, 2, "one entry per participant and field: {nodes:?}");
    assert_eq!(
        triples(&nodes),
        [
            (p.clone(), "RECOGNISED_DISABILITY".into(), "GRAPHQL".into()),
            (p.clone(), "RSA_BENEFICIARY".into(), "GRAPHQL".into()),
        ]
    );
    for n in &nodes {
        assert_eq!(n["subject"], w.tenant.steering_subject, "{n}");
        assert_eq!(n["role"], "steering", "{n}");
        assert_eq!(
            n["requestId"],
            rid.as_str(),
            "the answered x-request-id: {n}"
        );
    }

    // The owning referent reads one field: one entry, theirs.
    let (rid, status, body) = post_traced(
        &app,
        &w.referent,
        "query($id: ID!) { participant(id: $id) { rsaBeneficiary } }",
        json!({ "id": p }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (total, nodes) = log(&app, steering, json!({ "subject": "ref@alpha.example" })).await;
    assert_eq!(total, 1, "{nodes:?}");
    assert_eq!(nodes[0]["role"], "referent");
    assert_eq!(nodes[0]["field"], "RSA_BENEFICIARY");
    assert_eq!(nodes[0]["participantId"], p.as_str());
    assert_eq!(nodes[0]["requestId"], rid.as_str());

    // Non-sensitive reads, and refused sensitive reads, record nothing.
    let before = log(&app, steering, json!({})).await.0;
    app.ok(
        steering,
        "query($id: ID!) { participant(id: $id) { firstName lastName birthDate email educationLevel } participants { totalCount edges { node { id lastName } } } }",
        json!({ "id": p }),
    )
    .await;
    let (_, body) = app.post(&w.provider, SENSITIVE, json!({ "id": p })).await;
    assert_eq!(code(&body), "FORBIDDEN", "provider of the cohort: {body}");
    assert_eq!(body["data"]["participant"]["lastName"], "Roux", "{body}");
    let (_, body) = app.post(&colleague, SENSITIVE, json!({ "id": p })).await;
    assert_eq!(code(&body), "FORBIDDEN", "another referent: {body}");
    let (_, body) = app
        .post(
            &colleague,
            "{ participants { edges { node { rsaBeneficiary } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["participants"]["edges"], json!([]), "{body}");
    let after = log(&app, steering, json!({})).await.0;
    assert_eq!(after, before, "nothing recorded for those reads");
}

/// `node`, a mutation's payload and the provider's ESF+ records are sensitive reads like any
/// other.
async fn node_payloads_and_esf_records_are_recorded_reads_too(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    let (conv, p) = roux_prescribed_on_a_cohort(&app, &w).await;

    // `node` and a mutation's payload are reads like any other.
    let commune = first_commune(&app, &w.referent).await;
    let created = app
        .ok(
            &w.referent,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id recognisedDisability } } }",
            json!({ "input": participant_input(&commune, "Neuf") }),
        )
        .await;
    let fresh = created["createParticipant"]["participant"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.ok(
        steering,
        "query($id: ID!) { node(id: $id) { ... on Participant { rsaBeneficiary } } }",
        json!({ "id": fresh }),
    )
    .await;
    let (_, nodes) = log(&app, steering, json!({ "participantId": fresh })).await;
    let seen: Vec<(&str, &str)> = nodes
        .iter()
        .map(|n| {
            (
                n["role"].as_str().expect("role"),
                n["field"].as_str().expect("field"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("steering", "RSA_BENEFICIARY"),
            ("referent", "RECOGNISED_DISABILITY")
        ],
        "newest first"
    );

    // The provider reads the disability of its convention's ESF+ records: recorded as theirs.
    app.ok(
        &w.referent,
        "mutation($p: ID!, $op: ID!) { recordEsfEntry(input: {participantId: $p, operationId: $op, employmentStatus: UNEMPLOYED}) { esfRecord { id } } }",
        json!({ "p": p, "op": conv }),
    )
    .await;
    let data = app
        .ok(
            &w.provider,
            "query($op: ID) { esfRecords(operationId: $op) { edges { node { disability } } } }",
            json!({ "op": conv }),
        )
        .await;
    assert_eq!(
        data["esfRecords"]["edges"].as_array().map(Vec::len),
        Some(1),
        "{data}"
    );
    let (total, nodes) = log(&app, steering, json!({ "subject": "prov@alpha.example" })).await;
    assert_eq!(total, 1, "{nodes:?}");
    assert_eq!(
        (
            &nodes[0]["role"],
            &nodes[0]["field"],
            &nodes[0]["participantId"]
        ),
        (
            &json!("provider"),
            &json!("RECOGNISED_DISABILITY"),
            &json!(p)
        )
    );
}

/// The SQL statements one successful operation runs.
async fn cost(app: &TestApp, token: &str, query: &str) -> u64 {
    app.known_caller(token).await;
    let start = app.db.statements_executed();
    app.ok(token, query, json!({})).await;
    app.db.statements_executed() - start
}

async fn a_page_costs_the_same_statements_whatever_its_size(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for i in 0..12 {
        create_participant(
            &app,
            &w.referent,
            participant_input(&commune, &format!("P{i:02}")),
        )
        .await;
    }
    let page = |n: usize, fields: &str| {
        format!("{{ participants(first: {n}) {{ edges {{ node {{ id lastName {fields} }} }} }} }}")
    };
    let s = &w.tenant.steering;
    let plain_3 = cost(&app, s, &page(3, "")).await;
    let sensitive_3 = cost(&app, s, &page(3, "rsaBeneficiary recognisedDisability")).await;
    let plain_12 = cost(&app, s, &page(12, "")).await;
    let sensitive_12 = cost(&app, s, &page(12, "rsaBeneficiary recognisedDisability")).await;
    assert_eq!(plain_3, plain_12, "the page itself costs the same");
    let extra_3 = sensitive_3 - plain_3;
    let extra_12 = sensitive_12 - plain_12;
    assert_eq!(extra_3, extra_12, "recording does not grow with the page");
    // One INSERT in the request's own transaction on PostgreSQL; on SQLite, whose read
    // snapshot cannot become a write, in a write transaction of its own (BEGIN, INSERT, COMMIT).
    let expected = match app.backend {
        Backend::Sqlite => 3,
        Backend::Postgres { .. } => 1,
    };
    assert_eq!(extra_12, expected, "statements added by recording");
    let (total, _) = log(&app, &w.tenant.steering, json!({})).await;
    assert_eq!(
        total,
        2 * 3 + 2 * 12,
        "every participant shown, both fields"
    );
}

async fn the_log_is_steerings_own_and_filters_are_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let commune = first_commune(&app, &w.referent).await;
    let (p1, _) = create_participant(&app, &w.referent, participant_input(&commune, "Un")).await;
    let (p2, _) = create_participant(&app, &w.referent, participant_input(&commune, "Deux")).await;
    app.set_now(Some("2026-03-01T10:00:00Z"));
    app.ok(&w.tenant.steering, SENSITIVE, json!({ "id": p1 }))
        .await;
    app.set_now(Some("2026-03-02T10:00:00Z"));
    app.ok(&w.referent, SENSITIVE, json!({ "id": p2 })).await;
    app.set_now(None);
    let s = &w.tenant.steering;
    let (total, entries) = log(&app, s, json!({})).await;
    assert_eq!(total, 4);
    // An entry is a node, steering's only.
    let node = "query($id: ID!) { node(id: $id) { __typename ... on AccessEntry { id field } } }";
    let entry = entries[0]["id"].clone();
    let read = app.ok(s, node, json!({ "id": entry })).await;
    assert_eq!(
        (&read["node"]["__typename"], &read["node"]["id"]),
        (&json!("AccessEntry"), &entry)
    );
    for (token, expected) in [
        (&w.referent, "FORBIDDEN"),
        (&w.provider, "FORBIDDEN"),
        (&foreign.tenant.steering, "NOT_FOUND"),
    ] {
        let (_, body) = app.post(token, node, json!({ "id": entry })).await;
        assert_eq!(code(&body), expected, "{body}");
    }

    // Filters: participant, subject, from inclusive, to exclusive; a foreign participant's ID
    // matches nothing.
    for (name, filter, expected) in [
        ("participant", json!({ "participantId": p1 }), 2),
        ("subject", json!({ "subject": "ref@alpha.example" }), 2),
        ("unknown subject", json!({ "subject": "nobody" }), 0),
        (
            "from, inclusive",
            json!({ "from": "2026-03-02T10:00:00Z" }),
            2,
        ),
        ("to, exclusive", json!({ "to": "2026-03-02T10:00:00Z" }), 2),
        (
            "both bounds",
            json!({ "from": "2026-03-01T10:00:00Z", "to": "2026-03-01T10:00:00.000001Z" }),
            2,
        ),
        (
            "participant and subject",
            json!({ "participantId": p1, "subject": "ref@alpha.example" }),
            0,
        ),
    ] {
        assert_eq!(log(&app, s, filter).await.0, expected, "{name}");
    }
    let (_, nodes) = log(&app, s, json!({})).await;
    assert_eq!(nodes[0]["subject"], "ref@alpha.example", "newest first");
    assert_eq!(
        nodes[3]["subject"], w.tenant.steering_subject,
        "newest first"
    );

    // Steering only.
    for (who, token) in [
        ("referent", &w.referent),
        ("provider", &w.provider),
        ("admin", &app.admin()),
    ] {
        let (_, body) = app.post(token, LOG, json!({})).await;
        assert_eq!(code(&body), "FORBIDDEN", "{who}: {body}");
        assert_eq!(body["data"]["accessLog"], Value::Null, "{who}: {body}");
    }

    // Another tenant's steering sees none of it, even by participant.
    let (total, _) = log(&app, &foreign.tenant.steering, json!({})).await;
    assert_eq!(total, 0);
    let (total, _) = log(
        &app,
        &foreign.tenant.steering,
        json!({ "participantId": p1 }),
    )
    .await;
    assert_eq!(total, 0);

    // Bad input.
    for (name, filter, first, field) in [
        (
            "not an ID",
            json!({ "participantId": "garbage" }),
            10,
            "filter.participantId",
        ),
        (
            "another type's ID",
            json!({ "participantId": w.carrier }),
            10,
            "filter.participantId",
        ),
        (
            "blank subject",
            json!({ "subject": " " }),
            10,
            "filter.subject",
        ),
        (
            "long subject",
            json!({ "subject": "x".repeat(321) }),
            10,
            "filter.subject",
        ),
        (
            "from after to",
            json!({ "from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z" }),
            10,
            "filter.from",
        ),
        ("page too large", json!({}), 101, "first"),
    ] {
        let (_, body) = app
            .post(s, LOG, json!({ "filter": filter, "first": first }))
            .await;
        assert_eq!(code(&body), "VALIDATION", "{name}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{name}: {body}"
        );
    }
    let (_, body) = app
        .post(s, LOG, json!({ "filter": { "from": "yesterday" } }))
        .await;
    assert_eq!(code(&body), "VALIDATION", "not an instant: {body}");
    assert_eq!(body["data"]["accessLog"], Value::Null, "{body}");
}

async fn the_rsa_filter_is_recorded_and_refused_to_providers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut on_rsa = participant_input(&commune, "Rsa");
    on_rsa["rsaBeneficiary"] = json!(true);
    let mut off_rsa = participant_input(&commune, "Autre");
    off_rsa["rsaBeneficiary"] = json!(false);
    let (p1, _) = create_participant(&app, &w.referent, on_rsa).await;
    create_participant(&app, &w.referent, off_rsa).await;
    let filtered = "{ participants(rsaBeneficiary: true) { edges { node { id lastName } } } }";
    let data = app.ok(&w.referent, filtered, json!({})).await;
    assert_eq!(
        data["participants"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let (_, nodes) = log(&app, &w.tenant.steering, json!({})).await;
    assert_eq!(
        triples(&nodes),
        [(p1.clone(), "RSA_BENEFICIARY".into(), "GRAPHQL".into())],
        "listed under the filter: its RSA status was disclosed"
    );
    let (_, body) = app.post(&w.provider, filtered, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (_, body) = app
        .post(
            &w.provider,
            "{ participants(rsaBeneficiary: false) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "false discloses as much: {body}");
    assert_eq!(log(&app, &w.tenant.steering, json!({})).await.0, 1);

    // A count would disclose the status of people not listed (nor recorded): under the filter
    // there is none, and a page lists at least one participant.
    let (_, body) = app
        .post(
            &w.referent,
            "{ participants(rsaBeneficiary: true, search: \"Rsa\", first: 0) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("first")),
        "{body}"
    );
    let data = app
        .ok(
            &w.referent,
            "{ participants(rsaBeneficiary: true, first: 1) { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["participants"]["totalCount"], Value::Null, "{data}");
    let data = app
        .ok(&w.referent, "{ participants { totalCount } }", json!({}))
        .await;
    assert_eq!(
        data["participants"]["totalCount"], 2,
        "without the filter: counted"
    );
    assert_eq!(log(&app, &w.tenant.steering, json!({})).await.0, 2);
}

async fn esf_disability_is_recorded_in_graphql_and_in_the_export(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let p1 = active_participant(&app, &w, "Un").await;
    let p2 = active_participant(&app, &w, "Deux").await;
    let entry = "mutation($p: ID!, $op: ID!) { recordEsfEntry(input: {participantId: $p, operationId: $op, employmentStatus: UNEMPLOYED}) { esfRecord { id } } }";
    for p in [&p1, &p2] {
        app.ok(&w.referent, entry, json!({ "p": p, "op": w.tenant.id }))
            .await;
    }
    assert_eq!(log(&app, &w.tenant.steering, json!({})).await.0, 0);

    let (rid, status, body) = post_traced(
        &app,
        &w.tenant.steering,
        "{ esfRecords { edges { node { disability } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, nodes) = log(&app, &w.tenant.steering, json!({})).await;
    let mut expected = vec![
        (
            p1.clone(),
            "RECOGNISED_DISABILITY".to_owned(),
            "GRAPHQL".to_owned(),
        ),
        (
            p2.clone(),
            "RECOGNISED_DISABILITY".to_owned(),
            "GRAPHQL".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(triples(&nodes), expected);
    assert!(nodes.iter().all(|n| n["requestId"] == rid.as_str()));

    let path = format!(
        "/esf/export?operationId={}&from=2024-01-01&to=2024-12-31",
        w.tenant.id
    );
    let (status, content_type, body) = app.get(&w.tenant.steering, &path).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(content_type.starts_with("text/csv"));
    let (_, nodes) = log(&app, &w.tenant.steering, json!({})).await;
    let exported: Vec<&Value> = nodes
        .iter()
        .filter(|n| n["channel"] == "ESF_EXPORT")
        .collect();
    let mut people: Vec<&str> = exported
        .iter()
        .map(|n| n["participantId"].as_str().expect("id"))
        .collect();
    people.sort_unstable();
    let mut want = vec![p1.as_str(), p2.as_str()];
    want.sort_unstable();
    assert_eq!(people, want, "one entry per exported participant");
    assert!(exported.iter().all(|n| {
        n["field"] == "RECOGNISED_DISABILITY"
            && n["role"] == "steering"
            && n["requestId"]
                .as_str()
                .is_some_and(|r| !r.is_empty() && r != "-")
    }));

    // An empty export records nothing.
    let (status, _, _) = app
        .get(
            &w.tenant.steering,
            &format!(
                "/esf/export?operationId={}&from=2020-01-01&to=2020-12-31",
                w.tenant.id
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(log(&app, &w.tenant.steering, json!({})).await.0, 4);
}

/// Make every INSERT into `access_entry` fail, as the owner would.
async fn break_the_log(app: &TestApp) {
    let owner = parcours_domain::Db::connect(&app.config.database_owner_url, &Default::default())
        .await
        .expect("owner connection");
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER access_entry_broken BEFORE INSERT ON access_entry \
             BEGIN SELECT RAISE(ABORT, 'broken by the test'); END",
        ],
        Backend::Postgres { .. } => &[
            "CREATE FUNCTION access_entry_broken() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'broken by the test'; END $$",
            "CREATE TRIGGER access_entry_broken BEFORE INSERT ON access_entry \
             FOR EACH STATEMENT EXECUTE FUNCTION access_entry_broken()",
        ],
    };
    for sql in statements {
        parcours_domain::db::execute_unscoped(&owner, sql)
            .await
            .expect("trigger created");
    }
    owner.close().await.ok();
}

async fn no_sensitive_value_leaves_without_its_entry(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let p = active_participant(&app, &w, "Roux").await;
    app.ok(
        &w.referent,
        "mutation($p: ID!, $op: ID!) { recordEsfEntry(input: {participantId: $p, operationId: $op, employmentStatus: UNEMPLOYED}) { esfRecord { id } } }",
        json!({ "p": p, "op": w.tenant.id }),
    )
    .await;
    break_the_log(&app).await;

    let (status, body) = app
        .post(&w.tenant.steering, SENSITIVE, json!({ "id": p }))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(code(&body), "UNAVAILABLE", "{body}");
    assert!(body.get("data").is_none(), "no data at all: {body}");
    assert!(!body.to_string().contains("Roux"), "{body}");

    // A change whose answer carries a sensitive value is not kept either: the change, its
    // audit entry and the access entries are one transaction, and it did not commit.
    let change = "mutation($id: ID!) { updateParticipant(input: {id: $id, version: 2, lastName: \"Rousseau\"}) { participant { version rsaBeneficiary } } }";
    let (status, body) = app
        .post(&w.tenant.steering, change, json!({ "id": p }))
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(body.get("data").is_none(), "no data at all: {body}");
    let kept = app
        .ok(
            &w.tenant.steering,
            "query($id: ID!) { participant(id: $id) { lastName version } auditLog(first: 100) { edges { node { action objectId } } } }",
            json!({ "id": p }),
        )
        .await;
    assert_eq!(kept["participant"]["lastName"], "Roux", "{kept}");
    assert_eq!(kept["participant"]["version"], 2, "{kept}");
    let updates = kept["auditLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["node"]["action"] == "participant.update")
        .count();
    assert_eq!(
        updates, 0,
        "no audit entry of a change that was not kept: {kept}"
    );

    // Reads without sensitive fields are unaffected.
    let data = app
        .ok(
            &w.tenant.steering,
            "query($id: ID!) { participant(id: $id) { lastName } }",
            json!({ "id": p }),
        )
        .await;
    assert_eq!(data["participant"]["lastName"], "Roux");

    let (status, content_type, body) = app
        .get(
            &w.tenant.steering,
            &format!(
                "/esf/export?operationId={}&from=2024-01-01&to=2024-12-31",
                w.tenant.id
            ),
        )
        .await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 503, "{text}");
    assert!(!content_type.starts_with("text/csv"), "{content_type}");
    assert!(
        text.contains("UNAVAILABLE") && !text.contains("Roux"),
        "{text}"
    );
}

on_both!(
    reads_of_sensitive_fields_are_recorded_once_each,
    node_payloads_and_esf_records_are_recorded_reads_too,
    a_page_costs_the_same_statements_whatever_its_size,
    the_log_is_steerings_own_and_filters_are_checked,
    the_rsa_filter_is_recorded_and_refused_to_providers,
    esf_disability_is_recorded_in_graphql_and_in_the_export,
    no_sensitive_value_leaves_without_its_entry,
);

/// The runtime role may insert and read entries, never rewrite them (PostgreSQL grants).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_runtime_role_cannot_update_or_delete_access_entries() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let (p, _) = create_participant(&app, &w.referent, participant_input(&commune, "Un")).await;
    app.ok(&w.tenant.steering, SENSITIVE, json!({ "id": p }))
        .await;
    assert!(
        app.config.database_url.contains("parcours_app"),
        "the service runs as the runtime role"
    );
    let tenant = parcours_tests::global_uuid(&w.tenant.id).expect("tenant");
    let runtime = sea_orm::Database::connect(app.config.database_url.as_str())
        .await
        .expect("runtime connection");
    for sql in [
        "UPDATE access_entry SET subject = 'someone-else'",
        "DELETE FROM access_entry",
        "TRUNCATE access_entry",
    ] {
        let tx = runtime.begin().await.expect("begin");
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.to_string().into()],
        ))
        .await
        .expect("set tenant");
        let err = tx
            .execute_unprepared(sql)
            .await
            .expect_err("the runtime role may not rewrite the log");
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
        tx.rollback().await.ok();
    }
    let tx = runtime.begin().await.expect("begin");
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant.to_string().into()],
    ))
    .await
    .expect("set tenant");
    let rows = tx
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT subject FROM access_entry",
        ))
        .await
        .expect("the runtime role reads the log");
    assert_eq!(rows.len(), 2, "both entries intact");
    tx.commit().await.ok();
    runtime.close().await.ok();
}
