//! Participants, their communes and diagnostics are read in the shape their selection needs: lists and
//! relations whose fields all come from the brief (or the summary) read its columns only; a
//! selection with a field of the whole record reads the whole record in the same statement.
//! Whatever the shape, the answer is the same, and none costs a statement more than another.

use parcours_tests::{TestApp, World, on_both};
use serde_json::{Value, json};

use crate::cohorts::{ENROL, PRESCRIBE, SAVE_DIAG, active_participant, cohort, convention};

/// Every `Participant` field served from the brief (with a sub-selection for relations).
const BRIEF: &str = "__typename id firstName lastName birthDate gender
    commune { name } referent { displayName }
    path { id } currentStep { id } memberships { status } episodes { id } exit { date }";
/// The brief's own fields.
const BRIEF_SCALARS: &str = "__typename id firstName lastName birthDate gender";
/// Every `Participant` field served from the summary (with a sub-selection for relations).
const SUMMARY: &str = "__typename id firstName lastName birthDate birthYear gender
    commune { name } referent { displayName } status entryDate version
    path { id } currentStep { id } memberships { status } episodes { id } exit { date }";
/// The summary's own fields: a relation reached through members primes the participant, not
/// its relations, whose batches could then split by the executor's timing.
const SCALARS: &str =
    "__typename id firstName lastName birthDate birthYear gender status entryDate version";
/// Fields of the whole record only (but the two sensitive ones, whose reads write access-log
/// entries: `access.rs`).
const RECORD: &str = "email phone postalAddress longTermJobSeeker
    priorityNeighbourhood educationLevel authorisedToWork difficulties
    consentDate consentScope committeeDate refusalReason anonymisedAt createdAt updatedAt";

/// Every `Diagnostic` field served from its summary.
const DIAGNOSTIC_SUMMARY: &str = "__typename isFinal
    fle { listening reading speaking writing trainingNeeded }
    clea { sharePercent thresholdPercent meetsThreshold modulesToTrain domains { domain acquisition } }
    daqOrientation updatedAt version";
/// Fields of the whole diagnostic only.
const DIAGNOSTIC_RECORD: &str =
    "mobility { drivingLicence acceptableCommuteMinutes platformReferral }
    recommendations writtenBy";

fn diagnostics(fields: &str) -> String {
    format!(
        "query($c: ID!) {{ node(id: $c) {{ ... on Cohort {{ members {{ diagnostic {{ {fields} }} }} }} }} }}"
    )
}

fn page(fields: &str) -> String {
    format!("{{ participants(first: 10, sort: NAME) {{ edges {{ node {{ {fields} }} }} }} }}")
}

fn members(fields: &str) -> String {
    format!(
        "query($c: ID!) {{ node(id: $c) {{ ... on Cohort {{ members {{ participant {{ {fields} }} }} }} }} }}"
    )
}

/// The statements of one request by a known caller, and its data.
async fn cost(app: &TestApp, token: &str, query: &str, variables: Value) -> (u64, Value) {
    app.known_caller(token).await;
    let before = app.db.statements_executed();
    let data = app.ok(token, query, variables).await;
    (app.db.statements_executed() - before, data)
}

/// The summary's fields of each participant of `list`, as the whole selection answered them.
fn summaries(list: &[Value]) -> Vec<Value> {
    let keys = [
        "id",
        "firstName",
        "lastName",
        "birthDate",
        "birthYear",
        "gender",
        "commune",
        "referent",
        "status",
        "entryDate",
        "version",
        "path",
        "memberships",
        "exit",
    ];
    list.iter()
        .map(|p| {
            keys.iter()
                .map(|k| ((*k).to_owned(), p[*k].clone()))
                .collect::<serde_json::Map<_, _>>()
                .into()
        })
        .collect()
}

