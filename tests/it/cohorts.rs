//! Cohorts: capacity under concurrent enrolments, the provider's narrow view of participants,
//! bad input (attendance: attendance.rs; diagnostics: diagnostics.rs).

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

/// A convention of `w.provider`'s structure running in 2026-2027 (decided in 2018).
pub(crate) async fn convention(app: &TestApp, w: &World) -> String {
    convention_over(app, w, "2026-06-01", None).await
}

/// A convention of `w.provider`'s structure from `start` (to `end`, default one year), for
/// 40,000.00 (decided in 2018).
pub(crate) async fn convention_over(
    app: &TestApp,
    w: &World,
    start: &str,
    end: Option<&str>,
) -> String {
    app.set_now(Some("2017-12-10T10:00:00Z"));
    let call = app
        .ok(&w.tenant.steering, "mutation { createCall(input: {reference: \"AAP\", title: \"Remobilisation\", summary: \"s\", specification: \"x\",
            budgetCap: \"40000.00\", targetParticipantsPerYear: 120, groupSizeMin: 8, groupSizeMax: 12, cadenceWeeks: 3,
            opens: {date: \"2017-12-07\", time: \"09:00\"}, deadline: {date: \"2017-12-21\", time: \"17:00\"}, questions: []}) { call { id } } }", json!({}))
        .await["createCall"]["call"]["id"]
        .clone();
    app.ok(
        &w.tenant.steering,
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
    app.ok(&w.tenant.steering, "mutation($id: ID!) { recordDecision(input: {id: $id, version: 2, accepted: true, reason: \"ok\", committeeDate: \"2018-01-10\"}) { submission { id } } }", json!({ "id": sub })).await;
    app.set_now(None);
    app.ok(&w.tenant.steering, "mutation($id: ID!, $start: Date!, $end: Date) { createConvention(input: {submissionId: $id, startDate: $start, endDate: $end}) { convention { id } } }", json!({ "id": sub, "start": start, "end": end }))
        .await["createConvention"]["convention"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

pub(crate) const CREATE: &str = "mutation($c: ID!, $start: Date!, $label: String!) { createCohort(input: {conventionId: $c, label: $label, startDate: $start,
    weekdays: [MONDAY, TUESDAY, THURSDAY], halfDays: [MORNING]}) { cohort { id version sizeMax sessions { id day halfDay } } } }";
pub(crate) const PRESCRIBE: &str = "mutation($c: ID!, $p: ID!) { prescribe(input: {cohortId: $c, participantId: $p}) { member { status } } }";
pub(crate) const ENROL: &str = "mutation($c: ID!, $p: ID!) { enrol(input: {cohortId: $c, participantId: $p}) { member { status } } }";
pub(crate) const ATTEND: &str = "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { participantId presence signed signedOnPaper recordedAt } } }";

pub(crate) async fn active_participant(app: &TestApp, w: &World, name: &str) -> String {
    let commune = first_commune(app, &w.referent).await;
    let (id, _) = create_participant(app, &w.referent, participant_input(&commune, name)).await;
    app.ok(&w.tenant.steering, "mutation($id: ID!) { validateEntry(input: {id: $id, version: 1, committeeDate: \"2024-01-15\"}) { participant { id } } }", json!({ "id": id })).await;
    id
}

pub(crate) async fn cohort(
    app: &TestApp,
    w: &World,
    convention: &str,
    start: &str,
    label: &str,
) -> Value {
    app.ok(
        &w.provider,
        CREATE,
        json!({ "c": convention, "start": start, "label": label }),
    )
    .await["createCohort"]["cohort"]
        .clone()
}

async fn capacity_holds_under_twenty_concurrent_enrolments(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    assert_eq!(c["sizeMax"], 12, "from the call");
    assert_eq!(
        c["sessions"].as_array().map(Vec::len),
        Some(9),
        "3 weeks x 3 mornings"
    );
    assert_eq!(
        c["sessions"][0],
        json!({ "id": c["sessions"][0]["id"], "day": "2026-09-07", "halfDay": "MORNING" })
    );
    let cid = c["id"].clone();
    let mut people = Vec::new();
    for i in 0..20 {
        let p = active_participant(&app, &w, &format!("Nom{i:02}")).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": cid, "p": p }))
            .await;
        people.push(p);
    }
    let answers = futures_util::future::join_all(
        people
            .iter()
            .map(|p| app.post(&w.provider, ENROL, json!({ "c": cid, "p": p }))),
    )
    .await;
    let ok = answers
        .iter()
        .filter(|(_, b)| b.get("errors").is_none())
        .count();
    let full = answers
        .iter()
        .filter(|(_, b)| code(b) == "CAPACITY_REACHED")
        .count();
    assert_eq!((ok, full), (12, 8), "{answers:?}");

    // The same participant into a second cohort while the first is not closed: refused.
    let other = cohort(&app, &w, &conv, "2026-10-05", "Groupe 2").await;
    let enrolled = answers
        .iter()
        .zip(&people)
        .find(|((_, b), _)| b.get("errors").is_none())
        .map(|(_, p)| p.clone())
        .expect("one enrolled");
    app.ok(
        &w.referent,
        PRESCRIBE,
        json!({ "c": other["id"], "p": enrolled }),
    )
    .await;
    let (_, body) = app
        .post(
            &w.provider,
            ENROL,
            json!({ "c": other["id"], "p": enrolled }),
        )
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "already in a running cohort: {body}"
    );
}

