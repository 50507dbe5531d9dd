//! Participants through the API: the path from candidate to exit, eligibility, bad input,
//! concurrency, visibility and anonymisation (lists: `participant_lists.rs`; episodes and
//! working lives: `episodes.rs`).

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

pub(crate) fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

pub(crate) const VALIDATE: &str = "mutation($id: ID!, $v: Int!) { validateEntry(input: {id: $id, version: $v, committeeDate: \"2024-01-15\"}) { participant { status version } } }";
pub(crate) const EPISODE: &str = "mutation($input: RecordEpisodeInput!) { recordEpisode(input: $input) { episode { id kind contractKind hoursPerWeek } } }";
pub(crate) const EXIT: &str = "mutation($input: RecordExitInput!) { recordExit(input: $input) { exit { date kind positive rule reason needsCommitteeValidation } } }";

async fn a_path_from_candidate_to_a_positive_exit(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let (id, v) =
        create_participant(&app, &w.referent, participant_input(&commune, "Diallo")).await;
    assert_eq!(v, 1);

    let (_, body) = app
        .post(&w.referent, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "only steering validates entries");
    let data = app
        .ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(data["validateEntry"]["participant"]["status"], "ACTIVE");

    let step = app
        .ok(&w.referent, "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: DIAGNOSTIC, title: \"Diagnostic initial\", startDate: \"2024-01-16\"}) { pathStep { id version } } }", json!({ "id": id }))
        .await;
    let step_id = step["addPathStep"]["pathStep"]["id"].clone();
    let closed = app
        .ok(&w.referent, "mutation($id: ID!) { closePathStep(input: {id: $id, version: 1, endDate: \"2024-01-20\", outcome: \"Projet: logistique\"}) { pathStep { closed outcome version } } }", json!({ "id": step_id }))
        .await;
    assert_eq!(closed["closePathStep"]["pathStep"]["closed"], true);

    let cdi = json!({ "input": { "participantId": id, "kind": "EMPLOYMENT", "contractKind": "PERMANENT",
        "startDate": "2024-02-01", "hoursPerWeek": 17.5, "employer": "Entrepôt Sud" } });
    let data = app.ok(&w.referent, EPISODE, cdi).await;
    assert_eq!(data["recordEpisode"]["episode"]["hoursPerWeek"], 17.5);

    // The referent sees before recording whether it will count.
    let q = "query($id: ID!, $on: Date) { participant(id: $id) { exitAssessment(on: $on) { positive rule reasons evidence { days episodeIds } } } }";
    let early = app
        .ok(&w.referent, q, json!({ "id": id, "on": "2024-07-30" }))
        .await;
    assert_eq!(early["participant"]["exitAssessment"]["positive"], false);
    // 1 February to 31 July: 6 calendar months.
    let on_time = app
        .ok(&w.referent, q, json!({ "id": id, "on": "2024-07-31" }))
        .await;
    assert_eq!(
        on_time["participant"]["exitAssessment"]["rule"],
        "PERMANENT_CONTRACT"
    );

    let (_, body) = app
        .post(&w.referent, EXIT, json!({ "input": { "participantId": id, "version": 2, "date": "2023-12-31", "kind": "EMPLOYMENT_OR_TRAINING" } }))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "date"),
        "exit before entry: {body}"
    );
    let data = app
        .ok(&w.referent, EXIT, json!({ "input": { "participantId": id, "version": 2, "date": "2024-09-01", "kind": "EMPLOYMENT_OR_TRAINING" } }))
        .await;
    assert_eq!(data["recordExit"]["exit"]["positive"], true);
    assert_eq!(data["recordExit"]["exit"]["rule"], "PERMANENT_CONTRACT");

    let whole = app
        .ok(&w.tenant.steering, "query($id: ID!) { participant(id: $id) { status referent { subject structure { name } } path { title closed } episodes { contractKind } exit { positive rule } commune { name } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        whole["participant"],
        json!({ "status": "EXITED", "referent": { "subject": "ref@alpha.example", "structure": { "name": "Carrier alpha" } },
                "path": [{ "title": "Diagnostic initial", "closed": true }], "episodes": [{ "contractKind": "PERMANENT" }],
                "exit": { "positive": true, "rule": "PERMANENT_CONTRACT" }, "commune": { "name": "alpha-ville" } })
    );
}

