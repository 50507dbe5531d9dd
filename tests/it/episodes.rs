//! A participant's working life through the API: episodes recorded, ended early, corrected or
//! cancelled, and the exit assessment that counts them in calendar months.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

use crate::participants::{EPISODE, EXIT, VALIDATE, field};

/// Durations in calendar months, windows anchored at the date, overlapping missions counted
/// once, entry age at the entry date — through the API.
async fn working_lives_count_in_calendar_months_within_the_last_12(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let (id, _) = create_participant(&app, &w.referent, participant_input(&commune, "Durée")).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    let mission = |start: &str, end: &str| {
        json!({ "input": { "participantId": id, "kind": "EMPLOYMENT", "contractKind": "TEMPORARY_AGENCY",
            "startDate": start, "endDate": end, "hoursPerWeek": 17.5 } })
    };
    // Two part-time missions at once, then a third: accepted, and their days count once.
    for (start, end) in [
        ("2024-02-01", "2024-04-30"),
        ("2024-02-01", "2024-04-30"),
        ("2024-05-01", "2024-07-30"),
    ] {
        app.ok(&w.referent, EPISODE, mission(start, end)).await;
    }
    let q = "query($id: ID!, $on: Date) { participant(id: $id) { exitAssessment(on: $on) {
        positive rule reasons evidence { days windowStart windowEnd } } } }";
    let assess = |on: &'static str| {
        let (app, id) = (&app, id.clone());
        let token = w.referent.clone();
        async move {
            app.ok(&token, q, json!({ "id": id, "on": on })).await["participant"]["exitAssessment"]
                .clone()
        }
    };
    let short = assess("2024-08-15").await;
    assert_eq!(short["positive"], false, "1 February to 30 July: {short}");
    app.ok(&w.referent, EPISODE, mission("2024-07-31", "2024-07-31"))
        .await;
    let six = assess("2024-08-15").await;
    assert_eq!(
        (&six["rule"], &six["evidence"]),
        (
            &json!("TEMPORARY_AGENCY_WORK"),
            &json!({ "days": 182, "windowStart": "2023-08-16", "windowEnd": "2024-08-15" })
        ),
        "1 February to 31 July is 6 months: {six}"
    );
    // The 12 months end on the date: two years later these missions no longer count.
    let later = assess("2026-06-01").await;
    assert_eq!(later["positive"], false, "{later}");
    // Two CDI at once are still refused.
    let cdi = |start: &str| {
        json!({ "input": { "participantId": id, "kind": "EMPLOYMENT", "contractKind": "PERMANENT",
            "startDate": start, "hoursPerWeek": 35 } })
    };
    app.ok(&w.referent, EPISODE, cdi("2025-01-01")).await;
    let (_, body) = app.post(&w.referent, EPISODE, cdi("2025-02-01")).await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "startDate"),
        "{body}"
    );

    // Entry age: 16 on the entry date, not today.
    let mut young = participant_input(&commune, "Jeune");
    young["birthDate"] = json!("2008-01-03");
    young["entryDate"] = json!("2024-01-02");
    let (_, body) = app
        .post(
            &w.referent,
            CREATE_PARTICIPANT_ONLY,
            json!({ "input": young }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "birthDate"),
        "15 on the entry date: {body}"
    );
    young["birthDate"] = json!("2008-01-02");
    app.ok(
        &w.referent,
        CREATE_PARTICIPANT_ONLY,
        json!({ "input": young }),
    )
    .await;

    // "Today" is Paris's date: at 00:30 in Paris (23:30 UTC the day before), an entry and an
    // exit dated today are not in the future; tomorrow's still is.
    app.set_now(Some("2026-03-01T23:30:00Z"));
    let mut late = participant_input(&commune, "Minuit");
    late["entryDate"] = json!("2026-03-03");
    let (_, body) = app
        .post(
            &w.referent,
            CREATE_PARTICIPANT_ONLY,
            json!({ "input": late }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "entryDate"),
        "{body}"
    );
    late["entryDate"] = json!("2026-03-02");
    let created = app
        .ok(
            &w.referent,
            CREATE_PARTICIPANT_ONLY,
            json!({ "input": late }),
        )
        .await;
    let late_id = created["createParticipant"]["participant"]["id"].clone();
    app.ok(&w.tenant.steering, "mutation($id: ID!) { validateEntry(input: {id: $id, version: 1, committeeDate: \"2026-03-02\"}) { participant { id } } }", json!({ "id": late_id }))
        .await;
    // Its open steps close with the exit: one under way ends on the exit date, one planned
    // later ends on its own start.
    let step = "mutation($id: ID!, $start: Date!) { addPathStep(input: {participantId: $id, kind: ACTION, title: \"Atelier\", startDate: $start}) { pathStep { id } } }";
    for start in ["2026-03-02", "2026-03-20"] {
        app.ok(&w.referent, step, json!({ "id": late_id, "start": start }))
            .await;
    }
    app.ok(&w.referent, EXIT, json!({ "input": { "participantId": late_id, "version": 2, "date": "2026-03-02", "kind": "MOVED_AWAY", "reason": "Déménagement à Lyon" } }))
        .await;
    let path = app
        .ok(
            &w.referent,
            "query($id: ID!) { participant(id: $id) { path { startDate endDate closed version } } }",
            json!({ "id": late_id }),
        )
        .await;
    assert_eq!(
        path["participant"]["path"],
        json!([
            { "startDate": "2026-03-02", "endDate": "2026-03-02", "closed": true, "version": 2 },
            { "startDate": "2026-03-20", "endDate": "2026-03-20", "closed": true, "version": 2 },
        ])
    );
    app.set_now(None);
}

