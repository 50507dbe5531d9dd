//! What cohort screens and printed sheets need: a cohort's place and session times, the
//! drop-out date and what it closes, the cohorts list's filters (a participant's memberships
//! and the objects `node` opens are in `memberships.rs`).

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ATTEND, ENROL, PRESCRIBE, active_participant, cohort, convention};

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

const CREATE_AT: &str = "mutation($input: CreateCohortInput!) { createCohort(input: $input) {
    cohort { id version place sessions { id day halfDay startTime endTime } } } }";

const PLACE: &str = "Maison des associations, 2 rue des Corroyeurs, Dijon — salle 3";

/// A "Groupe 1" of convention `conv` at `PLACE`, Monday and Thursday mornings and afternoons
/// from Monday 7 September 2026, with these morning hours.
fn cohort_at(conv: &str, morning: Value) -> Value {
    json!({ "input": {
        "conventionId": conv, "label": "Groupe 1", "startDate": "2026-09-07",
        "weekdays": ["MONDAY", "THURSDAY"], "halfDays": ["MORNING", "AFTERNOON"],
        "place": PLACE, "morningHours": morning,
    }})
}

/// Session hours are checked on both sides of each bound, malformed times naming their field.
async fn session_hours_are_checked_on_both_sides_of_each_bound(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let input = |morning: Value| cohort_at(&conv, morning);
    // Hours on both sides of each bound, and malformed times, each naming its field.
    for (morning, bad_field) in [
        (json!({ "start": "11:00", "end": "10:00" }), "morningHours"),
        (json!({ "start": "09:00", "end": "09:14" }), "morningHours"),
        (json!({ "start": "06:59", "end": "09:00" }), "morningHours"),
        (json!({ "start": "10:00", "end": "14:01" }), "morningHours"),
        (
            json!({ "start": "9:00", "end": "12:00" }),
            "morningHours.start",
        ),
        (
            json!({ "start": "09:00", "end": "24:00" }),
            "morningHours.end",
        ),
    ] {
        let (_, body) = app
            .post(&w.provider, CREATE_AT, input(morning.clone()))
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", bad_field),
            "{morning}: {body}"
        );
    }
    for morning in [
        json!({ "start": "07:00", "end": "07:15" }),
        json!({ "start": "10:00", "end": "14:00" }),
    ] {
        app.ok(&w.provider, CREATE_AT, input(morning)).await;
    }
    let (_, body) = app
        .post(
            &w.provider,
            CREATE_AT,
            json!({ "input": { "conventionId": conv, "label": "G", "startDate": "2026-09-07",
                "weekdays": ["MONDAY"], "halfDays": ["AFTERNOON"],
                "afternoonHours": { "start": "11:59", "end": "16:00" } } }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "afternoonHours"),
        "{body}"
    );
}