async fn the_senior_worksite_exception_waits_for_the_committee(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut input = participant_input(&commune, "Bernard");
    input["birthDate"] = json!("1960-03-01");
    let (id, _) = create_participant(&app, &w.referent, input).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    app.ok(
        &w.referent,
        EPISODE,
        json!({ "input": { "participantId": id, "kind": "EMPLOYMENT",
        "contractKind": "INTEGRATION_WORKSITE", "startDate": "2024-02-01", "hoursPerWeek": 26 } }),
    )
    .await;
    let data = app
        .ok(&w.referent, EXIT, json!({ "input": { "participantId": id, "version": 2, "date": "2024-09-01", "kind": "EMPLOYMENT_OR_TRAINING" } }))
        .await;
    let exit = &data["recordExit"]["exit"];
    assert_eq!(
        (
            exit["positive"].clone(),
            exit["needsCommitteeValidation"].clone()
        ),
        (json!(false), json!(true))
    );
    let validate = "mutation($id: ID!) { validateExit(input: {participantId: $id, version: 3, committeeDate: \"2024-09-10\"}) { exit { positive rule committeeValidatedOn } } }";
    let (_, body) = app.post(&w.referent, validate, json!({ "id": id })).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let data = app
        .ok(&w.tenant.steering, validate, json!({ "id": id }))
        .await;
    assert_eq!(
        data["validateExit"]["exit"],
        json!({ "positive": true, "rule": "SENIOR_INTEGRATION_WORKSITE", "committeeValidatedOn": "2024-09-10" })
    );
    let (_, body) = app
        .post(&w.referent, EXIT, json!({ "input": { "participantId": id, "version": 4, "date": "2024-09-01", "kind": "MOVED_AWAY", "reason": "x" } }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "already exited: {body}");
}

/// A participant's bad input is refused with its field and writes nothing; sixteen is old
/// enough.
async fn bad_input_is_refused_with_its_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let other = World::build(&app, "beta").await;
    let commune = first_commune(&app, &w.referent).await;
    let foreign_commune = first_commune(&app, &other.referent).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut input = participant_input(&commune, "Martin");
        f(&mut input);
        json!({ "input": input })
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "over-long name",
            with(&|i| i["lastName"] = json!("x".repeat(201))),
            "VALIDATION",
            "lastName",
        ),
        (
            "NUL in a name",
            with(&|i| i["firstName"] = json!("A\u{0}B")),
            "VALIDATION",
            "firstName",
        ),
        (
            "birth date in the future",
            with(&|i| i["birthDate"] = json!("2999-01-01")),
            "VALIDATION",
            "birthDate",
        ),
        (
            "under 16",
            with(&|i| i["birthDate"] = json!(chrono::Utc::now().date_naive().with_year_sub(15))),
            "VALIDATION",
            "birthDate",
        ),
        (
            "commune outside the perimeter",
            with(&|i| i["communeId"] = json!(foreign_commune)),
            "VALIDATION",
            "communeId",
        ),
        (
            "not allowed to work",
            with(&|i| i["authorisedToWork"] = json!(false)),
            "VALIDATION",
            "authorisedToWork",
        ),
        (
            "no difficulty nor criterion",
            with(&|i| {
                i["longTermJobSeeker"] = json!(false);
                i["rsaBeneficiary"] = json!(false);
                i["educationLevel"] = json!("LEVEL_4");
                i["difficulties"] = json!([]);
            }),
            "VALIDATION",
            "difficulties",
        ),
        (
            "bad e-mail",
            with(&|i| i["email"] = json!("nope")),
            "VALIDATION",
            "email",
        ),
        (
            "missing consent",
            with(&|i| {
                i.as_object_mut().expect("obj").remove("consentDate");
            }),
            "VALIDATION",
            "consentDate",
        ),
        (
            "SQL-ish phone",
            with(&|i| i["phone"] = json!("' OR 1=1 --")),
            "VALIDATION",
            "phone",
        ),
    ];
    for (name, variables, expected_code, expected_field) in cases {
        let (status, body) = app
            .post(&w.referent, parcours_tests::CREATE_PARTICIPANT, variables)
            .await;
        // A character no field takes is refused before execution (400), any other bad value
        // by the field's own parse (200 with the field's error).
        assert!(matches!(status, 200 | 400), "{name}: {body}");
        assert_eq!(
            (code(&body), field(&body)),
            (expected_code, expected_field),
            "{name}: {body}"
        );
    }
    let (status, body) = app
        .post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            with(&|i| i["gender"] = json!("ROBOT")),
        )
        .await;
    assert_eq!(
        (status, code(&body), field(&body)),
        (400, "VALIDATION", "gender"),
        "unknown enum: {body}"
    );
    let count = app
        .ok(
            &w.tenant.steering,
            "{ participants { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count["participants"]["totalCount"], 0, "nothing written");
    let mut sixteen = participant_input(&commune, "Seize");
    sixteen["birthDate"] = json!(chrono::Utc::now().date_naive().with_year_sub(16));
    sixteen["entryDate"] = json!(chrono::Utc::now().date_naive().with_year_sub(0));
    create_participant(&app, &w.referent, sixteen).await;
}

