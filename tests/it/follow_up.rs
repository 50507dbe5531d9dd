//! Follow-up sheets from the provider to the referent and steering, the editable session
//! calendar, and the statement count of a cohort with its members.

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{
    ATTEND, ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention, diagnostic,
};

pub(crate) const STATUS: &str = "mutation($id: ID!, $v: Int!, $s: CohortStatus!) { setCohortStatus(input: {id: $id, version: $v, status: $s}) { cohort { version } } }";
const SHEET_FIELDS: &str = "id status recommendations version transmittedAt transmittedBy referentReadAt steeringReadAt pdfPath
    attendance { planned present late excused absent unrecorded ratePercent } diagnostic { isFinal } participant { lastName }";

fn save_sheet() -> String {
    format!(
        "mutation($c: ID!, $p: ID!, $v: Int, $r: String) {{ saveFollowUpSheet(input: {{cohortId: $c, participantId: $p, version: $v, recommendations: $r}}) {{ followUpSheet {{ {SHEET_FIELDS} }} }} }}"
    )
}

fn transmit() -> String {
    format!(
        "mutation($id: ID!, $v: Int!) {{ transmitFollowUpSheet(input: {{id: $id, version: $v}}) {{ followUpSheet {{ {SHEET_FIELDS} }} }} }}"
    )
}

fn mark_read() -> String {
    format!(
        "mutation($id: ID!) {{ markFollowUpSheetRead(input: {{id: $id}}) {{ followUpSheet {{ {SHEET_FIELDS} }} }} }}"
    )
}

const INBOX: &str = "query($unread: Boolean) { followUpSheets(unread: $unread) { totalCount edges { node { id status participant { lastName } cohort { label } } } } }";

async fn enrolled(app: &TestApp, w: &World, c: &Value, name: &str) -> String {
    let p = active_participant(app, w, name).await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    p
}

fn attendance(session: &Value, key: &str, entries: Value) -> Value {
    json!({ "input": { "sessionId": session, "idempotencyKey": key, "entries": entries } })
}

fn clea(level: &str) -> Value {
    json!([level, level, level, level, level, level, level])
}

/// A planned cohort of the provider's convention (from 2026-09-07, "Groupe 1") with Diallo
/// (`a`) and Lefèvre (`b`) enrolled and Nguyen only prescribed.
struct Group {
    cid: Value,
    s: Value,
    a: String,
    b: String,
    prescribed_only: String,
}

impl Group {
    async fn build(app: &TestApp, w: &World) -> Self {
        let conv = convention(app, w).await;
        let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
        let (cid, s) = (c["id"].clone(), c["sessions"].clone());
        let a = enrolled(app, w, &c, "Diallo").await;
        let b = enrolled(app, w, &c, "Lefèvre").await;
        let prescribed_only = active_participant(app, w, "Nguyen").await;
        app.ok(
            &w.referent,
            PRESCRIBE,
            json!({ "c": cid, "p": prescribed_only }),
        )
        .await;
        Self {
            cid,
            s,
            a,
            b,
            prescribed_only,
        }
    }

    /// Start the cohort and record its first two sessions (Diallo present then late, signed on
    /// paper; Lefèvre absent then excused), and Diallo's diagnostic, not final.
    async fn run_two_sessions(&self, app: &TestApp, w: &World) {
        let Self { cid, s, a, b, .. } = self;
        app.ok(
            &w.provider,
            STATUS,
            json!({ "id": cid, "v": 1, "s": "RUNNING" }),
        )
        .await;

        for (k, x, y) in [(0, "PRESENT", "ABSENT"), (1, "LATE", "EXCUSED")] {
            let entries = json!([
                { "participantId": a, "presence": x, "signedOnPaper": true },
                { "participantId": b, "presence": y } ]);
            app.ok(
                &w.provider,
                ATTEND,
                attendance(&s[k]["id"], &format!("s{k}"), entries),
            )
            .await;
        }
        app.ok(
            &w.provider,
            SAVE_DIAG,
            diagnostic(cid, a, None, clea("ACQUIRED"), false),
        )
        .await;
    }

