//! Calls for projects, submissions, decisions and conventions, with the service's clock set by
//! the test: the seed call's deadline is 21 December 2017, 17:00 Paris time.

use parcours_domain::Role;
use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

const CREATE_CALL: &str = "mutation($input: CallFieldsInput!) { createCall(input: $input) { call { id version status } } }";
const PUBLISH: &str = "mutation($id: ID!, $v: Int!) { publishCall(input: {id: $id, version: $v}) { call { status version deadlineAt deadlineParis { date time } } } }";
const CREATE_SUB: &str = "mutation($input: CreateSubmissionInput!) { createSubmission(input: $input) { submission { id version status } } }";
const UPDATE_SUB: &str = "mutation($input: UpdateSubmissionInput!) { updateSubmission(input: $input) { submission { id version } } }";
const SUBMIT: &str = "mutation($id: ID!, $v: Int!) { submitSubmission(input: {id: $id, version: $v}) { submission { status version receipt { number receivedAt } } } }";
const WITHDRAW: &str = "mutation($id: ID!, $v: Int!) { withdrawSubmission(input: {id: $id, version: $v}) { submission { status version } } }";
const DECIDE: &str = "mutation($id: ID!, $v: Int!, $ok: Boolean!, $on: Date = \"2018-01-10\") { recordDecision(input: {id: $id, version: $v, accepted: $ok, reason: \"Avis du comité\", committeeDate: $on}) { submission { status version decisionReason } } }";

fn call_input(deadline_date: &str, opens_date: &str) -> Value {
    json!({ "input": {
        "reference": format!("AAP-{deadline_date}"), "title": "Action de remobilisation autour des compétences",
        "summary": "Remobilisation, diagnostics FLE, mobilité et CléA", "specification": "# Cahier des charges\n\n120 participants par an.",
        "budgetCap": "40000.00", "targetParticipantsPerYear": 120, "groupSizeMin": 8, "groupSizeMax": 12, "cadenceWeeks": 3,
        "opens": { "date": opens_date, "time": "09:00" }, "deadline": { "date": deadline_date, "time": "17:00" },
        "expectedStart": "2018-02-01",
        "questions": [{ "text": "Présentation de la structure" }, { "text": "Méthode pédagogique" }, { "text": "Partenariats", "required": false }],
    }})
}

struct Setup {
    app: TestApp,
    w: World,
    provider_b: String,
    call: String,
}