/// Inverted and overlapping episodes (subsidised contracts do not overlap; temporary missions
/// and fixed-term contracts may), impossible hours and a stale version are refused with their
/// field, and only the valid episode is written.
async fn bad_episodes_and_stale_versions_are_refused_with_their_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let (id, _) =
        create_participant(&app, &w.referent, participant_input(&commune, "Martin")).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    let episode = |start: &str, end: &str| {
        json!({ "input": { "participantId": id, "kind": "EMPLOYMENT",
        "contractKind": "SUBSIDISED", "startDate": start, "endDate": end, "hoursPerWeek": 20 } })
    };
    let (_, body) = app
        .post(&w.referent, EPISODE, episode("2024-05-01", "2024-04-01"))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "endDate"),
        "inverted: {body}"
    );
    app.ok(&w.referent, EPISODE, episode("2024-03-01", "2024-05-31"))
        .await;
    let (_, body) = app
        .post(&w.referent, EPISODE, episode("2024-05-15", "2024-08-31"))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "startDate"),
        "overlap: {body}"
    );
    let (_, body) = app
        .post(&w.referent, EPISODE, json!({ "input": { "participantId": id, "kind": "EMPLOYMENT", "contractKind": "FIXED_TERM", "startDate": "2024-09-01", "hoursPerWeek": 60 } }))
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "hoursPerWeek"),
        "{body}"
    );
    let (_, body) = app
        .post(&w.referent, "mutation($id: ID!) { updateParticipant(input: {id: $id, version: 1, lastName: \"Stale\"}) { participant { id } } }", json!({ "id": id }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "stale version: {body}");
    let episodes = app
        .ok(
            &w.referent,
            "query($id: ID!) { participant(id: $id) { episodes { startDate } lastName } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        episodes["participant"]["episodes"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(episodes["participant"]["lastName"], "Martin");
}

trait YearSub {
    fn with_year_sub(self, years: i32) -> String;
}

impl YearSub for chrono::NaiveDate {
    fn with_year_sub(self, years: i32) -> String {
        use chrono::Datelike;
        self.with_year(self.year() - years)
            .unwrap_or(self)
            .to_string()
    }
}

async fn concurrent_updates_have_one_winner_and_one_audit_record(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let (id, _) = create_participant(&app, &w.referent, participant_input(&commune, "Petit")).await;
    let update = |name: &str| json!({ "id": id, "name": name });
    let q = "mutation($id: ID!, $name: String!) { updateParticipant(input: {id: $id, version: 1, lastName: $name}) { participant { lastName } } }";
    let (a, b) = tokio::join!(
        app.post(&w.referent, q, update("Un")),
        app.post(&w.tenant.steering, q, update("Deux"))
    );
    let ok = [a.1.get("errors").is_none(), b.1.get("errors").is_none()];
    assert_eq!(ok.iter().filter(|x| **x).count(), 1, "{} {}", a.1, b.1);
    let loser = if ok[0] { &b.1 } else { &a.1 };
    assert_eq!(code(loser), "CONFLICT");
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { totalCount edges { node { action } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["totalCount"], 2,
        "create + one update: {log}"
    );
}

async fn visibility_follows_the_portfolio_and_the_tenant(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let b = World::build(&app, "beta").await;
    let colleague = w.colleague(&app).await;
    let commune = first_commune(&app, &w.referent).await;
    let (id, _) = create_participant(&app, &w.referent, participant_input(&commune, "Roux")).await;
    let read =
        "query($id: ID!) { participant(id: $id) { lastName rsaBeneficiary recognisedDisability } }";
    let callers = [
        ("own referent", w.referent.clone(), "OK"),
        ("steering", w.tenant.steering.clone(), "OK"),
        ("another referent", colleague.clone(), "FORBIDDEN"),
        ("provider", w.provider.clone(), "FORBIDDEN"),
        ("admin", app.admin(), "FORBIDDEN"),
        ("foreign steering", b.tenant.steering.clone(), "NOT_FOUND"),
        ("foreign referent", b.referent.clone(), "NOT_FOUND"),
    ];
    let step = app
        .ok(&w.referent, "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: INTERVIEW, title: \"Premier entretien\", startDate: \"2024-02-01\"}) { pathStep { id } } }", json!({ "id": id }))
        .await["addPathStep"]["pathStep"]["id"]
        .clone();
    // Every mutation on the participant, with whether only steering may do it.
    let writes: Vec<(&str, String, bool)> = vec![
        ("updateParticipant", "mutation($id: ID!) { updateParticipant(input: {id: $id, version: 1, phone: \"0102030405\"}) { participant { id } } }".into(), false),
        ("addPathStep", "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: INTERVIEW, title: \"x\", startDate: \"2024-02-01\"}) { pathStep { id } } }".into(), false),
        ("updatePathStep", "mutation($s: ID!) { updatePathStep(input: {id: $s, version: 1, title: \"x\"}) { pathStep { id } } }".into(), false),
        ("closePathStep", "mutation($s: ID!) { closePathStep(input: {id: $s, version: 1, endDate: \"2024-02-02\"}) { pathStep { id } } }".into(), false),
        ("recordEpisode", "mutation($id: ID!) { recordEpisode(input: {participantId: $id, kind: BUSINESS_CREATION, startDate: \"2024-03-01\"}) { episode { id } } }".into(), false),
        ("recordExit", "mutation($id: ID!) { recordExit(input: {participantId: $id, version: 1, date: \"2024-03-01\", kind: MOVED_AWAY, reason: \"x\"}) { exit { date } } }".into(), false),
        ("validateEntry", "mutation($id: ID!) { validateEntry(input: {id: $id, version: 1, committeeDate: \"2024-01-15\"}) { participant { id } } }".into(), true),
        ("refuseEntry", "mutation($id: ID!) { refuseEntry(input: {id: $id, version: 1, committeeDate: \"2024-01-15\", reason: \"x\"}) { participant { id } } }".into(), true),
        ("reassignReferent", format!("mutation($id: ID!) {{ reassignReferent(input: {{id: $id, version: 1, referentId: \"{}\"}}) {{ participant {{ id }} }} }}", w.referent_id), true),
        ("anonymiseParticipant", "mutation($id: ID!) { anonymiseParticipant(input: {id: $id, version: 1}) { participant { id } } }".into(), true),
        ("validateExit", "mutation($id: ID!) { validateExit(input: {participantId: $id, version: 1, committeeDate: \"2024-03-02\"}) { exit { date } } }".into(), true),
    ];
    for (name, token, expected) in &callers {
        let (_, body) = app.post(token, read, json!({ "id": id })).await;
        if *expected == "OK" {
            assert_eq!(
                body["data"]["participant"]["rsaBeneficiary"], true,
                "{name}: {body}"
            );
            assert_eq!(
                body["data"]["participant"]["recognisedDisability"], false,
                "{name}"
            );
        } else {
            assert_eq!(code(&body), *expected, "{name}: {body}");
            assert!(body["data"]["participant"].is_null(), "{name}: no data");
            for (op, q, steering_only) in &writes {
                let (_, body) = app.post(token, q, json!({ "id": id, "s": step })).await;
                let expect = match (*name, steering_only) {
                    // A role that may never do this is told so before any lookup.
                    ("foreign referent", true) => "FORBIDDEN",
                    _ => expected,
                };
                assert_eq!(code(&body), expect, "{name} {op}: {body}");
            }
        }
        let list = app
            .post(token, "{ participants { totalCount } }", json!({}))
            .await
            .1;
        let expected_count = match *name {
            "own referent" | "steering" => json!(1),
            // A provider lists only the participants of its cohorts: none here.
            "another referent" | "foreign steering" | "foreign referent" | "provider" => json!(0),
            _ => Value::Null,
        };
        assert_eq!(
            list["data"]["participants"]["totalCount"], expected_count,
            "{name} list: {list}"
        );
    }
    let after = app
        .ok(&w.tenant.steering, "query($id: ID!) { participant(id: $id) { version status phone path { title } episodes { id } exit { date } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        after["participant"],
        json!({ "version": 1, "status": "CANDIDATE", "phone": "06 12 34 56 78", "path": [{ "title": "Premier entretien" }], "episodes": [], "exit": null }),
        "no refused mutation changed anything"
    );
    // Steering reassigns: the colleague now sees it, the first referent no longer does.
    let colleague_id = app
        .ok(&colleague, "{ me { staffMember { id } } }", json!({}))
        .await["me"]["staffMember"]["id"]
        .clone();
    app.ok(&w.tenant.steering, "mutation($id: ID!, $r: ID!) { reassignReferent(input: {id: $id, version: 1, referentId: $r}) { participant { id } } }", json!({ "id": id, "r": colleague_id })).await;
    let (_, body) = app.post(&w.referent, read, json!({ "id": id })).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let (_, body) = app.post(&colleague, read, json!({ "id": id })).await;
    assert!(body.get("errors").is_none(), "{body}");
}

async fn anonymisation_erases_personal_data_and_keeps_the_figures(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut input = participant_input(&commune, "Zyxwvutsrq");
    input["firstName"] = json!("Qponmlkj");
    input["email"] = json!("zyxw@example.org");
    let (id, _) = create_participant(&app, &w.referent, input).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id, "v": 1 }))
        .await;
    app.ok(&w.referent, "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: INTERVIEW, title: \"Entretien avec Zyxwvutsrq\", startDate: \"2024-02-01\"}) { pathStep { id } } }", json!({ "id": id })).await;
    app.ok(&w.referent, EPISODE, json!({ "input": { "participantId": id, "kind": "TRAINING", "trainingKind": "QUALIFYING", "startDate": "2024-03-01", "employer": "Zyxwvutsrq SARL" } })).await;
    app.ok(&w.referent, EXIT, json!({ "input": { "participantId": id, "version": 2, "date": "2024-04-01", "kind": "EMPLOYMENT_OR_TRAINING" } })).await;
    let figures = "{ participants(status: EXITED) { totalCount } }";
    let before = app.ok(&w.tenant.steering, figures, json!({})).await;

    let data = app
        .ok(&w.tenant.steering, "mutation($id: ID!) { anonymiseParticipant(input: {id: $id, version: 3}) { participant { firstName lastName birthDate birthYear email phone postalAddress gender status anonymisedAt exit { positive } } } }", json!({ "id": id }))
        .await;
    let p = &data["anonymiseParticipant"]["participant"];
    for f in [
        "firstName",
        "lastName",
        "birthDate",
        "email",
        "phone",
        "postalAddress",
    ] {
        assert!(p[f].is_null(), "{f} erased: {p}");
    }
    assert_eq!(p["birthYear"], 1990);
    assert_eq!(p["gender"], "WOMAN");
    assert_eq!(
        p["exit"]["positive"], true,
        "the exit stays for the figures"
    );
    assert_eq!(app.ok(&w.tenant.steering, figures, json!({})).await, before);
    let search = app
        .ok(
            &w.tenant.steering,
            "{ participants(search: \"zyxw\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(search["participants"]["totalCount"], 0);

    // No table of the database holds the old name any more.
    let dump = parcours_tests::dump_tenant(&app, &w.tenant.id).await;
    for secret in [
        "Zyxwvutsrq",
        "zyxwvutsrq",
        "Qponmlkj",
        "zyxw@example.org",
        "Lilas",
        "06 12 34 56 78",
        "1990-05-17",
    ] {
        assert!(!dump.contains(secret), "{secret} left in the database");
    }
    let (_, body) = app
        .post(&w.referent, "mutation($id: ID!) { updateParticipant(input: {id: $id, version: 4, lastName: \"Back\"}) { participant { id } } }", json!({ "id": id }))
        .await;
    assert!(
        matches!(code(&body), "CONFLICT" | "FORBIDDEN"),
        "no resurrection: {body}"
    );
}

on_both!(
    a_path_from_candidate_to_a_positive_exit,
    the_senior_worksite_exception_waits_for_the_committee,
    bad_input_is_refused_with_its_field_and_writes_nothing,
    bad_episodes_and_stale_versions_are_refused_with_their_field,
    concurrent_updates_have_one_winner_and_one_audit_record,
    visibility_follows_the_portfolio_and_the_tenant,
    anonymisation_erases_personal_data_and_keeps_the_figures,
);
