//! Data migrations reach every tenant's rows: on PostgreSQL the tables' forced row-level
//! security binds the owner who runs them (`migration/src/lib.rs`, `across_tenants`); and a
//! column's change of type keeps its values; the participants' sort indexes and name key.

use parcours_tests::{Backend, TestApp, World, on_both, owner_sql};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention};

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

/// The JSON documents' columns: `json` on PostgreSQL since `m20261203_000018`.
const DOCUMENTS: &str = "SELECT table_name || '.' || column_name || ' ' || data_type
    FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type IN ('json', 'jsonb')
    ORDER BY 1";

/// A database whose documents were stored as `jsonb` keeps every document when
/// `m20261203_000018` stores them as `json`: the same answers before and after, and the
/// documents are written again afterwards. On SQLite (text already) it changes nothing.
async fn documents_keep_their_content_once_stored_as_json(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe A").await;
    let p = active_participant(&app, &w, "Martin").await;
    app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
        .await;
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
        .await;
    let clea = crate::workloads::clea();
    let saved = app
        .ok(
            &w.provider,
            SAVE_DIAG,
            crate::cohorts::diagnostic(&c["id"], &p, None, clea.clone(), false),
        )
        .await;
    let read = "query($c: ID!) { node(id: $c) { ... on Cohort { members {
        participant { difficulties commune { priorityNeighbourhoods } }
        diagnostic { version fle { listening reading speaking writing trainingNeeded }
          mobility { drivingLicence acceptableCommuteMinutes platformReferral }
          clea { sharePercent domains { acquisition } } } } } } }";
    let vars = json!({ "c": c["id"] });
    let before = app.ok(&w.tenant.steering, read, vars.clone()).await;
    let member = &before["node"]["members"][0];
    assert_eq!(member["participant"]["difficulties"], json!(["mobilité"]));
    assert_eq!(member["diagnostic"]["fle"]["speaking"], "A1_1", "{before}");
    assert_eq!(
        member["diagnostic"]["clea"]["domains"][1]["acquisition"],
        "PARTLY_ACQUIRED"
    );

    let postgres = matches!(app.backend, Backend::Postgres { .. });
    let owner = || async {
        sea_orm::Database::connect(app.config.database_owner_url.as_str())
            .await
            .expect("owner connection")
    };
    let types = |db: sea_orm::DatabaseConnection| async move {
        use sea_orm::ConnectionTrait;
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                DOCUMENTS,
            ))
            .await
            .expect("columns");
        db.close().await.ok();
        rows.iter()
            .map(|r| r.try_get_by_index::<String>(0).expect("a name"))
            .collect::<Vec<_>>()
    };
    if postgres {
        // As a database migrated before it: every document column back to `jsonb`.
        let documents = types(owner().await).await;
        assert_eq!(documents.len(), 11, "{documents:?}");
        let back: Vec<String> = documents
            .iter()
            .map(|d| {
                let (column, _) = d.split_once(' ').expect("column and type");
                let (table, column) = column.split_once('.').expect("table.column");
                format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb"
                )
            })
            .collect();
        owner_sql(&app, &w.tenant.id, &back.join("; ")).await;
        assert!(
            types(owner().await)
                .await
                .iter()
                .all(|d| d.ends_with(" jsonb")),
            "the documents are jsonb again"
        );
    }
    owner_sql(
        &app,
        &w.tenant.id,
        "DELETE FROM seaql_migrations WHERE version = 'm20261203_000018_documents_as_json'",
    )
    .await;
    parcours_api::connect_and_migrate(&app.config)
        .await
        .expect("migrations run");
    if postgres {
        let documents = types(owner().await).await;
        assert_eq!(documents.len(), 11, "{documents:?}");
        assert!(
            documents.iter().all(|d| d.ends_with(" json")),
            "{documents:?}"
        );
    }
    let after = app.ok(&w.tenant.steering, read, vars.clone()).await;
    assert_eq!(after, before);

    // Written again as `json`, and read back.
    let version = saved["saveDiagnostic"]["diagnostic"]["version"].as_i64();
    let mut input = crate::cohorts::diagnostic(&c["id"], &p, version, clea, true);
    input["input"]["fle"]["speaking"] = json!("B2");
    app.ok(&w.provider, SAVE_DIAG, input).await;
    let again = app.ok(&w.tenant.steering, read, vars).await;
    let diagnostic = &again["node"]["members"][0]["diagnostic"];
    assert_eq!(diagnostic["fle"]["speaking"], "B2", "{again}");
    assert_eq!(diagnostic["fle"]["listening"], "B1", "{again}");
    assert_eq!(
        diagnostic["mobility"],
        before["node"]["members"][0]["diagnostic"]["mobility"]
    );
}

