//! Attendance: a whole session recorded under an idempotency key (one effect, the same
//! answer, even after the facts changed), and its entries' checks.

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ATTEND, CREATE, ENROL, PRESCRIBE, active_participant, cohort, convention};

/// "Alpha" and "Bravo" enrolled on "Groupe 1" of the provider's convention, from Monday 7
/// September 2026: (convention, its first session, Alpha, Bravo).
async fn alpha_and_bravo_enrolled(app: &TestApp, w: &World) -> (String, Value, String, String) {
    let conv = convention(app, w).await;
    let c = cohort(app, w, &conv, "2026-09-07", "Groupe 1").await;
    let session = c["sessions"][0]["id"].clone();
    let [a, b] = enrolled(app, w, &c, ["Alpha", "Bravo"]).await;
    (conv, session, a, b)
}

/// Active participants of these names, prescribed by the referent and enrolled by the
/// provider on `cohort`: their IDs.
pub(crate) async fn enrolled<const N: usize>(
    app: &TestApp,
    w: &World,
    cohort: &Value,
    names: [&str; N],
) -> [String; N] {
    let mut ids = Vec::with_capacity(N);
    for name in names {
        let p = active_participant(app, w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": cohort["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": cohort["id"], "p": p }))
            .await;
        ids.push(p);
    }
    ids.try_into().expect("one ID per name")
}

/// A replayed batch has one effect and the same answer; the same key with another payload is a
/// conflict; a correction takes a key of its own.
async fn attendance_is_idempotent(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let (_, session, a, b) = alpha_and_bravo_enrolled(&app, &w).await;
    let png = base64_png();
    let input = json!({ "input": { "sessionId": session, "idempotencyKey": "tablet-42-session-1", "entries": [
        { "participantId": a, "presence": "PRESENT", "signature": png },
        { "participantId": b, "presence": "ABSENT" } ] } });
    let (first, second) = tokio::join!(
        app.post(&w.provider, ATTEND, input.clone()),
        app.post(&w.provider, ATTEND, input.clone())
    );
    assert!(first.1.get("errors").is_none(), "{}", first.1);
    assert_eq!(first.1, second.1, "a replay gets the same answer");
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { totalCount } }",
            json!({ "id": session.as_str().map(|_| session.clone()) }),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1, "one effect");
    let mut changed = input.clone();
    changed["input"]["entries"][1]["presence"] = json!("EXCUSED");
    let (_, body) = app.post(&w.provider, ATTEND, changed.clone()).await;
    assert_eq!(code(&body), "CONFLICT", "same key, another payload: {body}");
    changed["input"]["idempotencyKey"] = json!("tablet-42-session-1-correction");
    let corrected = app.ok(&w.provider, ATTEND, changed).await;
    assert_eq!(
        corrected["recordAttendance"]["attendance"][1]["presence"], "EXCUSED",
        "a correction"
    );
}

/// Attendance entries are checked (the cohort's own session, signatures, the provider only, one
/// entry per member) up to the signature's cap; a cohort stays within its convention's dates.
async fn attendance_entries_and_cohort_dates_are_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let (conv, session, a, b) = alpha_and_bravo_enrolled(&app, &w).await;
    let other = cohort(&app, &w, &conv, "2026-10-05", "Groupe 2").await;
    let bad = |entries: Value, session: &Value, key: &str| json!({ "input": { "sessionId": session, "idempotencyKey": key, "entries": entries } });
    let big = format!("iVBORw0KGgo{}", "A".repeat(90_000));
    let other_session = other["sessions"][0]["id"].clone();
    for (name, input, expected) in [
        (
            "a session of another cohort",
            bad(
                json!([{ "participantId": a, "presence": "ABSENT" }]),
                &other_session,
                "k1",
            ),
            "VALIDATION",
        ),
        (
            "a signature over the cap",
            bad(
                json!([{ "participantId": a, "presence": "PRESENT", "signature": big }]),
                &session,
                "k2",
            ),
            "VALIDATION",
        ),
        (
            "a presence without signature",
            bad(
                json!([{ "participantId": a, "presence": "PRESENT" }]),
                &session,
                "k3",
            ),
            "VALIDATION",
        ),
        (
            "a signature that is no image",
            bad(
                json!([{ "participantId": a, "presence": "PRESENT", "signature": "aGVsbG8=" }]),
                &session,
                "k4",
            ),
            "VALIDATION",
        ),
        (
            "a referent records",
            bad(
                json!([{ "participantId": a, "presence": "ABSENT" }]),
                &session,
                "k5",
            ),
            "FORBIDDEN",
        ),
    ] {
        let token = if name == "a referent records" {
            &w.referent
        } else {
            &w.provider
        };
        let (_, body) = app.post(token, ATTEND, input).await;
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    // A batch naming one member twice, or nobody, is refused with the entry at fault, and
    // its idempotency key stays free: the right batch under that key is then recorded.
    for (name, entries, field) in [
        (
            "one member twice",
            json!([{ "participantId": b, "presence": "ABSENT" }, { "participantId": a, "presence": "ABSENT" },
                   { "participantId": b, "presence": "EXCUSED" }]),
            "entries[2].participantId",
        ),
        ("no entry", json!([]), "entries"),
    ] {
        let (_, body) = app
            .post(&w.provider, ATTEND, bad(entries, &session, "k-batch"))
            .await;
        assert_eq!(
            (
                code(&body),
                body["errors"][0]["extensions"]["field"].as_str()
            ),
            ("VALIDATION", Some(field)),
            "{name}: {body}"
        );
    }
    let recorded = app
        .ok(
            &w.provider,
            ATTEND,
            bad(
                json!([{ "participantId": b, "presence": "EXCUSED" }]),
                &session,
                "k-batch",
            ),
        )
        .await;
    assert_eq!(
        recorded["recordAttendance"]["attendance"][0]["presence"],
        "EXCUSED"
    );
    // A signature near its 64 KiB cap (about 85,000 base64 characters) is a signature.
    let big_png = {
        use base64::Engine;
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[7u8; 63 * 1024]);
        base64::engine::general_purpose::STANDARD.encode(png)
    };
    assert!(big_png.len() > 80_000);
    let signed = app
        .ok(
            &w.provider,
            ATTEND,
            bad(
                json!([{ "participantId": a, "presence": "PRESENT", "signature": big_png }]),
                &session,
                "k-big-signature",
            ),
        )
        .await;
    assert_eq!(signed["recordAttendance"]["attendance"][0]["signed"], true);
    let (_, body) = app
        .post(
            &w.provider,
            CREATE,
            json!({ "c": conv, "start": "2027-05-24", "label": "Trop tard" }),
        )
        .await;
    assert_eq!(
        code(&body),
        "VALIDATION",
        "dates outside the convention: {body}"
    );
}

