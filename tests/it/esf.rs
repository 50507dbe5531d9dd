//! ESF+ records: entry data kept from the first entry, exit and six-month situations,
//! completeness, the CSV export read back by a CSV parser, and the common indicators.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

use crate::cohorts::convention_over;

const FIELDS: &str = "id entryDate employmentStatus ageBand iscedBand disability thirdCountryNational
    foreignBackground minority homeless ruralArea exitDate exitInEducationOrTraining laterInEmployment
    missingItems version";

fn entry_op() -> String {
    format!(
        "mutation($input: RecordEsfEntryInput!) {{ recordEsfEntry(input: $input) {{ reEntry esfRecord {{ {FIELDS} }} }} }}"
    )
}

fn exit_op() -> String {
    format!(
        "mutation($input: RecordEsfExitInput!) {{ recordEsfExit(input: $input) {{ esfRecord {{ {FIELDS} }} }} }}"
    )
}

fn later_op() -> String {
    format!(
        "mutation($input: RecordEsfLaterSituationInput!) {{ recordEsfLaterSituation(input: $input) {{ esfRecord {{ {FIELDS} }} }} }}"
    )
}

const VALIDATE: &str = "mutation($id: ID!) { validateEntry(input: {id: $id, version: 1, committeeDate: \"2024-01-15\"}) { participant { id } } }";
const INDICATORS: &str = "query($op: ID!) { esfIndicators(operationId: $op, period: {from: \"2025-01-01\", to: \"2025-12-31\"}) { indicator total women men nonBinary } }";

async fn person(app: &TestApp, w: &World, overrides: Value) -> String {
    let commune = first_commune(app, &w.referent).await;
    let mut input = participant_input(&commune, "x");
    if let (Some(input), Some(o)) = (input.as_object_mut(), overrides.as_object()) {
        for (k, v) in o {
            input.insert(k.clone(), v.clone());
        }
    }
    let (id, _) = create_participant(app, &w.referent, input).await;
    app.ok(&w.tenant.steering, VALIDATE, json!({ "id": id }))
        .await;
    id
}

fn record(data: &Value, op: &str) -> Value {
    data[op]["esfRecord"].clone()
}

/// Alpha's world (and beta's) and its provider's convention over 2025, seen on 2026-11-29:
/// every date below is read against this day.
async fn a_2025_operation(backend: Backend) -> (TestApp, World, String) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention_over(&app, &w, "2025-01-01", Some("2025-12-31")).await;
    app.set_now(Some("2026-11-29T10:00:00Z"));
    (app, w, conv)
}

/// Éloïse Lefèvre (1990, level 3), Noé Dupont (2005, level 2, disabled, a name with a `;` and
/// quotes) and Anne Martin (1965, level 5, a name that starts a formula), in the referent's
/// portfolio.
async fn three_people(app: &TestApp, w: &World) -> [String; 3] {
    let p1 = person(
        app,
        w,
        json!({ "firstName": "Éloïse", "lastName": "Lefèvre", "gender": "WOMAN",
        "birthDate": "1990-05-17", "educationLevel": "LEVEL_3" }),
    )
    .await;
    let p2 = person(
        app,
        w,
        json!({ "firstName": "Noé", "lastName": "Dupont; dit \"Jo\"", "gender": "MAN",
        "birthDate": "2005-06-01", "educationLevel": "LEVEL_2", "recognisedDisability": true }),
    )
    .await;
    let p3 = person(
        app,
        w,
        json!({ "firstName": "Anne", "lastName": "=Martin", "gender": "WOMAN",
        "birthDate": "1965-01-01", "educationLevel": "LEVEL_5" }),
    )
    .await;
    [p1, p2, p3]
}