/// `m20261203_000019`: a page of participants after a cursor is one range of an index, by name
/// and by entry date, and the name key is never NULL (a `NOT NULL` column on PostgreSQL, two
/// triggers on SQLite), whether a row is inserted or updated by hand.
async fn the_name_key_is_never_null_and_a_page_after_a_cursor_is_one_index_range(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    active_participant(&app, &w, "Martin").await;
    let postgres = matches!(app.backend, Backend::Postgres { .. });
    // One connection: a refused statement's transaction is rolled back on the connection it
    // was refused on.
    let mut options = sea_orm::ConnectOptions::new(app.config.database_owner_url.as_str());
    options.max_connections(1);
    let owner = sea_orm::Database::connect(options)
        .await
        .expect("owner connection");
    // The text in column `column` of each row `statement` answers.
    let texts = |statement: sea_orm::Statement, column: usize| {
        let owner = &owner;
        async move {
            let rows = owner.query_all_raw(statement).await.expect("a query");
            rows.iter()
                .map(|r| r.try_get_by_index::<String>(column).expect("text"))
                .collect::<Vec<_>>()
        }
    };
    // The plan of the statement the service sends for a page after a cursor: one range of
    // the index, no sort, on both databases.
    let plan = |sort: &str, index: &str| {
        let (sort, index) = (sort.to_owned(), index.to_owned());
        let (texts, owner, app, w) = (&texts, &owner, &app, &w);
        async move {
            let first = app
                .ok(
                    &w.tenant.steering,
                    &format!(
                        "{{ participants(first: 1, sort: {sort}) {{ pageInfo {{ endCursor }} }} }}"
                    ),
                    json!({}),
                )
                .await;
            let cursor = &first["participants"]["pageInfo"]["endCursor"];
            assert!(cursor.is_string(), "{first}");
            app.db.record_statements(true);
            app.ok(
                &w.tenant.steering,
                &format!(
                    "query($after: String!) {{ participants(first: 1, sort: {sort}, after: $after) {{
                        edges {{ node {{ id lastName }} }} }} }}"
                ),
                json!({ "after": cursor }),
            )
            .await;
            app.db.record_statements(false);
            let sent = app.db.recorded_statements();
            let page = sent
                .iter()
                .find(|s| s.sql.contains("FROM \"participant\"") && s.sql.contains("ORDER BY"))
                .unwrap_or_else(|| panic!("{sort}: the page's statement among {sent:?}"));
            if postgres {
                owner
                    .execute_unprepared(
                        "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off",
                    )
                    .await
                    .expect("begun");
            }
            // PostgreSQL's `EXPLAIN`; SQLite's `EXPLAIN QUERY PLAN`, whose fourth column is
            // the step's detail. The statement's own values are bound, as the service binds them.
            let (explain, column) = if postgres {
                ("EXPLAIN", 0)
            } else {
                ("EXPLAIN QUERY PLAN", 3)
            };
            let statement = sea_orm::Statement {
                sql: format!("{explain} {}", page.sql),
                ..page.clone()
            };
            let lines = texts(statement, column).await;
            if postgres {
                owner
                    .execute_unprepared("ROLLBACK")
                    .await
                    .expect("rolled back");
            }
            let plan = lines.join("\n");
            assert!(plan.contains(&index), "{index}: {plan}\n{}", page.sql);
            if postgres {
                assert!(
                    plan.contains("Index Cond") && plan.contains("ROW("),
                    "{plan}\n{}",
                    page.sql
                );
                assert!(!plan.contains("Sort"), "{plan}\n{}", page.sql);
            } else {
                assert!(!plan.contains("TEMP B-TREE"), "{plan}\n{}", page.sql);
            }
        }
    };
    plan("NAME", "participant_name").await;
    plan("ENTRY_DATE", "participant_entry").await;

    // A NULL key is refused by an update and by an insert (before the primary key is checked:
    // the inserted row is a copy of an existing one).
    let scoped = |sql: &str| match app.backend {
        Backend::Postgres { .. } => format!(
            "BEGIN; SELECT set_config('app.tenant_id', '{}', true); {sql}; COMMIT",
            parcours_tests::global_uuid(&w.tenant.id).expect("a tenant ID")
        ),
        Backend::Sqlite => sql.to_owned(),
    };
    for sql in [
        "UPDATE participant SET search_name = NULL",
        "CREATE TEMP TABLE copy AS SELECT * FROM participant; \
         UPDATE copy SET search_name = NULL; INSERT INTO participant SELECT * FROM copy",
    ] {
        let error = owner
            .execute_unprepared(&scoped(sql))
            .await
            .expect_err(sql)
            .to_string();
        assert!(error.contains("search_name"), "{sql}: {error}");
        if postgres {
            owner
                .execute_unprepared("ROLLBACK")
                .await
                .expect("rolled back");
        }
    }
    owner.close().await.ok();
    // Nothing was written: the participant is still found by name, once.
    let found = app
        .ok(
            &w.tenant.steering,
            "{ participants(search: \"martin\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(found["participants"]["totalCount"], 1, "{found}");
}

on_both!(
    a_data_migration_reaches_every_tenant,
    documents_keep_their_content_once_stored_as_json,
    the_name_key_is_never_null_and_a_page_after_a_cursor_is_one_index_range,
);