pub(crate) const DROP_OUT: &str = "mutation($c: ID!, $p: ID!, $on: Date) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"déménagement\", droppedOutOn: $on}) { member { status } } }";

/// A replay answers what the first request answered, whatever changed since: the key is
/// claimed in the statement that reads the session and the memberships, and that read is
/// used only when the key is new. A new key for the same entries meets today's rules.
async fn a_replay_answers_as_the_first_request_after_a_drop_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let tuesday = c["sessions"][1]["id"].clone();
    assert_eq!(c["sessions"][1]["day"], "2026-09-08");
    let b = active_participant(&app, &w, "Bravo").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": b }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": b }))
        .await;
    let input = |key: &str| {
        json!({ "input": { "sessionId": tuesday, "idempotencyKey": key,
            "entries": [{ "participantId": b, "presence": "ABSENT" }] } })
    };
    let first = app.ok(&w.provider, ATTEND, input("tablet-7")).await;
    // Bravo left on the cohort's first day: an absence the day after stays on record.
    app.ok(
        &w.provider,
        DROP_OUT,
        json!({ "c": c["id"], "p": b, "on": "2026-09-07" }),
    )
    .await;
    let again = app.ok(&w.provider, ATTEND, input("tablet-7")).await;
    assert_eq!(again, first, "a replay gets the first answer");
    let (_, body) = app.post(&w.provider, ATTEND, input("tablet-8")).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "entries[0].participantId",
        "{body}"
    );
    // The key is the provider's: the same payload from steering is a conflict.
    let (_, body) = app
        .post(&w.tenant.steering, ATTEND, input("tablet-7"))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    // Nothing was half-written: one record, the first one.
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { totalCount } }",
            json!({ "id": tuesday }),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1, "one effect");
}

/// The code and the field of a refused request.
async fn refusal(app: &TestApp, token: &str, input: Value) -> (String, Option<String>) {
    let (_, body) = app.post(token, ATTEND, input).await;
    let field = body["errors"][0]["extensions"]["field"].as_str();
    (code(&body).to_owned(), field.map(str::to_owned))
}

/// Every attendance record of `cohort` (its `sessionId`, `participantId` and `presence`), by
/// session then participant, as steering reads them.
pub(crate) async fn records_of(app: &TestApp, w: &World, cohort: &Value) -> Value {
    let query = "query($c: ID!) { node(id: $c) { ... on Cohort {
        attendance { sessionId participantId presence } } } }";
    let data = app
        .ok(&w.tenant.steering, query, json!({ "c": cohort["id"] }))
        .await;
    data["node"]["attendance"].clone()
}

/// How many audit entries name an object.
pub(crate) const SESSION_AUDIT: &str = "query($id: ID) { auditLog(objectId: $id) { totalCount } }";