async fn a_participant_is_read_in_the_shape_its_selection_needs(backend: parcours_tests::Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let conv = convention(&app, &w).await;
    let c = cohort(&app, &w, &conv, "2026-09-07", "Groupe A").await;
    for name in ["Martin", "Bernard", "Petit"] {
        let p = active_participant(&app, &w, name).await;
        app.ok(&w.referent, PRESCRIBE, json!({ "c": c["id"], "p": p }))
            .await;
        app.ok(&w.provider, ENROL, json!({ "c": c["id"], "p": p }))
            .await;
        let clea = crate::workloads::clea();
        let d = crate::cohorts::diagnostic(&c["id"], &p, None, clea, name == "Petit");
        app.ok(&w.provider, SAVE_DIAG, d).await;
    }
    let s = &w.tenant.steering;

    // A page: the brief's fields alone, the summary's, and with the record's.
    let (brief_cost, brief) = cost(&app, s, &page(BRIEF), json!({})).await;
    let (summary_cost, summary) = cost(&app, s, &page(SUMMARY), json!({})).await;
    let (whole_cost, whole) = cost(&app, s, &page(&format!("{SUMMARY} {RECORD}")), json!({})).await;
    let nodes = |data: &Value| -> Vec<Value> {
        data["participants"]["edges"]
            .as_array()
            .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
            .unwrap_or_default()
    };
    let (brief, summary, whole) = (nodes(&brief), nodes(&summary), nodes(&whole));
    assert_eq!(summary.len(), 3, "{summary:?}");
    assert_eq!(summaries(&summary), summaries(&whole));
    assert_eq!(brief.len(), 3, "{brief:?}");
    for (b, w) in brief.iter().zip(&whole) {
        for (key, value) in b.as_object().into_iter().flatten() {
            assert_eq!(value, &w[key], "{key}: {b} / {w}");
        }
    }
    for p in &whole {
        assert!(
            p["createdAt"].is_string() && p["longTermJobSeeker"].is_boolean(),
            "{p}"
        );
        assert!(
            p.get("email").is_some() && p.get("consentScope").is_some(),
            "{p}"
        );
    }
    // No field of the summary reads the record behind the page's back, and the record's
    // fields come with the page's own statement.
    assert_eq!(
        summary_cost, whole_cost,
        "a page costs {summary_cost} statements with the summary's fields, {whole_cost} with the record's"
    );
    assert_eq!(
        brief_cost, summary_cost,
        "a page costs {brief_cost} statements with the brief's fields, {summary_cost} with the summary's"
    );

    // Paged by either sort key, a page read as briefs (whose columns do not include the entry
    // date) lists the same participants in the same order, with the same cursors, as one read
    // as summaries.
    for sort in ["NAME", "ENTRY_DATE"] {
        let mut orders = Vec::new();
        for fields in ["id", "id entryDate status"] {
            let query = format!(
                "query($after: String) {{ participants(first: 1, sort: {sort}, after: $after) {{
                   edges {{ cursor node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            );
            let mut seen = Vec::new();
            let mut after = Value::Null;
            loop {
                let data = app.ok(s, &query, json!({ "after": after })).await;
                let edge = &data["participants"]["edges"][0];
                seen.push((edge["node"]["id"].clone(), edge["cursor"].clone()));
                let info = &data["participants"]["pageInfo"];
                assert_eq!(info["endCursor"], edge["cursor"], "{data}");
                if info["hasNextPage"] != true {
                    break;
                }
                after = info["endCursor"].clone();
                assert!(seen.len() < 10, "{sort}: the pages do not end: {seen:?}");
            }
            orders.push(seen);
        }
        assert_eq!(orders[0].len(), 3, "{sort}: {:?}", orders[0]);
        assert_eq!(orders[0], orders[1], "{sort}");
    }

    // The same page as `nodes`: the record's fields are read by the page's statement too.
    let nodes = |fields: &str| {
        format!("{{ participants(first: 10, sort: NAME) {{ nodes {{ {fields} }} }} }}")
    };
    let (summary_cost, _) = cost(&app, s, &nodes(SCALARS), json!({})).await;
    let (whole_cost, data) = cost(&app, s, &nodes(&format!("{SCALARS} {RECORD}")), json!({})).await;
    assert_eq!(
        data["participants"]["nodes"].as_array().map(Vec::len),
        Some(3),
        "{data}"
    );
    assert_eq!(
        summary_cost, whole_cost,
        "`nodes` cost {summary_cost} statements with the summary's fields, {whole_cost} with the record's"
    );

    // A relation: a cohort's members and their participant.
    let vars = json!({ "c": c["id"] });
    let (brief_cost, brief) = cost(&app, s, &members(BRIEF_SCALARS), vars.clone()).await;
    let (summary_cost, summary) = cost(&app, s, &members(SCALARS), vars.clone()).await;
    let (whole_cost, whole) = cost(&app, s, &members(&format!("{SCALARS} {RECORD}")), vars).await;
    let people = |data: &Value| -> Vec<Value> {
        data["node"]["members"]
            .as_array()
            .map(|ms| ms.iter().map(|m| m["participant"].clone()).collect())
            .unwrap_or_default()
    };
    let (brief, summary, whole) = (people(&brief), people(&summary), people(&whole));
    assert_eq!(summary.len(), 3, "{summary:?}");
    assert_eq!(summary.len(), whole.len());
    assert_eq!(brief.len(), whole.len());
    for ((b, s), w) in brief.iter().zip(&summary).zip(&whole) {
        for (key, value) in s.as_object().into_iter().flatten() {
            assert_eq!(value, &w[key], "{key}: {s} / {w}");
        }
        for (key, value) in b.as_object().into_iter().flatten() {
            assert_eq!(value, &w[key], "{key}: {b} / {w}");
        }
        assert!(w["updatedAt"].is_string(), "{w}");
    }
    assert_eq!(
        brief_cost, summary_cost,
        "members' participants cost {brief_cost} statements with the brief's fields, {summary_cost} with the summary's"
    );
    assert_eq!(
        summary_cost, whole_cost,
        "members' participants cost {summary_cost} statements with the summary's fields, {whole_cost} with the record's"
    );

    // A cohort's members' diagnostics.
    let vars = json!({ "c": c["id"] });
    let (summary_cost, summary) =
        cost(&app, s, &diagnostics(DIAGNOSTIC_SUMMARY), vars.clone()).await;
    let both = format!("{DIAGNOSTIC_SUMMARY} {DIAGNOSTIC_RECORD}");
    let (whole_cost, whole) = cost(&app, s, &diagnostics(&both), vars).await;
    let of = |data: &Value| -> Vec<Value> {
        data["node"]["members"]
            .as_array()
            .map(|ms| ms.iter().map(|m| m["diagnostic"].clone()).collect())
            .unwrap_or_default()
    };
    let (summary, whole) = (of(&summary), of(&whole));
    assert_eq!(summary.len(), 3, "{summary:?}");
    for (s, w) in summary.iter().zip(&whole) {
        for key in [
            "isFinal",
            "fle",
            "clea",
            "daqOrientation",
            "updatedAt",
            "version",
        ] {
            assert_eq!(s[key], w[key], "{key}: {s} / {w}");
        }
        assert_eq!(w["mobility"]["acceptableCommuteMinutes"], 45, "{w}");
        assert_eq!(w["recommendations"], "Parcours FLE puis CléA", "{w}");
        assert!(w["writtenBy"].is_string(), "{w}");
    }
    assert_eq!(
        summary_cost, whole_cost,
        "diagnostics cost {summary_cost} statements with the summary's fields, {whole_cost} with the whole's"
    );

    // A provider reads the action's fields of its members' participants, summary or record
    // (contact), and not the rest, whichever shape was read.
    let (_, provider) = app
        .post(
            &w.provider,
            &members("firstName email birthDate"),
            json!({ "c": c["id"] }),
        )
        .await;
    let first = &provider["data"]["node"]["members"][0]["participant"];
    assert!(first["firstName"].is_string(), "{provider}");
    assert!(first.get("email").is_some(), "{provider}");
    assert!(first["birthDate"].is_null(), "{provider}");
    assert_eq!(
        provider["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{provider}"
    );
}

/// A page's communes come with the page's own statement as summaries (no priority
/// neighbourhoods, a JSON list per row); a selection that asks for the neighbourhoods reads the
/// communes whole in one batch, whatever the page size; a summary never answers for the whole.
async fn a_commune_is_read_in_the_shape_its_selection_needs(backend: parcours_tests::Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let commune = parcours_tests::first_commune(&app, &w.referent).await;
    let mut ids = Vec::new();
    for name in ["Martin", "Bernard", "Petit", "Durand"] {
        let input = parcours_tests::participant_input(&commune, name);
        ids.push(
            parcours_tests::create_participant(&app, &w.referent, input)
                .await
                .0,
        );
    }
    let s = &w.tenant.steering;
    let page = |n: usize, commune: &str| {
        format!(
            "{{ participants(first: {n}, sort: NAME) {{ edges {{ node {{ lastName {commune} }} }} }} }}"
        )
    };
    const BRIEF: &str = "commune { __typename id inseeCode name }";
    const WHOLE: &str = "commune { __typename id inseeCode name priorityNeighbourhoods }";
    for n in [2, 4] {
        let (bare, _) = cost(&app, s, &page(n, ""), json!({})).await;
        let (brief_cost, brief) = cost(&app, s, &page(n, BRIEF), json!({})).await;
        let (whole_cost, whole) = cost(&app, s, &page(n, WHOLE), json!({})).await;
        assert_eq!(
            brief_cost, bare,
            "a page's communes' summaries come with its own statement"
        );
        assert_eq!(
            whole_cost,
            bare + 1,
            "whole communes are one batch for a page of {n}"
        );
        let edges = |data: &Value| {
            data["participants"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let (brief, whole) = (edges(&brief), edges(&whole));
        assert_eq!(brief.len(), n);
        for (b, w) in brief.iter().zip(&whole) {
            let (b, w) = (&b["node"]["commune"], &w["node"]["commune"]);
            assert_eq!(b["__typename"], "Commune", "{b}");
            assert_eq!(b["name"], "alpha-ville", "{b}");
            for key in ["__typename", "id", "inseeCode", "name"] {
                assert_eq!(b[key], w[key], "{key}: {b} / {w}");
            }
            assert_eq!(w["priorityNeighbourhoods"], json!(["Centre"]), "{w}");
        }
        // The same as `nodes`.
        let nodes = format!("{{ participants(first: {n}) {{ nodes {{ lastName {BRIEF} }} }} }}");
        let (nodes_cost, _) = cost(&app, s, &nodes, json!({})).await;
        assert_eq!(
            nodes_cost, bare,
            "`nodes`' communes come with the page's statement"
        );
    }

    // A summary primed by a page does not answer a whole commune elsewhere in the request,
    // nor does a misjudged selection get a wrong answer.
    let mixed = format!(
        "query($p: ID!) {{ participants(first: 4) {{ edges {{ node {{ {BRIEF} }} }} }}
           participant(id: $p) {{ {WHOLE} }}
           node(id: $p) {{ ... on Participant {{ commune {{ name ... on Commune {{ priorityNeighbourhoods }} }} }} }} }}"
    );
    let data = app.ok(s, &mixed, json!({ "p": ids[0] })).await;
    assert_eq!(
        data["participant"]["commune"]["priorityNeighbourhoods"],
        json!(["Centre"]),
        "{data}"
    );
    assert_eq!(
        data["node"]["commune"]["priorityNeighbourhoods"],
        json!(["Centre"]),
        "{data}"
    );
    let commune_id = data["participant"]["commune"]["id"].clone();
    let node = app
        .ok(
            s,
            "query($c: ID!) { node(id: $c) { ... on Commune { name priorityNeighbourhoods } } }",
            json!({ "c": commune_id }),
        )
        .await;
    assert_eq!(
        node["node"]["priorityNeighbourhoods"],
        json!(["Centre"]),
        "{node}"
    );
}

on_both!(
    a_participant_is_read_in_the_shape_its_selection_needs,
    a_commune_is_read_in_the_shape_its_selection_needs,
);