async fn a_provider_sees_few_fields_of_its_own_cohorts_participants(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let provider_b = w.other_provider(&app).await;
    let colleague = w.colleague(&app).await;
    let p = active_participant(&app, &w, "Roux").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    let few = "query($id: ID!) { participant(id: $id) { firstName lastName email phone referent { displayName } } }";
    let data = app.ok(&w.provider, few, json!({ "id": p })).await;
    assert_eq!(data["participant"]["lastName"], "Roux");
    for field in [
        "rsaBeneficiary",
        "recognisedDisability",
        "birthDate",
        "educationLevel",
        "path { title }",
        "exit { positive }",
    ] {
        let (_, body) = app
            .post(
                &w.provider,
                &format!("query($id: ID!) {{ participant(id: $id) {{ lastName {field} }} }}"),
                json!({ "id": p }),
            )
            .await;
        assert_eq!(code(&body), "FORBIDDEN", "{field}: {body}");
        let name = field.split(' ').next().unwrap_or(field);
        assert!(
            body["data"]["participant"][name].is_null(),
            "{field}: never the value: {body}"
        );
    }
    for (name, token, expected) in [
        ("another provider", &provider_b, "FORBIDDEN"),
        ("a foreign provider", &foreign.provider, "NOT_FOUND"),
    ] {
        let (_, body) = app.post(token, few, json!({ "id": p })).await;
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    let (_, body) = app
        .post(
            &provider_b,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": c["id"] }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "another provider's cohort");
    let members = app
        .ok(
            &colleague,
            "query($id: ID!) { node(id: $id) { ... on Cohort { members { status } } } }",
            json!({ "id": c["id"] }),
        )
        .await;
    assert_eq!(
        members["node"]["members"],
        json!([]),
        "a referent sees only their own participants' places"
    );
    let (_, body) = app.post(&w.provider, "mutation($id: ID!) { updateParticipant(input: {id: $id, version: 2, lastName: \"X\"}) { participant { id } } }", json!({ "id": p })).await;
    assert_eq!(code(&body), "FORBIDDEN", "a provider edits no participant");

    // Decline needs a reason; a drop-out needs an enrolment.
    let change = |op: &str, reason: Option<&str>| {
        format!(
            "mutation($c: ID!, $p: ID!) {{ {op}(input: {{cohortId: $c, participantId: $p{}}}) {{ member {{ status reason }} }} }}",
            reason
                .map(|r| format!(", reason: \"{r}\""))
                .unwrap_or_default()
        )
    };
    let vars = json!({ "c": c["id"], "p": p });
    let (_, body) = app
        .post(
            &w.provider,
            &change("recordDropOut", Some("santé")),
            vars.clone(),
        )
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "only an enrolled participant drops out: {body}"
    );
    let (_, body) = app
        .post(
            &w.provider,
            &change("declinePrescription", None),
            vars.clone(),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "a reason is required: {body}");
    let declined = app
        .ok(
            &w.provider,
            &change("declinePrescription", Some("horaires incompatibles")),
            vars.clone(),
        )
        .await;
    assert_eq!(
        declined["declinePrescription"]["member"],
        json!({ "status": "DECLINED", "reason": "horaires incompatibles" })
    );
    let q = active_participant(&app, &w, "Suivant").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": q }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": q }))
        .await;
    let dropped = app
        .ok(
            &w.provider,
            &change("recordDropOut", Some("reprise d'emploi")),
            json!({ "c": c["id"], "p": q }),
        )
        .await;
    assert_eq!(dropped["recordDropOut"]["member"]["status"], "DROPPED_OUT");
}

