//! Reports (bilans): due dates from the convention, quantities from the cohorts' records frozen
//! at submission, the review workflow, budget statements with supporting documents, and the
//! overdue listing.

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{
    ATTEND, ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention_over, diagnostic,
};

const FIELDS: &str = "id kind dueDate status qualitative reviewComment version attachmentIds
    budget { totalPlanned totalSpent totalResources lines { label planned spent } }
    quantities { cohorts prescribed enrolled declined droppedOut completed attendanceRecords attended
        attendanceRatePercent diagnosticsFinal fleTrainingNeeded fleLowestLevels { key count }
        cleaMeetingThreshold cleaModulesToTrain { domain count } daqOrientations
        mobilityPlatformReferrals exits positiveExits }";

fn op(name: &str, input: &str) -> String {
    format!("mutation($input: {input}!) {{ {name}(input: $input) {{ report {{ {FIELDS} }} }} }}")
}

const OVERDUE: &str = "{ overdueReports { conventionNumber kind dueDate report { status } } }";

async fn call(app: &TestApp, token: &str, name: &str, input: &str, vars: Value) -> Value {
    app.ok(token, &op(name, input), json!({ "input": vars }))
        .await[name]["report"]
        .clone()
}

async fn refused(app: &TestApp, token: &str, name: &str, input: &str, vars: Value) -> Value {
    let (_, body) = app
        .post(token, &op(name, input), json!({ "input": vars }))
        .await;
    body
}

