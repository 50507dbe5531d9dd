//! Bulk import of participants over HTTP: a preview that lists each line's errors and writes
//! nothing, an all-or-nothing import, files refused whole (encoding, columns), another tenant's
//! participant, who may import, the transport's limits, and two imports at once.

use std::collections::BTreeMap;

use parcours_domain::Role;
use parcours_tests::{
    Backend, TenantFixture, TestApp, code, create_participant, on_both, participant_input,
};
use serde_json::{Value, json};

/// Every column, in the order the tests write them.
const HEADER: &str = "id;last_name;first_name;birth_date;gender;email;phone;postal_address;commune;\
    long_term_job_seeker;rsa_beneficiary;priority_neighbourhood;recognised_disability;\
    authorised_to_work;education_level;consent_date;consent_scope;entry_date;referent";

/// Every test reads the same day: ages and "not in the future" are then fixed.
const NOW: &str = "2025-06-02T10:00:00Z";

/// A tenant whose communes carry accents and INSEE codes, with a referent and a provider.
struct Territory {
    tenant: TenantFixture,
    referent_subject: String,
    referent: String,
    provider: String,
}

async fn territory(app: &TestApp, slug: &str) -> Territory {
    let steering_subject = format!("steering@{slug}.example");
    let data = app
        .ok(
            &app.admin(),
            "mutation($input: CreateTenantInput!) { createTenant(input: $input) {
                tenant { id } steeringBody { id } firstSteering { id } } }",
            json!({ "input": {
                "slug": slug, "name": format!("PLIE {slug}"),
                "communes": [
                    { "name": "Chenôve", "inseeCode": "21166", "priorityNeighbourhoods": ["Le Mail"] },
                    { "name": "Dijon", "inseeCode": "21231" },
                ],
                "steeringBodyName": format!("Animation {slug}"),
                "firstSteering": { "subject": steering_subject, "displayName": "Direction",
                                   "email": steering_subject },
            }}),
        )
        .await;
    let created = &data["createTenant"];
    let id = |v: &Value| v.as_str().expect("id").to_owned();
    let tenant = TenantFixture {
        slug: slug.to_owned(),
        id: id(&created["tenant"]["id"]),
        steering_body: id(&created["steeringBody"]["id"]),
        steering_staff: id(&created["firstSteering"]["id"]),
        steering: app.token(Some(slug), Role::Steering, &steering_subject, None),
        steering_subject,
    };
    let carrier = app
        .structure(&tenant, &format!("Carrier {slug}"), "REFERENT_CARRIER")
        .await;
    let referent_subject = format!("ref@{slug}.example");
    let (_, referent) = app
        .staff(&tenant, Role::Referent, &referent_subject, &carrier)
        .await;
    let provider_structure = app
        .structure(&tenant, &format!("Provider {slug}"), "PROVIDER")
        .await;
    let (_, provider) = app
        .staff(
            &tenant,
            Role::Provider,
            &format!("prov@{slug}.example"),
            &provider_structure,
        )
        .await;
    Territory {
        tenant,
        referent_subject,
        referent,
        provider,
    }
}

