//! A cohort's members and a participant's memberships, read together or one by one, a
//! participant's current step, and every object with an ID opened by `node`, each for whoever
//! may read it and for no one else.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, active_participant, cohort, convention};

/// A member of "Groupe 1" with two open path steps (started 2024-01-16 and 2024-02-01): the
/// cohort, the participant, and the two steps' IDs.
async fn an_enrolled_member_with_two_steps(
    app: &TestApp,
    w: &World,
) -> (Value, String, Value, Value) {
    let conv = convention(app, w).await;
    let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(app, w, "Membre").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    let step = "mutation($id: ID!, $start: Date!, $title: String!) { addPathStep(input: {participantId: $id, kind: DIAGNOSTIC, title: $title, startDate: $start}) { pathStep { id } } }";
    let first = app
        .ok(
            &w.referent,
            step,
            json!({ "id": p, "start": "2024-01-16", "title": "Diagnostic" }),
        )
        .await["addPathStep"]["pathStep"]["id"]
        .clone();
    let second = app
        .ok(
            &w.referent,
            step,
            json!({ "id": p, "start": "2024-02-01", "title": "Remobilisation" }),
        )
        .await["addPathStep"]["pathStep"]["id"]
        .clone();
    (c, p, first, second)
}

/// A participant's memberships and current step (of the steps not closed, the latest
/// started), each for whoever may read it: the provider reads its cohort's membership, not the
/// path.
async fn memberships_and_the_current_step(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let (c, p, first, second) = an_enrolled_member_with_two_steps(&app, &w).await;
    // A closed step is not current; of the open ones, the latest started.
    let read = "query($id: ID!) { participant(id: $id) { currentStep { id title }
        memberships { status cohort { id label } } } }";
    let data = app.ok(&w.referent, read, json!({ "id": p })).await;
    assert_eq!(
        data["participant"],
        json!({ "currentStep": { "id": second, "title": "Remobilisation" },
            "memberships": [{ "status": "ENROLLED", "cohort": { "id": c["id"], "label": "Groupe 1" } }] })
    );
    app.ok(&w.referent, "mutation($id: ID!) { closePathStep(input: {id: $id, version: 1, endDate: \"2024-03-01\", outcome: \"fait\"}) { pathStep { closed } } }", json!({ "id": second })).await;
    let data = app.ok(&w.referent, read, json!({ "id": p })).await;
    assert_eq!(data["participant"]["currentStep"]["id"], first);
    // The provider reads the membership of its own cohort, not the path.
    let data = app.ok(&w.provider, read, json!({ "id": p })).await;
    assert_eq!(data["participant"]["currentStep"], Value::Null);
    assert_eq!(
        data["participant"]["memberships"][0]["cohort"]["id"],
        c["id"]
    );
}