    /// Close the cohort: Diallo's sheet cannot go while her diagnostic is not final; then
    /// finalise it.
    async fn close_then_finalise_diallo(&self, app: &TestApp, w: &World, sheet: &Value) {
        let Self { cid, a, .. } = self;
        app.ok(
            &w.provider,
            STATUS,
            json!({ "id": cid, "v": 2, "s": "CLOSED" }),
        )
        .await;
        let (_, body) = app
            .post(&w.provider, &transmit(), json!({ "id": sheet, "v": 1 }))
            .await;
        assert_eq!(code(&body), "DIAGNOSTIC_NOT_FINAL", "{body}");
        app.ok(
            &w.provider,
            SAVE_DIAG,
            diagnostic(cid, a, Some(1), clea("ACQUIRED"), true),
        )
        .await;
    }

    /// After [`Group::run_two_sessions`]: Diallo's draft sheet; Lefèvre dropped out, her sheet
    /// transmitted; the cohort closed; Diallo's diagnostic final and her sheet transmitted
    /// (version 2). Returns Diallo's sheet.
    async fn transmit_both_sheets(&self, app: &TestApp, w: &World) -> Value {
        let Self { cid, a, b, .. } = self;
        let sheet = app
            .ok(&w.provider, &save_sheet(), json!({ "c": cid, "p": a }))
            .await["saveFollowUpSheet"]["followUpSheet"]["id"]
            .clone();
        app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"reprise d'emploi\"}) { member { status } } }", json!({ "c": cid, "p": b })).await;
        let b_sheet = app
            .ok(
                &w.provider,
                &save_sheet(),
                json!({ "c": cid, "p": b, "r": "Reprise d'emploi en CDD" }),
            )
            .await["saveFollowUpSheet"]["followUpSheet"]["id"]
            .clone();
        app.ok(&w.provider, &transmit(), json!({ "id": b_sheet, "v": 1 }))
            .await;
        self.close_then_finalise_diallo(app, w, &sheet).await;
        app.ok(&w.provider, &transmit(), json!({ "id": sheet, "v": 1 }))
            .await;
        sheet
    }
}

