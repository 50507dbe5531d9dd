//! Data migrations reach every tenant's rows: on PostgreSQL the tables' forced row-level
//! security binds the owner who runs them (`migration/src/lib.rs`, `across_tenants`).

use parcours_tests::{Backend, TestApp, World, on_both, owner_sql};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, active_participant, cohort, convention};

const DROP_OUT: &str = "mutation($c: ID!, $p: ID!, $on: Date) { recordDropOut(input: {cohortId: $c, participantId: $p, reason: \"santé\", droppedOutOn: $on}) { member { status droppedOutOn } } }";

const READ: &str = "query($c: ID!) { node(id: $c) { ... on Cohort {
    sessions { id halfDay startTime endTime } members { participant { id } status droppedOutOn } } } }";

/// Rows left as `m20261130_000013` left them on PostgreSQL (afternoon sessions at the
/// morning's default hours, drop-outs without a date) are repaired by `m20261201_000017`,
/// in every tenant, and nothing recorded since is touched.
async fn a_data_migration_reaches_every_tenant(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut cohorts = Vec::new();
    for slug in ["alpha", "beta"] {
        let w = World::build(&app, slug).await;
        let conv = convention(&app, &w).await;
        let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe A").await;
        // Martin drops out on the default day (the cohort's last, as it has ended), Bernard on
        // a day of his own.
        let mut people = Vec::new();
        for (name, on) in [("Martin", None), ("Bernard", Some("2026-09-10"))] {
            let p = active_participant(&app, &w, name).await;
            app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
                .await;
            app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
                .await;
            let out = app
                .ok(
                    &w.provider,
                    DROP_OUT,
                    json!({ "c": c["id"], "p": p, "on": on }),
                )
                .await;
            let day = out["recordDropOut"]["member"]["droppedOutOn"].clone();
            assert!(day.is_string(), "{out}");
            people.push((json!(p), day));
        }
        assert_ne!(people[0].1, people[1].1);
        let sessions: Vec<Value> = c["sessions"].as_array().cloned().unwrap_or_default();
        let uuid = |id: &Value| {
            parcours_tests::global_uuid(id.as_str().expect("id")).expect("a global ID")
        };
        let literal = |u: uuid::Uuid| match app.backend {
            Backend::Sqlite => format!("X'{}'", u.simple()),
            Backend::Postgres { .. } => format!("'{u}'"),
        };
        // Session 0: an afternoon at the morning's hours, as m13 left it; session 1: an
        // afternoon recorded since at 14:00–17:00; session 2 stays a morning at 09:00–12:00.
        // Martin's drop-out lost its date, as m13 left it; Bernard's keeps its own.
        owner_sql(
            &app,
            &w.tenant.id,
            &format!(
                "UPDATE cohort_session SET half_day = 'afternoon' WHERE id = {};
                 UPDATE cohort_session SET half_day = 'afternoon', start_time = '14:00', end_time = '17:00' WHERE id = {};
                 UPDATE cohort_member SET dropped_out_on = NULL WHERE participant_id = {}",
                literal(uuid(&sessions[0]["id"])),
                literal(uuid(&sessions[1]["id"])),
                literal(uuid(&people[0].0)),
            ),
        )
        .await;
        let before = app
            .ok(&w.tenant.steering, READ, json!({ "c": c["id"] }))
            .await;
        assert_eq!(
            before["node"]["sessions"][0]["startTime"], "09:00",
            "{before}"
        );
        cohorts.push((w, c["id"].clone(), people));
    }

    // The owner who runs migrations is bound by row-level security like any role but a
    // superuser or one with BYPASSRLS, with whom this test would prove nothing.
    if let Backend::Postgres { .. } = app.backend {
        use sea_orm::ConnectionTrait;
        let owner = sea_orm::Database::connect(app.config.database_owner_url.as_str())
            .await
            .expect("owner connection");
        let bypasses = owner
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            ))
            .await
            .expect("role")
            .and_then(|row| row.try_get_by_index::<bool>(0).ok());
        assert_eq!(bypasses, Some(false), "the test's owner bypasses RLS");
        owner.close().await.ok();
    }

    // The repair runs again, as on a database migrated before it.
    owner_sql(
        &app,
        &cohorts[0].0.tenant.id,
        "DELETE FROM seaql_migrations WHERE version = 'm20261201_000017_data_across_tenants'",
    )
    .await;
    parcours_api::connect_and_migrate(&app.config)
        .await
        .expect("migrations run");

    for (w, c, people) in &cohorts {
        let after = app.ok(&w.tenant.steering, READ, json!({ "c": c })).await;
        let sessions = &after["node"]["sessions"];
        let hours = |i: usize| {
            (
                sessions[i]["halfDay"].as_str().unwrap_or_default(),
                sessions[i]["startTime"].as_str().unwrap_or_default(),
                sessions[i]["endTime"].as_str().unwrap_or_default(),
            )
        };
        assert_eq!(hours(0), ("AFTERNOON", "13:30", "16:30"), "{after}");
        assert_eq!(hours(1), ("AFTERNOON", "14:00", "17:00"), "{after}");
        assert_eq!(hours(2), ("MORNING", "09:00", "12:00"), "{after}");
        // Martin's date is back, the day of his record within the cohort's dates (today is
        // after its end); Bernard's own is kept.
        let members = after["node"]["members"].as_array().expect("members");
        assert_eq!(members.len(), 2, "{after}");
        for (participant, day) in people {
            let member = members
                .iter()
                .find(|m| &m["participant"]["id"] == participant)
                .expect("a member");
            assert_eq!(member["status"], "DROPPED_OUT", "{member}");
            assert_eq!(&member["droppedOutOn"], day, "{member}");
        }
    }
}

on_both!(a_data_migration_reaches_every_tenant);