/// A line that creates an eligible participant; tests change cells of it.
fn good(t: &Territory, last_name: &str) -> BTreeMap<&'static str, String> {
    [
        ("last_name", last_name),
        ("first_name", "Zoé"),
        ("birth_date", "17/05/1990"),
        ("gender", "F"),
        ("phone", "06 12 34 56 78"),
        ("postal_address", "3 rue des Lilas, 21300 Chenôve"),
        ("commune", "Chenôve"),
        ("long_term_job_seeker", "oui"),
        ("rsa_beneficiary", "non"),
        ("priority_neighbourhood", "0"),
        ("authorised_to_work", "oui"),
        ("education_level", "3"),
        ("consent_date", "2025-05-01"),
        ("consent_scope", "suivi de parcours; données FSE"),
        ("entry_date", "2025-05-02"),
        ("referent", t.referent_subject.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn with(
    mut row: BTreeMap<&'static str, String>,
    changes: &[(&'static str, &str)],
) -> BTreeMap<&'static str, String> {
    for (k, v) in changes {
        row.insert(k, (*v).to_owned());
    }
    row
}

/// The file: `;`-separated, a field quoted when it holds `;` or `"`.
fn csv(rows: &[BTreeMap<&'static str, String>]) -> String {
    let mut out = format!("{HEADER}\n");
    for row in rows {
        let cells: Vec<String> = HEADER
            .split(';')
            .map(|c| {
                let v = row.get(c).cloned().unwrap_or_default();
                if v.contains([';', '"']) {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v
                }
            })
            .collect();
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

async fn send(
    app: &TestApp,
    token: &str,
    mode: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut request = app
        .client()
        .post(format!("{}/imports/participants?mode={mode}", app.base))
        .header("content-type", content_type)
        .body(body);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn import(app: &TestApp, token: &str, mode: &str, file: String) -> (u16, Value) {
    send(app, token, mode, "text/csv", file).await
}

async fn participant_count(app: &TestApp, steering: &str) -> i64 {
    let data = app
        .ok(steering, "{ participants { totalCount } }", json!({}))
        .await;
    data["participants"]["totalCount"].as_i64().expect("count")
}

/// The actions of the tenant's audit log, oldest first.
async fn audited(app: &TestApp, steering: &str) -> Vec<String> {
    let data = app
        .ok(
            steering,
            "{ auditLog(first: 100) { edges { node { action requestId } } } }",
            json!({}),
        )
        .await;
    let mut actions: Vec<String> = data["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            assert!(e["node"]["requestId"].is_string(), "{e}");
            e["node"]["action"].as_str().expect("action").to_owned()
        })
        .collect();
    actions.reverse();
    actions
}

/// Each line with errors, and the columns they name.
fn errors_by_line(body: &Value) -> Vec<(i64, Vec<String>)> {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| {
            let fields: Vec<String> = r["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| {
                    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
                    e["field"].as_str().expect("field").to_owned()
                })
                .collect();
            (!fields.is_empty()).then(|| (r["line"].as_i64().expect("line"), fields))
        })
        .collect()
}

/// The named members of a JSON object.
fn pick(value: &Value, keys: &[&str]) -> Value {
    keys.iter()
        .map(|k| ((*k).to_owned(), value[*k].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn s(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| (*f).to_owned()).collect()
}

async fn a_preview_lists_each_lines_errors_and_an_import_of_them_writes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let steering = &t.tenant.steering;
    let file = csv(&[
        good(&t, "Lefèvre"),
        with(good(&t, "Fevrier"), &[("birth_date", "31/02/1990")]),
        good(&t, "Martin"),
        with(good(&t, "Paris"), &[("commune", "Paris"), ("gender", "X")]),
        with(good(&t, "Sans-Titre"), &[("authorised_to_work", "non")]),
        with(good(&t, "Jeune"), &[("birth_date", "2009-06-03")]),
        with(
            good(&t, "Orphelin"),
            &[("referent", "nobody@alpha.example")],
        ),
        with(good(&t, "Muet"), &[("consent_scope", "")]),
        // 16 on the entry date (the age rule reads that date, not today's).
        with(
            good(&t, "Jeune-Mais-Pas-Trop"),
            &[("birth_date", "2009-06-02"), ("entry_date", "2025-06-02")],
        ),
    ]);
    let log_before = audited(&app, steering).await;

    let (status, preview) = import(&app, steering, "preview", file.clone()).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        errors_by_line(&preview),
        [
            (3, s(&["birth_date"])),
            (5, s(&["gender", "commune"])),
            (6, s(&["authorised_to_work"])),
            (7, s(&["birth_date"])),
            (8, s(&["referent"])),
            (9, s(&["consent_scope"])),
        ],
        "line 10 turns 16 on its entry date, today: {preview}"
    );
    assert_eq!(
        preview["rows"][5]["errors"][0]["message"],
        "a participant must be at least 16 years old on the entry date",
        "the same rule and words as createParticipant"
    );
    assert_eq!(
        pick(
            &preview,
            &["mode", "creates", "updates", "errorCount", "imported"]
        ),
        json!({ "mode": "preview", "creates": 9, "updates": 0, "errorCount": 7, "imported": false })
    );
    assert_eq!(
        preview["rows"][0],
        json!({ "line": 2, "action": "create", "participantId": null, "errors": [] })
    );
    assert_eq!(participant_count(&app, steering).await, 0);

    let (status, refused) = import(&app, steering, "import", file).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(code(&refused), "VALIDATION");
    assert_eq!(
        refused["rows"], preview["rows"],
        "the same lines as the preview"
    );
    assert_eq!(
        pick(&refused, &["mode", "imported"]),
        json!({ "mode": "import", "imported": false })
    );
    assert_eq!(participant_count(&app, steering).await, 0, "all or nothing");
    assert_eq!(audited(&app, steering).await, log_before, "nothing audited");
}

async fn a_good_file_creates_and_updates_in_one_go(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let steering = &t.tenant.steering;
    let dijon = app
        .ok(steering, "{ tenant { communes { id name } } }", json!({}))
        .await["tenant"]["communes"][1]["id"]
        .clone();
    let (existing, _) = create_participant(
        &app,
        &t.referent,
        participant_input(dijon.as_str().expect("id"), "Diallo"),
    )
    .await;
    let update = BTreeMap::from([
        ("id", existing.clone()),
        ("phone", "03 80 00 00 00".to_owned()),
        ("commune", "21166".to_owned()),
        ("last_name", "Diallo-Lefèvre".to_owned()),
        ("referent", t.referent_subject.clone()),
    ]);
    let file = csv(&[
        good(&t, "Lefèvre"),
        with(
            good(&t, "Dupont"),
            &[
                ("first_name", "Éloïse"),
                ("birth_date", "1961-02-28"),
                ("gender", "femme"),
                ("commune", "21231"),
                ("long_term_job_seeker", "NON"),
                ("education_level", "5"),
                ("email", "Eloise.Dupont@Example.org"),
                ("referent", "REF@ALPHA.EXAMPLE"),
            ],
        ),
        update,
    ]);
    // What a spreadsheet's "CSV UTF-8" writes: a byte-order mark and CRLF line ends.
    let file = format!("\u{feff}{}", file.replace('\n', "\r\n"));

    let (status, preview) = send(
        &app,
        steering,
        "preview",
        "text/csv; charset=utf-8",
        file.clone(),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["rows"],
        json!([
            { "line": 2, "action": "create", "participantId": null, "errors": [] },
            { "line": 3, "action": "create", "participantId": null, "errors": [] },
            { "line": 4, "action": "update", "participantId": existing, "errors": [] },
        ])
    );
    assert_eq!(
        participant_count(&app, steering).await,
        1,
        "a preview writes nothing"
    );

    let (status, done) = import(&app, steering, "import", file).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        pick(&done, &["creates", "updates", "errorCount", "imported"]),
        json!({ "creates": 2, "updates": 1, "errorCount": 0, "imported": true })
    );
    assert!(done["rows"][0]["participantId"].is_string(), "{done}");
    assert_eq!(done["rows"][2]["participantId"], json!(existing));

    let data = app
        .ok(
            steering,
            "{ participants(first: 10) { edges { node { id lastName firstName birthDate gender
                email phone commune { name } longTermJobSeeker educationLevel status version
                entryDate referent { subject } } } } }",
            json!({}),
        )
        .await;
    let people: Vec<Value> = data["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let names: Vec<(&str, &str, &str)> = people
        .iter()
        .map(|p| {
            (
                p["lastName"].as_str().expect("name"),
                p["firstName"].as_str().expect("name"),
                p["commune"]["name"].as_str().expect("commune"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Diallo-Lefèvre", "Amina", "Chenôve"),
            ("Dupont", "Éloïse", "Dijon"),
            ("Lefèvre", "Zoé", "Chenôve"),
        ],
        "accents survive"
    );
    let updated = &people[0];
    assert_eq!(
        pick(updated, &["id", "phone", "version", "email", "entryDate"]),
        json!({ "id": existing, "phone": "03 80 00 00 00", "version": 2,
                "email": "amina@example.org", "entryDate": "2024-01-02" }),
        "an empty cell changes nothing"
    );
    let dupont = &people[1];
    assert_eq!(
        pick(
            dupont,
            &[
                "birthDate",
                "gender",
                "email",
                "longTermJobSeeker",
                "educationLevel",
                "status",
                "referent"
            ]
        ),
        json!({ "birthDate": "1961-02-28", "gender": "WOMAN", "email": "eloise.dupont@example.org",
                "longTermJobSeeker": false, "educationLevel": "LEVEL_5", "status": "CANDIDATE",
                "referent": { "subject": t.referent_subject } }),
        "eligible at 64 without another criterion; the referent found by e-mail"
    );
    assert_eq!(people[2]["birthDate"], "1990-05-17", "DD/MM/YYYY");
    assert_eq!(people[2]["entryDate"], "2025-05-02");

    let log = audited(&app, steering).await;
    assert_eq!(
        log[log.len() - 4..],
        [
            "participant.create",
            "participant.create",
            "participant.create",
            "participant.update"
        ],
        "each line audited like its mutation: {log:?}"
    );
}

async fn a_comma_separated_file_with_its_columns_in_any_order_and_case_reads(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let file = format!(
        "REFERENT,Consent_Scope,consent_date,education_level,authorised_to_work,commune,gender,birth_date,first_name,last_name\n\
         {},\"suivi, FSE\",01/05/2025,2,yes,dijon,H,1980-01-01,Jean,Lefèvre\n",
        t.referent_subject
    );
    let (status, body) = import(&app, &t.tenant.steering, "import", file).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        pick(&body, &["creates", "imported"]),
        json!({ "creates": 1, "imported": true })
    );
}

async fn files_that_cannot_be_read_are_refused_whole(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let one = csv(&[good(&t, "Lefèvre")]);
    // The file as a spreadsheet's plain "CSV" writes it on Windows: Latin-1 ("è" = 0xE8).
    let latin1: Vec<u8> = one
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect();
    assert!(latin1.windows(7).any(|w| w == b"Lef\xe8vre"));
    let without_scope = one
        .replace(";consent_scope", "")
        .replace(";\"suivi de parcours; données FSE\"", "");
    let cases = [
        (
            "Latin-1 bytes",
            latin1,
            "UTF-8 (line 2 is not); from a spreadsheet, save it as \"CSV UTF-8\"",
        ),
        (
            "a missing column",
            without_scope.into_bytes(),
            "consent_scope",
        ),
        (
            "an unknown column",
            one.replacen("postal_address", "adresse", 1).into_bytes(),
            "adresse",
        ),
        ("an empty file", Vec::new(), "empty"),
        (
            "a header only",
            format!("{HEADER}\r\n").into_bytes(),
            "no participant",
        ),
    ];
    for (case, body, words) in cases {
        let (status, answer) = send(&app, &t.tenant.steering, "preview", "text/csv", body).await;
        assert_eq!(status, 400, "{case}: {answer}");
        assert_eq!(code(&answer), "VALIDATION", "{case}");
        assert_eq!(answer["errors"][0]["extensions"]["field"], "file", "{case}");
        let message = answer["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains(words), "{case}: {message}");
    }
    assert_eq!(participant_count(&app, &t.tenant.steering).await, 0);
}

async fn another_tenants_participant_is_not_found_and_never_updated(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let alpha = territory(&app, "alpha").await;
    let beta = territory(&app, "beta").await;
    let beta_commune = parcours_tests::first_commune(&app, &beta.referent).await;
    let (theirs, _) = create_participant(
        &app,
        &beta.referent,
        participant_input(&beta_commune, "Secret"),
    )
    .await;
    let raw_uuid = parcours_tests::global_uuid(&theirs)
        .expect("uuid")
        .to_string();
    // Another tenant's participant reads exactly like an unknown or malformed ID.
    let cases = [
        ("their global ID", theirs.clone()),
        ("their UUID", raw_uuid),
        ("an unknown UUID", uuid::Uuid::now_v7().to_string()),
        ("not an ID", "not-an-id".to_owned()),
    ];
    for (case, id) in cases {
        let line = BTreeMap::from([("id", id), ("last_name", "Pirate".to_owned())]);
        let file = csv(&[line]);
        let (status, preview) = import(&app, &alpha.tenant.steering, "preview", file.clone()).await;
        assert_eq!(status, 200, "{case}: {preview}");
        assert_eq!(
            preview["rows"],
            json!([{ "line": 2, "action": "update", "participantId": null,
                     "errors": [{ "field": "id", "message": "participant not found" }] }]),
            "{case}"
        );
        let (status, refused) = import(&app, &alpha.tenant.steering, "import", file).await;
        assert_eq!(status, 422, "{case}: {refused}");
    }
    let data = app
        .ok(
            &beta.tenant.steering,
            "query($id: ID!) { participant(id: $id) { lastName version } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(
        data["participant"],
        json!({ "lastName": "Secret", "version": 1 })
    );
}

async fn an_update_keeps_referent_and_entry_date_and_names_a_participant_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let commune = parcours_tests::first_commune(&app, &t.referent).await;
    let (p, _) = create_participant(&app, &t.referent, participant_input(&commune, "Un")).await;
    let (q, _) = create_participant(&app, &t.referent, participant_input(&commune, "Deux")).await;
    let (r, _) = create_participant(&app, &t.referent, participant_input(&commune, "Trois")).await;
    let update = |id: &str, changes: &[(&'static str, &str)]| {
        with(BTreeMap::from([("id", id.to_owned())]), changes)
    };
    let file = csv(&[
        update(&p, &[("phone", "01 02 03 04 05")]),
        update(&p, &[("phone", "09 09 09 09 09")]),
        update(
            &q,
            &[
                ("entry_date", "2024-01-03"),
                ("referent", &t.tenant.steering_subject),
            ],
        ),
        update(&q, &[]),
        with(
            good(&t, "Trois"),
            &[("referent", &t.tenant.steering_subject)],
        ),
        update(&r, &[("education_level", "9"), ("gender", "woman")]),
    ]);
    let (status, preview) = import(&app, &t.tenant.steering, "preview", file).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        errors_by_line(&preview),
        [
            (3, s(&["id"])),
            (4, s(&["referent", "entry_date"])),
            (5, s(&["id"])),
            (6, s(&["referent"])),
            (7, s(&["education_level"])),
        ],
        "{preview}"
    );
    let messages: Vec<&Value> = preview["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| &r["errors"][0]["message"])
        .collect();
    assert_eq!(messages[1], "the same participant is on line 2");
    assert_eq!(messages[4], "must be an active referent of this tenant");
    assert_eq!(
        messages[5], "must be a level of the 2019 nomenclature, 1 to 8",
        "updateParticipant's own check and words"
    );
}

async fn only_steering_imports_and_the_transport_has_its_limits(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let file = csv(&[good(&t, "Lefèvre")]);
    let steering = t.tenant.steering.clone();
    let csv_type = "text/csv";
    let cases = [
        (
            "a referent",
            &t.referent,
            "import",
            csv_type,
            403,
            "FORBIDDEN",
        ),
        (
            "a provider",
            &t.provider,
            "preview",
            csv_type,
            403,
            "FORBIDDEN",
        ),
        (
            "the operator",
            &app.admin(),
            "preview",
            csv_type,
            403,
            "FORBIDDEN",
        ),
        (
            "no token",
            &String::new(),
            "import",
            csv_type,
            401,
            "UNAUTHENTICATED",
        ),
        (
            "JSON",
            &steering,
            "import",
            "application/json",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "plain text",
            &steering,
            "preview",
            "text/plain",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "another mode",
            &steering,
            "apply",
            csv_type,
            400,
            "VALIDATION",
        ),
    ];
    for (case, token, mode, content_type, status, expected) in cases {
        let (got, answer) = send(&app, token, mode, content_type, file.clone()).await;
        assert_eq!((got, code(&answer)), (status, expected), "{case}: {answer}");
    }
    // The cap's edge: blank lines pad the file (a reader skips them).
    let padded = |size: usize| {
        let mut bytes = file.clone().into_bytes();
        bytes.resize(size, b'\n');
        bytes
    };
    let (status, body) = send(
        &app,
        &steering,
        "import",
        csv_type,
        padded(2 * 1024 * 1024 + 1),
    )
    .await;
    assert_eq!((status, code(&body)), (413, "PAYLOAD_TOO_LARGE"), "{body}");
    let (status, body) = send(
        &app,
        &steering,
        "preview",
        csv_type,
        padded(2 * 1024 * 1024),
    )
    .await;
    assert_eq!((status, &body["creates"]), (200, &json!(1)), "{body}");
    assert_eq!(participant_count(&app, &steering).await, 0);
}

async fn two_imports_at_once_never_half_apply(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.set_now(Some(NOW));
    let t = territory(&app, "alpha").await;
    let steering = &t.tenant.steering;
    let commune = parcours_tests::first_commune(&app, &t.referent).await;
    let (shared, _) =
        create_participant(&app, &t.referent, participant_input(&commune, "Commun")).await;
    let file = |who: &str, phone: &str| {
        let mut rows: Vec<_> = (0..30)
            .map(|i| good(&t, &format!("{who} {i:02}")))
            .collect();
        rows.push(BTreeMap::from([
            ("id", shared.clone()),
            ("phone", phone.to_owned()),
        ]));
        csv(&rows)
    };
    let (a, b) = tokio::join!(
        import(&app, steering, "import", file("Alpha", "01 01 01 01 01")),
        import(&app, steering, "import", file("Bravo", "02 02 02 02 02")),
    );
    let mut applied = 0;
    for (status, body) in [&a, &b] {
        match status {
            200 => applied += 1,
            409 => assert_eq!(code(body), "CONFLICT", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(applied >= 1, "{a:?} {b:?}");
    assert_eq!(participant_count(&app, steering).await, 1 + 30 * applied);
    let log = audited(&app, steering).await;
    let creates = log.iter().filter(|a| *a == "participant.create").count();
    let updates = log.iter().filter(|a| *a == "participant.update").count();
    assert_eq!(
        (creates, updates),
        (1 + 30 * applied as usize, applied as usize)
    );
    let data = app
        .ok(
            steering,
            "query($id: ID!) { participant(id: $id) { version } }",
            json!({ "id": shared }),
        )
        .await;
    assert_eq!(data["participant"]["version"], json!(1 + applied));
}

on_both!(
    a_preview_lists_each_lines_errors_and_an_import_of_them_writes_nothing,
    a_good_file_creates_and_updates_in_one_go,
    a_comma_separated_file_with_its_columns_in_any_order_and_case_reads,
    files_that_cannot_be_read_are_refused_whole,
    another_tenants_participant_is_not_found_and_never_updated,
    an_update_keeps_referent_and_entry_date_and_names_a_participant_once,
    only_steering_imports_and_the_transport_has_its_limits,
    two_imports_at_once_never_half_apply,
);
