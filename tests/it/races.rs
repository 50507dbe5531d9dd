//! "At most one" rules under concurrent requests, on both databases: many identical or
//! competing writes sent at once, exactly one kept. Each rule's mechanism is in the README
//! ("Rules held by the database").

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::attendance::{SESSION_AUDIT, records_of};
use crate::cohorts::{
    ATTEND, ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention, diagnostic,
};
use crate::follow_up::STATUS;

/// Send `n` copies of one operation at once; the answers.
async fn at_once(app: &TestApp, token: &str, query: &str, vars: &[Value]) -> Vec<Value> {
    futures_util::future::join_all(vars.iter().map(|v| app.post(token, query, v.clone())))
        .await
        .into_iter()
        .map(|(_, body)| body)
        .collect()
}

/// How many answers succeeded, and the codes of the others (which must be `expected`).
fn one_winner(answers: &[Value], expected: &[&str], rule: &str) {
    let ok = answers.iter().filter(|b| b.get("errors").is_none()).count();
    assert_eq!(ok, 1, "{rule}: exactly one succeeds: {answers:?}");
    for body in answers.iter().filter(|b| b.get("errors").is_some()) {
        assert!(
            expected.contains(&code(body)),
            "{rule}: the others are refused with {expected:?}: {body}"
        );
    }
}

async fn a_person_is_enrolled_in_one_open_cohort_whatever_the_parallel_enrolments(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let p = active_participant(&app, &w, "Parallèle").await;
    let mut vars = Vec::new();
    for i in 0..8 {
        let c = cohort(&app, &w, &conv, "2026-09-07", &format!("Groupe {i}")).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        vars.push(json!({ "c": c["id"], "p": p }));
    }
    let answers = at_once(&app, &w.provider, ENROL, &vars).await;
    one_winner(&answers, &["CONFLICT"], "one cohort that is not closed");
    let enrolled = app
        .ok(
            &w.tenant.steering,
            "{ cohorts(first: 20) { edges { node { members { status } } } } }",
            json!({}),
        )
        .await
        .to_string()
        .matches("ENROLLED")
        .count();
    assert_eq!(enrolled, 1, "one membership stored");
}

async fn one_exit_one_diagnostic_and_one_sheet_per_member_under_parallel_writes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(&app, &w, "Simultané").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;

    // Ten first diagnostics of one member at once (no version: each one creates).
    let clea = json!([
        "ACQUIRED", "ACQUIRED", "ACQUIRED", "ACQUIRED", "ACQUIRED", "ACQUIRED", "ACQUIRED"
    ]);
    let vars: Vec<Value> = (0..10)
        .map(|_| diagnostic(&c["id"], &p, None, clea.clone(), true))
        .collect();
    let answers = at_once(&app, &w.provider, SAVE_DIAG, &vars).await;
    one_winner(&answers, &["CONFLICT"], "one diagnostic per member");

    // Ten first follow-up sheets of that member at once, once the cohort runs.
    app.ok(
        &w.provider,
        STATUS,
        json!({ "id": c["id"], "v": 1, "s": "RUNNING" }),
    )
    .await;
    let sheet = "mutation($c: ID!, $p: ID!) { saveFollowUpSheet(input: {cohortId: $c, participantId: $p}) { followUpSheet { id } } }";
    let vars: Vec<Value> = (0..10).map(|_| json!({ "c": c["id"], "p": p })).collect();
    let answers = at_once(&app, &w.provider, sheet, &vars).await;
    one_winner(&answers, &["CONFLICT"], "one follow-up sheet per member");

    // Ten exits of one participant at once, from the same version.
    let exit = "mutation($id: ID!) { recordExit(input: {participantId: $id, version: 2, date: \"2024-03-01\", kind: MOVED_AWAY, reason: \"déménagement\"}) { exit { date } } }";
    let vars: Vec<Value> = (0..10).map(|_| json!({ "id": p })).collect();
    let answers = at_once(&app, &w.referent, exit, &vars).await;
    one_winner(&answers, &["CONFLICT"], "one exit per participant");
}