/// A cohort's place and its sessions' hours: given or defaulted, kept, changed, printed.
async fn place_and_hours_are_kept_changed_and_printed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let input = |morning: Value| cohort_at(&conv, morning);
    let created = app
        .ok(
            &w.provider,
            CREATE_AT,
            input(json!({ "start": "08:30", "end": "11:45" })),
        )
        .await["createCohort"]["cohort"]
        .clone();
    assert_eq!(created["place"], PLACE);
    let sessions = created["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 12, "2 days × 2 half-days × 3 weeks");
    assert_eq!(
        (&sessions[0]["startTime"], &sessions[0]["endTime"]),
        (&json!("08:30"), &json!("11:45")),
        "the morning's given hours"
    );
    assert_eq!(
        (&sessions[1]["startTime"], &sessions[1]["endTime"]),
        (&json!("13:30"), &json!("16:30")),
        "the afternoon's default hours"
    );

    // A session added or moved keeps the half-day's default hours or takes its own.
    let id = created["id"].clone();
    let added = app
        .ok(&w.provider, "mutation($c: ID!) { addCohortSession(input: {cohortId: $c, day: \"2026-09-08\", halfDay: AFTERNOON}) { session { id startTime endTime } } }", json!({ "c": id }))
        .await["addCohortSession"]["session"]
        .clone();
    assert_eq!(
        (&added["startTime"], &added["endTime"]),
        (&json!("13:30"), &json!("16:30"))
    );
    let moved = app
        .ok(&w.provider, "mutation($s: ID!) { moveCohortSession(input: {id: $s, day: \"2026-09-09\", halfDay: AFTERNOON, hours: {start: \"14:00\", end: \"17:00\"}}) { session { day startTime endTime } } }", json!({ "s": added["id"] }))
        .await["moveCohortSession"]["session"]
        .clone();
    assert_eq!(
        moved,
        json!({ "day": "2026-09-09", "startTime": "14:00", "endTime": "17:00" })
    );

    // The place changes at its version, by the cohort's provider or steering only.
    let update = "mutation($id: ID!, $v: Int!, $place: String) { updateCohort(input: {id: $id, version: $v, place: $place}) { cohort { place label version } } }";
    let updated = app
        .ok(
            &w.provider,
            update,
            json!({ "id": id, "v": 1, "place": "Salle B" }),
        )
        .await["updateCohort"]["cohort"]
        .clone();
    assert_eq!(
        updated,
        json!({ "place": "Salle B", "label": "Groupe 1", "version": 2 })
    );
    let (_, body) = app
        .post(
            &w.provider,
            update,
            json!({ "id": id, "v": 1, "place": "Salle C" }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "a stale version: {body}");
    let (_, body) = app
        .post(
            &w.provider,
            update,
            json!({ "id": id, "v": 2, "place": "Salle\nC" }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "place"),
        "{body}"
    );
    let (_, body) = app
        .post(
            &w.referent,
            update,
            json!({ "id": id, "v": 2, "place": "X" }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "a referent: {body}");
    let other = w.other_provider(&app).await;
    let (_, body) = app
        .post(&other, update, json!({ "id": id, "v": 2, "place": "X" }))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "another provider: {body}");
    let foreign = World::build(&app, "beta").await;
    let (_, body) = app
        .post(
            &foreign.tenant.steering,
            update,
            json!({ "id": id, "v": 2, "place": "X" }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "another tenant: {body}");

    // The sheet prints the place and each session's times.
    let path = format!(
        "/cohorts/{}/attendance-sheet?week=1",
        id.as_str().expect("id")
    );
    let (status, _, pdf) = app.get(&w.provider, &path).await;
    assert_eq!(status, 200);
    if let Some(text) = parcours_tests::pdf_text(&pdf) {
        assert!(text.contains("Lieu : Salle B"), "the place:\n{text}");
        assert!(text.contains("08:30–11:45"), "the morning times:\n{text}");
        assert!(text.contains("14:00–17:00"), "a moved session:\n{text}");
    }
}

const DROP_OUT: &str = "mutation($c: ID!, $p: ID!, $on: Date) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"déménagement\", droppedOutOn: $on}) { member { status droppedOutOn version } } }";

/// A planned cohort of the provider's convention (Monday, Tuesday and Thursday mornings from
/// Monday 7 September 2026) with "Départ" and "Reste" enrolled, on Thursday 10 September 2026
/// at 17:00 in Paris: (convention, cohort, leaving, staying).
async fn two_members_on_thursday_10_september(
    app: &TestApp,
    w: &World,
) -> (String, Value, String, String) {
    let conv = convention(app, w).await;
    let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
    let (leaving, staying) = (
        active_participant(app, w, "Départ").await,
        active_participant(app, w, "Reste").await,
    );
    for p in [&leaving, &staying] {
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
    }
    app.set_now(Some("2026-09-10T15:00:00Z"));
    (conv, c, leaving, staying)
}

/// The session of cohort `c` on day `d`.
fn session_on(c: &Value, d: &str) -> Value {
    c["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["day"] == d)
        .map(|s| s["id"].clone())
        .expect("a session that day")
}

/// One member's presence at `session`, signed on paper.
fn attend(session: Value, p: &str, presence: &str, key: &str) -> Value {
    json!({ "input": { "sessionId": session, "idempotencyKey": key,
        "entries": [{ "participantId": p, "presence": presence, "signedOnPaper": true }] } })
}

/// The drop-out date: within the cohort, not in the future, not before a presence; no presence
/// after it.
async fn a_drop_out_has_a_date_and_nothing_is_signed_after_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let (_, c, leaving, staying) = two_members_on_thursday_10_september(&app, &w).await;
    app.ok(
        &w.provider,
        ATTEND,
        attend(session_on(&c, "2026-09-08"), &leaving, "PRESENT", "k1"),
    )
    .await;
    for (on, why) in [
        ("2026-09-06", "before the cohort"),
        ("2026-09-11", "in the future"),
        ("2026-09-07", "before a recorded presence (the 8th)"),
    ] {
        let (_, body) = app
            .post(
                &w.provider,
                DROP_OUT,
                json!({ "c": c["id"], "p": leaving, "on": on }),
            )
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "droppedOutOn"),
            "{why}: {body}"
        );
    }
    // The day of the last presence is the earliest accepted date.
    let member = app
        .ok(
            &w.provider,
            DROP_OUT,
            json!({ "c": c["id"], "p": leaving, "on": "2026-09-08" }),
        )
        .await["recordDropOut"]["member"]
        .clone();
    assert_eq!(
        (&member["status"], &member["droppedOutOn"]),
        (&json!("DROPPED_OUT"), &json!("2026-09-08"))
    );
    // No presence after it; the last day itself may still be corrected.
    let (_, body) = app
        .post(
            &w.provider,
            ATTEND,
            attend(session_on(&c, "2026-09-10"), &leaving, "PRESENT", "k2"),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "entries[0].participantId"),
        "{body}"
    );
    app.ok(
        &w.provider,
        ATTEND,
        attend(session_on(&c, "2026-09-08"), &leaving, "LATE", "k3"),
    )
    .await;
    app.ok(
        &w.provider,
        ATTEND,
        attend(session_on(&c, "2026-09-10"), &staying, "PRESENT", "k4"),
    )
    .await;
    // Without a date, the drop-out is today's (Paris time).
    let other = active_participant(&app, &w, "Autre").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": other }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": other }))
        .await;
    let member = app
        .ok(&w.provider, DROP_OUT, json!({ "c": c["id"], "p": other }))
        .await["recordDropOut"]["member"]
        .clone();
    assert_eq!(member["droppedOutOn"], "2026-09-10");
    // The members' screens read the date.
    let read = app
        .ok(&w.referent, "query($id: ID!) { participant(id: $id) { memberships { status droppedOutOn reason } } }", json!({ "id": leaving }))
        .await;
    assert_eq!(
        read["participant"]["memberships"],
        json!([{ "status": "DROPPED_OUT", "droppedOutOn": "2026-09-08", "reason": "déménagement" }])
    );
}

