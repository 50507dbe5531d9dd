//! The authorization matrix: every query and mutation of the foundation, for each role of the
//! own tenant and of a foreign tenant. A foreign object's ID answers exactly like an unknown one.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Admin,
    Steering,
    Referent,
    Provider,
    ForeignSteering,
    ForeignReferent,
}

use Caller::*;

const CALLERS: [Caller; 6] = [
    ForeignSteering,
    ForeignReferent,
    Admin,
    Referent,
    Provider,
    Steering,
];

struct Ctx {
    app: TestApp,
    a: World,
    b: World,
    /// A staff member of A that the matrix may deactivate.
    spare: String,
}

impl Ctx {
    fn token(&self, caller: Caller) -> String {
        match caller {
            Admin => self.app.admin(),
            Steering => self.a.tenant.steering.clone(),
            Referent => self.a.referent.clone(),
            Provider => self.a.provider.clone(),
            ForeignSteering => self.b.tenant.steering.clone(),
            ForeignReferent => self.b.referent.clone(),
        }
    }
}

/// One row: an operation, its variables, and the expected outcome per caller
/// (`"OK"` or an error code) in the order of `Caller`'s variants.
struct Row {
    name: &'static str,
    query: &'static str,
    variables: fn(&Ctx) -> Value,
    expect: [&'static str; 6],
}

fn index(caller: Caller) -> usize {
    match caller {
        Admin => 0,
        Steering => 1,
        Referent => 2,
        Provider => 3,
        ForeignSteering => 4,
        ForeignReferent => 5,
    }
}

const OK: &str = "OK";
const FORBIDDEN: &str = "FORBIDDEN";
const NOT_FOUND: &str = "NOT_FOUND";

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "me",
            query: "{ me { subject role } }",
            variables: |_| json!({}),
            expect: [OK, OK, OK, OK, OK, OK],
        },
        Row {
            name: "tenant",
            query: "{ tenant { slug communes { name } } }",
            variables: |_| json!({}),
            expect: [FORBIDDEN, OK, OK, OK, OK, OK],
        },
        Row {
            name: "tenants",
            query: "{ tenants { totalCount edges { node { slug } } } }",
            variables: |_| json!({}),
            expect: [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        },
        Row {
            name: "structures",
            query: "{ structures { totalCount edges { node { id name } } } }",
            variables: |_| json!({}),
            expect: [FORBIDDEN, OK, OK, OK, OK, OK],
        },
        Row {
            name: "staff",
            query: "{ staff { totalCount edges { node { id subject structure { name } } } } }",
            variables: |_| json!({}),
            expect: [FORBIDDEN, OK, OK, OK, OK, OK],
        },
        Row {
            name: "auditLog",
            query: "{ auditLog { totalCount edges { node { action } } } }",
            variables: |_| json!({}),
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
        },
        Row {
            name: "node(tenant A)",
            query: "query($id: ID!) { node(id: $id) { id ... on Tenant { slug } } }",
            variables: |c| json!({ "id": c.a.tenant.id }),
            expect: [OK, OK, OK, OK, NOT_FOUND, NOT_FOUND],
        },
        Row {
            name: "node(structure of A)",
            query: "query($id: ID!) { node(id: $id) { id ... on Structure { name } } }",
            variables: |c| json!({ "id": c.a.carrier }),
            expect: [FORBIDDEN, OK, OK, OK, NOT_FOUND, NOT_FOUND],
        },
        Row {
            name: "node(staff member of A)",
            query: "query($id: ID!) { node(id: $id) { id ... on StaffMember { email } } }",
            variables: |c| json!({ "id": c.a.referent_id }),
            expect: [FORBIDDEN, OK, OK, OK, NOT_FOUND, NOT_FOUND],
        },
        Row {
            name: "createTenant",
            query: "mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }",
            variables: |_| {
                json!({ "input": { "slug": "lyon", "name": "PLIE Lyon",
                    "communes": [{ "name": "Lyon", "inseeCode": "69123" }],
                    "steeringBodyName": "Animation Lyon",
                    "firstSteering": { "subject": "s@lyon.example", "displayName": "S", "email": "s@lyon.example" } } })
            },
            expect: [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        },
        Row {
            name: "createStructure",
            query: "mutation($input: CreateStructureInput!) { createStructure(input: $input) { structure { id } } }",
            variables: |_| json!({ "input": { "name": "Nouvelle structure", "kind": "PARTNER" } }),
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
        },
        Row {
            name: "updateStructure(A)",
            query: "mutation($input: UpdateStructureInput!) { updateStructure(input: $input) { structure { name } } }",
            variables: |c| json!({ "input": { "id": c.a.carrier, "version": 1, "name": "Renamed" } }),
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN],
        },
        Row {
            name: "inviteStaff(into A's structure)",
            query: "mutation($input: InviteStaffInput!) { inviteStaff(input: $input) { staffMember { id } } }",
            variables: |c| {
                json!({ "input": { "subject": "new@a.example", "displayName": "New",
                "email": "new@a.example", "role": "REFERENT", "structureId": c.a.carrier } })
            },
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN],
        },
        Row {
            name: "updateStaff(A)",
            query: "mutation($input: UpdateStaffInput!) { updateStaff(input: $input) { staffMember { displayName } } }",
            variables: |c| json!({ "input": { "id": c.a.referent_id, "version": 1, "displayName": "Claire M." } }),
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN],
        },
        Row {
            name: "deactivateStaff(A)",
            query: "mutation($input: DeactivateStaffInput!) { deactivateStaff(input: $input) { staffMember { active } } }",
            variables: |c| json!({ "input": { "id": c.spare, "version": 1 } }),
            expect: [FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN],
        },
        Row {
            name: "suspendTenant(A)",
            query: "mutation($input: TenantStatusInput!) { suspendTenant(input: $input) { tenant { status } } }",
            variables: |c| json!({ "input": { "id": c.a.tenant.id } }),
            expect: [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        },
    ]
}

