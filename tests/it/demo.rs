//! The demo data loads on both databases, and shows what the README promises: Dijon's
//! structures and participants, nothing of Besançon, a positive-exit rate, and the seed
//! convention's cohorts.

use parcours_domain::Role;
use parcours_domain::demo::first_names;
use parcours_domain::participants::Gender;
use parcours_tests::{Backend, TestApp, on_both};
use serde_json::{Value, json};

async fn the_demo_loads_and_keeps_the_territories_apart(backend: Backend) {
    let app = TestApp::start(backend).await;
    let accounts = parcours_domain::demo::load(&app.db)
        .await
        .expect("demo loads");
    assert_eq!(
        accounts.len(),
        5,
        "admin, three dijon roles, besancon steering"
    );
    let dijon = app.token(
        Some("dijon"),
        Role::Steering,
        "pilotage@plie-dijon.example",
        None,
    );
    let besancon = app.token(
        Some("besancon"),
        Role::Steering,
        "pilotage@plie-besancon.example",
        None,
    );
    let q = "{ tenant { slug communes { name } } structures(first: 100) { totalCount edges { node { name } } }
               staff(role: REFERENT) { totalCount } participants { totalCount }
               exited: participants(status: EXITED, first: 100) { totalCount edges { node { exit { positive } } } } }";
    let d = app.ok(&dijon, q, json!({})).await;
    assert_eq!(d["tenant"]["communes"].as_array().map(Vec::len), Some(24));
    assert_eq!(
        d["structures"]["totalCount"], 7,
        "steering body, 3 carriers, 3 providers"
    );
    assert_eq!(d["staff"]["totalCount"], 14);
    assert_eq!(d["participants"]["totalCount"], 180);
    let exits: Vec<bool> = d["exited"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["exit"]["positive"].as_bool().expect("positive"))
        .collect();
    let positive = exits.iter().filter(|p| **p).count();
    assert!(
        !exits.is_empty() && positive > 0 && positive < exits.len(),
        "a rate shows: {positive}/{}",
        exits.len()
    );
    assert!(
        !d.to_string().contains("Besançon"),
        "nothing of Besançon in Dijon's answers"
    );
    // The seed convention's cohorts, replayed: closed, with attendance, final diagnostics and
    // transmitted follow-up sheets.
    let c = app
        .ok(
            &dijon,
            "{ cohorts { totalCount edges { node { status sessions { day } attendance { presence }
                members { status diagnostic { isFinal } followUpSheet { status attendance { ratePercent } } } } } }
               followUpSheets(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(c["cohorts"]["totalCount"], 2);
    assert_eq!(c["followUpSheets"]["totalCount"], 20);
    for edge in c["cohorts"]["edges"].as_array().expect("cohorts") {
        let cohort = &edge["node"];
        assert_eq!(cohort["status"], "CLOSED");
        assert_eq!(cohort["sessions"].as_array().map(Vec::len), Some(9));
        assert!(
            cohort["attendance"]
                .as_array()
                .is_some_and(|a| a.len() > 60)
        );
        let members = cohort["members"].as_array().expect("members");
        assert_eq!(members.len(), 10);
        assert!(members.iter().all(|m| m["diagnostic"]["isFinal"] == true
            && m["followUpSheet"]["status"] == "TRANSMITTED"
            && m["followUpSheet"]["attendance"]["ratePercent"].is_number()));
    }
    let b = app
        .ok(
            &besancon,
            "{ participants { totalCount } structures { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(b["participants"]["totalCount"], 20);
    assert_eq!(b["structures"]["totalCount"], 3);
}

on_both!(the_demo_loads_and_keeps_the_territories_apart);

/// Every participant `token` reads (`filter` added to the arguments), `fields` selected, page
/// after page.
async fn all_participants(app: &TestApp, token: &str, filter: &str, fields: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let q = format!(
            "query($after: String) {{ participants(first: 100, after: $after{filter}) {{
                 pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {fields} }} }} }} }}"
        );
        let d = app.ok(token, &q, json!({ "after": after })).await;
        let page = &d["participants"];
        out.extend(
            page["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

async fn the_demo_s_people_are_consistent(backend: Backend) {
    let app = TestApp::start(backend).await;
    parcours_domain::demo::load(&app.db)
        .await
        .expect("demo loads");
    for (tenant, subject, count) in [
        ("dijon", "pilotage@plie-dijon.example", 180),
        ("besancon", "pilotage@plie-besancon.example", 20),
    ] {
        let steering = app.token(Some(tenant), Role::Steering, subject, None);
        let people = all_participants(&app, &steering, "", "firstName gender").await;
        assert_eq!(people.len(), count, "{tenant}");
        for p in &people {
            let name = p["firstName"].as_str().expect("a first name");
            let gender = match p["gender"].as_str() {
                Some("WOMAN") => Gender::Woman,
                Some("MAN") => Gender::Man,
                other => panic!("{tenant}: {name} recorded as {other:?}"),
            };
            assert!(
                first_names(gender).any(|n| n == name),
                "{tenant}: {name} recorded as {gender:?}"
            );
        }
        for gender in ["WOMAN", "MAN"] {
            assert!(
                people.iter().any(|p| p["gender"] == gender),
                "{tenant}: some {gender}"
            );
        }

        // An exit closes the path: every step of an exited participant is closed, with an end.
        let exited = all_participants(
            &app,
            &steering,
            ", status: EXITED",
            "firstName exit { date } path { title endDate closed }",
        )
        .await;
        assert!(!exited.is_empty(), "{tenant}: some exits");
        for p in &exited {
            let exit = p["exit"]["date"].as_str().expect("an exit date");
            for step in p["path"].as_array().expect("a path") {
                assert_eq!(step["closed"], true, "{tenant}: {p}");
                let end = step["endDate"].as_str().expect("an end date");
                assert!(end <= exit, "{tenant}: a step ends after the exit: {p}");
            }
        }
    }
    // A couple of known pairs, so that the lists themselves stay right.
    assert!(first_names(Gender::Woman).any(|n| n == "Fatoumata"));
    assert!(first_names(Gender::Man).any(|n| n == "Mohamed"));
    assert!(!first_names(Gender::Woman).any(|n| n == "Mohamed"));
    assert!(!first_names(Gender::Man).any(|n| n == "Fatoumata"));
}

on_both!(the_demo_s_people_are_consistent);