/// A cohort's `members` read their participants and diagnostics for the whole list at once;
/// each member then answers exactly what it answers alone (a participant's `memberships`,
/// which reads them member by member): same values, same nulls (no diagnostic yet), same
/// refusals, whatever the aliases ask of each relation (a participant's brief and summary, a
/// diagnostic's summary and its whole record), for each role that reads members.
async fn members_read_together_answer_as_each_read_alone(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let mut people = Vec::new();
    for (i, name) in ["Aubert", "Besson", "Carré"].into_iter().enumerate() {
        let p = active_participant(&app, &w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
        // The last one has no diagnostic yet.
        if i < 2 {
            let clea = if i == 0 {
                crate::workloads::clea()
            } else {
                json!(vec!["ACQUIRED"; 7])
            };
            let d = crate::cohorts::diagnostic(&c["id"], &p, None, clea, i == 0);
            app.ok(&w.provider, crate::cohorts::SAVE_DIAG, d).await;
        }
        people.push(p);
    }
    let member = |participant: &str| {
        format!(
            "status participant {{ id lastName }} again: participant {{ {participant} }}
             diagnostic {{ isFinal fle {{ listening }} clea {{ sharePercent domains {{ acquisition }} }} }}
             whole: diagnostic {{ mobility {{ acceptableCommuteMinutes }} }}"
        )
    };
    let steering = w.tenant.steering.clone();
    for (who, token, participant) in [
        ("steering", &steering, "birthYear status email"),
        ("the referent", &w.referent, "birthYear status"),
        ("the provider", &w.provider, "firstName"),
        (
            "the provider, a field it may not read",
            &w.provider,
            "birthDate",
        ),
    ] {
        let selection = member(participant);
        let together = format!(
            "query($id: ID!) {{ node(id: $id) {{ ... on Cohort {{ members {{ {selection} }} }} }} }}"
        );
        let (_, together) = app.post(token, &together, json!({ "id": c["id"] })).await;
        let members = together["data"]["node"]["members"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(members.len(), 3, "{who}: {together}");
        let alone = format!(
            "query($id: ID!) {{ participant(id: $id) {{ memberships {{ {selection} }} }} }}"
        );
        for (i, p) in people.iter().enumerate() {
            let (_, read) = app.post(token, &alone, json!({ "id": p })).await;
            let one = &read["data"]["participant"]["memberships"][0];
            let listed = members
                .iter()
                .find(|m| m["participant"]["id"] == json!(p))
                .unwrap_or_else(|| panic!("{who}: member {i} listed: {together}"));
            assert_eq!(listed, one, "{who}, member {i}: {together} against {read}");
            assert_eq!(
                listed["diagnostic"].is_null(),
                i == 2,
                "{who}, member {i}: a diagnostic once written: {listed}"
            );
            assert_eq!(code(&read), code(&together), "{who}, member {i}");
        }
        let refused = together["errors"].as_array().map_or(0, Vec::len);
        assert_eq!(
            refused,
            if participant == "birthDate" { 3 } else { 0 },
            "{who}: one refusal per member, or none: {together}"
        );
    }
    let listed = app
        .ok(
            &steering,
            &format!(
                "{{ cohorts(first: 5) {{ edges {{ node {{ members {{ {} }} }} }} }} }}",
                member("birthYear")
            ),
            json!({}),
        )
        .await;
    let first = &listed["cohorts"]["edges"][0]["node"]["members"][0];
    assert_eq!(first["participant"]["lastName"], "Aubert", "{listed}");
    assert_eq!(
        first["diagnostic"]["clea"]["domains"][1]["acquisition"], "PARTLY_ACQUIRED",
        "{listed}"
    );
    assert_eq!(first["whole"]["mobility"]["acceptableCommuteMinutes"], 45);
}

/// The objects with an ID that `node` opens: a session, an attendance record, a path step, an
/// episode, a notification — each for whoever may read it, `NOT_FOUND` for anyone else.
async fn node_opens_each_object_for_whoever_may_read_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let (c, p, first, _) = an_enrolled_member_with_two_steps(&app, &w).await;
    app.set_now(Some("2026-09-07T15:00:00Z"));
    let session = c["sessions"][0]["id"].clone();
    let recorded = app
        .ok(&w.provider, "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { id } } }",
            json!({ "input": { "sessionId": session, "idempotencyKey": "n1",
                "entries": [{ "participantId": p, "presence": "ABSENT" }] } }))
        .await;
    app.set_now(None);
    let attendance = recorded["recordAttendance"]["attendance"][0]["id"].clone();
    let episode = app
        .ok(&w.referent, "mutation($input: RecordEpisodeInput!) { recordEpisode(input: $input) { episode { id } } }",
            json!({ "input": { "participantId": p, "kind": "TRAINING", "trainingKind": "QUALIFYING",
                "startDate": "2024-04-01", "hoursPerWeek": 20 } }))
        .await["recordEpisode"]["episode"]["id"]
        .clone();
    let inbox = app
        .ok(
            &w.referent,
            "{ notifications(first: 5) { edges { node { id kind } } } }",
            json!({}),
        )
        .await;
    let notification = inbox["notifications"]["edges"][0]["node"]["id"].clone();
    assert!(notification.is_string(), "{inbox}");
    let node = "query($id: ID!) { node(id: $id) { __typename id } }";
    let other_structure = app
        .structure(&w.tenant, "Autre opérateur", "PROVIDER")
        .await;
    let (_, other_provider) = app
        .staff(
            &w.tenant,
            Role::Provider,
            "b@alpha.example",
            &other_structure,
        )
        .await;
    let (_, other_referent) = app
        .staff(&w.tenant, Role::Referent, "r2@alpha.example", &w.carrier)
        .await;
    let steering = w.tenant.steering.clone();
    let cases: [(&str, &Value, Vec<&String>, Vec<&String>); 5] = [
        (
            "CohortSession",
            &session,
            vec![&w.provider, &steering, &w.referent],
            vec![&other_provider, &foreign.tenant.steering],
        ),
        (
            "Attendance",
            &attendance,
            vec![&w.provider, &steering, &w.referent],
            vec![&other_provider, &other_referent, &foreign.tenant.steering],
        ),
        (
            "PathStep",
            &first,
            vec![&steering, &w.referent],
            vec![&w.provider, &other_referent, &foreign.tenant.steering],
        ),
        (
            "Episode",
            &episode,
            vec![&steering, &w.referent],
            vec![&w.provider, &other_referent, &foreign.tenant.steering],
        ),
        (
            "Notification",
            &notification,
            vec![&w.referent],
            vec![&steering, &other_referent, &foreign.tenant.steering],
        ),
    ];
    for (typename, id, readers, others) in cases {
        for token in readers {
            let data = app.ok(token, node, json!({ "id": id })).await;
            assert_eq!(
                data["node"],
                json!({ "__typename": typename, "id": id }),
                "{typename}"
            );
        }
        for token in others {
            let (_, body) = app.post(token, node, json!({ "id": id })).await;
            assert_eq!(code(&body), "NOT_FOUND", "{typename}: {body}");
        }
    }
    // An attendance ID with a forged second half is nobody's.
    let forged = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let text = String::from_utf8(
            engine
                .decode(attendance.as_str().expect("id"))
                .expect("base64"),
        )
        .expect("utf-8");
        let (head, _) = text.rsplit_once(':').expect("a pair");
        engine.encode(format!("{head}:{}", uuid::Uuid::now_v7()))
    };
    let (_, body) = app.post(&steering, node, json!({ "id": forged })).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

on_both!(
    memberships_and_the_current_step,
    members_read_together_answer_as_each_read_alone,
    node_opens_each_object_for_whoever_may_read_it,
);