/// The entries of the three people into `conv`: Éloïse on 2025-03-03 (complete), Noé the same
/// day by steering (foreign background, homeless and rural area unknown), Anne on 2025-04-01.
async fn entered(app: &TestApp, w: &World, conv: &str, [p1, p2, p3]: &[String; 3]) -> [Value; 3] {
    let e1 = app.ok(&w.referent, &entry_op(), json!({ "input": { "participantId": p1, "operationId": conv,
        "entryDate": "2025-03-03", "employmentStatus": "LONG_TERM_UNEMPLOYED", "thirdCountryNational": false,
        "foreignBackground": true, "homeless": false, "ruralArea": false } })).await;
    let e2 = app.ok(&w.tenant.steering, &entry_op(), json!({ "input": { "participantId": p2, "operationId": conv,
        "entryDate": "2025-03-03", "employmentStatus": "UNEMPLOYED", "thirdCountryNational": true } })).await;
    let e3 = app
        .ok(
            &w.referent,
            &entry_op(),
            json!({ "input": { "participantId": p3, "operationId": conv,
        "entryDate": "2025-04-01", "employmentStatus": "INACTIVE", "thirdCountryNational": false,
        "foreignBackground": false, "homeless": false, "ruralArea": false } }),
        )
        .await;
    [e1, e2, e3]
}

/// Noé entered again on 2025-09-01, now employed and with a foreign background.
async fn re_entered(app: &TestApp, w: &World, conv: &str, p2: &str) -> Value {
    app.ok(
        &w.referent,
        &entry_op(),
        json!({ "input": { "participantId": p2, "operationId": conv,
        "entryDate": "2025-09-01", "employmentStatus": "EMPLOYED", "thirdCountryNational": false,
        "foreignBackground": true } }),
    )
    .await
}

/// Éloïse entered into the PLIE's own operation, with no entry date.
async fn entered_the_plie(app: &TestApp, w: &World, p1: &str) -> Value {
    app.ok(
        &w.referent,
        &entry_op(),
        json!({ "input": { "participantId": p1,
        "operationId": w.tenant.id, "employmentStatus": "LONG_TERM_UNEMPLOYED" } }),
    )
    .await
}

/// The three people entered, Noé again on 2025-09-01, Éloïse into the PLIE's own operation,
/// Éloïse out into training on 2025-05-30 and better off six months later, Anne out
/// job-searching on 2026-11-01: four records, Noé's still missing two items.
async fn entered_exited_and_followed_up(app: &TestApp, w: &World, conv: &str) -> [String; 3] {
    let people = three_people(app, w).await;
    let [e1, _, e3] = entered(app, w, conv, &people).await;
    let [p1, p2, _] = &people;
    let (r1, r3) = (record(&e1, "recordEsfEntry"), record(&e3, "recordEsfEntry"));
    re_entered(app, w, conv, p2).await;
    entered_the_plie(app, w, p1).await;
    app.ok(&w.referent, &exit_op(), json!({ "input": { "id": r1["id"], "version": 1, "date": "2025-05-30",
        "jobSearching": false, "inEducationOrTraining": true, "qualificationGained": false, "inEmployment": false } })).await;
    app.ok(
        &w.referent,
        &later_op(),
        json!({ "input": { "id": r1["id"], "version": 2,
        "inEmployment": true, "improvedSituation": true } }),
    )
    .await;
    app.ok(&w.referent, &exit_op(), json!({ "input": { "id": r3["id"], "version": 1, "date": "2026-11-01",
        "jobSearching": true, "inEducationOrTraining": false, "qualificationGained": false, "inEmployment": false } })).await;
    people
}

/// The export of `op` over `from..to`.
fn export_path(op: &Value, from: &str, to: &str) -> String {
    format!(
        "/esf/export?operationId={}&from={from}&to={to}",
        op.as_str().unwrap_or_default()
    )
}