fn kinds(overdue: &Value) -> Vec<String> {
    overdue["overdueReports"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["kind"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Alpha's world and its provider's convention over 2025 (first quarter due 2025-04-01,
/// mid-term 2025-07-02, final 2026-01-31), seen on 2025-05-15.
async fn a_2025_convention(backend: Backend) -> (TestApp, World, String) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention_over(&app, &w, "2025-01-01", Some("2025-12-31")).await;
    app.set_now(Some("2025-05-15T10:00:00Z"));
    (app, w, conv)
}

/// A closed cohort of `conv` started 2025-03-03: A attends and completes it with a final
/// diagnostic, B attends then drops out, C is declined (4 attendance records, 3 attended).
/// Returns the cohort's sessions and A.
async fn a_closed_cohort_with_a_completer_a_drop_out_and_a_declined(
    app: &TestApp,
    w: &World,
    conv: &str,
) -> (Value, String) {
    let c = cohort(app, w, conv, "2025-03-03", "Groupe 1").await;
    let (cid, s) = (c["id"].clone(), c["sessions"].clone());
    let mut people = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie"] {
        let p = active_participant(app, w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": cid, "p": p }))
            .await;
        people.push(p);
    }
    let (a, b, ch) = (&people[0], &people[1], &people[2]);
    for p in [a, b] {
        app.ok(&w.provider, ENROL, json!({ "c": cid, "p": p }))
            .await;
    }
    app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { declinePrescription(input: {cohortId: $c, participantId: $p, reason: \"complet\"}) { member { status } } }", json!({ "c": cid, "p": ch })).await;
    let status = "mutation($id: ID!, $v: Int!, $s: CohortStatus!) { setCohortStatus(input: {id: $id, version: $v, status: $s}) { cohort { version } } }";
    app.ok(
        &w.provider,
        status,
        json!({ "id": cid, "v": 1, "s": "RUNNING" }),
    )
    .await;
    let entries = |x: &str, y: &str| {
        json!([
        { "participantId": a, "presence": x, "signedOnPaper": true },
        { "participantId": b, "presence": y, "signedOnPaper": true } ])
    };
    for (k, (x, y)) in [("PRESENT", "ABSENT"), ("LATE", "PRESENT")]
        .iter()
        .enumerate()
    {
        app.ok(
            &w.provider,
            ATTEND,
            json!({ "input": { "sessionId": s[k]["id"],
            "idempotencyKey": format!("k{k}"), "entries": entries(x, y) } }),
        )
        .await;
    }
    app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"santé\"}) { member { status } } }", json!({ "c": cid, "p": b })).await;
    app.ok(
        &w.provider,
        SAVE_DIAG,
        diagnostic(
            &cid,
            a,
            None,
            json!([
                "ACQUIRED",
                "ACQUIRED",
                "ACQUIRED",
                "ACQUIRED",
                "ACQUIRED",
                "ACQUIRED",
                "PARTLY_ACQUIRED"
            ]),
            true,
        ),
    )
    .await;
    app.ok(
        &w.provider,
        status,
        json!({ "id": cid, "v": 2, "s": "CLOSED" }),
    )
    .await;
    (s, a.clone())
}

/// The budget statement the tests send: one line, one resource.
fn budget() -> Value {
    json!({ "lines": [{ "label": "Formateurs", "planned": "20000.00", "spent": "9000.50" }],
        "resources": [{ "label": "Conseil départemental", "amount": "5000.00" }] })
}

/// A report of `kind` started, written (with `budget` when given) and submitted by the
/// provider: version 3. Returns its ID.
async fn submitted_report(
    app: &TestApp,
    w: &World,
    conv: &str,
    kind: &str,
    budget: Option<Value>,
) -> Value {
    let r = call(
        app,
        &w.provider,
        "startReport",
        "StartReportInput",
        json!({ "conventionId": conv, "kind": kind }),
    )
    .await;
    let mut save = json!({ "id": r["id"], "version": 1, "qualitative": "Rédigé." });
    if let Some(budget) = budget {
        save["budget"] = budget;
    }
    call(app, &w.provider, "saveReport", "SaveReportInput", save).await;
    let r = call(
        app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": r["id"], "version": 2 }),
    )
    .await;
    assert_eq!(r["status"], "SUBMITTED");
    r["id"].clone()
}

async fn a_report_counts_the_cohorts_records_and_is_overdue_until_submitted(backend: Backend) {
    let (app, w, conv) = a_2025_convention(backend).await;
    a_closed_cohort_with_a_completer_a_drop_out_and_a_declined(&app, &w, &conv).await;

    // The first-quarter report is overdue before it is even started.
    let overdue = app.ok(&w.tenant.steering, OVERDUE, json!({})).await;
    assert_eq!(kinds(&overdue), ["FIRST_QUARTER"], "{overdue}");
    assert!(overdue["overdueReports"][0]["report"].is_null());
    assert_eq!(overdue["overdueReports"][0]["dueDate"], "2025-04-01");

    let r = call(
        &app,
        &w.provider,
        "startReport",
        "StartReportInput",
        json!({ "conventionId": conv, "kind": "FIRST_QUARTER" }),
    )
    .await;
    assert_eq!(
        (&r["status"], &r["dueDate"]),
        (&json!("DRAFT"), &json!("2025-04-01"))
    );
    assert_eq!(
        r["quantities"],
        json!({ "cohorts": 1, "prescribed": 3, "enrolled": 2, "declined": 1, "droppedOut": 1, "completed": 1,
            "attendanceRecords": 4, "attended": 3, "attendanceRatePercent": 75.0, "diagnosticsFinal": 1,
            "fleTrainingNeeded": 1, "fleLowestLevels": [{ "key": "pre-A1", "count": 1 }],
            "cleaMeetingThreshold": 1, "cleaModulesToTrain": [
                { "domain": "COMMUNICATING_IN_FRENCH", "count": 0 }, { "domain": "CALCULATION_AND_REASONING", "count": 0 },
                { "domain": "DIGITAL_COMMUNICATION", "count": 0 }, { "domain": "RULES_AND_TEAMWORK", "count": 0 },
                { "domain": "AUTONOMOUS_WORK", "count": 0 }, { "domain": "LEARNING_TO_LEARN", "count": 0 },
                { "domain": "SAFETY_AND_ENVIRONMENT_RULES", "count": 1 }],
            "daqOrientations": 1, "mobilityPlatformReferrals": 1,
            "exits": 0, "positiveExits": 0 }),
        "computed from the records"
    );
    let body = refused(
        &app,
        &w.provider,
        "startReport",
        "StartReportInput",
        json!({ "conventionId": conv, "kind": "FIRST_QUARTER" }),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT", "one report of a kind: {body}");
    let id = r["id"].clone();

    // Bad input, and submitting too early.
    let budget = budget();
    let body = refused(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": id, "version": 1, "budget": budget }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("budget")),
        "{body}"
    );
    let body = refused(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": id, "version": 1 }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("qualitative")),
        "{body}"
    );
    let body = refused(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": id, "version": 7, "qualitative": "x" }),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT", "stale: {body}");

    let r = call(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": id, "version": 1,
        "qualitative": "Bonne dynamique de groupe.\n\nDeux orientations vers la formation." }),
    )
    .await;
    assert_eq!(
        r["qualitative"],
        "Bonne dynamique de groupe.\n\nDeux orientations vers la formation."
    );
    let r = call(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": id, "version": 2 }),
    )
    .await;
    assert_eq!(r["status"], "SUBMITTED");
    assert!(
        kinds(&app.ok(&w.tenant.steering, OVERDUE, json!({})).await).is_empty(),
        "submitted: not overdue"
    );
}

async fn a_submitted_report_is_frozen_until_steering_asks_for_changes(backend: Backend) {
    let (app, w, conv) = a_2025_convention(backend).await;
    let (s, a) = a_closed_cohort_with_a_completer_a_drop_out_and_a_declined(&app, &w, &conv).await;
    let a = &a;
    let id = submitted_report(&app, &w, &conv, "FIRST_QUARTER", None).await;

    // Frozen: a later correction does not change what was submitted.
    app.ok(
        &w.provider,
        ATTEND,
        json!({ "input": { "sessionId": s[2]["id"], "idempotencyKey": "k2",
        "entries": [{ "participantId": a, "presence": "PRESENT", "signedOnPaper": true }] } }),
    )
    .await;
    let read = app
        .ok(
            &w.tenant.steering,
            &format!("{{ reports {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        read["reports"]["edges"][0]["node"]["quantities"]["attendanceRecords"],
        4
    );

    // Review: changes requested with a comment, revised, resubmitted, accepted.
    let body = refused(
        &app,
        &w.provider,
        "reviewReport",
        "ReviewReportInput",
        json!({ "id": id, "version": 3, "accepted": true }),
    )
    .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = refused(
        &app,
        &w.tenant.steering,
        "reviewReport",
        "ReviewReportInput",
        json!({ "id": id, "version": 3, "accepted": false }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("comment")),
        "{body}"
    );
    let r = call(
        &app,
        &w.tenant.steering,
        "reviewReport",
        "ReviewReportInput",
        json!({ "id": id, "version": 3, "accepted": false, "comment": "Détailler les sorties." }),
    )
    .await;
    assert_eq!(
        (&r["status"], &r["reviewComment"]),
        (
            &json!("CHANGES_REQUESTED"),
            &json!("Détailler les sorties.")
        )
    );
    assert_eq!(
        r["quantities"]["attendanceRecords"], 5,
        "live again while revised"
    );
    assert_eq!(
        kinds(&app.ok(&w.tenant.steering, OVERDUE, json!({})).await),
        ["FIRST_QUARTER"],
        "waiting for changes past its date"
    );
    call(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": id, "version": 4, "qualitative": "Sorties détaillées." }),
    )
    .await;
    let r = call(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": id, "version": 5 }),
    )
    .await;
    assert_eq!(
        (&r["status"], &r["quantities"]["attendanceRecords"]),
        (&json!("SUBMITTED"), &json!(5))
    );
    let r = call(
        &app,
        &w.tenant.steering,
        "reviewReport",
        "ReviewReportInput",
        json!({ "id": id, "version": 6, "accepted": true }),
    )
    .await;
    assert_eq!(r["status"], "ACCEPTED");
    let body = refused(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": id, "version": 7, "qualitative": "encore" }),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT", "accepted: {body}");
    let body = refused(
        &app,
        &w.tenant.steering,
        "reviewReport",
        "ReviewReportInput",
        json!({ "id": id, "version": 7, "accepted": true }),
    )
    .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "only a submitted report is reviewed: {body}"
    );
}

async fn a_mid_term_report_needs_a_budget_and_shows_its_documents_once_submitted(backend: Backend) {
    let (app, w, conv) = a_2025_convention(backend).await;
    let provider_b = w.other_provider(&app).await;
    let budget = budget();

    // The mid-term report carries a budget statement and supporting documents.
    let upload = app
        .client()
        .post(format!("{}/attachments?filename=factures.pdf", app.base))
        .bearer_auth(&w.provider)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4\n% factures\n".to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(upload.status().as_u16(), 201);
    let file: Value = upload.json().await.expect("json");
    let file = file["id"].clone();
    let m = call(
        &app,
        &w.provider,
        "startReport",
        "StartReportInput",
        json!({ "conventionId": conv, "kind": "MID_TERM" }),
    )
    .await;
    assert_eq!(m["dueDate"], "2025-07-02");
    let mid = m["id"].clone();
    call(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": mid, "version": 1, "qualitative": "À mi-parcours." }),
    )
    .await;
    let body = refused(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": mid, "version": 2 }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("budget")),
        "{body}"
    );
    let bad_budget = json!({ "lines": [{ "label": " ", "planned": "1.00", "spent": "1.00" }] });
    let body = refused(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": mid, "version": 2, "budget": bad_budget }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("budget.lines[0].label")),
        "{body}"
    );
    let foreign_file = json!(["QXR0YWNobWVudDowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA"]);
    let body = refused(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": mid, "version": 2, "attachmentIds": foreign_file }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["extensions"]["field"]),
        ("VALIDATION", &json!("attachmentIds")),
        "{body}"
    );
    let m = call(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": mid, "version": 2, "budget": budget, "attachmentIds": [file] }),
    )
    .await;
    assert_eq!(m["budget"]["totalSpent"], "9000.50");
    assert_eq!(m["attachmentIds"], json!([file]));
    let download = |token: String| {
        let path = format!("/attachments/{}", file.as_str().unwrap_or_default());
        let app = &app;
        async move { app.get(&token, &path).await.0 }
    };
    assert_eq!(
        download(w.tenant.steering.clone()).await,
        404,
        "not before submission"
    );
    call(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": mid, "version": 3 }),
    )
    .await;
    assert_eq!(
        download(w.tenant.steering.clone()).await,
        200,
        "steering reads the documents of a submitted report"
    );
    assert_eq!(download(provider_b.clone()).await, 404);
}

async fn the_final_report_waits_for_the_end_and_reports_stay_with_their_provider_and_steering(
    backend: Backend,
) {
    let (app, w, conv) = a_2025_convention(backend).await;
    let foreign = World::build(&app, "beta").await;
    let provider_b = w.other_provider(&app).await;
    let budget = budget();
    submitted_report(&app, &w, &conv, "FIRST_QUARTER", None).await;
    let mid = submitted_report(&app, &w, &conv, "MID_TERM", Some(budget.clone())).await;

    // The final report follows the end of the action.
    let f = call(
        &app,
        &w.provider,
        "startReport",
        "StartReportInput",
        json!({ "conventionId": conv, "kind": "FINAL" }),
    )
    .await;
    assert_eq!(f["dueDate"], "2026-01-31");
    call(
        &app,
        &w.provider,
        "saveReport",
        "SaveReportInput",
        json!({ "id": f["id"], "version": 1, "qualitative": "Bilan final.", "budget": budget }),
    )
    .await;
    let body = refused(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": f["id"], "version": 2 }),
    )
    .await;
    assert_eq!(code(&body), "CONFLICT", "before the end: {body}");
    app.set_now(Some("2026-02-02T10:00:00Z"));
    let overdue = app.ok(&w.tenant.steering, OVERDUE, json!({})).await;
    assert_eq!(
        kinds(&overdue),
        ["FINAL"],
        "a draft past its date: {overdue}"
    );
    assert_eq!(overdue["overdueReports"][0]["report"]["status"], "DRAFT");
    call(
        &app,
        &w.provider,
        "submitReport",
        "SubmitReportInput",
        json!({ "id": f["id"], "version": 2 }),
    )
    .await;
    assert!(kinds(&app.ok(&w.tenant.steering, OVERDUE, json!({})).await).is_empty());

    // Who: the convention's provider and steering; nobody else.
    let list = "{ reports { totalCount } }";
    assert_eq!(
        app.ok(&w.provider, list, json!({})).await["reports"]["totalCount"],
        3
    );
    assert_eq!(
        app.ok(&provider_b, list, json!({})).await["reports"]["totalCount"],
        0
    );
    assert_eq!(
        app.ok(&foreign.tenant.steering, list, json!({})).await["reports"]["totalCount"],
        0
    );
    let (_, body) = app.post(&w.referent, list, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    for (name, token) in [
        ("another provider", &provider_b),
        ("a foreign tenant", &foreign.tenant.steering),
    ] {
        let body = refused(
            &app,
            token,
            "saveReport",
            "SaveReportInput",
            json!({ "id": mid, "version": 4, "qualitative": "x" }),
        )
        .await;
        assert_eq!(code(&body), "NOT_FOUND", "{name}: {body}");
        let body = refused(
            &app,
            token,
            "startReport",
            "StartReportInput",
            json!({ "conventionId": conv, "kind": "MID_TERM" }),
        )
        .await;
        assert_eq!(code(&body), "NOT_FOUND", "{name}: {body}");
    }
    assert_eq!(
        app.ok(&provider_b, OVERDUE, json!({})).await["overdueReports"],
        json!([])
    );
}

on_both!(
    a_report_counts_the_cohorts_records_and_is_overdue_until_submitted,
    a_submitted_report_is_frozen_until_steering_asks_for_changes,
    a_mid_term_report_needs_a_budget_and_shows_its_documents_once_submitted,
    the_final_report_waits_for_the_end_and_reports_stay_with_their_provider_and_steering,
);
