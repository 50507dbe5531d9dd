//! Finding people: one search key on both databases (case, accents, ligatures, apostrophes and
//! hyphens folded), names sorted by it, a warning before creating a possible duplicate, and a
//! `createParticipant` that a retry does not repeat.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::{Value, json};

const SEARCH: &str = "query($s: String) { participants(search: $s, first: 50) {
    edges { node { lastName firstName } } } }";

fn last_names(data: &Value) -> Vec<String> {
    data["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            e["node"]["lastName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// A participant named `last` `first`, born on `birth`.
fn person(commune: &str, last: &str, first: &str, birth: &str) -> Value {
    let mut input = participant_input(commune, last);
    input["firstName"] = json!(first);
    input["birthDate"] = json!(birth);
    input
}

async fn names_are_found_however_they_are_typed_in_both_directions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    // (stored last name, stored first name, searches that find it)
    let table: &[(&str, &str, &[&str])] = &[
        (
            "Dupont",
            "Lætitia",
            &["laetitia", "LAETITIA", "Lætitia", "dupont laet"],
        ),
        (
            "N’Diaye",
            "Awa",
            &["n'diaye", "ndiaye", "N DIAYE", "n’diaye"],
        ),
        ("N'Dour", "Youssou", &["n’dour", "ndour"]),
        ("Œuvray", "Paul", &["oeuvray", "OEUVRAY", "œuvray"]),
        ("Strauß", "Anna", &["strauss", "STRAUSS", "strauß"]),
        (
            "Łukasiewicz",
            "Jan",
            &["lukasiewicz", "łukasiewicz", "Lukasiewicz"],
        ),
        ("Wiśniewski", "Ola", &["wisniewski"]),
        ("Nguyễn", "Thị", &["nguyen", "nguyen thi", "Nguyên"]),
        (
            "Le Goff",
            "Yann",
            &["legoff", "le goff", "Le-Goff", "LE GOFF"],
        ),
        (
            "Martin-Durand",
            "Jean-Pierre",
            &["martin durand", "martindurand", "jean pierre"],
        ),
        ("Laetitia", "Marie", &["lætitia", "laetitia"]),
        ("Jovanović", "Ана", &["jovanovic", "ana"]),
    ];
    for (i, (last, first, _)) in table.iter().enumerate() {
        let birth = format!("19{:02}-03-04", 60 + i);
        create_participant(&app, &w.referent, person(&commune, last, first, &birth)).await;
    }
    for (last, _, searches) in table {
        for search in *searches {
            let found = app.ok(&w.referent, SEARCH, json!({ "s": search })).await;
            assert!(
                last_names(&found).iter().any(|n| n == last),
                "{search:?} finds {last}: {found}"
            );
        }
    }
    // Folding does not blur distinct names.
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "ndiaye" })).await;
    assert_eq!(last_names(&found), ["N’Diaye"]);
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "strau" })).await;
    assert_eq!(last_names(&found), ["Strauß"]);

    // Sorted by the same key: Ł and Œ among their letters, never after Z.
    let all = app
        .ok(
            &w.referent,
            "{ participants(first: 50) { edges { node { lastName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        last_names(&all),
        [
            "Dupont",
            "Jovanović",
            "Laetitia",
            "Le Goff",
            "Łukasiewicz",
            "Martin-Durand",
            "N’Diaye",
            "N'Dour",
            "Nguyễn",
            "Œuvray",
            "Strauß",
            "Wiśniewski",
        ],
        "{all}"
    );
}