const ASSESS: &str = "query($id: ID!, $on: Date) { participant(id: $id) { exitAssessment(on: $on) { positive rule } } }";
const END: &str = "mutation($input: EndEpisodeInput!) { endEpisode(input: $input) { episode { id endDate endReason version } } }";
const CORRECT: &str = "mutation($input: CorrectEpisodeInput!) { correctEpisode(input: $input) { episode { startDate endDate hoursPerWeek endReason version } } }";
const CANCEL: &str =
    "mutation($input: CancelEpisodeInput!) { cancelEpisode(input: $input) { cancelledEpisodeId } }";

/// The rule an exit assessment rests on.
fn rule(data: Value) -> Value {
    data["participant"]["exitAssessment"]["rule"].clone()
}

/// A participant named `name`, created by the referent and validated by steering (version 2).
async fn validated(app: &TestApp, w: &World, commune: &str, name: &str) -> String {
    let (id, _) = create_participant(app, &w.referent, participant_input(commune, name)).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    id
}

/// Each of `actions` is in the tenant's audit log.
async fn assert_audited(app: &TestApp, w: &World, actions: &[&str]) {
    let log = app
        .ok(
            &w.tenant.steering,
            "{ auditLog(first: 100) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let logged: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    for action in actions {
        assert!(logged.contains(action), "{action}: {logged:?}");
    }
}

/// An episode ended early, at its version, by the path's editors only, is audited and read at
/// once by the exit assessment; once the participant exited, it no longer changes.
async fn episodes_end_early(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let commune = first_commune(&app, &w.referent).await;

    // A CDI broken after three months no longer makes the exit positive, and a later CDI can
    // be recorded.
    let p = validated(&app, &w, &commune, "Rupture").await;
    let cdi = |start: &str| {
        json!({ "input": { "participantId": p, "kind": "EMPLOYMENT", "contractKind": "PERMANENT",
            "startDate": start, "hoursPerWeek": 35 } })
    };
    let first =
        app.ok(&w.referent, EPISODE, cdi("2024-02-01")).await["recordEpisode"]["episode"]["id"]
            .clone();
    assert_eq!(
        rule(
            app.ok(&w.referent, ASSESS, json!({ "id": p, "on": "2024-09-01" }))
                .await
        ),
        "PERMANENT_CONTRACT"
    );
    let end = |version: i64, date: &str| json!({ "input": { "id": first, "version": version, "endDate": date, "reason": "DISMISSAL" } });
    for (date, why) in [
        ("2024-01-31", "before the start"),
        ("2099-01-01", "in the future"),
    ] {
        let (_, body) = app.post(&w.referent, END, end(1, date)).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "endDate"),
            "{why}: {body}"
        );
    }
    for (token, expected) in [(&w.provider, "FORBIDDEN"), (&foreign.referent, "NOT_FOUND")] {
        let (_, body) = app.post(token, END, end(1, "2024-05-01")).await;
        assert_eq!(code(&body), expected, "{body}");
    }
    let ended = app.ok(&w.referent, END, end(1, "2024-05-01")).await;
    assert_eq!(
        ended["endEpisode"]["episode"],
        json!({ "id": first, "endDate": "2024-05-01", "endReason": "DISMISSAL", "version": 2 })
    );
    let (_, body) = app.post(&w.referent, END, end(1, "2024-04-01")).await;
    assert_eq!(code(&body), "CONFLICT", "a stale version: {body}");
    let after = app
        .ok(&w.referent, ASSESS, json!({ "id": p, "on": "2024-09-01" }))
        .await;
    assert_eq!(
        after["participant"]["exitAssessment"]["positive"], false,
        "{after}"
    );
    app.ok(&w.referent, EPISODE, cdi("2024-06-01")).await;
    assert_eq!(
        rule(
            app.ok(&w.referent, ASSESS, json!({ "id": p, "on": "2024-12-01" }))
                .await
        ),
        "PERMANENT_CONTRACT",
        "the later CDI, six months on"
    );

    assert_audited(&app, &w, &["episode.end"]).await;

    // Once the participant exited, the path and its episodes no longer change: the exit keeps
    // the episodes it rested on.
    app.ok(&w.referent, EXIT, json!({ "input": { "participantId": p, "version": 2, "date": "2024-12-01", "kind": "EMPLOYMENT_OR_TRAINING" } }))
        .await;
    let (_, body) = app.post(&w.referent, END, json!({ "input": { "id": first, "version": 2, "endDate": "2024-04-01", "reason": "OTHER" } })).await;
    assert_eq!(code(&body), "CONFLICT", "after the exit: {body}");
}