pub(crate) const SAVE_DIAG: &str = "mutation($input: SaveDiagnosticInput!) { saveDiagnostic(input: $input) { diagnostic { isFinal version fle { speaking } clea { sharePercent thresholdPercent meetsThreshold modulesToTrain domains { domain name acquisition } } } } }";

pub(crate) fn diagnostic(
    cohort: &Value,
    participant: &str,
    version: Option<i64>,
    clea: Value,
    finalise: bool,
) -> Value {
    json!({ "input": { "cohortId": cohort, "participantId": participant, "version": version,
        "fle": { "listening": "B1", "reading": "A2", "speaking": "A1_1", "writing": "PRE_A1", "trainingNeeded": true },
        "mobility": { "drivingLicence": false, "vehicleAccess": false, "publicTransportAutonomy": true,
                      "acceptableCommuteMinutes": 45, "psychologicalBarriers": false, "platformReferral": true },
        "cleaDomains": clea, "daqOrientation": true, "recommendations": "Parcours FLE puis CléA", "finalise": finalise } })
}

on_both!(
    capacity_holds_under_twenty_concurrent_enrolments,
    a_provider_sees_few_fields_of_its_own_cohorts_participants,
);

async fn the_attendance_sheet_is_a_pdf_for_the_provider_and_steering(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    // Names from French-language cohorts, in every script the sheet must print as stored.
    let names = [
        "Diallo",
        "Lefèvre",
        "Łukasiewicz",
        "Nguyễn Thị Ánh",
        "Œuvray",
        "Ștefănescu",
        "Иванова",
        "Παπαδοπούλου",
        "כהן",
        "الحسيني",
    ];
    for name in names {
        let p = active_participant(&app, &w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
    }
    let provider_b = w.other_provider(&app).await;
    let id = c["id"].as_str().expect("id");
    let app = &app;
    let get = |token: String, week: &str| {
        let path = format!("/cohorts/{id}/attendance-sheet?week={week}");
        async move { app.get(&token, &path).await }
    };
    for token in [w.provider.clone(), w.tenant.steering.clone()] {
        let (status, ct, body) = get(token, "2").await;
        assert_eq!((status, ct.as_str()), (200, "application/pdf"));
        assert!(
            body.starts_with(b"%PDF-") && body.windows(5).any(|x| x == b"%%EOF"),
            "a PDF"
        );
        if let Some(text) = parcours_tests::pdf_text(&body) {
            for name in names {
                assert!(
                    text.contains(&name.to_uppercase()),
                    "{name} prints as stored:\n{text}"
                );
            }
            assert!(text.contains("FSE+"), "the ESF+ mention:\n{text}");
            assert!(!text.contains('?'), "no silent question mark:\n{text}");
        }
    }
    // The heading names the PLIE, the provider and the convention.
    let plie = app
        .ok(&w.tenant.steering, "{ tenant { name } }", json!({}))
        .await["tenant"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    let (_, _, week_two) = get(w.provider.clone(), "2").await;
    if let Some(text) = parcours_tests::pdf_text(&week_two) {
        assert!(text.contains(&plie), "the PLIE:\n{text}");
        assert!(
            text.contains("action conduite par"),
            "the provider:\n{text}"
        );
        assert!(text.contains("(convention "), "the convention:\n{text}");
    }
    // A member who drops out during week 2 prints in weeks 1 and 2, not in week 3.
    let leaving = active_participant(app, &w, "Départ").await;
    app.ok(
        &w.referent,
        PRESCRIBE,
        json!({ "c": c["id"], "p": leaving }),
    )
    .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": leaving }))
        .await;
    app.set_now(Some("2026-09-16T10:00:00Z"));
    app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"santé\"}) { member { status } } }", json!({ "c": c["id"], "p": leaving })).await;
    app.set_now(None);
    for (week, printed) in [("1", true), ("2", true), ("3", false)] {
        let (_, _, sheet) = get(w.provider.clone(), week).await;
        if let Some(text) = parcours_tests::pdf_text(&sheet) {
            assert_eq!(text.contains("DÉPART"), printed, "week {week}:\n{text}");
        }
    }
    let dir = std::env::temp_dir().join(format!("parcours-sheets-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let (_, _, week_one) = get(w.provider.clone(), "1").await;
    if parcours_tests::pdf_to_png(&week_one, &dir, "attendance-sheet") {
        let png = std::fs::read(dir.join("attendance-sheet.png")).expect("rendered");
        assert!(png.starts_with(b"\x89PNG"), "a page rendered to PNG");
    }
    if let Ok(dir) = std::env::var("PARCOURS_SHEET_DIR") {
        let (_, _, body) = get(w.provider.clone(), "1").await;
        std::fs::write(
            std::path::Path::new(&dir).join("attendance-sheet.pdf"),
            body,
        )
        .expect("written");
    }
    assert_eq!(get(provider_b, "1").await.0, 404, "another provider");
    assert_eq!(get(w.referent.clone(), "1").await.0, 403, "a referent");
    assert_eq!(get(String::new(), "1").await.0, 401, "no token");
    assert_eq!(
        get(w.provider.clone(), "4").await.0,
        400,
        "a week outside the cohort"
    );
    // A malformed week is the same coded refusal, in JSON, as an out-of-range one; a repeated
    // parameter is a coded BAD_REQUEST. An unauthenticated request learns neither.
    for (week, code, field) in [
        ("abc", "VALIDATION", Some("week")),
        ("-1", "VALIDATION", Some("week")),
        ("1&week=2", "BAD_REQUEST", None),
    ] {
        let (status, ct, body) = get(w.provider.clone(), week).await;
        assert_eq!(status, 400, "{week}");
        assert!(ct.starts_with("application/json"), "{week}: {ct}");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{week}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["field"].as_str(),
            field,
            "{week}: {body}"
        );
        assert_eq!(
            get(String::new(), week).await.0,
            401,
            "{week} without a token"
        );
    }
    let (status, ct, body) = app
        .get(&w.provider, "/cohorts/%FF/attendance-sheet?week=1")
        .await;
    assert_eq!(status, 400, "a path that is not text");
    assert!(ct.starts_with("application/json"), "{ct}");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
}

/// What a cohort's screen needs in one request: its convention and provider, how many are
/// enrolled and how many places are left, the next session; each for whoever may read it.
async fn a_cohort_answers_what_its_screen_needs(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    for name in ["Abel", "Berthe"] {
        let p = active_participant(&app, &w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Cohort { enrolledCount seatsLeft
        convention { id } provider { id } nextSession { day halfDay } } } }";
    app.set_now(Some("2026-09-08T12:00:00Z"));
    for token in [&w.provider, &w.tenant.steering] {
        let read = app.ok(token, q, json!({ "id": c["id"] })).await["node"].clone();
        assert_eq!(
            (
                &read["enrolledCount"],
                &read["seatsLeft"],
                &read["convention"]["id"],
                &read["provider"]["id"]
            ),
            (
                &json!(2),
                &json!(10),
                &json!(conv),
                &json!(w.provider_structure)
            ),
            "{read}"
        );
        // Tuesday's morning session is on the 8th; at noon on the 8th it is still today's.
        assert_eq!(read["nextSession"]["day"], "2026-09-08", "{read}");
    }
    // A referent reads the counts, not the convention.
    let read = app.ok(&w.referent, q, json!({ "id": c["id"] })).await["node"].clone();
    assert_eq!(
        (&read["enrolledCount"], &read["convention"]),
        (&json!(2), &Value::Null),
        "{read}"
    );
    // Once every session is past, there is no next one.
    app.set_now(Some("2027-01-01T12:00:00Z"));
    let read = app.ok(&w.provider, q, json!({ "id": c["id"] })).await["node"].clone();
    assert!(read["nextSession"].is_null(), "{read}");
    app.set_now(None);
    // Another tenant reads nothing of it.
    let (_, body) = app
        .post(&foreign.tenant.steering, q, json!({ "id": c["id"] }))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

on_both!(
    the_attendance_sheet_is_a_pdf_for_the_provider_and_steering,
    a_cohort_answers_what_its_screen_needs,
);