/// A batch the rules refuse leaves nothing, although on PostgreSQL its key is claimed and its
/// records and audit entry written in the statement that reads what the rules check: no
/// record, no audit entry, and the key free for the right batch. Each rule on both sides of
/// its edge: a session of tomorrow (refused) and of today; a member who dropped out the day
/// before (refused) and on the session's day; a prescribed member not enrolled, next to an
/// enrolled one (refused whole); another tenant's session or participant (unknown here).
async fn a_refused_batch_leaves_no_record_no_audit_entry_and_its_key_free(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let (monday, tuesday) = (
        c["sessions"][0]["id"].clone(),
        c["sessions"][1]["id"].clone(),
    );
    assert_eq!(c["sessions"][1]["day"], "2026-09-08");
    let a = active_participant(&app, &w, "Alpha").await;
    let b = active_participant(&app, &w, "Bravo").await;
    let x = active_participant(&app, &w, "Xavier").await;
    for p in [&a, &b, &x] {
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
    }
    for p in [&a, &b] {
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
    }
    let batch = |session: &Value, key: &str, people: &[&String]| {
        let entries: Vec<Value> = people
            .iter()
            .map(|p| json!({ "participantId": p, "presence": "ABSENT" }))
            .collect();
        json!({ "input": { "sessionId": session, "idempotencyKey": key, "entries": entries } })
    };
    let nothing_left = |what: &'static str| {
        let (app, w, c) = (&app, &w, &c);
        let (monday, tuesday) = (&monday, &tuesday);
        async move {
            let records = records_of(app, w, c).await;
            assert_eq!(records, json!([]), "{what}: {records}");
            for session in [monday, tuesday] {
                let log = app
                    .ok(&w.tenant.steering, SESSION_AUDIT, json!({ "id": session }))
                    .await;
                assert_eq!(log["auditLog"]["totalCount"], 0, "{what}: {log}");
            }
        }
    };

    // Monday morning in Paris: Tuesday's session has not taken place.
    app.set_now(Some("2026-09-07T08:00:00Z"));
    assert_eq!(
        refusal(&app, &w.provider, batch(&tuesday, "k", &[&a, &b])).await,
        ("VALIDATION".into(), Some("sessionId".into())),
        "tomorrow"
    );
    nothing_left("tomorrow").await;
    app.set_now(None);

    assert_eq!(
        refusal(&app, &w.provider, batch(&monday, "k", &[&a, &x])).await,
        ("VALIDATION".into(), Some("entries[1].participantId".into())),
        "not enrolled"
    );
    nothing_left("not enrolled").await;

    app.ok(
        &w.provider,
        DROP_OUT,
        json!({ "c": c["id"], "p": b, "on": "2026-09-07" }),
    )
    .await;
    assert_eq!(
        refusal(&app, &w.provider, batch(&tuesday, "k", &[&a, &b])).await,
        ("VALIDATION".into(), Some("entries[1].participantId".into())),
        "dropped out the day before"
    );
    nothing_left("dropped out the day before").await;

    // Another tenant's session, and another tenant's participant: each unknown here, refused
    // as such before any write could break a foreign key.
    let other = World::build(&app, "bravo").await;
    let other_conv = convention(&app, &other).await;
    let other_cohort = cohort(&app, &other, &other_conv, "2026-09-07", "Groupe B").await;
    let stranger = active_participant(&app, &other, "Zoé").await;
    let (_, body) = app
        .post(
            &w.provider,
            ATTEND,
            batch(&other_cohort["sessions"][0]["id"], "k", &[&a]),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "another tenant's session: {body}");
    assert_eq!(
        refusal(&app, &w.provider, batch(&monday, "k", &[&a, &stranger])).await,
        ("VALIDATION".into(), Some("entries[1].participantId".into())),
        "another tenant's participant"
    );
    nothing_left("another tenant's session or participant").await;

    // The other sides of the edges: Tuesday's session on Tuesday, under the key the refused
    // batches left free; Bravo on the day he dropped out.
    app.set_now(Some("2026-09-08T07:00:00Z"));
    app.ok(&w.provider, ATTEND, batch(&tuesday, "k", &[&a]))
        .await;
    app.set_now(None);
    app.ok(&w.provider, ATTEND, batch(&monday, "k-monday", &[&b]))
        .await;
    let records = records_of(&app, &w, &c).await;
    assert_eq!(
        records,
        json!([
            { "sessionId": monday, "participantId": b, "presence": "ABSENT" },
            { "sessionId": tuesday, "participantId": a, "presence": "ABSENT" },
        ]),
        "{records}"
    );
    for session in [&monday, &tuesday] {
        let log = app
            .ok(&w.tenant.steering, SESSION_AUDIT, json!({ "id": session }))
            .await;
        assert_eq!(log["auditLog"]["totalCount"], 1, "{log}");
    }
}

fn base64_png() -> String {
    use base64::Engine;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    base64::engine::general_purpose::STANDARD.encode(png)
}

on_both!(
    attendance_is_idempotent,
    attendance_entries_and_cohort_dates_are_checked,
    a_replay_answers_as_the_first_request_after_a_drop_out,
    a_refused_batch_leaves_no_record_no_audit_entry_and_its_key_free,
);
