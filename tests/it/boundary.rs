//! Text from outside is checked once, at the boundary, whatever path it takes: GraphQL
//! arguments and input fields (written in the document or sent as variables, searches,
//! filters and cursors included), CSV cells, file names, request ids. NUL, other controls,
//! direction overrides and invisible characters are `VALIDATION` naming the field, identical on
//! both databases, and nothing is written; the joiners that Persian or Indic names need pass.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

/// Characters no field takes, each named.
const HIDDEN: &[(&str, &str)] = &[
    ("NUL", "\u{0}"),
    ("a C0 control", "\u{1}"),
    ("escape", "\u{1b}"),
    ("DEL", "\u{7f}"),
    ("a C1 control", "\u{85}"),
    ("right-to-left override", "\u{202e}"),
    ("left-to-right embedding", "\u{202a}"),
    ("first-strong isolate", "\u{2068}"),
    ("zero-width space", "\u{200b}"),
    ("word joiner", "\u{2060}"),
    ("byte-order mark", "\u{feff}"),
    ("line separator", "\u{2028}"),
    ("a noncharacter", "\u{fffe}"),
    ("a tag character", "\u{e0041}"),
];

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

async fn participant_count(app: &TestApp, steering: &str) -> i64 {
    app.ok(steering, "{ participants { totalCount } }", json!({}))
        .await["participants"]["totalCount"]
        .as_i64()
        .expect("count")
}

/// Hidden characters are refused on every path, naming the field, and nothing is written; the
/// joiners and marks that names need pass.
async fn every_graphql_path_refuses_hidden_characters_with_the_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    let commune = first_commune(&app, &w.referent).await;
    let before = participant_count(&app, steering).await;

    for (what, hidden) in HIDDEN {
        let text = format!("Ann{hidden}e");
        // (path, token, document, variables, field)
        let mut input = participant_input(&commune, "Martin");
        input["lastName"] = json!(text);
        let inline_search = format!(
            "{{ participants(search: {}) {{ edges {{ node {{ id }} }} }} }}",
            serde_json::to_string(&text).expect("json")
        );
        let cases: Vec<(&str, &str, String, Value, &str)> = vec![
            (
                "an input object's field, as a variable",
                &w.referent,
                parcours_tests::CREATE_PARTICIPANT.to_owned(),
                json!({ "input": input }),
                "lastName",
            ),
            (
                "a search written in the document",
                &w.referent,
                inline_search,
                json!({}),
                "search",
            ),
            (
                "a search as a variable",
                &w.referent,
                "query($s: String) { participants(search: $s) { totalCount } }".to_owned(),
                json!({ "s": text }),
                "search",
            ),
            (
                "the audit log's subject",
                steering,
                "query($s: String) { auditLog(subject: $s) { edges { node { action } } } }"
                    .to_owned(),
                json!({ "s": text }),
                "subject",
            ),
            (
                "the access log's filter",
                steering,
                "query($s: String) { accessLog(filter: {subject: $s}) { edges { node { subject } } } }"
                    .to_owned(),
                json!({ "s": text }),
                "subject",
            ),
            (
                "a cursor",
                &w.referent,
                "query($a: String) { participants(after: $a) { totalCount } }".to_owned(),
                json!({ "a": text }),
                "after",
            ),
            (
                "a variable read in a fragment",
                &w.referent,
                "query($s: String) { ...F } fragment F on QueryRoot { participants(search: $s) { totalCount } }"
                    .to_owned(),
                json!({ "s": text }),
                "search",
            ),
            (
                "a default value read in a fragment",
                &w.referent,
                format!(
                    "query($s: String = {}) {{ ...F }} fragment F on QueryRoot {{ participants(search: $s) {{ totalCount }} }}",
                    serde_json::to_string(&text).expect("json")
                ),
                json!({}),
                "search",
            ),
            (
                "a variable's default value",
                &w.referent,
                format!(
                    "query($s: String = {}) {{ participants(search: $s) {{ totalCount }} }}",
                    serde_json::to_string(&text).expect("json")
                ),
                json!({}),
                "search",
            ),
        ];
        for (path, token, query, variables, expected) in cases {
            let (status, body) = app.post(token, &query, variables).await;
            assert_eq!(status, 400, "{what} in {path}: {body}");
            assert_eq!(
                (code(&body), field(&body)),
                ("VALIDATION", expected),
                "{what} in {path}: {body}"
            );
            assert!(body.get("data").is_none(), "{what} in {path}: not executed");
        }
    }
    assert_eq!(
        participant_count(&app, steering).await,
        before,
        "nothing written"
    );

    // Names that need a joiner, a non-joiner or a direction mark are names.
    for name in [
        "\u{645}\u{6cc}\u{631}\u{200c}\u{62d}\u{633}\u{6cc}\u{646}\u{6cc}", // میرحسینی with ZWNJ
        "\u{915}\u{94d}\u{200d}\u{937}",                                    // Devanagari with ZWJ
        "Nguyễn Thị",
        "Łukasiewicz",
    ] {
        let (id, _) = create_participant(&app, &w.referent, {
            let mut input = participant_input(&commune, "x");
            input["lastName"] = json!(name);
            input
        })
        .await;
        let read = app
            .ok(
                &w.referent,
                "query($id: ID!) { node(id: $id) { ... on Participant { lastName } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(read["node"]["lastName"], *name, "stored as sent");
    }
}

