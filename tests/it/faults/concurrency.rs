//! (d) Concurrent writers on one database.

use super::*;

/// (d) 40 mutations at once from 40 tasks, two roles, on one database: every one succeeds
/// (SQLite's writers queue on `BEGIN IMMEDIATE` within busy_timeout; no "database is locked"
/// reaches a client) and every change has exactly its audit entry.
async fn forty_concurrent_writers_all_succeed_each_with_its_audit_entry(backend: Backend) {
    let app = TestApp::start_with(backend, no_rate_limit).await;
    let w = parcours_tests::World::build(&app, "busy").await;
    let commune = first_commune(&app, &w.referent).await;
    // One participant made beforehand: the referent's portfolio is not empty.
    create_participant(&app, &w.referent, participant_input(&commune, "Avant")).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let client = reqwest::Client::new();
            let url = app.url();
            let (token, query, input, pick): (String, &str, Value, Pick) = if i % 2 == 0 {
                (
                    w.tenant.steering.clone(),
                    CREATE_STRUCTURE,
                    json!({ "name": format!("Concurrent {i}"), "kind": "PARTNER" }),
                    structure_id,
                )
            } else {
                (
                    w.referent.clone(),
                    parcours_tests::CREATE_PARTICIPANT,
                    participant_input(&commune, &format!("Concurrent{i}")),
                    participant_id,
                )
            };
            tokio::spawn(async move {
                send(
                    &client,
                    &url,
                    &token,
                    query,
                    json!({ "input": input }),
                    pick,
                )
                .await
            })
        })
        .collect();
    let mut structures = BTreeSet::new();
    let mut participants = BTreeSet::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Outcome::Done(id, _) if i % 2 == 0 => assert!(structures.insert(id)),
            Outcome::Done(id, _) => assert!(participants.insert(id)),
            Outcome::Unavailable => panic!("mutation {i} was refused as UNAVAILABLE"),
        }
    }
    assert_eq!((structures.len(), participants.len()), (20, 20));

    let t = &w.tenant.steering;
    let mut stored = created_structures(&app, t, &w.tenant.steering_body).await;
    stored.remove(&w.carrier);
    stored.remove(&w.provider_structure);
    assert_eq!(stored, structures, "every structure stored once");
    let mut audited_structures = audited(&app, t, "structure.create").await;
    audited_structures.remove(&w.carrier);
    audited_structures.remove(&w.provider_structure);
    assert_eq!(audited_structures, structures, "each with its audit entry");
    let stored_participants = all_ids(&app, t, "participants").await;
    let audited_participants = audited(&app, t, "participant.create").await;
    assert_eq!(stored_participants.len(), 21);
    assert!(participants.is_subset(&stored_participants));
    assert_eq!(
        audited_participants, stored_participants,
        "each with its audit entry"
    );
}

on_both!(forty_concurrent_writers_all_succeed_each_with_its_audit_entry);
