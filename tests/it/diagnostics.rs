//! Diagnostics: written by the provider of enrolled members, final once final, with the
//! tenant's CléA threshold.

use parcours_tests::{Backend, TestApp, World, code, on_both};
use serde_json::{Value, json};

use crate::cohorts::{
    ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention, diagnostic,
};

async fn diagnostics_are_written_by_the_provider_of_enrolled_members(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe 1").await;
    let colleague = w.colleague(&app).await;
    let a = active_participant(&app, &w, "Alpha").await;
    let b = active_participant(&app, &w, "Bravo").await;
    for p in [&a, &b] {
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
    }
    app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": a }))
        .await;
    // 10 of 14 points: 71%.
    let clea = json!([
        "ACQUIRED",
        "ACQUIRED",
        "ACQUIRED",
        "PARTLY_ACQUIRED",
        "PARTLY_ACQUIRED",
        "ACQUIRED",
        "NOT_ACQUIRED"
    ]);
    let saved = app
        .ok(
            &w.provider,
            SAVE_DIAG,
            diagnostic(&c["id"], &a, None, clea.clone(), false),
        )
        .await;
    let d = &saved["saveDiagnostic"]["diagnostic"];
    assert_eq!(d["fle"]["speaking"], "A1_1");
    assert_eq!(
        (
            d["clea"]["sharePercent"].clone(),
            d["clea"]["meetsThreshold"].clone()
        ),
        (json!(71), json!(false))
    );
    assert_eq!(
        d["clea"]["modulesToTrain"],
        json!([
            "RULES_AND_TEAMWORK",
            "AUTONOMOUS_WORK",
            "SAFETY_AND_ENVIRONMENT_RULES"
        ]),
        "the domains to train, as the enum, in the certificate's order"
    );
    assert_eq!(
        d["clea"]["domains"][0],
        json!({ "domain": "COMMUNICATING_IN_FRENCH", "name": "Communiquer en français", "acquisition": "ACQUIRED" })
    );
    assert_eq!(
        d["clea"]["domains"][6]["name"],
        "Maîtriser les gestes et postures, et respecter des règles d'hygiène, de sécurité et environnementales"
    );

    for (name, token, input, expected) in [
        (
            "a participant only prescribed",
            &w.provider,
            diagnostic(&c["id"], &b, None, clea.clone(), false),
            "VALIDATION",
        ),
        (
            "six domains",
            &w.provider,
            diagnostic(&c["id"], &a, Some(1), json!(vec!["ACQUIRED"; 6]), false),
            "VALIDATION",
        ),
        (
            "a stale version",
            &w.provider,
            diagnostic(&c["id"], &a, Some(7), clea.clone(), false),
            "CONFLICT",
        ),
        (
            "a referent",
            &w.referent,
            diagnostic(&c["id"], &a, Some(1), clea.clone(), false),
            "FORBIDDEN",
        ),
    ] {
        let (_, body) = app.post(token, SAVE_DIAG, input).await;
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    let mut outside = diagnostic(&c["id"], &a, Some(1), clea.clone(), false);
    outside["input"]["fle"]["speaking"] = json!("D1");
    let (status, body) = app.post(&w.provider, SAVE_DIAG, outside).await;
    assert_eq!(
        (
            status,
            code(&body),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        (400, "VALIDATION", Some("speaking")),
        "a level outside CEFR: {body}"
    );

    // The tenant's threshold decides.
    let version = app
        .ok(&w.tenant.steering, "{ tenant { version } }", json!({}))
        .await["tenant"]["version"]
        .clone();
    app.ok(&w.tenant.steering, "mutation($v: Int!) { setCleaThreshold(input: {percent: 70, version: $v}) { tenant { cleaThresholdPercent } } }", json!({ "v": version })).await;
    let read = "query($id: ID!) { node(id: $id) { ... on Cohort { members { status diagnostic { version clea { thresholdPercent meetsThreshold } } } } } }";
    let own = app.ok(&w.referent, read, json!({ "id": c["id"] })).await;
    let with_diag: Vec<&Value> = own["node"]["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| !m["diagnostic"].is_null())
        .collect();
    assert_eq!(with_diag.len(), 1);
    assert_eq!(
        with_diag[0]["diagnostic"]["clea"],
        json!({ "thresholdPercent": 70, "meetsThreshold": true })
    );
    let other = app.ok(&colleague, read, json!({ "id": c["id"] })).await;
    assert_eq!(
        other["node"]["members"],
        json!([]),
        "another referent's participants stay hidden"
    );

    let fin = app
        .ok(
            &w.provider,
            SAVE_DIAG,
            diagnostic(&c["id"], &a, Some(1), clea.clone(), true),
        )
        .await;
    assert_eq!(fin["saveDiagnostic"]["diagnostic"]["isFinal"], true);
    let (_, body) = app
        .post(
            &w.provider,
            SAVE_DIAG,
            diagnostic(&c["id"], &a, Some(2), clea, false),
        )
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "a final diagnostic no longer changes: {body}"
    );
}

on_both!(diagnostics_are_written_by_the_provider_of_enrolled_members);