/// A one-line field refuses a tab, and text over its own bound or the bound of any text; nothing
/// is written.
async fn tabs_and_over_long_text_are_refused_with_the_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    let commune = first_commune(&app, &w.referent).await;
    let before = participant_count(&app, steering).await;

    // Tab is for multi-line fields only; a one-line name refuses it by its own parse.
    let mut input = participant_input(&commune, "Martin");
    input["lastName"] = json!("Ann\te");
    let (_, body) = app
        .post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!((code(&body), field(&body)), ("VALIDATION", "lastName"));
    // Over-long text: the field's own bound, and the bound of any text.
    let mut input = participant_input(&commune, "Martin");
    input["lastName"] = json!("a".repeat(201));
    let (_, body) = app
        .post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!((code(&body), field(&body)), ("VALIDATION", "lastName"));
    let (status, body) = app
        .post(
            &w.referent,
            "query($s: String) { participants(search: $s) { totalCount } }",
            json!({ "s": "a".repeat(100_001) }),
        )
        .await;
    assert_eq!(
        (status, code(&body), field(&body)),
        (400, "VALIDATION", "search")
    );
    assert_eq!(
        participant_count(&app, steering).await,
        before,
        "nothing written"
    );
}

/// CSV cells and request ids are checked like GraphQL text, and nothing is written.
async fn csv_cells_and_request_ids_are_checked_too(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let steering = &w.tenant.steering;
    let before = participant_count(&app, steering).await;

    // A CSV line with a NUL in its referent cell, another with an override in a name: each
    // line is refused with its column, before any lookup; the file as a whole is read.
    let header = "last_name;first_name;birth_date;gender;commune;authorised_to_work;education_level;consent_date;consent_scope;referent";
    let file = format!(
        "{header}\nMartin;Léa;1990-01-02;F;Chenôve;oui;3;2024-01-02;suivi;ref\u{0}@alpha.example\n\
         Ma\u{202e}rtin;Léa;1990-01-02;F;Chenôve;oui;3;2024-01-02;suivi;\n"
    );
    let response = app
        .client()
        .post(format!("{}/imports/participants?mode=preview", app.base))
        .bearer_auth(steering)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    let preview: Value = response.json().await.expect("json");
    let columns: Vec<Vec<String>> = preview["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        columns,
        vec![vec!["referent".to_owned()], vec!["last_name".to_owned()]],
        "{preview}"
    );

    // Request ids: a plain one is kept, anything else replaced.
    for (sent, kept) in [
        ("abc-123_X.9".to_owned(), true),
        ("a".repeat(64), true),
        ("a".repeat(65), false),
        ("a b".to_owned(), false),
        ("é".to_owned(), false),
        ("a\u{7f}b".to_owned(), false),
    ] {
        let Ok(value) = reqwest::header::HeaderValue::from_bytes(sent.as_bytes()) else {
            continue;
        };
        let response = app
            .client()
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&w.referent)
            .header("x-request-id", value)
            .json(&json!({ "query": "{ participants { totalCount } }" }))
            .send()
            .await
            .expect("sent");
        let echoed = response
            .headers()
            .get("x-request-id")
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        assert_eq!(echoed == sent.as_bytes(), kept, "{sent:?}");
        assert!(
            !echoed.is_empty() && echoed.len() <= 64,
            "an id is always given"
        );
    }
    assert_eq!(
        participant_count(&app, steering).await,
        before,
        "nothing written"
    );
}