async fn an_entry_derives_its_bands_and_a_re_entry_only_fills_what_was_missing(backend: Backend) {
    let (app, w, conv) = a_2025_operation(backend).await;
    let people = three_people(&app, &w).await;
    let [p1, p2, _] = &people;

    // Entries into the convention's operation.
    let [e1, e2, e3] = entered(&app, &w, &conv, &people).await;
    let r1 = record(&e1, "recordEsfEntry");
    assert_eq!(e1["recordEsfEntry"]["reEntry"], false);
    assert_eq!(
        (&r1["ageBand"], &r1["iscedBand"], &r1["disability"]),
        (
            &json!("FROM_30_TO_54"),
            &json!("ISCED_3_TO_4"),
            &json!(false)
        ),
        "{r1}"
    );
    assert_eq!(r1["missingItems"], json!([]));
    let r2 = record(&e2, "recordEsfEntry");
    assert_eq!(
        (&r2["ageBand"], &r2["iscedBand"], &r2["disability"]),
        (
            &json!("FROM_18_TO_29"),
            &json!("ISCED_0_TO_2"),
            &json!(true)
        )
    );
    assert_eq!(
        r2["missingItems"],
        json!(["foreignBackground", "homeless", "ruralArea"])
    );
    let r3 = record(&e3, "recordEsfEntry");
    assert_eq!(r3["ageBand"], "FROM_55");

    // A re-entry keeps the first entry's data and only fills what was missing.
    let again = re_entered(&app, &w, &conv, p2).await;
    assert_eq!(again["recordEsfEntry"]["reEntry"], true);
    let r2 = record(&again, "recordEsfEntry");
    assert_eq!(
        (
            &r2["entryDate"],
            &r2["employmentStatus"],
            &r2["thirdCountryNational"],
            &r2["foreignBackground"]
        ),
        (
            &json!("2025-03-03"),
            &json!("UNEMPLOYED"),
            &json!(true),
            &json!(true)
        )
    );
    assert_eq!(r2["missingItems"], json!(["homeless", "ruralArea"]));

    // The PLIE's own operation: identified by the tenant; its entry date defaults to the
    // participant's entry.
    let plie = entered_the_plie(&app, &w, p1).await;
    assert_eq!(record(&plie, "recordEsfEntry")["entryDate"], "2024-01-02");
}