async fn one_decision_one_convention_and_one_report_of_a_kind_under_parallel_writes(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    app.set_now(Some("2017-12-10T10:00:00Z"));
    let call = app
        .ok(steering, "mutation { createCall(input: {reference: \"AAP\", title: \"Remobilisation\", summary: \"s\", specification: \"x\",
            budgetCap: \"40000.00\", targetParticipantsPerYear: 120, groupSizeMin: 8, groupSizeMax: 12, cadenceWeeks: 3,
            opens: {date: \"2017-12-07\", time: \"09:00\"}, deadline: {date: \"2017-12-21\", time: \"17:00\"}, questions: []}) { call { id } } }", json!({}))
        .await["createCall"]["call"]["id"]
        .clone();
    app.ok(
        steering,
        "mutation($id: ID!) { publishCall(input: {id: $id, version: 1}) { call { id } } }",
        json!({ "id": call }),
    )
    .await;
    let sub = app
        .ok(&w.provider, "mutation($id: ID!) { createSubmission(input: {callId: $id, requestedAmount: \"40000.00\"}) { submission { id } } }", json!({ "id": call }))
        .await["createSubmission"]["submission"]["id"]
        .clone();
    app.ok(&w.provider, "mutation($id: ID!) { submitSubmission(input: {id: $id, version: 1}) { submission { id } } }", json!({ "id": sub })).await;
    app.set_now(Some("2018-01-15T10:00:00Z"));

    // Ten decisions on one submission at once: one is recorded.
    let decide = "mutation($id: ID!) { recordDecision(input: {id: $id, version: 2, accepted: true, reason: \"comité\", committeeDate: \"2018-01-10\"}) { submission { status } } }";
    let vars: Vec<Value> = (0..10).map(|_| json!({ "id": sub })).collect();
    let answers = at_once(&app, steering, decide, &vars).await;
    one_winner(&answers, &["CONFLICT"], "one decision per submission");

    // Ten conventions of the accepted submission at once: one is signed.
    app.set_now(None);
    let sign = "mutation($id: ID!) { createConvention(input: {submissionId: $id, startDate: \"2025-01-01\"}) { convention { id } } }";
    let vars: Vec<Value> = (0..10).map(|_| json!({ "id": sub })).collect();
    let answers = at_once(&app, steering, sign, &vars).await;
    one_winner(
        &answers,
        &["CONFLICT"],
        "one convention per accepted submission",
    );
    let conv = answers
        .iter()
        .find(|b| b.get("errors").is_none())
        .map(|b| b["data"]["createConvention"]["convention"]["id"].clone())
        .expect("the convention");

    // Ten first-quarter reports of the convention at once: one is started.
    let start = "mutation($c: ID!) { startReport(input: {conventionId: $c, kind: FIRST_QUARTER}) { report { id } } }";
    let vars: Vec<Value> = (0..10).map(|_| json!({ "c": conv })).collect();
    let answers = at_once(&app, &w.provider, start, &vars).await;
    one_winner(
        &answers,
        &["CONFLICT"],
        "one report of a kind per convention",
    );
}

/// Attendance batches for the same session and members sent at once, each twice under its
/// own key: every request succeeds, each key has one effect (one audit entry, one answer for
/// its two requests), and each member keeps one record; no batch is torn (both members'
/// records come from the same batch, the last one kept).
async fn attendance_batches_sent_at_once_keep_one_record_per_member_and_one_effect_per_key(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let session = c["sessions"][0]["id"].clone();
    let a = active_participant(&app, &w, "Alpha").await;
    let b = active_participant(&app, &w, "Bravo").await;
    for p in [&a, &b] {
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
    }
    let presences = [
        "ABSENT", "EXCUSED", "ABSENT", "EXCUSED", "ABSENT", "EXCUSED",
    ];
    let mut vars = Vec::new();
    for (i, presence) in presences.iter().enumerate() {
        let input = json!({ "input": { "sessionId": session, "idempotencyKey": format!("race-{i}"),
            "entries": [{ "participantId": a, "presence": presence },
                        { "participantId": b, "presence": presence }] } });
        vars.push(input.clone());
        vars.push(input);
    }
    let answers = at_once(&app, &w.provider, ATTEND, &vars).await;
    for (pair, presence) in answers.chunks(2).zip(presences) {
        assert!(pair[0].get("errors").is_none(), "{}", pair[0]);
        assert_eq!(pair[0], pair[1], "one answer per key");
        assert_eq!(
            pair[0]["data"]["recordAttendance"]["attendance"][1]["presence"], presence,
            "{}",
            pair[0]
        );
    }
    let log = app
        .ok(&w.tenant.steering, SESSION_AUDIT, json!({ "id": session }))
        .await;
    assert_eq!(
        log["auditLog"]["totalCount"],
        presences.len(),
        "one effect per key: {log}"
    );
    let records = records_of(&app, &w, &c).await;
    assert_eq!(
        records.as_array().map(Vec::len),
        Some(2),
        "one record per member: {records}"
    );
    assert_eq!(
        records[0]["presence"], records[1]["presence"],
        "one batch kept whole: {records}"
    );
}

on_both!(
    a_person_is_enrolled_in_one_open_cohort_whatever_the_parallel_enrolments,
    one_exit_one_diagnostic_and_one_sheet_per_member_under_parallel_writes,
    one_decision_one_convention_and_one_report_of_a_kind_under_parallel_writes,
    attendance_batches_sent_at_once_keep_one_record_per_member_and_one_effect_per_key,
);