/// An attachment's file name is checked like any text, its content against its declared type,
/// and it is served as stored, named both ways, never sniffed.
async fn attachment_names_and_contents_are_checked_too(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;

    // A file name with an override is refused with its field; an executable declared as a
    // PDF is refused for its content.
    let upload = |name: &'static str, content_type: &'static str, body: Vec<u8>| {
        app.client()
            .post(format!("{}/attachments", app.base))
            .query(&[("filename", name)])
            .bearer_auth(&w.provider)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let pdf = b"%PDF-1.4\n% test\n".to_vec();
    let response = upload("facture\u{202e}fdp.exe", "application/pdf", pdf.clone())
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!((code(&body), field(&body)), ("VALIDATION", "filename"));
    for (what, content_type, body) in [
        (
            "an executable as a PDF",
            "application/pdf",
            b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec(),
        ),
        ("a PNG as a PDF", "application/pdf", {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend_from_slice(&[0; 16]);
            png
        }),
        ("a PDF as text", "text/plain", pdf.clone()),
        ("binary as text", "text/csv", vec![0, 159, 146, 150]),
        ("text as a JPEG", "image/jpeg", b"just text".to_vec()),
    ] {
        let response = upload("budget.pdf", content_type, body)
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), 415, "{what}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(code(&body), "CONTENT_TYPE_MISMATCH", "{what}: {body}");
    }
    // A real PDF with an accented name: served as stored, named both ways, never sniffed.
    let response = upload("budget prévisionnel «2026».pdf", "application/pdf", pdf)
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let stored: Value = response.json().await.expect("json");
    let download = app
        .client()
        .get(format!(
            "{}/attachments/{}",
            app.base,
            stored["id"].as_str().expect("id")
        ))
        .bearer_auth(&w.provider)
        .send()
        .await
        .expect("sent");
    assert_eq!(download.status().as_u16(), 200);
    let header = |name: &str| {
        download
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"budget pr_visionnel _2026_.pdf\"; \
         filename*=UTF-8''budget%20pr%C3%A9visionnel%20%C2%AB2026%C2%BB.pdf"
    );
    assert_eq!(
        text_of(&header("content-disposition")),
        "budget prévisionnel «2026».pdf"
    );
}

/// The name a `filename*` parameter carries, decoded.
fn text_of(disposition: &str) -> String {
    let encoded = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .expect("filename*");
    let mut bytes = Vec::new();
    let mut chars = encoded.bytes();
    while let Some(b) = chars.next() {
        if b == b'%' {
            let hex: Vec<u8> = chars.by_ref().take(2).collect();
            let hex = std::str::from_utf8(&hex).expect("hex");
            bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).expect("UTF-8")
}

async fn values_the_library_refuses_name_their_field_and_dates_are_bounded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for (date, accepted) in [
        ("0000-01-01", false),
        ("1899-12-31", false),
        ("1900-01-01", true),
        ("2099-12-31", true),
        ("2100-01-01", false),
        ("9999-12-31", false),
        ("31/12/1990", false),
    ] {
        let mut input = participant_input(&commune, "Bornes");
        input["birthDate"] = json!(date);
        let (status, body) = app
            .post(
                &w.referent,
                parcours_tests::CREATE_PARTICIPANT,
                json!({ "input": input }),
            )
            .await;
        if accepted {
            // The date passes the scalar (200); the domain may still refuse the birth date
            // for its own rules (in the future, under 16), with its own message.
            assert_eq!(status, 200, "{date}: {body}");
            assert!(!body.to_string().contains("outside"), "{date}: {body}");
        } else {
            assert_eq!(status, 400, "{date}: {body}");
            assert_eq!(
                (code(&body), field(&body)),
                ("VALIDATION", "birthDate"),
                "{date}: {body}"
            );
        }
    }
    let call = |budget: &str| {
        format!(
            "mutation {{ createCall(input: {{reference: \"AAP\", title: \"T\", summary: \"s\", specification: \"x\",
            budgetCap: \"{budget}\", targetParticipantsPerYear: 120, groupSizeMin: 8, groupSizeMax: 12, cadenceWeeks: 3,
            opens: {{date: \"2027-12-07\", time: \"09:00\"}}, deadline: {{date: \"2027-12-21\", time: \"17:00\"}}, questions: []}}) {{ call {{ id }} }} }}"
        )
    };
    for budget in ["40000.005", "1e5", "-0.001"] {
        let (status, body) = app.post(&w.tenant.steering, &call(budget), json!({})).await;
        assert_eq!(status, 400, "{budget}: {body}");
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "budgetCap"),
            "{budget}: {body}"
        );
    }
}

