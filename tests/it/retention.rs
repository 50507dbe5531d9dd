//! Retention: participants whose path ended longer ago than the tenant's retention are
//! anonymised by the job (a dry run only counts), with an audit entry, and the ESF+ aggregates
//! stay.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

async fn person(app: &TestApp, w: &World, name: &str, entry: &str, validate: bool) -> String {
    let commune = first_commune(app, &w.referent).await;
    let mut input = participant_input(&commune, name);
    input["entryDate"] = json!(entry);
    input["consentDate"] = json!(entry);
    let (id, _) = create_participant(app, &w.referent, input).await;
    let decision = if validate {
        "mutation($id: ID!, $on: Date!) { validateEntry(input: {id: $id, version: 1, committeeDate: $on}) { participant { id } } }"
    } else {
        "mutation($id: ID!, $on: Date!) { refuseEntry(input: {id: $id, version: 1, committeeDate: $on, reason: \"hors critères\"}) { participant { id } } }"
    };
    app.ok(
        &w.tenant.steering,
        decision,
        json!({ "id": id, "on": entry }),
    )
    .await;
    id
}

async fn moved_away(app: &TestApp, w: &World, id: &str, date: &str) {
    app.ok(&w.referent, "mutation($input: RecordExitInput!) { recordExit(input: $input) { exit { positive } } }",
        json!({ "input": { "participantId": id, "version": 2, "date": date, "kind": "MOVED_AWAY", "reason": "déménagement" } })).await;
}

async fn last_name(app: &TestApp, w: &World, id: &str) -> Value {
    app.ok(
        &w.tenant.steering,
        "query($id: ID!) { participant(id: $id) { lastName } }",
        json!({ "id": id }),
    )
    .await["participant"]["lastName"]
        .clone()
}

fn ours(report: &[parcours_domain::jobs::retention::TenantRetention]) -> (usize, usize) {
    report
        .iter()
        .find(|t| t.tenant == "alpha")
        .map(|t| (t.due, t.anonymised))
        .unwrap_or_default()
}

async fn personal_data_is_kept_for_the_retention_period_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    app.set_now(Some("2026-11-29T10:00:00Z"));
    // 24 months by default: paths ended on or before 2024-11-29 are due.
    let a = person(&app, &w, "Ancien", "2022-01-03", true).await;
    moved_away(&app, &w, &a, "2024-06-01").await;
    let b = person(&app, &w, "Recent", "2024-01-02", true).await;
    moved_away(&app, &w, &b, "2025-06-01").await;
    let c = person(&app, &w, "Refuse", "2023-02-01", false).await;
    let d = person(&app, &w, "Actif", "2022-01-03", true).await;
    // A's ESF+ record of the PLIE's operation.
    app.ok(&w.tenant.steering, "mutation($input: RecordEsfEntryInput!) { recordEsfEntry(input: $input) { reEntry } }",
        json!({ "input": { "participantId": a, "operationId": w.tenant.id, "employmentStatus": "LONG_TERM_UNEMPLOYED" } })).await;
    let esf = "query($op: ID!) { esfIndicators(operationId: $op, period: {from: \"2022-01-01\", to: \"2026-12-31\"}) { indicator total } }";
    let before = app
        .ok(&w.tenant.steering, esf, json!({ "op": w.tenant.id }))
        .await;

    let dry = parcours_domain::jobs::retention::run(&app.db, true)
        .await
        .expect("dry run");
    assert_eq!(
        ours(&dry),
        (2, 0),
        "A and C are due; a dry run changes nothing"
    );
    assert_eq!(last_name(&app, &w, &a).await, "Ancien");

    let done = parcours_domain::jobs::retention::run(&app.db, false)
        .await
        .expect("run");
    assert_eq!(ours(&done), (2, 2));
    for (id, expected) in [
        (&a, Value::Null),
        (&c, Value::Null),
        (&b, json!("Recent")),
        (&d, json!("Actif")),
    ] {
        assert_eq!(last_name(&app, &w, id).await, expected, "{id}");
    }
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { edges { node { action subject } } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["edges"][0]["node"],
        json!({ "action": "participant.anonymise", "subject": "system:retention" })
    );
    let after = app
        .ok(&w.tenant.steering, esf, json!({ "op": w.tenant.id }))
        .await;
    assert_eq!(before, after, "the ESF+ aggregates stay");
    let again = parcours_domain::jobs::retention::run(&app.db, false)
        .await
        .expect("run");
    assert_eq!(ours(&again), (0, 0), "nothing twice");

    // Steering shortens the retention: B's path ended 18 months ago.
    let tenant = app
        .ok(
            &w.tenant.steering,
            "{ tenant { version retentionMonths } }",
            json!({}),
        )
        .await;
    assert_eq!(tenant["tenant"]["retentionMonths"], 24);
    let set = "mutation($m: Int!, $v: Int!) { setRetention(input: {months: $m, version: $v}) { tenant { retentionMonths version } } }";
    let v = tenant["tenant"]["version"].clone();
    for (token, months, expected) in [
        (&w.tenant.steering, 0, "VALIDATION"),
        (&w.tenant.steering, 121, "VALIDATION"),
        (&w.referent, 12, "FORBIDDEN"),
    ] {
        let (_, body) = app.post(token, set, json!({ "m": months, "v": v })).await;
        assert_eq!(code(&body), expected, "{months}: {body}");
    }
    app.ok(&w.tenant.steering, set, json!({ "m": 12, "v": v }))
        .await;
    let done = parcours_domain::jobs::retention::run(&app.db, false)
        .await
        .expect("run");
    assert_eq!(ours(&done), (1, 1));
    assert_eq!(last_name(&app, &w, &b).await, Value::Null);
    assert_eq!(
        last_name(&app, &w, &d).await,
        "Actif",
        "an open path is never due"
    );
}

on_both!(personal_data_is_kept_for_the_retention_period_only);