async fn a_possible_duplicate_is_refused_until_the_client_says_so(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let first = person(&commune, "N’Diaye", "Lætitia", "1985-06-01");
    create_participant(&app, &w.referent, first).await;

    // The same person typed otherwise, by steering or a referent: a warning with its code.
    let typed = person(&commune, "NDIAYE", "laetitia", "1985-06-01");
    let (_, body) = app
        .post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            json!({ "input": typed.clone() }),
        )
        .await;
    assert_eq!(code(&body), "POSSIBLE_DUPLICATE", "{body}");
    // Another birth date is another person.
    create_participant(
        &app,
        &w.referent,
        person(&commune, "N'Diaye", "Laetitia", "1985-06-02"),
    )
    .await;
    // Said explicitly, it is created.
    let mut explicit = typed;
    explicit["allowDuplicate"] = json!(true);
    create_participant(&app, &w.referent, explicit).await;
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "ndiaye" })).await;
    assert_eq!(last_names(&found).len(), 3);

    // The import: against the database and within the file, unless allowed.
    let header = "last_name;first_name;birth_date;gender;commune;authorised_to_work;education_level;consent_date;consent_scope;referent";
    let file = format!(
        "{header}\nN'DIAYE;Laetitia;01/06/1985;F;{commune_name};oui;3;2024-01-02;suivi;ref@alpha.example\n\
         Diallo;Awa;1990-01-01;F;{commune_name};oui;3;2024-01-02;suivi;ref@alpha.example\n\
         DIALLO;Awa;1990-01-01;F;{commune_name};oui;3;2024-01-02;suivi;ref@alpha.example\n",
        commune_name = commune_name(&app, &w.referent).await,
    );
    let import = |query: &'static str| {
        app.client()
            .post(format!("{}/imports/participants?{query}", app.base))
            .bearer_auth(&w.tenant.steering)
            .header("content-type", "text/csv")
            .body(file.clone())
            .send()
    };
    let preview: Value = import("mode=preview")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let errors: Vec<usize> = preview["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("rows: {preview}"))
        .iter()
        .map(|r| r["errors"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(errors, [1, 0, 1], "{preview}");
    assert!(
        preview["rows"][2]["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("line 3"),
        "{preview}"
    );
    let (status, allowed) = {
        let r = import("mode=import&allowDuplicates=true")
            .await
            .expect("sent");
        (r.status().as_u16(), r.json::<Value>().await.expect("json"))
    };
    assert_eq!(status, 200, "{allowed}");
    assert_eq!(allowed["imported"], true, "{allowed}");
    let (status, body) = {
        let r = import("mode=preview&allowDuplicates=maybe")
            .await
            .expect("sent");
        (r.status().as_u16(), r.json::<Value>().await.expect("json"))
    };
    assert_eq!((status, code(&body)), (400, "VALIDATION"), "{body}");
}

async fn commune_name(app: &TestApp, token: &str) -> String {
    let data = app
        .ok(token, "{ tenant { communes { name } } }", json!({}))
        .await;
    data["tenant"]["communes"][0]["name"]
        .as_str()
        .expect("a commune")
        .to_owned()
}

async fn a_retried_create_with_its_key_creates_one_person(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut input = person(&commune, "Retry", "Once", "1991-02-03");
    input["idempotencyKey"] = json!("tablet-7-create-1");
    let variables = json!({ "input": input.clone() });
    // Five copies at once, then one more later: one participant, the same answer for all.
    let answers = futures_util::future::join_all((0..5).map(|_| {
        app.post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            variables.clone(),
        )
    }))
    .await;
    let ids: Vec<Value> = answers
        .iter()
        .map(|(_, b)| b["data"]["createParticipant"]["participant"]["id"].clone())
        .collect();
    assert!(
        ids.iter().all(|id| id.is_string() && *id == ids[0]),
        "{answers:?}"
    );
    let later = app
        .ok(&w.referent, parcours_tests::CREATE_PARTICIPANT, variables)
        .await;
    assert_eq!(later["createParticipant"]["participant"]["id"], ids[0]);
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "retry" })).await;
    assert_eq!(last_names(&found).len(), 1, "one person");
    let log = app
        .ok(
            &w.tenant.steering,
            "query($id: ID) { auditLog(objectId: $id) { totalCount } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 1, "one effect audited");
    // The key with another input is a conflict, and writes nothing.
    input["firstName"] = json!("Twice");
    let (_, body) = app
        .post(
            &w.referent,
            parcours_tests::CREATE_PARTICIPANT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
}

async fn stored_keys_follow_the_folding_rule_after_an_upgrade(backend: Backend) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    create_participant(
        &app,
        &w.referent,
        person(&commune, "Œuvray", "Lætitia", "1980-01-01"),
    )
    .await;
    // A key stored by an earlier rule (accents only), written behind the service's back.
    let db = sea_orm::Database::connect(app.config.database_url.as_str())
        .await
        .expect("connect");
    let backend = db.get_database_backend();
    let tx = db.begin().await.expect("begin");
    if backend == DbBackend::Postgres {
        let tenant = parcours_tests::global_uuid(&w.tenant.id).expect("tenant id");
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.to_string().into()],
        ))
        .await
        .expect("set tenant");
    }
    tx.execute_raw(Statement::from_string(
        backend,
        "UPDATE participant SET search_name = 'œuvray lætitia'",
    ))
    .await
    .expect("stale key");
    tx.commit().await.expect("commit");
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "oeuvray" })).await;
    assert!(last_names(&found).is_empty(), "the stale key misses");

    let rekeyed = parcours_domain::participants::rekey_names(&app.db)
        .await
        .expect("rekey");
    assert_eq!(rekeyed, 1);
    let found = app.ok(&w.referent, SEARCH, json!({ "s": "oeuvray" })).await;
    assert_eq!(last_names(&found), ["Œuvray"]);
    assert_eq!(
        parcours_domain::participants::rekey_names(&app.db)
            .await
            .expect("rekey"),
        0,
        "nothing left to do"
    );
}

on_both!(
    names_are_found_however_they_are_typed_in_both_directions,
    a_possible_duplicate_is_refused_until_the_client_says_so,
    a_retried_create_with_its_key_creates_one_person,
    stored_keys_follow_the_folding_rule_after_an_upgrade,
);