async fn an_exit_opens_the_six_month_situation_on_its_dates(backend: Backend) {
    let (app, w, conv) = a_2025_operation(backend).await;
    let people = three_people(&app, &w).await;
    let [e1, _, e3] = entered(&app, &w, &conv, &people).await;
    let (r1, r3) = (record(&e1, "recordEsfEntry"), record(&e3, "recordEsfEntry"));

    // Exit, then six months later.
    let x1 = app.ok(&w.referent, &exit_op(), json!({ "input": { "id": r1["id"], "version": 1, "date": "2025-05-30",
        "jobSearching": false, "inEducationOrTraining": true, "qualificationGained": false, "inEmployment": false } })).await;
    let r1 = record(&x1, "recordEsfExit");
    assert_eq!(
        r1["missingItems"],
        json!(["laterInEmployment", "laterImprovedSituation"]),
        "six months have passed since 2025-05-30"
    );
    let l1 = app
        .ok(
            &w.referent,
            &later_op(),
            json!({ "input": { "id": r1["id"], "version": 2,
        "inEmployment": true, "improvedSituation": true } }),
        )
        .await;
    assert_eq!(
        record(&l1, "recordEsfLaterSituation")["missingItems"],
        json!([])
    );
    let (_, body) = app
        .post(
            &w.referent,
            &later_op(),
            json!({ "input": { "id": r3["id"], "version": 1,
        "inEmployment": true } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "no exit yet: {body}");
    for (date, why) in [
        ("2025-03-31", "before the entry"),
        ("2099-01-01", "in the future"),
    ] {
        let (_, body) = app
            .post(
                &w.referent,
                &exit_op(),
                json!({ "input": { "id": r3["id"], "version": 1, "date": date } }),
            )
            .await;
        assert_eq!(
            (code(&body), &body["errors"][0]["extensions"]["field"]),
            ("VALIDATION", &json!("date")),
            "{why}: {body}"
        );
    }
    app.ok(&w.referent, &exit_op(), json!({ "input": { "id": r3["id"], "version": 1, "date": "2026-11-01",
        "jobSearching": true, "inEducationOrTraining": false, "qualificationGained": false, "inEmployment": false } })).await;
    let (_, body) = app
        .post(
            &w.referent,
            &later_op(),
            json!({ "input": { "id": r3["id"], "version": 2,
        "inEmployment": true, "improvedSituation": true } }),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "not before 2027-05-01: {body}");
    let (_, body) = app
        .post(
            &w.referent,
            &exit_op(),
            json!({ "input": { "id": r3["id"], "version": 1, "date": "2026-11-02" } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "a stale version: {body}");
}

async fn incomplete_records_are_listed_and_the_export_reads_back_through_a_csv_parser(
    backend: Backend,
) {
    let (app, w, conv) = a_2025_operation(backend).await;
    entered_exited_and_followed_up(&app, &w, &conv).await;

    // Completeness: who still misses what.
    let incomplete = app
        .ok(&w.tenant.steering, "query($op: ID) { esfRecords(operationId: $op, incomplete: true) { totalCount edges { node { participant { lastName } missingItems } } } }", json!({ "op": conv }))
        .await;
    assert_eq!(incomplete["esfRecords"]["totalCount"], 1, "{incomplete}");
    assert_eq!(
        incomplete["esfRecords"]["edges"][0]["node"]["missingItems"],
        json!(["homeless", "ruralArea"])
    );
    // The export, read back by a CSV parser.
    let conv_id = json!(conv);
    let (status, ct, body) = app
        .get(
            &w.tenant.steering,
            &export_path(&conv_id, "2025-01-01", "2025-12-31"),
        )
        .await;
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(
        body.starts_with("\u{feff}".as_bytes()),
        "a BOM for spreadsheets"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&body[3..]);
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    assert_eq!(header.len(), 24);
    assert_eq!(header[2], "last_name");
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_owned).collect())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    // IDs are the API's global IDs: each opens its object with `node`.
    for row in &rows {
        let opened = app
            .ok(
                &w.tenant.steering,
                "query($p: ID!, $r: ID!) { p: node(id: $p) { __typename } r: node(id: $r) { __typename } }",
                json!({ "p": row[col("participant_id")], "r": row[col("record_id")] }),
            )
            .await;
        assert_eq!(opened["p"]["__typename"], "Participant", "{row:?}");
        assert_eq!(opened["r"]["__typename"], "EsfRecord", "{row:?}");
    }
    let by_name = |last: &str| {
        rows.iter()
            .find(|r| r[col("last_name")] == last)
            .cloned()
            .unwrap_or_default()
    };
    let lefevre = by_name("Lefèvre");
    assert_eq!(lefevre[col("first_name")], "Éloïse", "accents survive");
    assert_eq!(lefevre[col("exit_in_education_or_training")], "1");
    assert_eq!(lefevre[col("later_improved_situation")], "1");
    assert_eq!(lefevre[col("employment_status")], "long_term_unemployed");
    let dupont = by_name("Dupont; dit \"Jo\"");
    assert_eq!(
        dupont[col("disability")],
        "1",
        "quoted fields round-trip: {rows:?}"
    );
    assert_eq!(dupont[col("homeless")], "", "unknown stays empty");
    assert_eq!(dupont[col("missing_items")], "homeless ruralArea");
    assert_eq!(
        by_name("'=Martin")[col("age_band")],
        "55_plus",
        "a formula is defused"
    );
    assert!(
        rows.iter()
            .all(|r| r[col("operation")].starts_with("CONV-2025-"))
    );
    // A period before anyone entered: the header alone.
    let (_, _, body) = app
        .get(
            &w.tenant.steering,
            &export_path(&conv_id, "2024-01-01", "2024-12-31"),
        )
        .await;
    assert_eq!(String::from_utf8_lossy(&body).lines().count(), 1);
}

async fn indicators_count_by_gender_and_each_reader_sees_only_its_own_records(backend: Backend) {
    let (app, w, conv) = a_2025_operation(backend).await;
    let foreign = World::build(&app, "beta").await;
    let provider_b = w.other_provider(&app).await;
    let colleague = w.colleague(&app).await;
    let [p1, _, _] = &entered_exited_and_followed_up(&app, &w, &conv).await;
    let conv_id = json!(conv);

    // The common indicators, by gender.
    let data = app
        .ok(&w.tenant.steering, INDICATORS, json!({ "op": conv }))
        .await;
    let lines = data["esfIndicators"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let line = |name: &str| {
        lines
            .iter()
            .find(|l| l["indicator"] == name)
            .map(|l| (l["total"].clone(), l["women"].clone(), l["men"].clone()))
            .unwrap_or_default()
    };
    assert_eq!(
        lines.len(),
        23,
        "every common indicator, each checked below"
    );
    for (name, total, women, men) in [
        ("participants", 3, 2, 1),
        ("unemployed", 2, 1, 1),
        ("longTermUnemployed", 1, 1, 0),
        ("inactive", 1, 1, 0),
        ("employed", 0, 0, 0),
        ("aged18To29", 1, 0, 1),
        ("aged55AndOver", 1, 1, 0),
        ("isced0To2", 1, 0, 1),
        ("isced3To4", 1, 1, 0),
        ("isced5To8", 1, 1, 0),
        ("disability", 1, 0, 1),
        ("thirdCountryNationals", 1, 0, 1),
        ("foreignBackground", 2, 1, 1),
        ("homeless", 0, 0, 0),
        ("exitInEducationOrTraining", 1, 1, 0),
        ("exitJobSearching", 0, 0, 0),
        ("laterInEmployment", 1, 1, 0),
        ("laterImprovedSituation", 1, 1, 0),
        ("under18", 0, 0, 0),
        ("minority", 0, 0, 0),
        ("ruralArea", 0, 0, 0),
        ("exitQualificationGained", 0, 0, 0),
        ("exitInEmployment", 0, 0, 0),
    ] {
        assert_eq!(
            line(name),
            (json!(total), json!(women), json!(men)),
            "{name}"
        );
    }

    // Who may export: steering and the convention's provider.
    let (status, _, _) = app
        .get(
            &w.provider,
            &export_path(&conv_id, "2025-01-01", "2025-12-31"),
        )
        .await;
    assert_eq!(status, 200, "the operation's provider");
    app.ok(&w.provider, INDICATORS, json!({ "op": conv })).await;
    let tenant_op = json!(w.tenant.id);
    for (name, token, op, expected) in [
        ("another provider", &provider_b, &conv_id, 404),
        ("a referent", &w.referent, &conv_id, 403),
        ("a foreign tenant", &foreign.tenant.steering, &conv_id, 404),
        (
            "a foreign tenant's PLIE",
            &foreign.tenant.steering,
            &tenant_op,
            404,
        ),
        ("a provider, the PLIE", &w.provider, &tenant_op, 403),
        ("no token", &String::new(), &conv_id, 401),
    ] {
        let (status, _, body) = app
            .get(token, &export_path(op, "2025-01-01", "2025-12-31"))
            .await;
        assert_eq!(
            status,
            expected,
            "{name}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (_, body) = app
        .post(&provider_b, INDICATORS, json!({ "op": conv }))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    for (from, to, field) in [
        ("2025-12-31", "2025-01-01", "period.to"),
        ("soon", "2025-01-01", "from"),
    ] {
        let (status, _, body) = app
            .get(&w.tenant.steering, &export_path(&conv_id, from, to))
            .await;
        let body: Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(status, 400, "{from}..{to}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let (status, _, _) = app
        .get(
            &w.tenant.steering,
            "/esf/export?operationId=garbage&from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert_eq!(status, 404);

    // Records follow the portfolio.
    let (_, body) = app
        .post(
            &colleague,
            &entry_op(),
            json!({ "input": { "participantId": p1, "operationId": conv,
        "employmentStatus": "UNEMPLOYED" } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "another portfolio: {body}");
    let theirs = app
        .ok(&colleague, "{ esfRecords { totalCount } }", json!({}))
        .await;
    assert_eq!(theirs["esfRecords"]["totalCount"], 0);
    let mine = app
        .ok(&w.referent, "{ esfRecords { totalCount } }", json!({}))
        .await;
    assert_eq!(mine["esfRecords"]["totalCount"], 4);
    let (_, body) = app
        .post(&provider_b, "{ esfRecords { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["esfRecords"]["totalCount"], 0);
}

on_both!(
    an_entry_derives_its_bands_and_a_re_entry_only_fills_what_was_missing,
    an_exit_opens_the_six_month_situation_on_its_dates,
    incomplete_records_are_listed_and_the_export_reads_back_through_a_csv_parser,
    indicators_count_by_gender_and_each_reader_sees_only_its_own_records,
);