/// The sheets stop at the drop-out date, and the ESF+ record reads it as the exit date.
async fn a_drop_out_s_date_is_printed_and_becomes_the_exit_date(backend: Backend) {
    let label: String = format!("{backend:?}")
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase();
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let (conv, c, leaving, staying) = two_members_on_thursday_10_september(&app, &w).await;
    for (p, day, presence, key) in [
        (&leaving, "2026-09-08", "LATE", "k3"),
        (&staying, "2026-09-10", "PRESENT", "k4"),
    ] {
        app.ok(
            &w.provider,
            ATTEND,
            attend(session_on(&c, day), p, presence, key),
        )
        .await;
    }
    app.ok(
        &w.provider,
        DROP_OUT,
        json!({ "c": c["id"], "p": leaving, "on": "2026-09-08" }),
    )
    .await;
    // Week 1's sheet prints the member with the date and no box after it; week 2's does not.
    let sheet = |week: u32| {
        format!(
            "/cohorts/{}/attendance-sheet?week={week}",
            c["id"].as_str().expect("id")
        )
    };
    let (_, _, week_one) = app.get(&w.provider, &sheet(1)).await;
    let (_, _, week_two) = app.get(&w.provider, &sheet(2)).await;
    if let (Some(one), Some(two)) = (
        parcours_tests::pdf_text(&week_one),
        parcours_tests::pdf_text(&week_two),
    ) {
        assert!(one.contains("DÉPART"), "week 1:\n{one}");
        assert!(one.contains("sorti(e) le 08/09/2026"), "week 1:\n{one}");
        assert!(!two.contains("DÉPART"), "week 2:\n{two}");
        assert!(two.contains("RESTE"), "week 2:\n{two}");
    }
    // The action's ESF+ record reads the drop-out date as the exit date.
    let record = app
        .ok(&w.provider, "mutation($input: RecordEsfEntryInput!) { recordEsfEntry(input: $input) { esfRecord { id version } } }",
            json!({ "input": { "participantId": leaving, "operationId": conv, "entryDate": "2026-09-07",
                "employmentStatus": "LONG_TERM_UNEMPLOYED", "thirdCountryNational": false,
                "foreignBackground": false, "homeless": false, "ruralArea": false } }))
        .await["recordEsfEntry"]["esfRecord"]
        .clone();
    let esf_exit = |date: &str| {
        json!({ "input": { "id": record["id"], "version": record["version"], "date": date,
            "jobSearching": true, "inEducationOrTraining": false, "qualificationGained": false, "inEmployment": false } })
    };
    let esf_op = "mutation($input: RecordEsfExitInput!) { recordEsfExit(input: $input) { esfRecord { exitDate } } }";
    let (_, body) = app.post(&w.provider, esf_op, esf_exit("2026-09-10")).await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "date"),
        "not the drop-out date: {body}"
    );
    let exited = app.ok(&w.provider, esf_op, esf_exit("2026-09-08")).await;
    assert_eq!(
        exited["recordEsfExit"]["esfRecord"]["exitDate"],
        "2026-09-08"
    );
    // The member's follow-up sheet lists their sessions up to their last day, and that day.
    app.ok(&w.provider, "mutation($id: ID!) { setCohortStatus(input: {id: $id, version: 1, status: RUNNING}) { cohort { status } } }", json!({ "id": c["id"] })).await;
    let sheet = app
        .ok(&w.provider, "mutation($c: ID!, $p: ID!) { saveFollowUpSheet(input: {cohortId: $c, participantId: $p, recommendations: \"Reprendre contact\"}) { followUpSheet { pdfPath } } }", json!({ "c": c["id"], "p": leaving }))
        .await["saveFollowUpSheet"]["followUpSheet"]["pdfPath"]
        .as_str()
        .expect("a path")
        .to_owned();
    let (status, _, pdf) = app.get(&w.provider, &sheet).await;
    assert_eq!(status, 200);
    if let Some(text) = parcours_tests::pdf_text(&pdf) {
        assert!(
            text.contains("Sorti(e) de l'action le 08/09/2026 : déménagement"),
            "{text}"
        );
        assert!(
            text.contains("mar. 08/09/2026, matin, 09:00–12:00 : en retard"),
            "{text}"
        );
        assert!(!text.contains("10/09/2026"), "no session after: {text}");
        assert!(
            text.contains("Séances prévues : 2 ; présent : 0 ; en retard : 1"),
            "planned while a member: {text}"
        );
    }
    if let Ok(dir) = std::env::var("PARCOURS_SHEET_DIR") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("follow-up-{label}.pdf")),
            &pdf,
        )
        .expect("written");
        let path = std::path::Path::new(&dir).join(format!("drop-out-{label}.pdf"));
        std::fs::write(path, &week_one).expect("written");
    }
    app.set_now(None);
}