/// The number of audit entries of a tenant, read by its steering.
async fn audit_count(app: &TestApp, steering: &str) -> i64 {
    let data = app
        .ok(steering, "{ auditLog(first: 0) { totalCount } }", json!({}))
        .await;
    data["auditLog"]["totalCount"].as_i64().expect("count")
}

async fn every_operation_for_every_role_and_tenant(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = World::build(&app, "alpha").await;
    let b = World::build(&app, "beta").await;
    let (spare, _) = app
        .staff(&a.tenant, Role::Referent, "spare@alpha.example", &a.carrier)
        .await;
    let ctx = Ctx { app, a, b, spare };
    let b_before = audit_count(&ctx.app, &ctx.b.tenant.steering).await;

    for row in rows() {
        let variables = (row.variables)(&ctx);
        // Refusals first, successes last: a success may change what the others would see.
        let mut callers = CALLERS.to_vec();
        callers.sort_by_key(|c| row.expect[index(*c)] == OK);
        for caller in callers {
            // Whatever the outcome, tenant B's own audit log only grows by B's own successes.
            let expected = row.expect[index(caller)];
            let (status, body) = ctx
                .app
                .post(&ctx.token(caller), row.query, variables.clone())
                .await;
            assert_eq!(status, 200, "{} as {caller:?}: {body}", row.name);
            if expected == OK {
                assert!(
                    body.get("errors").is_none(),
                    "{} as {caller:?} should succeed: {body}",
                    row.name
                );
            } else {
                assert_eq!(code(&body), expected, "{} as {caller:?}: {body}", row.name);
                let data = body["data"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{} as {caller:?}: {body}", row.name));
                assert!(
                    data.values().all(Value::is_null),
                    "{} as {caller:?} leaked data: {body}",
                    row.name
                );
            }
        }
    }
    // B's steering succeeded in creating one structure; nothing else of B's changed.
    let b_after = audit_count(&ctx.app, &ctx.b.tenant.steering).await;
    assert_eq!(
        b_after,
        b_before + 1,
        "only B's own createStructure is audited in B"
    );
}

async fn lists_show_only_the_callers_tenant(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = World::build(&app, "alpha").await;
    let b = World::build(&app, "beta").await;
    for (world, other) in [(&a, &b), (&b, &a)] {
        for token in [&world.tenant.steering, &world.referent, &world.provider] {
            let data = app
                .ok(
                    token,
                    "{ structures(first: 100) { totalCount edges { node { id } } }
                              staff(first: 100) { totalCount edges { node { id } } } }",
                    json!({}),
                )
                .await;
            let text = data.to_string();
            for foreign in [
                &other.carrier,
                &other.provider_structure,
                &other.referent_id,
            ] {
                assert!(
                    !text.contains(foreign.as_str()),
                    "foreign ID visible: {text}"
                );
            }
            assert_eq!(data["structures"]["totalCount"], 3, "{text}");
            assert_eq!(data["staff"]["totalCount"], 3, "{text}");
        }
    }
}

async fn a_foreign_id_answers_exactly_like_an_unknown_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = World::build(&app, "alpha").await;
    let b = World::build(&app, "beta").await;
    let unknown_structure = parcours_api::graphql::ids::encode("Structure", uuid::Uuid::now_v7());
    let unknown_staff = parcours_api::graphql::ids::encode("StaffMember", uuid::Uuid::now_v7());
    let wrong_type = parcours_api::graphql::ids::encode(
        "Structure",
        parcours_tests::global_uuid(&a.referent_id).expect("uuid"),
    );
    let cases = [
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": a.carrier}),
            json!({"id": unknown_structure.0}),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": a.tenant.id}),
            json!({"id": "bm9wZQ"}),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": a.referent_id}),
            json!({"id": wrong_type.0}),
        ),
        (
            "mutation($id: ID!) { updateStaff(input: {id: $id, version: 1, displayName: \"x\"}) { staffMember { id } } }",
            json!({"id": a.referent_id}),
            json!({"id": unknown_staff.0}),
        ),
        (
            "mutation($id: ID!) { inviteStaff(input: {subject: \"z\", displayName: \"z\", email: \"z@z.org\", role: REFERENT, structureId: $id}) { staffMember { id } } }",
            json!({"id": a.carrier}),
            json!({"id": unknown_structure.0}),
        ),
        (
            "query($id: ID!) { staff(structureId: $id) { totalCount } }",
            json!({"id": a.carrier}),
            json!({"id": unknown_structure.0}),
        ),
    ];
    for (query, foreign, unknown) in cases {
        let (_, foreign_body) = app.post(&b.tenant.steering, query, foreign).await;
        let (_, unknown_body) = app.post(&b.tenant.steering, query, unknown).await;
        assert_eq!(foreign_body, unknown_body, "{query}");
    }
}

on_both!(
    every_operation_for_every_role_and_tenant,
    lists_show_only_the_callers_tenant,
    a_foreign_id_answers_exactly_like_an_unknown_one,
);
