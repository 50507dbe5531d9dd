//! PostgreSQL row-level security, the wall behind the domain's scoping: through the runtime
//! role, a raw unscoped SELECT sees only the tenant set in its transaction, or nothing; the
//! runtime role bypasses nothing; production refuses to start when it could.

use std::collections::HashMap;

use parcours_api::config::Config;
use parcours_domain::ids::TenantId;
use parcours_domain::{Db, checks};
use parcours_tests::{
    Backend, TestApp, World, create_participant, first_commune, global_uuid, participant_input,
};

async fn raw_selects_see_only_the_tenant_of_their_transaction() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    let a = World::build(&app, "alpha").await;
    let b = World::build(&app, "beta").await;
    let a_id = global_uuid(&a.tenant.id).expect("uuid");
    let b_id = global_uuid(&b.tenant.id).expect("uuid");
    // Each tenant gets an access entry (a participant's sensitive field read by steering) and
    // notifications (a submission received, a decision recorded).
    for w in [&a, &b] {
        crate::cohorts::convention(&app, w).await;
        let commune = first_commune(&app, &w.referent).await;
        let (p, _) =
            create_participant(&app, &w.referent, participant_input(&commune, "Rls")).await;
        app.ok(
            &w.tenant.steering,
            "query($id: ID!) { participant(id: $id) { rsaBeneficiary } }",
            serde_json::json!({ "id": p }),
        )
        .await;
    }
    for table in checks::TENANT_TABLES {
        let as_a = checks::visible_tenants(&app.db, table, Some(TenantId(a_id)))
            .await
            .expect("select");
        assert_eq!(as_a, vec![a_id], "{table} in a transaction set for A");
        let as_b = checks::visible_tenants(&app.db, table, Some(TenantId(b_id)))
            .await
            .expect("select");
        assert_eq!(as_b, vec![b_id], "{table} in a transaction set for B");
        let unset = checks::visible_tenants(&app.db, table, None)
            .await
            .expect("select");
        assert!(unset.is_empty(), "{table} with no tenant set: {unset:?}");
    }
    // After those commits the pooled connections carry no tenant: still nothing.
    let again = checks::visible_tenants(&app.db, "structure", None)
        .await
        .expect("select");
    assert!(
        again.is_empty(),
        "a pooled connection leaked a tenant: {again:?}"
    );
    assert!(
        checks::isolation_problems(&app.db)
            .await
            .expect("checks")
            .is_empty(),
        "the runtime role is neither superuser, BYPASSRLS nor owner"
    );
}

async fn production_refuses_a_runtime_role_that_bypasses_rls() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::start(backend).await;
    // Run the service as the owner role: it owns the tables.
    let owner_url = app.config.database_owner_url.clone();
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("PARCOURS_ENV".into(), "production".into());
    vars.insert("DATABASE_URL".into(), owner_url.clone());
    vars.insert(
        "PARCOURS_JWT_SECRET".into(),
        "an-explicit-production-secret-of-40-bytes".into(),
    );
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
    let err = parcours_api::connect_and_migrate(&config)
        .await
        .expect_err("production must refuse the owner role");
    assert!(err.0.contains("DATABASE_URL"), "{err}");
    assert!(err.0.contains("owns tables"), "{err}");

    let owner = Db::connect(&owner_url, &Default::default())
        .await
        .expect("owner");
    let problems = checks::isolation_problems(&owner).await.expect("checks");
    assert!(!problems.is_empty(), "the owner role is reported");

    // A trigger that tells the instances to forget the callers they keep, disabled or only
    // enabled as an ordinary trigger (which replication's apply skips), is reported.
    use sea_orm::ConnectionTrait;
    let ddl = sea_orm::Database::connect(owner_url.as_str())
        .await
        .expect("owner connection");
    for (change, undo) in [
        (
            "ALTER TABLE staff_member DISABLE TRIGGER staff_member_callers_changed",
            "ALTER TABLE staff_member ENABLE ALWAYS TRIGGER staff_member_callers_changed",
        ),
        (
            "ALTER TABLE structure ENABLE TRIGGER structure_callers_changed",
            "ALTER TABLE structure ENABLE ALWAYS TRIGGER structure_callers_changed",
        ),
    ] {
        ddl.execute_unprepared(change).await.expect(change);
        let problems = checks::isolation_problems(&app.db).await.expect("checks");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("parcours_callers_changed")),
            "{change}: {problems:?}"
        );
        ddl.execute_unprepared(undo).await.expect(undo);
        assert!(
            checks::isolation_problems(&app.db)
                .await
                .expect("checks")
                .is_empty(),
            "{undo}"
        );
    }

    // A superuser, where the test machine offers one.
    if let Ok(super_url) = std::env::var("TEST_POSTGRES_SUPERUSER_URL") {
        let database = owner_url.rsplit('/').next().unwrap_or_default().to_owned();
        let url = parcours_tests::postgres_url(&super_url, None, &database);
        let superuser = Db::connect(&url, &Default::default())
            .await
            .expect("superuser");
        let problems = checks::isolation_problems(&superuser)
            .await
            .expect("checks");
        assert!(
            problems.iter().any(|p| p.contains("superuser")),
            "{problems:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_raw_selects_see_only_the_tenant_of_their_transaction() {
    raw_selects_see_only_the_tenant_of_their_transaction().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_production_refuses_a_runtime_role_that_bypasses_rls() {
    production_refuses_a_runtime_role_that_bypasses_rls().await;
}
