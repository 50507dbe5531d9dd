//! Mutations: validation with the offending field, optimistic versions, concurrent edits,
//! duplicates, and the effects of deactivation and suspension on tokens.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

const UPDATE_STRUCTURE: &str = "mutation($input: UpdateStructureInput!) {
    updateStructure(input: $input) { structure { name version } } }";
const INVITE: &str = "mutation($input: InviteStaffInput!) { inviteStaff(input: $input) { staffMember { id email } } }";
const CREATE_TENANT: &str =
    "mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }";

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

async fn stale_versions_conflict_and_concurrent_edits_have_one_winner(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let t = &w.tenant.steering;
    let data = app
        .ok(
            t,
            UPDATE_STRUCTURE,
            json!({ "input": { "id": w.carrier, "version": 1, "name": "Un" } }),
        )
        .await;
    assert_eq!(data["updateStructure"]["structure"]["version"], 2);
    let (_, body) = app
        .post(
            t,
            UPDATE_STRUCTURE,
            json!({ "input": { "id": w.carrier, "version": 1, "name": "Deux" } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "stale version: {body}");

    // Two edits based on version 2, at once.
    let first = app.post(
        t,
        UPDATE_STRUCTURE,
        json!({ "input": { "id": w.carrier, "version": 2, "name": "Trois" } }),
    );
    let second = app.post(
        t,
        UPDATE_STRUCTURE,
        json!({ "input": { "id": w.carrier, "version": 2, "name": "Quatre" } }),
    );
    let ((_, a), (_, b)) = tokio::join!(first, second);
    let outcomes = [a.get("errors").is_none(), b.get("errors").is_none()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "one winner: {a} {b}"
    );
    let loser = if outcomes[0] { &b } else { &a };
    assert!(code(loser) == "CONFLICT", "the loser is told: {loser}");
    let winner = if outcomes[0] { "Trois" } else { "Quatre" };
    let node = app
        .ok(
            t,
            "query($id: ID!) { node(id: $id) { ... on Structure { name version } } }",
            json!({ "id": w.carrier }),
        )
        .await;
    assert_eq!(node["node"]["name"], winner);
    assert_eq!(node["node"]["version"], 3);
    let log = app
        .ok(
            t,
            "query($id: ID) { auditLog(objectId: $id) { totalCount } }",
            json!({ "id": w.carrier }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["totalCount"], 3,
        "create + two successful updates"
    );
}

async fn invalid_input_names_its_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let t = &w.tenant.steering;
    let invite = |subject: &str, email: &str, name: &str, role: &str, structure: &str| {
        json!({ "input": { "subject": subject, "displayName": name, "email": email,
                           "role": role, "structureId": structure } })
    };
    let cases = [
        (
            "bad e-mail",
            invite("x1", "not-an-email", "X", "REFERENT", &w.carrier),
            "VALIDATION",
            "email",
        ),
        (
            "NUL in a name",
            invite("x2", "x2@a.org", "a\u{0}b", "REFERENT", &w.carrier),
            "VALIDATION",
            "displayName",
        ),
        (
            "1 MB name",
            invite(
                "x3",
                "x3@a.org",
                &"n".repeat(1_000_000),
                "REFERENT",
                &w.carrier,
            ),
            "VALIDATION",
            "displayName",
        ),
        (
            "space in subject",
            invite("x 4", "x4@a.org", "X", "REFERENT", &w.carrier),
            "VALIDATION",
            "subject",
        ),
        (
            "role the structure does not employ",
            invite("x5", "x5@a.org", "X", "PROVIDER", &w.carrier),
            "VALIDATION",
            "structureId",
        ),
        (
            "admin is no staff role",
            invite("x6", "x6@a.org", "X", "ADMIN", &w.tenant.steering_body),
            "VALIDATION",
            "role",
        ),
        (
            "duplicate subject",
            invite("ref@alpha.example", "x7@a.org", "X", "REFERENT", &w.carrier),
            "CONFLICT",
            "<none>",
        ),
        (
            "duplicate e-mail, other case",
            invite("x8", "REF@alpha.example", "X", "REFERENT", &w.carrier),
            "CONFLICT",
            "<none>",
        ),
    ];
    for (name, variables, expected_code, expected_field) in cases {
        let (status, body) = app.post(t, INVITE, variables).await;
        // 400: a character no field takes, refused before execution.
        assert!(matches!(status, 200 | 400), "{name}");
        assert_eq!(code(&body), expected_code, "{name}: {body}");
        assert_eq!(field(&body), expected_field, "{name}: {body}");
    }
    let staff = app.ok(t, "{ staff { totalCount } }", json!({})).await;
    assert_eq!(staff["staff"]["totalCount"], 3, "nothing half-written");

    // SQL-ish text is data.
    let sqlish = "'; DROP TABLE structure; -- %_";
    let data = app
        .ok(t, "mutation($n: String!) { createStructure(input: {name: $n, kind: PARTNER}) { structure { name } } }", json!({ "n": sqlish }))
        .await;
    assert_eq!(data["createStructure"]["structure"]["name"], sqlish);
    // Names are NFC-normalised before uniqueness.
    let (_, body) = app
        .post(t, "mutation { createStructure(input: {name: \"Carrier alpha\", kind: PARTNER}) { structure { id } } }", json!({}))
        .await;
    assert_eq!(code(&body), "VALIDATION", "duplicate name: {body}");
    assert_eq!(field(&body), "name");

    let tenant = |slug: &str, communes: Value| {
        json!({ "input": { "slug": slug, "name": "T", "communes": communes,
            "steeringBodyName": "A", "firstSteering": { "subject": format!("s@{slug}"),
            "displayName": "S", "email": format!("s@{slug}.org") } } })
    };
    let admin = app.admin();
    let cases = [
        (
            "existing slug",
            tenant("alpha", json!([{ "name": "V" }])),
            "slug",
        ),
        (
            "uppercase slug",
            tenant("Alpha2", json!([{ "name": "V" }])),
            "slug",
        ),
        ("no commune", tenant("gamma", json!([])), "communes"),
        (
            "bad INSEE code",
            tenant("gamma", json!([{ "name": "V", "inseeCode": "2C004" }])),
            "communes[0].inseeCode",
        ),
        (
            "duplicate commune",
            tenant("gamma", json!([{ "name": "Dijon" }, { "name": "dijon" }])),
            "communes[1].name",
        ),
        (
            "bad first e-mail",
            json!({ "input": { "slug": "gamma", "name": "T", "communes": [{ "name": "V" }],
            "steeringBodyName": "A", "firstSteering": { "subject": "s", "displayName": "S", "email": "nope" } } }),
            "firstSteering.email",
        ),
    ];
    for (name, variables, expected_field) in cases {
        let (_, body) = app.post(&admin, CREATE_TENANT, variables).await;
        assert_eq!(code(&body), "VALIDATION", "{name}: {body}");
        assert_eq!(field(&body), expected_field, "{name}: {body}");
    }
    let tenants = app
        .ok(&admin, "{ tenants { totalCount } }", json!({}))
        .await;
    assert_eq!(
        tenants["tenants"]["totalCount"], 1,
        "no tenant half-created"
    );
    let (_, body) = app
        .post(
            &admin,
            CREATE_TENANT,
            tenant("gamma", json!([{ "name": "Corte", "inseeCode": "2B096" }])),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

async fn deactivation_and_suspension_refuse_tokens(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let t = &w.tenant.steering;
    let me = "{ me { subject } }";
    let (_, body) = app
        .post(t, "mutation($id: ID!) { deactivateStaff(input: {id: $id, version: 1}) { staffMember { id } } }", json!({ "id": w.tenant.steering_staff }))
        .await;
    assert_eq!(
        code(&body),
        "VALIDATION",
        "nobody deactivates themselves: {body}"
    );
    app.ok(t, "mutation($id: ID!) { deactivateStaff(input: {id: $id, version: 1}) { staffMember { active } } }", json!({ "id": w.referent_id }))
        .await;
    let (status, _) = app.post(&w.referent, me, json!({})).await;
    assert_eq!(status, 401, "deactivated staff member");
    let (_, body) = app
        .post(t, "mutation($id: ID!) { deactivateStaff(input: {id: $id, version: 2}) { staffMember { id } } }", json!({ "id": w.referent_id }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "already deactivated");

    // Deactivating a structure refuses its staff; reactivating lets them back.
    app.ok(
        t,
        UPDATE_STRUCTURE,
        json!({ "input": { "id": w.provider_structure, "version": 1, "active": false } }),
    )
    .await;
    let (status, _) = app.post(&w.provider, me, json!({})).await;
    assert_eq!(status, 401, "structure deactivated");
    app.ok(
        t,
        UPDATE_STRUCTURE,
        json!({ "input": { "id": w.provider_structure, "version": 2, "active": true } }),
    )
    .await;
    let (status, _) = app.post(&w.provider, me, json!({})).await;
    assert_eq!(status, 200, "structure reactivated");

    let admin = app.admin();
    let status_of =
        "mutation($id: ID!) { suspendTenant(input: {id: $id}) { tenant { status version } } }";
    let data = app
        .ok(&admin, status_of, json!({ "id": w.tenant.id }))
        .await;
    assert_eq!(data["suspendTenant"]["tenant"]["status"], "SUSPENDED");
    let (status, _) = app.post(t, me, json!({})).await;
    assert_eq!(status, 401, "suspended tenant");
    let (_, body) = app
        .post(&admin, status_of, json!({ "id": w.tenant.id }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "already suspended");
    let (_, body) = app
        .post(&admin, "mutation($id: ID!) { reactivateTenant(input: {id: $id, version: 1}) { tenant { status } } }", json!({ "id": w.tenant.id }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "stale version");
    app.ok(&admin, "mutation($id: ID!) { reactivateTenant(input: {id: $id, version: 2}) { tenant { status } } }", json!({ "id": w.tenant.id }))
        .await;
    let (status, _) = app.post(t, me, json!({})).await;
    assert_eq!(status, 200, "reactivated tenant");
    let _ = Role::Admin;
}

async fn me_describes_the_caller(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let query = "{ me { subject role tenant { slug } staffMember { email } structure { name } } }";
    let data = app.ok(&w.referent, query, json!({})).await;
    assert_eq!(
        data["me"],
        json!({ "subject": "ref@alpha.example", "role": "REFERENT", "tenant": { "slug": "alpha" },
                "staffMember": { "email": "ref@alpha.example" }, "structure": { "name": "Carrier alpha" } })
    );
    let data = app.ok(&app.admin(), query, json!({})).await;
    assert_eq!(
        data["me"],
        json!({ "subject": "operator@test.example", "role": "ADMIN", "tenant": null,
                "staffMember": null, "structure": null })
    );
}

/// An operation's mutation fields run one after the other, each a change of its own: one that
/// fails (here a duplicate key, which aborts the statement on PostgreSQL) is undone alone,
/// and the fields before and after it are kept, each with its audit entry.
async fn each_mutation_field_stands_or_falls_alone(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let create = |alias: &str, name: &str| {
        format!(
            "{alias}: createStructure(input: {{name: \"{name}\", kind: PARTNER}}) {{ structure {{ id name }} }}"
        )
    };
    let query = format!(
        "mutation {{ {} {} {} {} }}",
        create("a", "Atelier A"),
        create("b", "Atelier A"),
        create("c", "Atelier C"),
        create("d", "")
    );
    let (status, body) = app.post(&w.tenant.steering, &query, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["a"]["structure"]["name"], "Atelier A",
        "{body}"
    );
    assert!(body["data"]["b"].is_null(), "{body}");
    assert_eq!(
        body["data"]["c"]["structure"]["name"], "Atelier C",
        "{body}"
    );
    assert!(body["data"]["d"].is_null(), "{body}");
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 2, "{body}");
    assert_eq!(errors[0]["path"], json!(["b"]), "{body}");
    assert_eq!(errors[0]["extensions"]["field"], "name", "{body}");
    assert_eq!(errors[1]["path"], json!(["d"]), "{body}");

    let data = app
        .ok(
            &w.tenant.steering,
            "{ structures(first: 100) { edges { node { name } } }
               auditLog(first: 100) { edges { node { action objectId } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = data["structures"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["name"].as_str())
        .filter(|n| n.starts_with("Atelier"))
        .collect();
    assert_eq!(names, ["Atelier A", "Atelier C"], "{data}");
    let created = data["auditLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["node"]["action"] == "structure.create")
        .count();
    // The World's own structures, then the two kept here.
    let before = created - 2;
    assert!(before >= 1, "{data}");
    let kept: Vec<&Value> = data["auditLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            e["node"]["objectId"] == body["data"]["a"]["structure"]["id"]
                || e["node"]["objectId"] == body["data"]["c"]["structure"]["id"]
        })
        .collect();
    assert_eq!(kept.len(), 2, "one entry per kept change: {data}");
}

on_both!(
    each_mutation_field_stands_or_falls_alone,
    stale_versions_conflict_and_concurrent_edits_have_one_winner,
    invalid_input_names_its_field_and_writes_nothing,
    deactivation_and_suspension_refuse_tokens,
    me_describes_the_caller,
);
