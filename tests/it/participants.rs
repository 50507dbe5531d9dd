//! Participants through the API: the path from candidate to exit, eligibility, bad input,
//! concurrency, visibility, anonymisation, and the statement count of a page.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, owner_sql,
    participant_input,
};
use serde_json::{Value, json};

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

const VALIDATE: &str = "mutation($id: ID!, $v: Int!) { validateEntry(input: {id: $id, version: $v, committeeDate: \"2024-01-15\"}) { participant { status version } } }";
const EPISODE: &str = "mutation($input: RecordEpisodeInput!) { recordEpisode(input: $input) { episode { id kind contractKind hoursPerWeek } } }";
const EXIT: &str = "mutation($input: RecordExitInput!) { recordExit(input: $input) { exit { date kind positive rule reason needsCommitteeValidation } } }";

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

async fn search_sort_and_filters(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for (last, entry) in [
        ("Émile", "2024-03-01"),
        ("dupont", "2024-01-01"),
        ("100%_Sure", "2024-02-01"),
        ("Zola", "2024-04-01"),
    ] {
        let mut input = participant_input(&commune, last);
        input["entryDate"] = json!(entry);
        create_participant(&app, &w.referent, input).await;
    }
    let names = |data: &Value| -> Vec<String> {
        data["participants"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["lastName"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let q = "query($s: String, $sort: ParticipantSort, $after: String, $first: Int) { participants(search: $s, sort: $sort, after: $after, first: $first) { totalCount edges { node { lastName } } pageInfo { endCursor hasNextPage } } }";
    let by_name = app.ok(&w.referent, q, json!({})).await;
    assert_eq!(names(&by_name), ["100%_Sure", "dupont", "Émile", "Zola"]);
    let by_entry = app
        .ok(&w.referent, q, json!({ "sort": "ENTRY_DATE" }))
        .await;
    assert_eq!(names(&by_entry), ["dupont", "100%_Sure", "Émile", "Zola"]);
    // A search is folded like names: punctuation is no pattern, and a search of nothing
    // but punctuation is refused rather than answered with everyone.
    let percent = app.ok(&w.referent, q, json!({ "s": "100%" })).await;
    assert_eq!(names(&percent), ["100%_Sure"], "% is not a wildcard");
    for nothing in ["%", "_", "-'’ "] {
        let (_, body) = app.post(&w.referent, q, json!({ "s": nothing })).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "search"),
            "{nothing:?}: {body}"
        );
    }
    let accent = app.ok(&w.referent, q, json!({ "s": "emile" })).await;
    assert_eq!(names(&accent), ["Émile"], "accents ignored");
    let first = app
        .ok(&w.referent, q, json!({ "first": 2, "sort": "ENTRY_DATE" }))
        .await;
    let cursor = first["participants"]["pageInfo"]["endCursor"].clone();
    let second = app
        .ok(
            &w.referent,
            q,
            json!({ "first": 2, "sort": "ENTRY_DATE", "after": cursor }),
        )
        .await;
    assert_eq!(names(&second), ["Émile", "Zola"]);
    let (_, body) = app
        .post(&w.referent, q, json!({ "after": "garbage" }))
        .await;
    assert_eq!(code(&body), "VALIDATION");
}

/// Every page size walks the whole list exactly once in its documented order, including the
/// participants without an entry date (last, by ID, on both databases) and ties on the sort
/// value (by ID).
async fn every_page_size_walks_the_list_once_with_undated_participants_last(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut ids = std::collections::HashMap::new();
    for (last, entry) in [
        ("Undated1", None),
        ("Bravo", Some("2024-02-01")),
        ("Undated2", None),
        ("Alpha", Some("2024-02-01")),
        ("Charlie", Some("2024-01-15")),
        ("Undated3", None),
    ] {
        let mut input = participant_input(&commune, last);
        input["entryDate"] = json!(entry.unwrap_or("2024-03-01"));
        let (id, _) = create_participant(&app, &w.referent, input).await;
        ids.insert(last, id);
    }
    // The service dates every participant it registers (today by default), but the column
    // allows none: rows brought by a migration from an earlier tool may have no entry date.
    owner_sql(
        &app,
        &w.tenant.id,
        "UPDATE participant SET entry_date = NULL WHERE last_name LIKE 'Undated%'",
    )
    .await;
    // Ties (same date, or no date) are ordered by ID, and IDs are UUIDv7 in creation order.
    let expected_by_entry = [
        "Charlie", "Bravo", "Alpha", "Undated1", "Undated2", "Undated3",
    ];
    let expected_by_name = [
        "Alpha", "Bravo", "Charlie", "Undated1", "Undated2", "Undated3",
    ];
    let q = "query($sort: ParticipantSort, $after: String, $first: Int) { participants(sort: $sort, after: $after, first: $first) { edges { cursor node { id lastName } } pageInfo { endCursor hasNextPage } } }";
    for (sort, expected) in [
        ("ENTRY_DATE", expected_by_entry),
        ("NAME", expected_by_name),
    ] {
        for first in 1..=7 {
            let mut seen = Vec::new();
            let mut after = Value::Null;
            for _ in 0..10 {
                let data = app
                    .ok(
                        &w.referent,
                        q,
                        json!({ "sort": sort, "first": first, "after": after }),
                    )
                    .await;
                let page = &data["participants"];
                for edge in page["edges"].as_array().expect("edges") {
                    let name = edge["node"]["lastName"].as_str().expect("name").to_owned();
                    assert_eq!(edge["node"]["id"], json!(ids[name.as_str()]));
                    seen.push(name);
                }
                if page["pageInfo"]["hasNextPage"] != json!(true) {
                    break;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
            assert_eq!(seen, expected, "{sort} by pages of {first}");
        }
    }
}

async fn a_page_costs_the_same_statements_for_5_and_50_participants(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for i in 0..50 {
        let (id, _) = create_participant(
            &app,
            &w.referent,
            participant_input(&commune, &format!("Nom{i:02}")),
        )
        .await;
        app.ok(&w.referent, "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: INTERVIEW, title: \"Entretien\", startDate: \"2024-02-01\"}) { pathStep { id } } }", json!({ "id": id })).await;
    }
    let q = "query($n: Int) { participants(first: $n) { edges { node { lastName commune { name } referent { displayName structure { name } } path { title } episodes { startDate } exit { positive } exitAssessment { positive reasons } } } } }";
    let mut counts = Vec::new();
    for n in [5, 50] {
        app.known_caller(&w.tenant.steering).await;
        let before = app.db.statements_executed();
        let data = app.ok(&w.tenant.steering, q, json!({ "n": n })).await;
        assert_eq!(
            data["participants"]["edges"].as_array().map(Vec::len),
            Some(n as usize)
        );
        counts.push(app.db.statements_executed() - before);
    }
    eprintln!("SQL statements for a page of 5 and of 50 participants: {counts:?}");
    assert_eq!(counts[0], counts[1], "statements for 5 and 50: {counts:?}");
    assert!(counts[1] <= 40, "a small bound: {counts:?}");
}

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
    episodes_end_early,
    episodes_are_corrected_or_cancelled,
    working_lives_count_in_calendar_months_within_the_last_12,
    a_path_from_candidate_to_a_positive_exit,
    the_senior_worksite_exception_waits_for_the_committee,
    bad_input_is_refused_with_its_field_and_writes_nothing,
    bad_episodes_and_stale_versions_are_refused_with_their_field,
    concurrent_updates_have_one_winner_and_one_audit_record,
    visibility_follows_the_portfolio_and_the_tenant,
    anonymisation_erases_personal_data_and_keeps_the_figures,
    search_sort_and_filters,
    every_page_size_walks_the_list_once_with_undated_participants_last,
    a_page_costs_the_same_statements_for_5_and_50_participants,
);