/// An episode recorded wrong is corrected, one recorded by mistake cancelled, each at its
/// version and audited, and the exit assessment reads the change at once.
async fn episodes_are_corrected_or_cancelled(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;

    // A CDD recorded a day short is corrected; one recorded by mistake is cancelled.
    let q = validated(&app, &w, &commune, "Correction").await;
    let cdd = app
        .ok(&w.referent, EPISODE, json!({ "input": { "participantId": q, "kind": "EMPLOYMENT",
            "contractKind": "FIXED_TERM", "startDate": "2025-01-01", "endDate": "2025-06-29", "hoursPerWeek": 35 } }))
        .await["recordEpisode"]["episode"]["id"]
        .clone();
    let on = json!({ "id": q, "on": "2025-07-15" });
    let none = app.ok(&w.referent, ASSESS, on.clone()).await;
    assert_eq!(none["participant"]["exitAssessment"]["positive"], false);
    let correction = |version: i64, end: &str, hours: f64| {
        json!({ "input": { "id": cdd, "version": version, "startDate": "2025-01-01", "endDate": end,
            "hoursPerWeek": hours, "employer": "Mairie" } })
    };
    let (_, body) = app
        .post(&w.referent, CORRECT, correction(1, "2024-12-31", 35.0))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "endDate"),
        "an end before the start: {body}"
    );
    let corrected = app
        .ok(&w.referent, CORRECT, correction(1, "2025-06-30", 35.0))
        .await;
    assert_eq!(
        corrected["correctEpisode"]["episode"],
        json!({ "startDate": "2025-01-01", "endDate": "2025-06-30", "hoursPerWeek": 35.0, "endReason": null, "version": 2 })
    );
    assert_eq!(
        rule(app.ok(&w.referent, ASSESS, on.clone()).await),
        "FIXED_TERM_CONTRACTS"
    );
    let cancel = |version: i64| json!({ "input": { "id": cdd, "version": version, "reason": "saisi sur le mauvais dossier" } });
    let (_, body) = app.post(&w.referent, CANCEL, cancel(1)).await;
    assert_eq!(code(&body), "CONFLICT", "a stale version: {body}");
    app.ok(&w.referent, CANCEL, cancel(2)).await;
    let gone = app.ok(&w.referent, ASSESS, on.clone()).await;
    assert_eq!(
        gone["participant"]["exitAssessment"]["positive"], false,
        "{gone}"
    );
    let listed = app
        .ok(
            &w.referent,
            "query($id: ID!) { participant(id: $id) { episodes { id } } }",
            json!({ "id": q }),
        )
        .await;
    assert_eq!(listed["participant"]["episodes"], json!([]));
    let (_, body) = app.post(&w.referent, CANCEL, cancel(3)).await;
    assert_eq!(code(&body), "NOT_FOUND", "cancelled already: {body}");

    assert_audited(&app, &w, &["episode.correct", "episode.cancel"]).await;
}

const CREATE_PARTICIPANT_ONLY: &str = "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }";

on_both!(
    working_lives_count_in_calendar_months_within_the_last_12,
    episodes_end_early,
    episodes_are_corrected_or_cancelled,
);