/// A published seed call, with two provider structures.
async fn setup(backend: Backend, deadline: &str, opens: &str, now: &str) -> Setup {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let structure_b = app.structure(&w.tenant, "Provider B", "PROVIDER").await;
    let (_, provider_b) = app
        .staff(&w.tenant, Role::Provider, "b@alpha.example", &structure_b)
        .await;
    app.set_now(Some(now));
    let created = app
        .ok(&w.tenant.steering, CREATE_CALL, call_input(deadline, opens))
        .await;
    let call = created["createCall"]["call"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.ok(&w.tenant.steering, PUBLISH, json!({ "id": call, "v": 1 }))
        .await;
    Setup {
        app,
        w,
        provider_b,
        call,
    }
}

async fn draft(app: &TestApp, provider: &str, call: &str, amount: &str) -> String {
    let data = app
        .ok(provider, CREATE_SUB, json!({ "input": { "callId": call, "requestedAmount": amount,
            "answers": [{ "key": "q1", "text": "Association créée en 1995" }, { "key": "q2", "text": "Ateliers en petits groupes" }] } }))
        .await;
    data["createSubmission"]["submission"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A call's responses, each the structure's own, are submitted with numbered receipts before
/// the deadline, then reviewed and decided by steering once the call closes by itself.
async fn a_call_is_answered_then_decided(backend: Backend) {
    let Setup {
        app,
        w,
        provider_b,
        call,
    } = setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let steering = &w.tenant.steering;
    let published = app.ok(&w.provider, "query($id: ID!) { node(id: $id) { ... on CallForProjects { status budgetCap deadlineAt deadlineParis { date time } questions { key required } } } }", json!({ "id": call })).await;
    assert_eq!(published["node"]["status"], "PUBLISHED");
    assert_eq!(published["node"]["budgetCap"], "40000.00");
    assert_eq!(
        published["node"]["deadlineAt"], "2017-12-21T16:00:00+00:00",
        "17:00 in Paris is 16:00 UTC in winter"
    );
    assert_eq!(
        published["node"]["deadlineParis"],
        json!({ "date": "2017-12-21", "time": "17:00" })
    );

    let a = draft(&app, &w.provider, &call, "40000.00").await;
    let b = draft(&app, &provider_b, &call, "39000.50").await;
    let (_, body) = app
        .post(
            &w.provider,
            CREATE_SUB,
            json!({ "input": { "callId": call } }),
        )
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "one response per structure and call: {body}"
    );
    let ra = app
        .ok(&w.provider, SUBMIT, json!({ "id": a, "v": 1 }))
        .await;
    let rb = app
        .ok(&provider_b, SUBMIT, json!({ "id": b, "v": 1 }))
        .await;
    assert_eq!(ra["submitSubmission"]["submission"]["receipt"]["number"], 1);
    assert_eq!(
        ra["submitSubmission"]["submission"]["receipt"]["receivedAt"],
        "2017-12-10T10:00:00+00:00"
    );
    assert_eq!(rb["submitSubmission"]["submission"]["receipt"]["number"], 2);

    // Providers see only their own; referents see no call and no submission.
    let (_, body) = app
        .post(
            &provider_b,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND");
    let own = app
        .ok(&provider_b, "{ submissions { totalCount } }", json!({}))
        .await;
    assert_eq!(own["submissions"]["totalCount"], 1);
    for q in [
        "{ callsForProjects { totalCount } }",
        "{ submissions { totalCount } }",
        "{ conventions { totalCount } }",
    ] {
        let (_, body) = app.post(&w.referent, q, json!({})).await;
        assert_eq!(code(&body), "FORBIDDEN", "{q}: {body}");
    }
    let (_, body) = app
        .post(&w.provider, DECIDE, json!({ "id": a, "v": 2, "ok": true }))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "a provider does not decide");

    app.ok(steering, "mutation($id: ID!) { startReview(input: {id: $id, version: 2}) { submission { status } } }", json!({ "id": a })).await;
    app.set_now(Some("2018-01-15T10:00:00Z"));
    let closed = app
        .ok(
            steering,
            "query($id: ID!) { node(id: $id) { ... on CallForProjects { status } } }",
            json!({ "id": call }),
        )
        .await;
    assert_eq!(
        closed["node"]["status"], "CLOSED",
        "closed by itself at the deadline"
    );
    app.ok(steering, DECIDE, json!({ "id": a, "v": 3, "ok": true }))
        .await;
    app.ok(steering, DECIDE, json!({ "id": b, "v": 2, "ok": false }))
        .await;
    let decided = app
        .ok(
            steering,
            "query($id: ID!) { node(id: $id) { ... on CallForProjects { status } } }",
            json!({ "id": call }),
        )
        .await;
    assert_eq!(decided["node"]["status"], "DECIDED");
    let seen = app
        .ok(
            &provider_b,
            "query($id: ID!) { node(id: $id) { ... on Submission { status decisionReason } } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(
        seen["node"],
        json!({ "status": "REJECTED", "decisionReason": "Avis du comité" })
    );
}

/// The seed call closed on 15 January 2018 with the provider's response accepted and provider
/// B's rejected: (setup, accepted, rejected).
async fn one_response_accepted_and_one_rejected(backend: Backend) -> (Setup, String, String) {
    let setup = setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let (app, w, steering) = (&setup.app, &setup.w, &setup.w.tenant.steering);
    let a = draft(app, &w.provider, &setup.call, "40000.00").await;
    let b = draft(app, &setup.provider_b, &setup.call, "39000.50").await;
    app.ok(&w.provider, SUBMIT, json!({ "id": a, "v": 1 }))
        .await;
    app.ok(&setup.provider_b, SUBMIT, json!({ "id": b, "v": 1 }))
        .await;
    app.ok(steering, "mutation($id: ID!) { startReview(input: {id: $id, version: 2}) { submission { status } } }", json!({ "id": a })).await;
    app.set_now(Some("2018-01-15T10:00:00Z"));
    app.ok(steering, DECIDE, json!({ "id": a, "v": 3, "ok": true }))
        .await;
    app.ok(steering, DECIDE, json!({ "id": b, "v": 2, "ok": false }))
        .await;
    (setup, a, b)
}

/// An accepted response, and only it, becomes a convention with its report calendar; the
/// convention is amended up to two renewals and is its structure's alone.
async fn an_accepted_response_becomes_an_amended_convention(backend: Backend) {
    let (
        Setup {
            app, w, provider_b, ..
        },
        a,
        b,
    ) = one_response_accepted_and_one_rejected(backend).await;
    let steering = &w.tenant.steering;
    let (_, body) = app
        .post(steering, "mutation($id: ID!) { createConvention(input: {submissionId: $id, startDate: \"2018-02-01\"}) { convention { id } } }", json!({ "id": b }))
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "no convention for a rejected submission"
    );
    let conv = app
        .ok(steering, "mutation($id: ID!) { createConvention(input: {submissionId: $id, startDate: \"2018-02-01\"}) { convention { id number amount startDate endDate renewals reportCalendar { kind due withBudgetStatement } } } }", json!({ "id": a }))
        .await;
    let c = &conv["createConvention"]["convention"];
    assert_eq!(
        (
            c["amount"].clone(),
            c["startDate"].clone(),
            c["endDate"].clone()
        ),
        (json!("40000.00"), json!("2018-02-01"), json!("2019-01-31"))
    );
    assert_eq!(c["number"], "CONV-2018-0001");
    assert_eq!(
        c["reportCalendar"],
        json!([
            { "kind": "FIRST_QUARTER", "due": "2018-05-01", "withBudgetStatement": false },
            { "kind": "MID_TERM", "due": "2018-08-02", "withBudgetStatement": true },
            { "kind": "FINAL", "due": "2019-02-28", "withBudgetStatement": true },
        ]),
        "one kind for the calendar and Report.kind"
    );
    let id = c["id"].clone();
    let amend = "mutation($id: ID!, $v: Int!) { addAmendment(input: {conventionId: $id, version: $v, kind: EXTENSION, description: \"Reconduction\", signedOn: \"2019-01-10\"}) { convention { endDate renewals version } } }";
    let first = app.ok(steering, amend, json!({ "id": id, "v": 1 })).await;
    assert_eq!(
        first["addAmendment"]["convention"],
        json!({ "endDate": "2020-01-31", "renewals": 1, "version": 2 })
    );
    app.ok(steering, amend, json!({ "id": id, "v": 2 })).await;
    let (_, body) = app.post(steering, amend, json!({ "id": id, "v": 3 })).await;
    assert_eq!(code(&body), "RENEWAL_LIMIT", "a third renewal: {body}");
    let budget = app
        .ok(steering, "mutation($id: ID!) { addAmendment(input: {conventionId: $id, version: 3, kind: BUDGET_CHANGE, description: \"Ajustement\", signedOn: \"2019-06-01\", newAmount: \"38500.00\"}) { convention { amount amendments { kind newAmount } } } }", json!({ "id": id }))
        .await;
    assert_eq!(budget["addAmendment"]["convention"]["amount"], "38500.00");
    assert_eq!(
        budget["addAmendment"]["convention"]["amendments"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let own = app
        .ok(
            &w.provider,
            "{ conventions { totalCount edges { node { number } } } }",
            json!({}),
        )
        .await;
    assert_eq!(own["conventions"]["totalCount"], 1);
    let (_, body) = app
        .post(
            &provider_b,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "another structure's convention");
}

async fn submitting_on_both_sides_of_the_deadline(backend: Backend) {
    // (deadline day, last second before 17:00 Paris, 17:00 Paris) — winter, and both
    // daylight-saving change days of 2024.
    for (day, before, at) in [
        ("2017-12-21", "2017-12-21T15:59:59Z", "2017-12-21T16:00:00Z"),
        ("2024-03-31", "2024-03-31T14:59:59Z", "2024-03-31T15:00:00Z"),
        ("2024-10-27", "2024-10-27T15:59:59Z", "2024-10-27T16:00:00Z"),
    ] {
        let opens = "2017-01-02";
        let s = setup(backend.clone(), day, opens, "2017-06-01T10:00:00Z").await;
        let a = draft(&s.app, &s.w.provider, &s.call, "1000.00").await;
        let b = draft(&s.app, &s.provider_b, &s.call, "1000.00").await;
        s.app.set_now(Some(before));
        let ok = s
            .app
            .ok(&s.w.provider, SUBMIT, json!({ "id": a, "v": 1 }))
            .await;
        assert_eq!(
            ok["submitSubmission"]["submission"]["status"], "SUBMITTED",
            "{day} {before}"
        );
        s.app.set_now(Some(at));
        let (_, body) = s
            .app
            .post(&s.provider_b, SUBMIT, json!({ "id": b, "v": 1 }))
            .await;
        assert_eq!(code(&body), "DEADLINE_PASSED", "{day} {at}: {body}");
        let (_, body) = s
            .app
            .post(&s.w.provider, WITHDRAW, json!({ "id": a, "v": 2 }))
            .await;
        assert_eq!(
            code(&body),
            "DEADLINE_PASSED",
            "withdrawing after the deadline: {body}"
        );
    }
}

async fn the_cap_the_required_answers_and_a_submitted_response(backend: Backend) {
    let Setup {
        app,
        w,
        provider_b,
        call,
    } = setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let over = draft(&app, &provider_b, &call, "40000.01").await;
    let (_, body) = app
        .post(&provider_b, SUBMIT, json!({ "id": over, "v": 1 }))
        .await;
    assert_eq!(
        code(&body),
        "BUDGET_EXCEEDED",
        "one cent above the cap: {body}"
    );
    let fixed = app.ok(&provider_b, UPDATE_SUB, json!({ "input": { "id": over, "version": 1, "requestedAmount": "40000.00",
        "budgetLines": [{ "label": "Formateurs", "amount": "30000.00" }, { "label": "Locaux", "amount": "10000.00" }] } })).await;
    assert_eq!(fixed["updateSubmission"]["submission"]["version"], 2);
    let ok = app
        .ok(&provider_b, SUBMIT, json!({ "id": over, "v": 2 }))
        .await;
    assert_eq!(
        ok["submitSubmission"]["submission"]["status"], "SUBMITTED",
        "equal to the cap"
    );

    let data = app.ok(&w.provider, CREATE_SUB, json!({ "input": { "callId": call, "requestedAmount": "100.00", "answers": [{ "key": "q2", "text": "Méthode" }] } })).await;
    let a = data["createSubmission"]["submission"]["id"].clone();
    let (_, body) = app
        .post(&w.provider, SUBMIT, json!({ "id": a, "v": 1 }))
        .await;
    assert_eq!(
        (
            code(&body),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("VALIDATION", Some("answers.q1")),
        "{body}"
    );
    for (name, input, expected) in [
        (
            "three decimals",
            json!({ "id": a, "version": 1, "requestedAmount": "10.001" }),
            "VALIDATION",
        ),
        (
            "a float",
            json!({ "id": a, "version": 1, "requestedAmount": 10.5 }),
            "VALIDATION",
        ),
        (
            "negative",
            json!({ "id": a, "version": 1, "requestedAmount": "-1" }),
            "VALIDATION",
        ),
        (
            "unknown question",
            json!({ "id": a, "version": 1, "answers": [{ "key": "q9", "text": "x" }] }),
            "VALIDATION",
        ),
        (
            "lines not adding up",
            json!({ "id": a, "version": 1, "budgetLines": [{ "label": "x", "amount": "1.00" }] }),
            "VALIDATION",
        ),
    ] {
        let (_, body) = app
            .post(&w.provider, UPDATE_SUB, json!({ "input": input }))
            .await;
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    app.ok(&w.provider, UPDATE_SUB, json!({ "input": { "id": a, "version": 1, "answers": [{ "key": "q1", "text": "Présentation" }] } })).await;
    app.ok(&w.provider, SUBMIT, json!({ "id": a, "v": 2 }))
        .await;
    let (_, body) = app
        .post(
            &w.provider,
            UPDATE_SUB,
            json!({ "input": { "id": a, "version": 3, "requestedAmount": "1.00" } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "editing after submission: {body}");
    let withdrawn = app
        .ok(&w.provider, WITHDRAW, json!({ "id": a, "v": 3 }))
        .await;
    assert_eq!(
        withdrawn["withdrawSubmission"]["submission"]["status"], "WITHDRAWN",
        "before the deadline"
    );
}

async fn twenty_concurrent_submissions_get_twenty_receipt_numbers(backend: Backend) {
    let Setup { app, w, call, .. } =
        setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let mut drafts = Vec::new();
    for i in 0..20 {
        let s = app
            .structure(&w.tenant, &format!("Opérateur {i}"), "PROVIDER")
            .await;
        let (_, token) = app
            .staff(
                &w.tenant,
                Role::Provider,
                &format!("op{i}@alpha.example"),
                &s,
            )
            .await;
        let id = draft(&app, &token, &call, "1000.00").await;
        drafts.push((token, id));
    }
    let answers = futures_util::future::join_all(
        drafts
            .iter()
            .map(|(token, id)| app.post(token, SUBMIT, json!({ "id": id, "v": 1 }))),
    )
    .await;
    let mut numbers: Vec<i64> = answers
        .iter()
        .map(|(_, b)| {
            b["data"]["submitSubmission"]["submission"]["receipt"]["number"]
                .as_i64()
                .unwrap_or_else(|| panic!("{b}"))
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>(), "distinct, gapless");
}

async fn a_withdrawal_racing_a_decision_has_one_winner(backend: Backend) {
    let Setup { app, w, call, .. } =
        setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let a = draft(&app, &w.provider, &call, "1000.00").await;
    app.ok(&w.provider, SUBMIT, json!({ "id": a, "v": 1 }))
        .await;
    let (withdraw, decide) = tokio::join!(
        app.post(&w.provider, WITHDRAW, json!({ "id": a, "v": 2 })),
        app.post(
            &w.tenant.steering,
            DECIDE,
            json!({ "id": a, "v": 2, "ok": true, "on": "2017-12-10" })
        ),
    );
    let ok = [
        withdraw.1.get("errors").is_none(),
        decide.1.get("errors").is_none(),
    ];
    assert_eq!(
        ok.iter().filter(|x| **x).count(),
        1,
        "{} {}",
        withdraw.1,
        decide.1
    );
    let loser = if ok[0] { &decide.1 } else { &withdraw.1 };
    assert_eq!(code(loser), "CONFLICT", "{loser}");
}

on_both!(
    a_call_is_answered_then_decided,
    an_accepted_response_becomes_an_amended_convention,
    submitting_on_both_sides_of_the_deadline,
    the_cap_the_required_answers_and_a_submitted_response,
    twenty_concurrent_submissions_get_twenty_receipt_numbers,
    a_withdrawal_racing_a_decision_has_one_winner,
);

async fn attachments_are_capped_typed_and_read_by_their_structure_and_steering(backend: Backend) {
    let Setup {
        app,
        w,
        provider_b,
        call,
    } = setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let upload = |token: &str, content_type: &str, body: Vec<u8>| {
        app.client()
            .post(format!(
                "{}/attachments?filename=budget%20pr%C3%A9visionnel.pdf",
                app.base
            ))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let pdf = b"%PDF-1.4\n% test\n".to_vec();
    let response = upload(&w.provider, "application/pdf", pdf.clone())
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let stored: Value = response.json().await.expect("json");
    assert_eq!(stored["filename"], "budget prévisionnel.pdf");
    let file = stored["id"].as_str().expect("id").to_owned();

    for (name, token, content_type, body, status) in [
        (
            "over the cap",
            w.provider.clone(),
            "application/pdf",
            vec![b'x'; 10 * 1024 * 1024 + 1],
            413,
        ),
        (
            "a forbidden type",
            w.provider.clone(),
            "text/html",
            b"<script>".to_vec(),
            415,
        ),
        (
            "a referent",
            w.referent.clone(),
            "application/pdf",
            pdf.clone(),
            403,
        ),
        (
            "no token",
            String::new(),
            "application/pdf",
            pdf.clone(),
            401,
        ),
    ] {
        let response = upload(&token, content_type, body).await.expect("sent");
        assert_eq!(response.status().as_u16(), status, "{name}");
    }

    let download = |token: String| {
        let url = format!("{}/attachments/{file}", app.base);
        let client = app.client().clone();
        async move {
            let r = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("sent");
            (
                r.status().as_u16(),
                r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            )
        }
    };
    let sub = app
        .ok(
            &w.provider,
            CREATE_SUB,
            json!({ "input": { "callId": call, "requestedAmount": "100.00", "attachmentIds": [file],
            "answers": [{ "key": "q1", "text": "a" }, { "key": "q2", "text": "b" }] } }),
        )
        .await["createSubmission"]["submission"]["id"]
        .clone();
    assert_eq!(
        download(w.provider.clone()).await,
        (200, pdf.clone()),
        "its structure reads it"
    );
    assert_eq!(
        download(w.tenant.steering.clone()).await.0,
        404,
        "steering does not read drafts"
    );
    assert_eq!(
        download(provider_b.clone()).await.0,
        404,
        "another structure"
    );
    assert_eq!(download(w.referent.clone()).await.0, 404, "a referent");
    app.ok(&w.provider, SUBMIT, json!({ "id": sub, "v": 1 }))
        .await;
    assert_eq!(
        download(w.tenant.steering.clone()).await,
        (200, pdf),
        "steering reads submitted files"
    );
    // The attachment is a node, for whoever may download it.
    let node = "query($id: ID!) { node(id: $id) { __typename ... on Attachment { id filename sizeBytes } } }";
    for token in [&w.provider, &w.tenant.steering] {
        let data = app.ok(token, node, json!({ "id": file })).await;
        assert_eq!(
            data["node"],
            json!({ "__typename": "Attachment", "id": file, "filename": "budget prévisionnel.pdf", "sizeBytes": 16 })
        );
    }
    for token in [&provider_b, &w.referent] {
        let (_, body) = app.post(token, node, json!({ "id": file })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{body}");
    }
    let listed = app
        .ok(&w.tenant.steering, "query($id: ID!) { node(id: $id) { ... on Submission { attachments { filename contentType sizeBytes } } } }", json!({ "id": sub }))
        .await;
    assert_eq!(
        listed["node"]["attachments"][0]["contentType"],
        "application/pdf"
    );
    // Another structure cannot attach someone else's file.
    let (_, body) = app
        .post(
            &provider_b,
            CREATE_SUB,
            json!({ "input": { "callId": call, "attachmentIds": [file] } }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

on_both!(attachments_are_capped_typed_and_read_by_their_structure_and_steering);

async fn other_structures_and_tenants_see_nothing_of_a_response(backend: Backend) {
    let Setup {
        app,
        w,
        provider_b,
        call,
    } = setup(backend, "2017-12-21", "2017-12-07", "2017-12-10T10:00:00Z").await;
    let foreign = World::build(&app, "beta").await;
    let a = draft(&app, &w.provider, &call, "1000.00").await;
    let node = "query($id: ID!) { node(id: $id) { id } }";
    for (name, token, id) in [
        ("provider B reads A's draft", &provider_b, &a),
        ("steering reads a draft", &w.tenant.steering, &a),
        (
            "foreign steering reads the call",
            &foreign.tenant.steering,
            &call,
        ),
        ("foreign provider reads the call", &foreign.provider, &call),
    ] {
        let (_, body) = app.post(token, node, json!({ "id": id })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{name}: {body}");
    }
    for (name, token, q, vars) in [
        (
            "provider B edits A's draft",
            &provider_b,
            UPDATE_SUB,
            json!({ "input": { "id": a, "version": 1, "requestedAmount": "1.00" } }),
        ),
        (
            "provider B submits A's draft",
            &provider_b,
            SUBMIT,
            json!({ "id": a, "v": 1 }),
        ),
        (
            "a foreign provider answers the call",
            &foreign.provider,
            CREATE_SUB,
            json!({ "input": { "callId": call } }),
        ),
        (
            "foreign steering decides",
            &foreign.tenant.steering,
            DECIDE,
            json!({ "id": a, "v": 1, "ok": true }),
        ),
    ] {
        let (_, body) = app.post(token, q, vars).await;
        assert_eq!(code(&body), "NOT_FOUND", "{name}: {body}");
    }
    let (_, body) = app
        .post(
            &w.referent,
            CREATE_SUB,
            json!({ "input": { "callId": call } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "a referent answers no call");
    let (_, body) = app
        .post(
            &w.provider,
            CREATE_CALL,
            call_input("2018-12-21", "2018-12-01"),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "a provider writes no call");
    let mine = app
        .ok(
            &w.provider,
            "query($id: ID!) { node(id: $id) { ... on Submission { requestedAmount version } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(
        mine["node"],
        json!({ "requestedAmount": "1000.00", "version": 1 }),
        "nothing changed"
    );
}

on_both!(other_structures_and_tenants_see_nothing_of_a_response);