/// The cohorts list filters by status, convention and period; a cursor of one filtered list
/// is refused by another.
async fn the_cohorts_list_filters_by_status_convention_and_period(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let mut ids = Vec::new();
    for (start, label) in [
        ("2026-09-07", "Groupe 1"),
        ("2026-10-05", "Groupe 2"),
        ("2026-11-02", "Groupe 3"),
    ] {
        ids.push(cohort(&app, &w, &conv, start, label).await["id"].clone());
    }
    app.ok(&w.provider, "mutation($id: ID!) { setCohortStatus(input: {id: $id, version: 1, status: RUNNING}) { cohort { status } } }", json!({ "id": ids[0] })).await;
    let list = "query($s: [CohortStatus!], $c: ID, $from: Date, $to: Date, $after: String) {
        cohorts(first: 2, status: $s, conventionId: $c, from: $from, to: $to, after: $after) {
            totalCount edges { cursor node { label } } } }";
    let labels = |data: &Value| -> Vec<String> {
        data["cohorts"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["label"].as_str().expect("label").to_owned())
            .collect()
    };
    for (vars, expected, total) in [
        (json!({ "s": ["RUNNING"] }), vec!["Groupe 1"], 1),
        (json!({ "s": ["PLANNED"] }), vec!["Groupe 2", "Groupe 3"], 2),
        (json!({ "s": [] }), vec!["Groupe 1", "Groupe 2"], 3),
        (json!({ "c": conv }), vec!["Groupe 1", "Groupe 2"], 3),
        // Group 1 ends on 27 September, group 2 starts on 5 October: both days count.
        (
            json!({ "from": "2026-09-27", "to": "2026-10-05" }),
            vec!["Groupe 1", "Groupe 2"],
            2,
        ),
        (
            json!({ "from": "2026-09-28", "to": "2026-10-04" }),
            vec![],
            0,
        ),
        (json!({ "to": "2026-09-07" }), vec!["Groupe 1"], 1),
        (json!({ "from": "2026-10-26" }), vec!["Groupe 3"], 1),
        (
            json!({ "s": ["PLANNED"], "from": "2026-10-01" }),
            vec!["Groupe 2", "Groupe 3"],
            2,
        ),
    ] {
        let data = app.ok(&w.tenant.steering, list, vars.clone()).await;
        let mut got = labels(&data);
        got.sort();
        assert_eq!(
            (got, data["cohorts"]["totalCount"].as_i64()),
            (
                expected.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                Some(total)
            ),
            "{vars}"
        );
    }
    let (_, body) = app
        .post(
            &w.tenant.steering,
            list,
            json!({ "from": "2026-10-02", "to": "2026-10-01" }),
        )
        .await;
    assert_eq!((code(&body), field(&body)), ("VALIDATION", "to"), "{body}");
    let (_, body) = app
        .post(
            &w.tenant.steering,
            list,
            json!({ "s": ["RUNNING", "RUNNING"] }),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "a status twice: {body}");
    // A cursor of the planned cohorts is not a cursor of the whole list.
    let planned = app
        .ok(&w.tenant.steering, list, json!({ "s": ["PLANNED"] }))
        .await;
    let cursor = planned["cohorts"]["edges"][0]["cursor"].clone();
    let next = app
        .ok(
            &w.tenant.steering,
            list,
            json!({ "s": ["PLANNED"], "after": cursor }),
        )
        .await;
    assert_eq!(next["cohorts"]["edges"].as_array().map(Vec::len), Some(1));
    let (_, body) = app
        .post(&w.tenant.steering, list, json!({ "after": cursor }))
        .await;
    assert_eq!(code(&body), "VALIDATION", "another list's cursor: {body}");
    // Another provider's filters find none of these; another tenant none either.
    let other = w.other_provider(&app).await;
    let data = app.ok(&other, list, json!({ "s": ["RUNNING"] })).await;
    assert_eq!(data["cohorts"]["totalCount"], 0);
    let foreign = World::build(&app, "beta").await;
    let data = app
        .ok(&foreign.tenant.steering, list, json!({ "c": null }))
        .await;
    assert_eq!(data["cohorts"]["totalCount"], 0);
}

