//! "At most one" rules under concurrent requests, on both databases: many identical or
//! competing writes sent at once, exactly one kept. Each rule's mechanism is in the README
//! ("Rules held by the database").

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::attendance::{DROP_OUT, SESSION_AUDIT, enrolled, records_of};
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
    let [a, b] = enrolled(&app, &w, &c, ["Alpha", "Bravo"]).await;
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

/// A presence and a drop-out of the same member sent together never both succeed: a presence
/// after a drop-out's day is refused whichever comes first (PostgreSQL, where the two really
/// run at once; SQLite serialises its writers). Each pair meets at the membership's row,
/// held by a lock taken from outside the service: the first request is sent and waits there,
/// then the second, then the lock is released. Bravo's drop-out goes first and his presence is
/// refused; Charlie's presence goes first and his drop-out is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_presence_and_a_drop_out_sent_together_never_both_succeed() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let tuesday = c["sessions"][1]["id"].clone();
    let [bravo, charlie] = enrolled(&app, &w, &c, ["Bravo", "Charlie"]).await;
    let tenant = parcours_tests::global_uuid(&w.tenant.id).expect("tenant");
    let outside = sea_orm::Database::connect(app.config.database_owner_url.as_str())
        .await
        .expect("outside connection");
    let presence = |p: &String| {
        json!({ "input": { "sessionId": tuesday, "idempotencyKey": format!("presence-{p}"),
            "entries": [{ "participantId": p, "presence": "PRESENT", "signedOnPaper": true }] } })
    };
    let drop_out = |p: &String| json!({ "c": c["id"], "p": p, "on": "2026-09-07" });

    for (person, drop_out_first) in [(&bravo, true), (&charlie, false)] {
        let locker = outside.begin().await.expect("begin");
        locker
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('app.tenant_id', $1, true)",
                [tenant.to_string().into()],
            ))
            .await
            .expect("tenant scope");
        let held = locker
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_backend_pid() AS pid FROM cohort_member WHERE participant_id = $1 FOR UPDATE",
                [parcours_tests::global_uuid(person).expect("participant").into()],
            ))
            .await
            .expect("row lock")
            .expect("the membership");
        let pid: i32 = held.try_get("", "pid").expect("pid");
        // How many of the database's sessions wait for a lock (the second waits behind the
        // first), polled until `n` (or a 10 s guard, after which the outcome is checked anyway).
        let waiting = |n: i64| {
            let outside = &outside;
            async move {
                for _ in 0..500 {
                    let row = outside
                        .query_one_raw(Statement::from_sql_and_values(
                            DbBackend::Postgres,
                            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND cardinality(pg_blocking_pids(pid)) > 0",
                            [pid.into()],
                        ))
                        .await
                        .expect("blocked sessions")
                        .expect("a row");
                    if row.try_get::<i64>("", "n").expect("n") >= n {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                eprintln!("{n} sessions were not seen waiting for the membership's lock");
            }
        };
        let first = async {
            if drop_out_first {
                app.post(&w.provider, DROP_OUT, drop_out(person)).await
            } else {
                app.post(&w.provider, ATTEND, presence(person)).await
            }
        };
        let second = async {
            waiting(1).await;
            if drop_out_first {
                app.post(&w.provider, ATTEND, presence(person)).await
            } else {
                app.post(&w.provider, DROP_OUT, drop_out(person)).await
            }
        };
        let release = async {
            waiting(2).await;
            locker.commit().await.expect("release");
        };
        let ((_, first), (_, second), ()) = tokio::join!(first, second, release);
        let (dropped, recorded) = if drop_out_first {
            (first, second)
        } else {
            (second, first)
        };
        let refused = if drop_out_first { &recorded } else { &dropped };
        assert!(
            (if drop_out_first { &dropped } else { &recorded })
                .get("errors")
                .is_none(),
            "the first succeeds: {dropped} {recorded}"
        );
        assert_eq!(
            code(refused),
            "VALIDATION",
            "the second is refused: {refused}"
        );
        let stored = records_of(&app, &w, &c).await;
        let present = stored
            .as_array()
            .expect("records")
            .iter()
            .any(|r| r["participantId"] == json!(person));
        assert_eq!(present, !drop_out_first, "{stored}");
    }
    let log = app
        .ok(&w.tenant.steering, SESSION_AUDIT, json!({ "id": tuesday }))
        .await;
    assert_eq!(
        log["auditLog"]["totalCount"], 1,
        "Charlie's presence only: {log}"
    );
}