async fn a_sheet_is_drafted_once_the_cohort_runs_and_stays_the_provider_s_until_sent(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let g = Group::build(&app, &w).await;
    let Group {
        cid,
        a,
        prescribed_only,
        ..
    } = &g;

    // Not before the cohort has started.
    let (_, body) = app
        .post(&w.provider, &save_sheet(), json!({ "c": cid, "p": a }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "a planned cohort: {body}");
    g.run_two_sessions(&app, &w).await;

    // The first draft: attendance from the records, recommendations from the diagnostic.
    let draft = app
        .ok(&w.provider, &save_sheet(), json!({ "c": cid, "p": a }))
        .await["saveFollowUpSheet"]["followUpSheet"]
        .clone();
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(
        draft["attendance"],
        json!({ "planned": 9, "present": 1, "late": 1, "excused": 0, "absent": 0, "unrecorded": 7, "ratePercent": 22 })
    );
    assert_eq!(draft["recommendations"], "Parcours FLE puis CléA");
    assert_eq!(draft["participant"]["lastName"], "Diallo");
    let sheet = draft["id"].clone();

    // A draft is the provider's: neither the referent nor steering sees it.
    for token in [&w.referent, &w.tenant.steering] {
        let inbox = app.ok(token, INBOX, json!({})).await;
        assert_eq!(inbox["followUpSheets"]["totalCount"], 0, "{inbox}");
        let (_, body) = app.post(token, &mark_read(), json!({ "id": sheet })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{body}");
    }

    // Bad input, nothing written.
    for (vars, expected, field) in [
        (
            json!({ "c": cid, "p": prescribed_only }),
            "VALIDATION",
            "participantId",
        ),
        (
            json!({ "c": cid, "p": a, "v": 1, "r": "x".repeat(5_001) }),
            "VALIDATION",
            "recommendations",
        ),
        (
            json!({ "c": cid, "p": a, "v": 7, "r": "stale" }),
            "CONFLICT",
            "",
        ),
        (json!({ "c": cid, "p": "garbage" }), "NOT_FOUND", ""),
    ] {
        let (_, body) = app.post(&w.provider, &save_sheet(), vars).await;
        assert_eq!(code(&body), expected, "{body}");
        if !field.is_empty() {
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
    }
}

async fn a_sheet_is_sent_when_its_member_drops_out_or_the_cohort_closes_with_a_final_diagnostic(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let g = Group::build(&app, &w).await;
    g.run_two_sessions(&app, &w).await;
    let Group { cid, a, b, .. } = &g;
    let sheet = app
        .ok(&w.provider, &save_sheet(), json!({ "c": cid, "p": a }))
        .await["saveFollowUpSheet"]["followUpSheet"]["id"]
        .clone();

    // A member who completed the cohort: transmitted only once it is closed.
    let (_, body) = app
        .post(&w.provider, &transmit(), json!({ "id": sheet, "v": 1 }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "the cohort runs: {body}");

    // A member who dropped out: transmitted without waiting, without a diagnostic.
    app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"reprise d'emploi\"}) { member { status } } }", json!({ "c": cid, "p": b })).await;
    // The provider still owes that member's sheet: it still reads them (the action's fields),
    // in the cohort and by `node`.
    let sees = |token: String| {
        let app = &app;
        let (cid, b) = (cid.clone(), b.clone());
        async move {
            let members = app
                .ok(
                    &token,
                    "query($id: ID!) { node(id: $id) { ... on Cohort { members { status participant { id lastName } } } } }",
                    json!({ "id": cid }),
                )
                .await;
            let in_cohort = members["node"]["members"]
                .as_array()
                .expect("members")
                .iter()
                .any(|m| m["status"] == "DROPPED_OUT" && m["participant"]["id"] == b);
            let (_, by_node) = app
                .post(
                    &token,
                    "query($id: ID!) { node(id: $id) { ... on Participant { lastName } } }",
                    json!({ "id": b }),
                )
                .await;
            (in_cohort, by_node["data"]["node"]["lastName"].is_string())
        }
    };
    assert_eq!(
        sees(w.provider.clone()).await,
        (true, true),
        "owed a sheet, the provider reads the member"
    );
    let b_sheet = app
        .ok(
            &w.provider,
            &save_sheet(),
            json!({ "c": cid, "p": b, "r": "Reprise d'emploi en CDD" }),
        )
        .await["saveFollowUpSheet"]["followUpSheet"]
        .clone();
    assert_eq!(b_sheet["attendance"]["excused"], 1);
    let sent = app
        .ok(
            &w.provider,
            &transmit(),
            json!({ "id": b_sheet["id"], "v": 1 }),
        )
        .await;
    assert_eq!(
        sent["transmitFollowUpSheet"]["followUpSheet"]["status"],
        "TRANSMITTED"
    );
    assert_eq!(
        sees(w.provider.clone()).await,
        (false, false),
        "nothing more owed: the member is no longer the provider's to read"
    );

    g.close_then_finalise_diallo(&app, &w, &sheet).await;
    let (_, body) = app
        .post(&w.provider, &transmit(), json!({ "id": sheet, "v": 9 }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "a stale version: {body}");

    // Two transmissions at once: one wins, the other is a conflict.
    let op = transmit();
    let (one, two) = tokio::join!(
        app.post(&w.provider, &op, json!({ "id": sheet, "v": 1 })),
        app.post(&w.provider, &op, json!({ "id": sheet, "v": 1 })),
    );
    let codes = [code(&one.1), code(&two.1)];
    assert!(
        codes.contains(&"<no code>") && codes.contains(&"CONFLICT"),
        "{one:?} {two:?}"
    );
    let sent = if one.1.get("errors").is_none() {
        one.1
    } else {
        two.1
    }["data"]["transmitFollowUpSheet"]["followUpSheet"]
        .clone();
    assert_eq!(sent["status"], "TRANSMITTED");
    assert_eq!(sent["version"], 2);
    assert!(sent["transmittedAt"].is_string());
    assert_eq!(sent["diagnostic"]["isFinal"], true);
}

async fn a_sent_sheet_is_frozen_and_keeps_its_first_readings(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let g = Group::build(&app, &w).await;
    g.run_two_sessions(&app, &w).await;
    let sheet = g.transmit_both_sheets(&app, &w).await;
    let Group { cid, s, a, .. } = &g;

    // Transmitted: frozen. A later attendance correction does not change what was sent.
    let (_, body) = app
        .post(
            &w.provider,
            &save_sheet(),
            json!({ "c": cid, "p": a, "v": 2, "r": "changed" }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    app.ok(
        &w.provider,
        ATTEND,
        attendance(
            &s[2]["id"],
            "s2",
            json!([{ "participantId": a, "presence": "PRESENT", "signedOnPaper": true }]),
        ),
    )
    .await;

    // The referent's inbox, and the first reading kept.
    let inbox = app.ok(&w.referent, INBOX, json!({ "unread": true })).await;
    assert_eq!(inbox["followUpSheets"]["totalCount"], 2, "{inbox}");
    assert_eq!(
        inbox["followUpSheets"]["edges"][0]["node"]["cohort"]["label"],
        "Groupe 1"
    );
    app.set_now(Some("2026-10-01T08:00:00Z"));
    let read = app
        .ok(&w.referent, &mark_read(), json!({ "id": sheet }))
        .await["markFollowUpSheetRead"]["followUpSheet"]
        .clone();
    assert_eq!(read["referentReadAt"], "2026-10-01T08:00:00+00:00");
    assert!(read["steeringReadAt"].is_null());
    assert_eq!(
        read["attendance"]["present"], 1,
        "frozen at transmission: {read}"
    );
    app.set_now(Some("2026-10-02T08:00:00Z"));
    let again = app
        .ok(&w.referent, &mark_read(), json!({ "id": sheet }))
        .await;
    assert_eq!(
        again["markFollowUpSheetRead"]["followUpSheet"]["referentReadAt"],
        "2026-10-01T08:00:00+00:00"
    );
    let inbox = app.ok(&w.referent, INBOX, json!({ "unread": true })).await;
    assert_eq!(inbox["followUpSheets"]["totalCount"], 1, "{inbox}");
    let read = app
        .ok(&w.tenant.steering, &mark_read(), json!({ "id": sheet }))
        .await;
    assert_eq!(
        read["markFollowUpSheetRead"]["followUpSheet"]["steeringReadAt"],
        "2026-10-02T08:00:00+00:00"
    );
    app.set_now(None);

    // Through the cohort: each member's sheet, as each role may see it.
    let q = "query($id: ID!) { node(id: $id) { ... on Cohort { members { participant { lastName } followUpSheet { status } attendance { presence } } } } }";
    let data = app.ok(&w.referent, q, json!({ "id": cid })).await;
    let members = data["node"]["members"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(members.len(), 3, "the referent's three participants");
    let diallo = members
        .iter()
        .find(|m| m["participant"]["lastName"] == "Diallo")
        .cloned()
        .unwrap_or_default();
    assert_eq!(diallo["followUpSheet"]["status"], "TRANSMITTED");
    assert_eq!(
        diallo["attendance"],
        json!([{ "presence": "PRESENT" }, { "presence": "LATE" }, { "presence": "PRESENT" }]),
        "in calendar order"
    );

    // Every change is audited.
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { edges { node { action } } } }",
            json!({ "id": sheet }),
        )
        .await;
    let actions: Vec<String> = log["auditLog"]["edges"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|n| n["node"]["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for expected in [
        "follow_up_sheet.save",
        "follow_up_sheet.transmit",
        "follow_up_sheet.read",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected}: {actions:?}"
        );
    }
}

/// A closed cohort with one member whose sheet is transmitted: (cohort, participant, sheet).
pub(crate) async fn transmitted_sheet(app: &TestApp, w: &World) -> (Value, String, Value) {
    let conv = convention(app, w).await;
    let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
    let p = enrolled(app, w, &c, "Diallo").await;
    app.ok(
        &w.provider,
        STATUS,
        json!({ "id": c["id"], "v": 1, "s": "RUNNING" }),
    )
    .await;
    app.ok(
        &w.provider,
        ATTEND,
        attendance(
            &c["sessions"][0]["id"],
            "k",
            json!([{ "participantId": p, "presence": "PRESENT", "signedOnPaper": true }]),
        ),
    )
    .await;
    app.ok(
        &w.provider,
        SAVE_DIAG,
        diagnostic(&c["id"], &p, None, clea("PARTLY_ACQUIRED"), true),
    )
    .await;
    app.ok(
        &w.provider,
        STATUS,
        json!({ "id": c["id"], "v": 2, "s": "CLOSED" }),
    )
    .await;
    let sheet = app
        .ok(
            &w.provider,
            &save_sheet(),
            json!({ "c": c["id"], "p": p, "r": "Entrer en formation FLE intensive à Chenôve" }),
        )
        .await["saveFollowUpSheet"]["followUpSheet"]["id"]
        .clone();
    app.ok(&w.provider, &transmit(), json!({ "id": sheet, "v": 1 }))
        .await;
    (c["id"].clone(), p, sheet)
}

async fn sheets_are_read_by_their_roles_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let foreign = World::build(&app, "beta").await;
    let (cid, p, sheet) = transmitted_sheet(&app, &w).await;
    let provider_b = w.other_provider(&app).await;
    let colleague = w.colleague(&app).await;
    let node = "query($id: ID!) { node(id: $id) { ... on FollowUpSheet { status participant { lastName } } } }";

    // Those who read it.
    for token in [&w.provider, &w.referent, &w.tenant.steering] {
        let data = app.ok(token, node, json!({ "id": sheet })).await;
        assert_eq!(data["node"]["status"], "TRANSMITTED", "{data}");
        let inbox = app.ok(token, INBOX, json!({})).await;
        assert_eq!(inbox["followUpSheets"]["totalCount"], 1);
    }
    // Those who do not: it does not exist for them.
    for (name, token, expected) in [
        ("another provider", &provider_b, "NOT_FOUND"),
        ("another portfolio", &colleague, "NOT_FOUND"),
        ("a foreign tenant", &foreign.tenant.steering, "NOT_FOUND"),
        ("the platform operator", &app.admin(), "FORBIDDEN"),
    ] {
        let (_, body) = app.post(token, node, json!({ "id": sheet })).await;
        assert_eq!(code(&body), expected, "{name}: {body}");
        let (_, body) = app.post(token, INBOX, json!({})).await;
        if expected == "NOT_FOUND" {
            assert_eq!(body["data"]["followUpSheets"]["totalCount"], 0, "{name}");
        }
    }
    for (name, token, op, vars) in [
        (
            "another provider transmits",
            &provider_b,
            transmit(),
            json!({ "id": sheet, "v": 2 }),
        ),
        (
            "another portfolio marks read",
            &colleague,
            mark_read(),
            json!({ "id": sheet }),
        ),
        (
            "a foreign tenant marks read",
            &foreign.tenant.steering,
            mark_read(),
            json!({ "id": sheet }),
        ),
        (
            "another provider writes",
            &provider_b,
            save_sheet(),
            json!({ "c": cid, "p": p }),
        ),
    ] {
        let (_, body) = app.post(token, &op, vars).await;
        assert_eq!(code(&body), "NOT_FOUND", "{name}: {body}");
    }
    for (name, token, op, vars) in [
        (
            "a referent writes",
            &w.referent,
            save_sheet(),
            json!({ "c": cid, "p": p }),
        ),
        (
            "a referent transmits",
            &w.referent,
            transmit(),
            json!({ "id": sheet, "v": 2 }),
        ),
        (
            "a provider marks read",
            &w.provider,
            mark_read(),
            json!({ "id": sheet }),
        ),
    ] {
        let (_, body) = app.post(token, &op, vars).await;
        assert_eq!(code(&body), "FORBIDDEN", "{name}: {body}");
    }

    // The PDF, authorized like the sheet.
    let app = &app;
    let get = |token: String, id: String| {
        let path = format!("/follow-up-sheets/{id}");
        async move { app.get(&token, &path).await }
    };
    let id = sheet.as_str().unwrap_or_default().to_owned();
    for token in [&w.provider, &w.referent, &w.tenant.steering] {
        let (status, ct, body) = get(token.clone(), id.clone()).await;
        assert_eq!((status, ct.as_str()), (200, "application/pdf"));
        assert!(
            body.starts_with(b"%PDF-") && body.windows(5).any(|x| x == b"%%EOF"),
            "a PDF"
        );
        let Some(printed) = parcours_tests::pdf_text(&body) else {
            continue;
        };
        for text in [
            "Fiche de suivi — DIALLO",
            "Taux de présence : 11 %",
            "Entrer en formation FLE intensive à Chenôve",
            "Part des points : 50 % (seuil 75 %)",
            "1 (Communiquer en français)",
            "FSE+",
            "action conduite par",
            "(convention CONV-",
            "lieu : non renseigné",
            "09:00–12:00",
            "Intervenant(e) — nom et signature",
        ] {
            assert!(printed.contains(text), "prints {text}: {printed}");
        }
    }
    if let Ok(dir) = std::env::var("PARCOURS_SHEET_DIR") {
        let (_, _, body) = get(w.provider.clone(), id.clone()).await;
        std::fs::write(std::path::Path::new(&dir).join("follow-up-sheet.pdf"), body)
            .expect("written");
    }
    for (name, token, expected) in [
        ("another provider", provider_b.clone(), 404),
        ("another portfolio", colleague.clone(), 404),
        ("a foreign tenant", foreign.tenant.steering.clone(), 404),
        ("no token", String::new(), 401),
    ] {
        assert_eq!(get(token, id.clone()).await.0, expected, "{name}");
    }
    assert_eq!(
        get(w.provider.clone(), "garbage".into()).await.0,
        404,
        "an ID that does not decode"
    );
    assert_eq!(
        get(w.provider.clone(), cid.as_str().unwrap_or_default().into())
            .await
            .0,
        404,
        "another type's ID"
    );
}

const ADD: &str = "mutation($c: ID!, $d: Date!, $h: HalfDay!) { addCohortSession(input: {cohortId: $c, day: $d, halfDay: $h}) { session { id day halfDay } } }";
const MOVE: &str = "mutation($id: ID!, $d: Date!, $h: HalfDay!) { moveCohortSession(input: {id: $id, day: $d, halfDay: $h}) { session { id day halfDay } } }";
const REMOVE: &str =
    "mutation($id: ID!) { removeCohortSession(input: {id: $id}) { removedSessionId } }";

/// A session is added within the cohort's dates, on a free half-day, by the cohort's provider
/// only.
async fn a_session_is_added_within_the_cohort_by_its_provider(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let (cid, s) = (c["id"].clone(), c["sessions"].clone());
    let provider_b = w.other_provider(&app).await;

    let added = app
        .ok(
            &w.provider,
            ADD,
            json!({ "c": cid, "d": "2026-09-09", "h": "AFTERNOON" }),
        )
        .await;
    assert_eq!(
        added["addCohortSession"]["session"]["day"], "2026-09-09",
        "{added}"
    );
    for (vars, expected) in [
        (
            json!({ "c": cid, "d": "2026-09-28", "h": "MORNING" }),
            "VALIDATION",
        ),
        (
            json!({ "c": cid, "d": "2026-09-06", "h": "MORNING" }),
            "VALIDATION",
        ),
        (
            json!({ "c": cid, "d": "2026-09-07", "h": "MORNING" }),
            "CONFLICT",
        ),
    ] {
        let (_, body) = app.post(&w.provider, ADD, vars.clone()).await;
        assert_eq!(code(&body), expected, "{vars}: {body}");
    }
    let (_, body) = app
        .post(
            &w.provider,
            ADD,
            json!({ "c": cid, "d": "2026-09-30", "h": "MORNING" }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "day", "{body}");
    for (name, token, expected) in [
        ("a referent", &w.referent, "FORBIDDEN"),
        ("another provider", &provider_b, "NOT_FOUND"),
    ] {
        let (_, body) = app
            .post(
                token,
                ADD,
                json!({ "c": cid, "d": "2026-09-16", "h": "MORNING" }),
            )
            .await;
        assert_eq!(code(&body), expected, "{name}: {body}");
        let (_, body) = app.post(token, REMOVE, json!({ "id": s[3]["id"] })).await;
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
}

/// Sessions are moved and removed until attendance is recorded, attendance waits for the
/// session's day, and a closed cohort's calendar no longer changes.
async fn the_calendar_is_editable_until_attendance_is_recorded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let (cid, s) = (c["id"].clone(), c["sessions"].clone());
    let p = enrolled(&app, &w, &c, "Diallo").await;
    app.ok(
        &w.provider,
        ADD,
        json!({ "c": cid, "d": "2026-09-09", "h": "AFTERNOON" }),
    )
    .await;

    // Moved and removed while no attendance is recorded...
    let moved = app
        .ok(
            &w.provider,
            MOVE,
            json!({ "id": s[1]["id"], "d": "2026-09-08", "h": "AFTERNOON" }),
        )
        .await;
    assert_eq!(
        moved["moveCohortSession"]["session"]["halfDay"],
        "AFTERNOON"
    );
    app.ok(&w.provider, REMOVE, json!({ "id": s[8]["id"] }))
        .await;
    // ...but what was signed keeps its date.
    app.ok(
        &w.provider,
        ATTEND,
        attendance(
            &s[0]["id"],
            "k0",
            json!([{ "participantId": p, "presence": "PRESENT", "signedOnPaper": true }]),
        ),
    )
    .await;
    let (_, body) = app
        .post(
            &w.provider,
            MOVE,
            json!({ "id": s[0]["id"], "d": "2026-09-09", "h": "MORNING" }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    let (_, body) = app
        .post(&w.provider, REMOVE, json!({ "id": s[0]["id"] }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");

    let sessions = app
        .ok(
            &w.provider,
            "query($id: ID!) { node(id: $id) { ... on Cohort { sessions { day halfDay } } } }",
            json!({ "id": cid }),
        )
        .await;
    let days: Vec<String> = sessions["node"]["sessions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        s["day"].as_str().unwrap_or(""),
                        s["halfDay"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(days.len(), 9, "9 + 1 added - 1 removed: {days:?}");
    assert_eq!(days[1], "2026-09-08 AFTERNOON", "{days:?}");
    assert_eq!(days[2], "2026-09-09 AFTERNOON", "{days:?}");

    // Attendance waits for the session's day.
    let later = cohort(&app, &w, &conv, "2027-01-04", "Groupe hiver").await;
    let (_, body) = app
        .post(
            &w.provider,
            ATTEND,
            attendance(
                &later["sessions"][0]["id"],
                "future",
                json!([{ "participantId": p, "presence": "PRESENT", "signedOnPaper": true }]),
            ),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "sessionId");

    // A closed cohort's calendar no longer changes.
    app.ok(
        &w.provider,
        STATUS,
        json!({ "id": cid, "v": 1, "s": "RUNNING" }),
    )
    .await;
    app.ok(
        &w.provider,
        STATUS,
        json!({ "id": cid, "v": 2, "s": "CLOSED" }),
    )
    .await;
    let (_, body) = app
        .post(
            &w.provider,
            ADD,
            json!({ "c": cid, "d": "2026-09-16", "h": "MORNING" }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
}

async fn a_cohort_costs_the_same_statements_for_3_and_12_members(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let mut cohorts = Vec::new();
    for (i, (start, size)) in [("2026-09-07", 3), ("2026-10-05", 12)].iter().enumerate() {
        let c = cohort(&app, &w, &conv, start, &format!("Groupe {i}")).await;
        app.ok(
            &w.provider,
            STATUS,
            json!({ "id": c["id"], "v": 1, "s": "RUNNING" }),
        )
        .await;
        let mut people = Vec::new();
        for n in 0..*size {
            let p = enrolled(&app, &w, &c, &format!("Nom{i}{n:02}")).await;
            app.ok(
                &w.provider,
                SAVE_DIAG,
                diagnostic(&c["id"], &p, None, clea("ACQUIRED"), false),
            )
            .await;
            app.ok(&w.provider, &save_sheet(), json!({ "c": c["id"], "p": p }))
                .await;
            people.push(p);
        }
        for k in 0..2 {
            let entries: Vec<Value> = people
                .iter()
                .map(
                    |p| json!({ "participantId": p, "presence": "PRESENT", "signedOnPaper": true }),
                )
                .collect();
            app.ok(
                &w.provider,
                ATTEND,
                attendance(
                    &c["sessions"][k]["id"],
                    &format!("c{i}s{k}"),
                    json!(entries),
                ),
            )
            .await;
        }
        cohorts.push((c["id"].clone(), *size));
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Cohort { label sessions { day } attendance { presence }
        members { status participant { firstName lastName email }
                  diagnostic { isFinal clea { sharePercent } }
                  attendance { presence signedOnPaper }
                  followUpSheet { status attendance { ratePercent } } } } } }";
    for token in [&w.provider, &w.tenant.steering] {
        let mut counts = Vec::new();
        for (id, size) in &cohorts {
            app.known_caller(token).await;
            let before = app.db.statements_executed();
            let data = app.ok(token, q, json!({ "id": id })).await;
            let members = data["node"]["members"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert_eq!(members.len(), *size);
            assert!(
                members.iter().all(|m| m["diagnostic"]["isFinal"] == false
                    && m["attendance"].as_array().map(Vec::len) == Some(2)
                    && m["participant"]["lastName"].is_string()),
                "{data}"
            );
            counts.push(app.db.statements_executed() - before);
        }
        eprintln!("SQL statements for a cohort of 3 and of 12 members: {counts:?}");
        assert_eq!(counts[0], counts[1], "3 and 12 members: {counts:?}");
        assert!(counts[1] <= 40, "a small bound: {counts:?}");
    }
}

on_both!(
    a_sheet_is_drafted_once_the_cohort_runs_and_stays_the_provider_s_until_sent,
    a_sheet_is_sent_when_its_member_drops_out_or_the_cohort_closes_with_a_final_diagnostic,
    a_sent_sheet_is_frozen_and_keeps_its_first_readings,
    sheets_are_read_by_their_roles_only,
    a_session_is_added_within_the_cohort_by_its_provider,
    the_calendar_is_editable_until_attendance_is_recorded,
    a_cohort_costs_the_same_statements_for_3_and_12_members,
);