/// A cohort keeps the action part-time: at most the call's `maxHalfDaysPerWeek` sessions in a
/// calendar week, on creation, when a session is added and when one is moved.
async fn the_calendar_keeps_the_action_part_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let create = |weekdays: Value, half_days: Value| {
        json!({ "input": { "conventionId": conv, "label": "Groupe", "startDate": "2026-09-07",
            "weekdays": weekdays, "halfDays": half_days } })
    };
    // Six half-days a week: beyond the default half-time frame of 5.
    let (_, body) = app
        .post(
            &w.provider,
            CREATE_AT,
            create(
                json!(["MONDAY", "TUESDAY", "WEDNESDAY"]),
                json!(["MORNING", "AFTERNOON"]),
            ),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "weekdays"),
        "{body}"
    );
    // Five mornings: the edge, accepted.
    let c = app
        .ok(
            &w.provider,
            CREATE_AT,
            create(
                json!(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]),
                json!(["MORNING"]),
            ),
        )
        .await["createCohort"]["cohort"]
        .clone();
    let add = "mutation($c: ID!, $d: Date!, $h: HalfDay!) { addCohortSession(input: {cohortId: $c, day: $d, halfDay: $h}) { session { id } } }";
    let (_, body) = app
        .post(
            &w.provider,
            add,
            json!({ "c": c["id"], "d": "2026-09-08", "h": "AFTERNOON" }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "day"),
        "a sixth half-day: {body}"
    );
    // Moving within its week keeps five; moving into another full week makes six there.
    let monday = c["sessions"][0]["id"].clone();
    let mv = "mutation($id: ID!, $d: Date!, $h: HalfDay!) { moveCohortSession(input: {id: $id, day: $d, halfDay: $h}) { session { day halfDay } } }";
    app.ok(
        &w.provider,
        mv,
        json!({ "id": monday, "d": "2026-09-07", "h": "AFTERNOON" }),
    )
    .await;
    let (_, body) = app
        .post(
            &w.provider,
            mv,
            json!({ "id": monday, "d": "2026-09-15", "h": "AFTERNOON" }),
        )
        .await;
    assert_eq!((code(&body), field(&body)), ("VALIDATION", "day"), "{body}");
    // The frame is the call's: 5 by default, 1 to 9.
    let call = app
        .ok(
            &w.tenant.steering,
            "{ callsForProjects(first: 1) { edges { node { maxHalfDaysPerWeek } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        call["callsForProjects"]["edges"][0]["node"]["maxHalfDaysPerWeek"], 5,
        "{call}"
    );
    for bad in [0, 10] {
        let (_, body) = app
            .post(
                &w.tenant.steering,
                "mutation($m: Int!) { createCall(input: {reference: \"AAP-2\", title: \"T\", summary: \"s\", specification: \"x\",
                    budgetCap: \"100.00\", targetParticipantsPerYear: 10, groupSizeMin: 8, groupSizeMax: 12, cadenceWeeks: 3,
                    maxHalfDaysPerWeek: $m, opens: {date: \"2030-01-07\", time: \"09:00\"},
                    deadline: {date: \"2030-01-21\", time: \"17:00\"}, questions: []}) { call { id } } }",
                json!({ "m": bad }),
            )
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "maxHalfDaysPerWeek"),
            "{bad}: {body}"
        );
    }
}

on_both!(
    the_calendar_keeps_the_action_part_time,
    session_hours_are_checked_on_both_sides_of_each_bound,
    place_and_hours_are_kept_changed_and_printed,
    a_drop_out_has_a_date_and_nothing_is_signed_after_it,
    a_drop_out_s_date_is_printed_and_becomes_the_exit_date,
    the_cohorts_list_filters_by_status_convention_and_period,
);