async fn a_cursor_is_read_only_by_the_list_sort_and_filter_it_was_made_for(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for name in ["Abel", "Bruni", "Chen"] {
        create_participant(&app, &w.referent, participant_input(&commune, name)).await;
    }
    let steering = &w.tenant.steering;
    let list = "query($sort: ParticipantSort, $search: String, $after: String) {
        participants(first: 1, sort: $sort, search: $search, after: $after) {
            edges { cursor node { lastName } } } }";
    let first = app.ok(steering, list, json!({ "sort": "NAME" })).await;
    let cursor = first["participants"]["edges"][0]["cursor"].clone();
    let next = app
        .ok(steering, list, json!({ "sort": "NAME", "after": cursor }))
        .await;
    assert_eq!(
        next["participants"]["edges"][0]["node"]["lastName"], "Bruni",
        "the same list reads its cursor"
    );
    for (what, variables) in [
        (
            "another sort",
            json!({ "sort": "ENTRY_DATE", "after": cursor }),
        ),
        (
            "another filter",
            json!({ "sort": "NAME", "search": "b", "after": cursor }),
        ),
        (
            "no cursor at all",
            json!({ "sort": "NAME", "after": "bm90IGEgY3Vyc29y" }),
        ),
    ] {
        let (_, body) = app.post(steering, list, variables).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "after"),
            "{what}: {body}"
        );
    }
    let audit = app
        .ok(
            steering,
            "{ auditLog(first: 1) { edges { cursor } } }",
            json!({}),
        )
        .await;
    let audit_cursor = audit["auditLog"]["edges"][0]["cursor"].clone();
    let (_, body) = app
        .post(
            steering,
            list,
            json!({ "sort": "NAME", "after": audit_cursor }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "after"),
        "another list: {body}"
    );
    let (_, body) = app
        .post(
            steering,
            "query($after: String) { staff(after: $after) { totalCount } }",
            json!({ "after": audit_cursor }),
        )
        .await;
    assert_eq!(
        (code(&body), field(&body)),
        ("VALIDATION", "after"),
        "another list: {body}"
    );
    // A structure's staff list reads only its own cursors, not another structure's nor the
    // tenant-wide list's.
    let staff_of = "query($id: ID!, $after: String) { node(id: $id) { ... on Structure {
        staff(first: 1, after: $after) { edges { cursor } } } } }";
    let carrier_cursor = app
        .ok(steering, staff_of, json!({ "id": w.carrier }))
        .await["node"]["staff"]["edges"][0]["cursor"]
        .clone();
    app.ok(
        steering,
        staff_of,
        json!({ "id": w.carrier, "after": carrier_cursor }),
    )
    .await;
    for (what, id, after) in [
        (
            "another structure's",
            &w.provider_structure,
            carrier_cursor.clone(),
        ),
        (
            "the tenant's list",
            &w.carrier,
            app.ok(
                steering,
                "{ staff(first: 1) { edges { cursor } } }",
                json!({}),
            )
            .await["staff"]["edges"][0]["cursor"]
                .clone(),
        ),
    ] {
        let (_, body) = app
            .post(steering, staff_of, json!({ "id": id, "after": after }))
            .await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "after"),
            "{what}: {body}"
        );
    }
}

on_both!(
    a_cursor_is_read_only_by_the_list_sort_and_filter_it_was_made_for,
    every_graphql_path_refuses_hidden_characters_with_the_field,
    values_the_library_refuses_name_their_field_and_dates_are_bounded,
    tabs_and_over_long_text_are_refused_with_the_field,
    csv_cells_and_request_ids_are_checked_too,
    attachment_names_and_contents_are_checked_too,
);
