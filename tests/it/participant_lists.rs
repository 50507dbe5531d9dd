//! The participants list through the API: search, sorts and their cursors, filters, and the
//! statement count of a page.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, owner_sql,
    participant_input,
};
use serde_json::{Value, json};

use crate::participants::field;

async fn search_sort_and_filters(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for (last, entry) in [
        ("Émile", "2024-03-01"),
        ("dupont", "2024-01-01"),
        ("100%_Sure", "2024-02-01"),
        ("Zola", "2024-04-01"),
    ] {
        let mut input = participant_input(&commune, last);
        input["entryDate"] = json!(entry);
        create_participant(&app, &w.referent, input).await;
    }
    let names = |data: &Value| -> Vec<String> {
        data["participants"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["lastName"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let q = "query($s: String, $sort: ParticipantSort, $after: String, $first: Int) { participants(search: $s, sort: $sort, after: $after, first: $first) { totalCount edges { node { lastName } } pageInfo { endCursor hasNextPage } } }";
    let by_name = app.ok(&w.referent, q, json!({})).await;
    assert_eq!(names(&by_name), ["100%_Sure", "dupont", "Émile", "Zola"]);
    let by_entry = app
        .ok(&w.referent, q, json!({ "sort": "ENTRY_DATE" }))
        .await;
    assert_eq!(names(&by_entry), ["dupont", "100%_Sure", "Émile", "Zola"]);
    // A search is folded like names: punctuation is no pattern, and a search of nothing
    // but punctuation is refused rather than answered with everyone.
    let percent = app.ok(&w.referent, q, json!({ "s": "100%" })).await;
    assert_eq!(names(&percent), ["100%_Sure"], "% is not a wildcard");
    for nothing in ["%", "_", "-'’ "] {
        let (_, body) = app.post(&w.referent, q, json!({ "s": nothing })).await;
        assert_eq!(
            (code(&body), field(&body)),
            ("VALIDATION", "search"),
            "{nothing:?}: {body}"
        );
    }
    let accent = app.ok(&w.referent, q, json!({ "s": "emile" })).await;
    assert_eq!(names(&accent), ["Émile"], "accents ignored");
    let first = app
        .ok(&w.referent, q, json!({ "first": 2, "sort": "ENTRY_DATE" }))
        .await;
    let cursor = first["participants"]["pageInfo"]["endCursor"].clone();
    let second = app
        .ok(
            &w.referent,
            q,
            json!({ "first": 2, "sort": "ENTRY_DATE", "after": cursor }),
        )
        .await;
    assert_eq!(names(&second), ["Émile", "Zola"]);
    let (_, body) = app
        .post(&w.referent, q, json!({ "after": "garbage" }))
        .await;
    assert_eq!(code(&body), "VALIDATION");
}

/// Every page size walks the whole list exactly once in its documented order, including the
/// participants without an entry date (last, by ID, on both databases) and ties on the sort
/// value (by ID).
async fn every_page_size_walks_the_list_once_with_undated_participants_last(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut ids = std::collections::HashMap::new();
    for (last, entry) in [
        ("Undated1", None),
        ("Bravo", Some("2024-02-01")),
        ("Undated2", None),
        ("Alpha", Some("2024-02-01")),
        ("Charlie", Some("2024-01-15")),
        ("Undated3", None),
    ] {
        let mut input = participant_input(&commune, last);
        input["entryDate"] = json!(entry.unwrap_or("2024-03-01"));
        let (id, _) = create_participant(&app, &w.referent, input).await;
        ids.insert(last, id);
    }
    // The service dates every participant it registers (today by default), but the column
    // allows none: rows brought by a migration from an earlier tool may have no entry date.
    owner_sql(
        &app,
        &w.tenant.id,
        "UPDATE participant SET entry_date = NULL WHERE last_name LIKE 'Undated%'",
    )
    .await;
    // Ties (same date, or no date) are ordered by ID, and IDs are UUIDv7 in creation order.
    let expected_by_entry = [
        "Charlie", "Bravo", "Alpha", "Undated1", "Undated2", "Undated3",
    ];
    let expected_by_name = [
        "Alpha", "Bravo", "Charlie", "Undated1", "Undated2", "Undated3",
    ];
    let q = "query($sort: ParticipantSort, $after: String, $first: Int) { participants(sort: $sort, after: $after, first: $first) { edges { cursor node { id lastName } } pageInfo { endCursor hasNextPage } } }";
    for (sort, expected) in [
        ("ENTRY_DATE", expected_by_entry),
        ("NAME", expected_by_name),
    ] {
        for first in 1..=7 {
            let mut seen = Vec::new();
            let mut after = Value::Null;
            for _ in 0..10 {
                let data = app
                    .ok(
                        &w.referent,
                        q,
                        json!({ "sort": sort, "first": first, "after": after }),
                    )
                    .await;
                let page = &data["participants"];
                for edge in page["edges"].as_array().expect("edges") {
                    let name = edge["node"]["lastName"].as_str().expect("name").to_owned();
                    assert_eq!(edge["node"]["id"], json!(ids[name.as_str()]));
                    seen.push(name);
                }
                if page["pageInfo"]["hasNextPage"] != json!(true) {
                    break;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
            assert_eq!(seen, expected, "{sort} by pages of {first}");
        }
    }
}

async fn a_page_costs_the_same_statements_for_5_and_50_participants(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    for i in 0..50 {
        let (id, _) = create_participant(
            &app,
            &w.referent,
            participant_input(&commune, &format!("Nom{i:02}")),
        )
        .await;
        app.ok(&w.referent, "mutation($id: ID!) { addPathStep(input: {participantId: $id, kind: INTERVIEW, title: \"Entretien\", startDate: \"2024-02-01\"}) { pathStep { id } } }", json!({ "id": id })).await;
    }
    let q = "query($n: Int) { participants(first: $n) { edges { node { lastName commune { name } referent { displayName structure { name } } path { title } episodes { startDate } exit { positive } exitAssessment { positive reasons } } } } }";
    let mut counts = Vec::new();
    for n in [5, 50] {
        app.known_caller(&w.tenant.steering).await;
        let before = app.db.statements_executed();
        let data = app.ok(&w.tenant.steering, q, json!({ "n": n })).await;
        assert_eq!(
            data["participants"]["edges"].as_array().map(Vec::len),
            Some(n as usize)
        );
        counts.push(app.db.statements_executed() - before);
    }
    eprintln!("SQL statements for a page of 5 and of 50 participants: {counts:?}");
    assert_eq!(counts[0], counts[1], "statements for 5 and 50: {counts:?}");
    assert!(counts[1] <= 40, "a small bound: {counts:?}");
}

/// Ties on the name key walk in ID order at every page size: participants with the same name,
/// and the anonymised ones, whose key is empty (they come first), as `anonymiseParticipant`
/// stores them. A page after a cursor is one range of the index `(tenant_id, search_name, id)`
/// (`(key, id) > (value, cursor's id)`), not a filter over the rows before it.
async fn name_ties_and_anonymised_participants_walk_in_id_order(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = first_commune(&app, &w.referent).await;
    let mut created = Vec::new();
    for last in [
        "Durand", "Anonyme1", "Zola", "Durand", "Anonyme2", "Bernard", "Durand", "Anonyme3",
    ] {
        // Namesakes born the same day: another person, created as such.
        let mut input = participant_input(&commune, last);
        input["allowDuplicate"] = json!(true);
        let (id, _) = create_participant(&app, &w.referent, input).await;
        created.push((last, id));
    }
    owner_sql(
        &app,
        &w.tenant.id,
        "UPDATE participant SET first_name = NULL, last_name = NULL, search_name = '' \
         WHERE last_name LIKE 'Anonyme%'",
    )
    .await;
    // IDs are UUIDv7 in creation order: ties keep the order in which they were created.
    let of = |name: &str| -> Vec<String> {
        created
            .iter()
            .filter(|(last, _)| last.starts_with(name))
            .map(|(_, id)| id.clone())
            .collect()
    };
    let expected: Vec<String> = ["Anonyme", "Bernard", "Durand", "Zola"]
        .iter()
        .flat_map(|name| of(name))
        .collect();
    let q = "query($after: String, $first: Int) { participants(sort: NAME, after: $after, first: $first) { edges { node { id } } pageInfo { endCursor hasNextPage } } }";
    for first in 1..=4 {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        for _ in 0..10 {
            let data = app
                .ok(&w.referent, q, json!({ "first": first, "after": after }))
                .await;
            let page = &data["participants"];
            for edge in page["edges"].as_array().expect("edges") {
                seen.push(edge["node"]["id"].as_str().expect("an ID").to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "by pages of {first}");
    }
}

on_both!(
    search_sort_and_filters,
    every_page_size_walks_the_list_once_with_undated_participants_last,
    name_ties_and_anonymised_participants_walk_in_id_order,
    a_page_costs_the_same_statements_for_5_and_50_participants,
);
