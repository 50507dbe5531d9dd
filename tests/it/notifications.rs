//! Notifications: who is told of what, the inbox and its read state, live delivery over
//! WebSocket (`graphql-transport-ws`), and delivery across two instances on PostgreSQL.

use parcours_domain::Role;
use parcours_tests::ws::{self, Closed};
use parcours_tests::{Backend, TestApp, World, code, global_uuid, on_both};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, active_participant, cohort, convention, convention_over};
use crate::follow_up::transmitted_sheet;

const INBOX: &str = "{ unreadNotificationCount notifications { totalCount edges { node {
    id kind subjectId subjectType relatedId reportKind createdAt readAt
    subject { __typename id ... on Report { kind status } } } } } }";
pub(crate) const SUBSCRIBE: &str = "subscription { notificationAdded { id kind subjectId subjectType relatedId reportKind readAt } }";
const MARK: &str = "mutation($ids: [ID!]!) { markNotificationsRead(input: {ids: $ids}) { notifications { id readAt } } }";

async fn inbox(app: &TestApp, token: &str) -> Value {
    app.ok(token, INBOX, json!({})).await
}

/// The kinds in an inbox, newest first.
fn kinds(inbox: &Value) -> Vec<String> {
    nodes(inbox)
        .iter()
        .map(|n| n["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn nodes(inbox: &Value) -> Vec<Value> {
    inbox["notifications"]["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}

/// Wait until `n` subscriptions listen on `app`'s instance (the server registers a
/// subscription after the `subscribe` message; events before that are not for it).
pub(crate) async fn listening(app: &TestApp, n: usize) {
    for _ in 0..1500 {
        if app.db.bus().subscribers() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{n} subscriptions never listened");
}

async fn each_change_tells_its_audience(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    let foreign = World::build(&app, "sud").await;
    let (_, steering2) = app
        .staff(
            &w.tenant,
            Role::Steering,
            "pilote2@nord.example",
            &w.tenant.steering_body,
        )
        .await;
    let (_, provider2) = app
        .staff(
            &w.tenant,
            Role::Provider,
            "p2@nord.example",
            &w.provider_structure,
        )
        .await;
    let other_structure = app.structure(&w.tenant, "Autre", "PROVIDER").await;
    let (_, other_provider) = app
        .staff(
            &w.tenant,
            Role::Provider,
            "autre@nord.example",
            &other_structure,
        )
        .await;
    let (_, referent2) = app
        .staff(&w.tenant, Role::Referent, "ref2@nord.example", &w.carrier)
        .await;

    // A submission, its decision, an enrolment and a transmitted follow-up sheet.
    let (cohort_id, participant, sheet) = transmitted_sheet(&app, &w).await;

    for token in [&w.tenant.steering, &steering2] {
        let read = inbox(&app, token).await;
        assert_eq!(kinds(&read), ["SUBMISSION_RECEIVED"], "steering: {read}");
        assert_eq!(nodes(&read)[0]["subjectType"], "Submission");
    }
    for token in [&w.provider, &provider2] {
        let read = inbox(&app, token).await;
        assert_eq!(
            kinds(&read),
            ["SUBMISSION_DECIDED"],
            "the provider's staff: {read}"
        );
    }
    let read = inbox(&app, &w.referent).await;
    assert_eq!(
        kinds(&read),
        ["FOLLOW_UP_SHEET_TRANSMITTED", "PRESCRIPTION_ACCEPTED"],
        "{read}"
    );
    assert_eq!(read["unreadNotificationCount"], 2);
    let n = nodes(&read);
    assert_eq!(
        (&n[0]["subjectId"], &n[0]["subjectType"], &n[0]["relatedId"]),
        (&sheet, &json!("FollowUpSheet"), &json!(participant))
    );
    assert_eq!(
        (&n[1]["subjectId"], &n[1]["subjectType"], &n[1]["relatedId"]),
        (&cohort_id, &json!("Cohort"), &json!(participant))
    );
    assert!(n[0]["readAt"].is_null() && n[0]["reportKind"].is_null());
    // The subject is read through the usual, authorised query.
    let sheet_read = app
        .ok(
            &w.referent,
            "query($id: ID!) { node(id: $id) { ... on FollowUpSheet { status } } }",
            json!({ "id": n[0]["subjectId"] }),
        )
        .await;
    assert_eq!(sheet_read["node"]["status"], "TRANSMITTED");

    // Nobody else is told.
    for token in [
        &other_provider,
        &referent2,
        &foreign.tenant.steering,
        &foreign.referent,
    ] {
        let read = inbox(&app, token).await;
        assert_eq!(read["notifications"]["totalCount"], 0, "{read}");
        assert_eq!(read["unreadNotificationCount"], 0);
    }
}

async fn reports_and_reminders_tell_steering_and_the_provider(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    // 2025: the first-quarter report is due 2025-04-01.
    let conv = convention_over(&app, &w, "2025-01-01", Some("2025-12-31")).await;
    app.set_now(Some("2025-05-15T10:00:00Z"));

    // A prescription accepted, another declined.
    let c = cohort(&app, &w, &conv, "2025-03-03", "Groupe 1").await;
    let a = active_participant(&app, &w, "Alpha").await;
    let b = active_participant(&app, &w, "Bravo").await;
    for p in [&a, &b] {
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
    }
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": a }))
        .await;
    app.ok(&w.provider, "mutation($c: ID!, $p: ID!) { declinePrescription(input: {cohortId: $c, participantId: $p, reason: \"complet\"}) { member { status } } }", json!({ "c": c["id"], "p": b })).await;
    let read = inbox(&app, &w.referent).await;
    assert_eq!(
        kinds(&read),
        ["PRESCRIPTION_DECLINED", "PRESCRIPTION_ACCEPTED"],
        "{read}"
    );
    assert_eq!(nodes(&read)[0]["relatedId"], json!(b));

    // The overdue reminder is sent once per report and due date.
    let sent = parcours_domain::jobs::remind_overdue_reports(&app.db)
        .await
        .expect("reminders");
    assert_eq!(sent, 1, "one steering member, one overdue report");
    let again = parcours_domain::jobs::remind_overdue_reports(&app.db)
        .await
        .expect("reminders");
    assert_eq!(again, 0, "not twice");
    let read = inbox(&app, &w.tenant.steering).await;
    assert_eq!(
        kinds(&read),
        ["REPORT_OVERDUE", "SUBMISSION_RECEIVED"],
        "{read}"
    );
    let overdue = &nodes(&read)[0];
    assert_eq!(
        (
            &overdue["subjectId"],
            &overdue["subjectType"],
            &overdue["reportKind"]
        ),
        (&json!(conv), &json!("Convention"), &json!("FIRST_QUARTER"))
    );

    // Submitted: steering is told; reviewed: the provider is told; no more reminder.
    let report =
        "mutation($input: StartReportInput!) { startReport(input: $input) { report { id } } }";
    let id = app
        .ok(
            &w.provider,
            report,
            json!({ "input": { "conventionId": conv, "kind": "FIRST_QUARTER" } }),
        )
        .await["startReport"]["report"]["id"]
        .clone();
    app.ok(&w.provider, "mutation($id: ID!) { saveReport(input: {id: $id, version: 1, qualitative: \"Bien.\"}) { report { id } } }", json!({ "id": id })).await;
    app.ok(
        &w.provider,
        "mutation($id: ID!) { submitReport(input: {id: $id, version: 2}) { report { id } } }",
        json!({ "id": id }),
    )
    .await;
    let read = inbox(&app, &w.tenant.steering).await;
    assert_eq!(kinds(&read)[0], "REPORT_SUBMITTED", "{read}");
    assert_eq!(nodes(&read)[0]["subjectId"], id);
    // The report opens from the inbox itself, and by `node`, for those who may read it.
    let subject = &nodes(&read)[0]["subject"];
    assert_eq!(
        (
            subject["__typename"].as_str(),
            &subject["id"],
            subject["status"].as_str()
        ),
        (Some("Report"), &id, Some("SUBMITTED")),
        "{read}"
    );
    let by_node = "query($id: ID!) { node(id: $id) { __typename ... on Report { kind } } }";
    for token in [&w.tenant.steering, &w.provider] {
        let found = app.ok(token, by_node, json!({ "id": id })).await;
        assert_eq!(found["node"]["__typename"], "Report", "{found}");
    }
    let stranger = World::build(&app, "ailleurs").await;
    for token in [&w.referent, &stranger.tenant.steering, &stranger.provider] {
        let (_, body) = app.post(token, by_node, json!({ "id": id })).await;
        assert!(matches!(code(&body), "NOT_FOUND" | "FORBIDDEN"), "{body}");
    }
    app.ok(&w.tenant.steering, "mutation($id: ID!) { reviewReport(input: {id: $id, version: 3, accepted: true}) { report { id } } }", json!({ "id": id })).await;
    let read = inbox(&app, &w.provider).await;
    assert_eq!(
        kinds(&read),
        ["REPORT_REVIEWED", "SUBMISSION_DECIDED"],
        "{read}"
    );
    let sent = parcours_domain::jobs::remind_overdue_reports(&app.db)
        .await
        .expect("reminders");
    assert_eq!(sent, 0, "the report is in");
}

async fn the_inbox_is_read_and_marked_by_its_owner_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    let foreign = World::build(&app, "sud").await;
    convention(&app, &w).await;
    let steering_note = nodes(&inbox(&app, &w.tenant.steering).await)[0]["id"].clone();

    // A change refused (here a decision on a stale version) tells nobody: its notification
    // rolled back with it.
    let submission = nodes(&inbox(&app, &w.provider).await)[0]["subjectId"].clone();
    let (_, body) = app
        .post(
            &w.tenant.steering,
            "mutation($id: ID!) { recordDecision(input: {id: $id, version: 2, accepted: false, reason: \"non\", committeeDate: \"2018-01-10\"}) { submission { id } } }",
            json!({ "id": submission }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert_eq!(
        inbox(&app, &w.provider).await["notifications"]["totalCount"],
        1
    );

    // Someone else's notification, or another tenant's: NOT_FOUND, nothing marked.
    for token in [&w.provider, &foreign.tenant.steering] {
        let (_, body) = app
            .post(token, MARK, json!({ "ids": [steering_note] }))
            .await;
        assert_eq!(code(&body), "NOT_FOUND", "{body}");
    }
    let (_, body) = app
        .post(
            &w.provider,
            MARK,
            json!({ "ids": [steering_note, nodes(&inbox(&app, &w.provider).await)[0]["id"]] }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "all or nothing: {body}");
    assert_eq!(inbox(&app, &w.provider).await["unreadNotificationCount"], 1);
    assert_eq!(
        inbox(&app, &w.tenant.steering).await["unreadNotificationCount"],
        1
    );

    // Bad input: a malformed ID is unknown; the list's size is checked.
    for ids in [
        json!(["not-an-id"]),
        json!([steering_note, "Tm90aWZpY2F0aW9uOnh4"]),
    ] {
        let (_, body) = app
            .post(&w.tenant.steering, MARK, json!({ "ids": ids }))
            .await;
        assert_eq!(code(&body), "NOT_FOUND", "{body}");
    }
    let many: Vec<Value> = (0..101).map(|_| steering_note.clone()).collect();
    for (ids, field) in [(json!([]), "ids"), (json!(many), "ids")] {
        let (status, body) = app
            .post(&w.tenant.steering, MARK, json!({ "ids": ids }))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            (code(&body), &body["errors"][0]["extensions"]["field"]),
            ("VALIDATION", &json!(field)),
            "{body}"
        );
    }

    // The owner marks it; the first reading is kept.
    let first = app
        .ok(&w.tenant.steering, MARK, json!({ "ids": [steering_note] }))
        .await;
    let read_at = first["markNotificationsRead"]["notifications"][0]["readAt"].clone();
    assert!(read_at.is_string(), "{first}");
    let again = app
        .ok(&w.tenant.steering, MARK, json!({ "ids": [steering_note] }))
        .await;
    assert_eq!(
        again["markNotificationsRead"]["notifications"][0]["readAt"],
        read_at
    );
    let read = inbox(&app, &w.tenant.steering).await;
    assert_eq!(read["unreadNotificationCount"], 0);
    let filtered = |unread: bool| format!("{{ notifications(unread: {unread}) {{ totalCount }} }}");
    assert_eq!(
        app.ok(&w.tenant.steering, &filtered(true), json!({})).await["notifications"]["totalCount"],
        0
    );
    assert_eq!(
        app.ok(&w.tenant.steering, &filtered(false), json!({}))
            .await["notifications"]["totalCount"],
        1
    );

    // Mark all.
    let all = "mutation { markAllNotificationsRead { marked } }";
    assert_eq!(
        app.ok(&w.provider, all, json!({})).await["markAllNotificationsRead"]["marked"],
        1
    );
    assert_eq!(
        app.ok(&w.provider, all, json!({})).await["markAllNotificationsRead"]["marked"],
        0
    );

    // The platform operator has no inbox.
    let (_, body) = app.post(&app.admin(), INBOX, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
}

async fn a_subscriber_hears_its_own_notifications_live(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    let foreign = World::build(&app, "sud").await;
    let mut referent = ws::connect(&app.base, &w.referent).await.expect("accepted");
    let mut steering = ws::connect(&app.base, &w.tenant.steering)
        .await
        .expect("accepted");
    let mut stranger = ws::connect(&app.base, &foreign.referent)
        .await
        .expect("accepted");
    for s in [&mut referent, &mut steering, &mut stranger] {
        s.subscribe("n", SUBSCRIBE).await;
    }
    listening(&app, 3).await;

    let (cohort_id, participant, sheet) = transmitted_sheet(&app, &w).await;
    let first = referent.payload("n").await;
    assert_eq!(
        first["data"]["notificationAdded"]["kind"], "PRESCRIPTION_ACCEPTED",
        "{first}"
    );
    assert_eq!(first["data"]["notificationAdded"]["subjectId"], cohort_id);
    assert_eq!(
        first["data"]["notificationAdded"]["relatedId"],
        json!(participant)
    );
    let second = referent.payload("n").await;
    let added = &second["data"]["notificationAdded"];
    assert_eq!(
        (&added["kind"], &added["subjectId"]),
        (&json!("FOLLOW_UP_SHEET_TRANSMITTED"), &sheet)
    );
    assert!(added["readAt"].is_null());
    // What was delivered is what the inbox holds.
    let stored = nodes(&inbox(&app, &w.referent).await);
    assert_eq!(stored[0]["id"], added["id"]);

    // Steering heard the submission and nothing of the referent's notifications: its next
    // message is the reminder sent afterwards.
    assert_eq!(
        steering.payload("n").await["data"]["notificationAdded"]["kind"],
        "SUBMISSION_RECEIVED"
    );
    parcours_domain::jobs::remind_overdue_reports(&app.db)
        .await
        .expect("reminders");
    let next = steering.payload("n").await;
    assert_eq!(
        next["data"]["notificationAdded"]["kind"], "REPORT_OVERDUE",
        "{next}"
    );

    // The other tenant's referent heard nothing of this tenant: its first message is its own.
    let (foreign_cohort, _, _) = transmitted_sheet(&app, &foreign).await;
    let own = stranger.payload("n").await;
    assert_eq!(
        own["data"]["notificationAdded"]["subjectId"], foreign_cohort,
        "{own}"
    );

    // `complete` stops the subscription.
    referent
        .send(json!({ "id": "n", "type": "complete" }))
        .await;
    let done = referent.next().await.expect("open");
    assert_eq!(
        (&done["type"], &done["id"]),
        (&json!("complete"), &json!("n"))
    );
}

/// The first error code of a `next` payload or an `error` message.
fn ws_code(message: &Value) -> String {
    let errors = if message["type"] == "error" {
        message["payload"].clone()
    } else {
        message["payload"]["errors"].clone()
    };
    errors[0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
        .to_owned()
}

async fn subscriptions_are_authenticated_and_bounded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;

    // The token comes in connection_init; refused: closed with 4403.
    for token in ["", "not.a.jwt"] {
        match ws::connect(&app.base, token).await {
            Err(Closed { code, reason }) => {
                assert_eq!(code, 4403, "{reason}");
                assert!(reason.starts_with("UNAUTHENTICATED"), "{reason}");
                assert!(!reason.contains(token) || token.is_empty());
            }
            Ok(_) => panic!("a connection without a valid token was accepted"),
        }
    }
    // connection_init must come within 10 s.
    let mut silent = ws::open(&app.base, "graphql-transport-ws")
        .await
        .expect("handshake");
    match silent.next().await {
        Err(Closed { code, .. }) => assert_eq!(code, 4408),
        Ok(message) => panic!("expected a close, got {message}"),
    }
    // Only graphql-transport-ws is spoken.
    let refused = ws::open(&app.base, "graphql-ws").await;
    assert!(refused.is_err_and(|e| e.contains("400")));

    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    // Queries and mutations go through POST /graphql.
    for (id, query) in [
        ("q", "{ me { subject } }"),
        ("m", "mutation { markAllNotificationsRead { marked } }"),
    ] {
        s.subscribe(id, query).await;
        let message = s.next().await.expect("open");
        assert_eq!(message["id"], id);
        assert_eq!(ws_code(&message), "BAD_REQUEST", "{message}");
        let done = s.next().await.expect("open");
        assert_eq!(done["type"], "complete", "{done}");
    }
    // Document limits apply.
    let deep = format!(
        "subscription {{ notificationAdded {{ id {} }} }}",
        "{".repeat(70)
    );
    s.subscribe("deep", &deep).await;
    let message = s.next().await.expect("open");
    assert_eq!(ws_code(&message), "QUERY_TOO_DEEP", "{message}");
    s.next().await.expect("complete");
    // At most ten at once on a connection.
    for i in 0..10 {
        s.subscribe(&format!("s{i}"), SUBSCRIBE).await;
    }
    listening(&app, 10).await;
    s.subscribe("s10", SUBSCRIBE).await;
    let message = s.next().await.expect("open");
    assert_eq!(
        (message["id"].as_str(), ws_code(&message).as_str()),
        (Some("s10"), "RATE_LIMITED"),
        "{message}"
    );

    // The platform operator has no notifications.
    let mut admin = ws::connect(&app.base, &app.admin())
        .await
        .expect("accepted");
    admin.subscribe("a", SUBSCRIBE).await;
    let message = admin.next().await.expect("open");
    assert_eq!(ws_code(&message), "FORBIDDEN", "{message}");

    // The subscription ends when the token expires.
    let short = app.token_for(
        Some(&w.tenant.slug),
        Role::Referent,
        &format!("ref@{}.example", w.tenant.slug),
        Some(&w.carrier),
        chrono::Duration::seconds(1),
    );
    let mut brief = ws::connect(&app.base, &short)
        .await
        .expect("accepted within the leeway");
    brief.subscribe("b", SUBSCRIBE).await;
    let message = brief.next().await.expect("open");
    assert_eq!(ws_code(&message), "UNAUTHENTICATED", "{message}");
    let done = brief.next().await.expect("open");
    assert_eq!(done["type"], "complete", "{done}");
}

async fn a_subscription_ends_when_the_account_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let p = active_participant(&app, &w, "Alpha").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    let mut referent = ws::connect(&app.base, &w.referent).await.expect("accepted");
    referent.subscribe("n", SUBSCRIBE).await;
    listening(&app, 1).await;
    // The referent's structure is deactivated while the subscription runs: the next delivery
    // checks the account again and ends the stream instead.
    app.ok(
        &w.tenant.steering,
        "mutation($id: ID!) { updateStructure(input: {id: $id, version: 1, active: false}) { structure { active } } }",
        json!({ "id": w.carrier }),
    )
    .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    let message = referent.next().await.expect("open");
    assert_eq!(ws_code(&message), "UNAUTHENTICATED", "{message}");
    assert!(
        message["payload"]["data"].is_null(),
        "nothing delivered: {message}"
    );
    let done = referent.next().await.expect("open");
    assert_eq!(done["type"], "complete", "{done}");
}

async fn subscribing_spends_the_rate_budget(backend: Backend) {
    // Eight requests per subject at once, one more per minute (the setup's steering fits).
    let app = TestApp::start_with(backend, |vars| {
        vars.insert("PARCOURS_RATE_SUBJECT_PER_MINUTE".into(), "1".into());
        vars.insert("PARCOURS_RATE_SUBJECT_BURST".into(), "8".into());
    })
    .await;
    let w = World::build(&app, "nord").await;
    // The connection spends one request, each subscribe another.
    let mut s = ws::connect(&app.base, &w.referent).await.expect("accepted");
    for i in 0..7 {
        s.subscribe(&format!("s{i}"), SUBSCRIBE).await;
    }
    listening(&app, 7).await;
    s.subscribe("over", SUBSCRIBE).await;
    let message = s.next().await.expect("open");
    assert_eq!(
        (message["id"].as_str(), ws_code(&message).as_str()),
        (Some("over"), "RATE_LIMITED"),
        "{message}"
    );
    // A new connection with a spent budget: try again later (1013), not a refused login.
    match ws::connect(&app.base, &w.referent).await {
        Err(Closed { code, reason }) => {
            assert_eq!(code, 1013, "{reason}");
            assert!(reason.starts_with("RATE_LIMITED"), "{reason}");
        }
        Ok(_) => panic!("a spent budget was not refused"),
    }
}

async fn one_user_holds_at_most_ten_connections(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "nord").await;
    let mut open = Vec::new();
    for _ in 0..10 {
        open.push(ws::connect(&app.base, &w.referent).await.expect("accepted"));
    }
    match ws::connect(&app.base, &w.referent).await {
        Err(Closed { code, reason }) => {
            assert_eq!(code, 1013, "{reason}");
            assert!(reason.contains("at most 10 connections"), "{reason}");
        }
        Ok(_) => panic!("an eleventh connection was accepted"),
    }
    // Another user is not affected.
    ws::connect(&app.base, &w.tenant.steering)
        .await
        .expect("accepted");
    // A closed connection gives its place back (once the server has seen it close).
    drop(open.pop());
    let mut again = None;
    for _ in 0..300 {
        if let Ok(s) = ws::connect(&app.base, &w.referent).await {
            again = Some(s);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(again.is_some(), "the place was never given back");
}

on_both!(
    one_user_holds_at_most_ten_connections,
    subscribing_spends_the_rate_budget,
    a_subscription_ends_when_the_account_is_refused,
    each_change_tells_its_audience,
    reports_and_reminders_tell_steering_and_the_provider,
    the_inbox_is_read_and_marked_by_its_owner_only,
    a_subscriber_hears_its_own_notifications_live,
    subscriptions_are_authenticated_and_bounded,
);

/// Two instances on one PostgreSQL database: an event caused through one reaches a subscriber
/// connected to the other, through `LISTEN/NOTIFY`, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_each_others_notifications() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let a = TestApp::start(backend).await;
    let b = a.replica().await;
    let (one, two) = (
        World::build(&a, "nord").await,
        World::build(&b, "sud").await,
    );
    let mut steering_on_a = ws::connect(&a.base, &one.tenant.steering)
        .await
        .expect("accepted");
    steering_on_a.subscribe("n", SUBSCRIBE).await;
    let mut referent_on_b = ws::connect(&b.base, &two.referent).await.expect("accepted");
    referent_on_b.subscribe("n", SUBSCRIBE).await;
    listening(&a, 1).await;
    listening(&b, 1).await;

    // Through B: a submission; steering hears it on A.
    convention(&b, &one).await;
    let first = steering_on_a.payload("n").await;
    assert_eq!(
        first["data"]["notificationAdded"]["kind"], "SUBMISSION_RECEIVED",
        "{first}"
    );

    // A forged event (anyone who can connect may NOTIFY) names the referent but no committed
    // row: nothing is delivered for it.
    let forged = json!([{
        "tenant_id": global_uuid(&two.tenant.id).expect("tenant"),
        "recipient_id": global_uuid(&two.referent_id).expect("staff"),
        "id": uuid::Uuid::now_v7(),
    }]);
    let outside = sea_orm::Database::connect(a.config.database_owner_url.as_str())
        .await
        .expect("outside connection");
    outside
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_notify('parcours_notifications', $1)",
            [forged.to_string().into()],
        ))
        .await
        .expect("NOTIFY");

    // Through A: an enrolment and a sheet; the referent hears them on B (and first of all
    // these, not the forged one).
    let (cohort_id, _, sheet) = transmitted_sheet(&a, &two).await;
    let accepted = referent_on_b.payload("n").await;
    assert_eq!(
        accepted["data"]["notificationAdded"]["subjectId"], cohort_id,
        "{accepted}"
    );
    let transmitted = referent_on_b.payload("n").await;
    assert_eq!(
        transmitted["data"]["notificationAdded"]["subjectId"], sheet,
        "{transmitted}"
    );

    // Once: steering's next message on A is the reminder sent afterwards, not the submission
    // again.
    parcours_domain::jobs::remind_overdue_reports(&b.db)
        .await
        .expect("reminders");
    let next = steering_on_a.payload("n").await;
    assert_eq!(
        next["data"]["notificationAdded"]["kind"], "REPORT_OVERDUE",
        "{next}"
    );
}

/// One listener per pool, and it stops (with its own connection) when the pool is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_stops_with_its_pool() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    let db = parcours_domain::Db::connect(app.config.database_url.as_str(), &Default::default())
        .await
        .expect("connect");
    let handle = parcours_domain::notifications::listen(&db).expect("a listener on PostgreSQL");
    assert!(
        parcours_domain::notifications::listen(&db).is_none(),
        "one listener per pool"
    );
    db.close().await.expect("close");
    tokio::time::timeout(std::time::Duration::from_secs(30), handle)
        .await
        .expect("the listener stopped")
        .expect("without a panic");
}
