//! Key figures on a small dataset whose every value is computed by hand below.

use parcours_tests::{
    Backend, TestApp, World, code, create_participant, first_commune, on_both, participant_input,
};
use serde_json::json;

use crate::cohorts::convention_over;

const VALIDATE: &str = "mutation($id: ID!, $on: Date!) { validateEntry(input: {id: $id, version: 1, committeeDate: $on}) { participant { id } } }";
const EXIT: &str =
    "mutation($input: RecordExitInput!) { recordExit(input: $input) { exit { positive } } }";
const FIGURES: &str =
    "query($from: Date!, $to: Date!) { indicators(period: {from: $from, to: $to}) {
    from to accompanied averageAccompanied averageAge women womenPercent men menPercent
    level3OrBelow level3OrBelowPercent priorityNeighbourhood priorityNeighbourhoodPercent
    rsa rsaPercent exits positiveExits positiveExitRatePercent averagePathMonths
    conventionAmounts averageCostPerParticipant } }";

struct Person {
    name: &'static str,
    gender: &'static str,
    birth: &'static str,
    entry: &'static str,
    level: u8,
    rsa: bool,
    qpv: bool,
}

/// Create and (unless `candidate`) validate a participant of `w.referent`.
async fn person(app: &TestApp, w: &World, commune: &str, p: &Person, candidate: bool) -> String {
    let mut input = participant_input(commune, p.name);
    for (k, v) in [
        ("gender", json!(p.gender)),
        ("birthDate", json!(p.birth)),
        ("entryDate", json!(p.entry)),
        ("consentDate", json!(p.entry)),
        ("educationLevel", json!(format!("LEVEL_{}", p.level))),
        ("rsaBeneficiary", json!(p.rsa)),
        ("priorityNeighbourhood", json!(p.qpv)),
    ] {
        input[k] = v;
    }
    let (id, _) = create_participant(app, &w.referent, input).await;
    if !candidate {
        app.ok(
            &w.tenant.steering,
            VALIDATE,
            json!({ "id": id, "on": p.entry }),
        )
        .await;
    }
    id
}

async fn moved_away(app: &TestApp, w: &World, id: &str, date: &str) {
    app.ok(
        &w.referent,
        EXIT,
        json!({ "input": { "participantId": id, "version": 2, "date": date,
        "kind": "MOVED_AWAY", "reason": "déménagement" } }),
    )
    .await;
}

/// The dataset every figure below is computed from, by hand: in alpha, A, B and C accompanied
/// in 2025 (C's exit positive, B's not), D out before 2025, E a candidate, G entering after it,
/// and a convention over 2024-07-01..2025-06-30; in beta, H.
async fn people_and_a_convention_computed_by_hand(app: &TestApp, w: &World, beta: &World) {
    let commune = first_commune(app, &w.referent).await;
    // In the period 2025-01-01..2025-12-31 (365 days):
    // A: woman, entry 2024-01-02, born 1990-05-17 -> 33 at entry; level 3; RSA; no exit:
    //    365 days.
    let a = Person {
        name: "Alpha",
        gender: "WOMAN",
        birth: "1990-05-17",
        entry: "2024-01-02",
        level: 3,
        rsa: true,
        qpv: false,
    };
    person(app, w, &commune, &a, false).await;
    // B: man, entry 2025-07-01, born 1980-01-01 -> 45; level 5; QPV; moved away 2025-12-31:
    //    184 days; a path of 183 days; a negative exit.
    let b = Person {
        name: "Bravo",
        gender: "MAN",
        birth: "1980-01-01",
        entry: "2025-07-01",
        level: 5,
        rsa: false,
        qpv: true,
    };
    let b_id = person(app, w, &commune, &b, false).await;
    moved_away(app, w, &b_id, "2025-12-31").await;
    // C: woman, entry 2023-03-01, born 2000-12-31 -> 22; level 2; QPV; permanent contract from
    //    2024-06-01, positive exit 2025-03-01: 60 days in the period; a path of 731 days.
    let c = Person {
        name: "Charlie",
        gender: "WOMAN",
        birth: "2000-12-31",
        entry: "2023-03-01",
        level: 2,
        rsa: false,
        qpv: true,
    };
    let c_id = person(app, w, &commune, &c, false).await;
    app.ok(
        &w.referent,
        "mutation($input: RecordEpisodeInput!) { recordEpisode(input: $input) { episode { id } } }",
        json!({ "input": { "participantId": c_id, "kind": "EMPLOYMENT", "contractKind": "PERMANENT",
            "startDate": "2024-06-01", "hoursPerWeek": 35, "employer": "Entrepôt Sud" } }),
    )
    .await;
    let exit = app
        .ok(
            &w.referent,
            EXIT,
            json!({ "input": { "participantId": c_id, "version": 2,
        "date": "2025-03-01", "kind": "EMPLOYMENT_OR_TRAINING" } }),
        )
        .await;
    assert_eq!(exit["recordExit"]["exit"]["positive"], true);
    // Not in the flow: D exited before the period, E is still a candidate, G enters after it,
    // and H belongs to another tenant.
    let d = Person {
        name: "Delta",
        gender: "MAN",
        birth: "1970-01-01",
        entry: "2024-06-01",
        level: 1,
        rsa: true,
        qpv: true,
    };
    let d_id = person(app, w, &commune, &d, false).await;
    moved_away(app, w, &d_id, "2024-12-31").await;
    let e = Person {
        name: "Echo",
        gender: "MAN",
        birth: "1970-01-01",
        entry: "2025-02-01",
        level: 1,
        rsa: true,
        qpv: true,
    };
    person(app, w, &commune, &e, true).await;
    let g = Person {
        name: "Golf",
        gender: "WOMAN",
        birth: "1970-01-01",
        entry: "2026-01-05",
        level: 1,
        rsa: true,
        qpv: true,
    };
    person(app, w, &commune, &g, false).await;
    let beta_commune = first_commune(app, &beta.referent).await;
    let h = Person {
        name: "Hotel",
        gender: "MAN",
        birth: "1970-01-01",
        entry: "2025-02-01",
        level: 1,
        rsa: true,
        qpv: true,
    };
    person(app, beta, &beta_commune, &h, false).await;
    // A convention 2024-07-01..2025-06-30 (365 days) for 40,000.00: 181 of its days are in
    // 2025, so 40,000 x 181 / 365 = 19,835.62 count; over 3 participants, 6,611.87 each.
    convention_over(app, w, "2024-07-01", Some("2025-06-30")).await;
}

async fn key_figures_match_the_hand_computed_values(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = World::build(&app, "alpha").await;
    let beta = World::build(&app, "beta").await;
    people_and_a_convention_computed_by_hand(&app, &w, &beta).await;

    let figures = app
        .ok(
            &w.tenant.steering,
            FIGURES,
            json!({ "from": "2025-01-01", "to": "2025-12-31" }),
        )
        .await["indicators"]
        .clone();
    assert_eq!(
        figures,
        json!({
            "from": "2025-01-01", "to": "2025-12-31",
            "accompanied": 3,
            // (365 + 184 + 60) / 365 = 1.668
            "averageAccompanied": 1.7,
            // (33 + 45 + 22) / 3
            "averageAge": 33.3,
            "women": 2, "womenPercent": 66.7, "men": 1, "menPercent": 33.3,
            "level3OrBelow": 2, "level3OrBelowPercent": 66.7,
            "priorityNeighbourhood": 2, "priorityNeighbourhoodPercent": 66.7,
            "rsa": 1, "rsaPercent": 33.3,
            "exits": 2, "positiveExits": 1, "positiveExitRatePercent": 50.0,
            // (183 + 731) / 2 = 457 days = 15.01 months
            "averagePathMonths": 15.0,
            "conventionAmounts": "19835.62",
            "averageCostPerParticipant": "6611.87",
        })
    );

    // The edges of the period: C's exit day counts, the day after does not.
    let one_day = |from: &'static str, to: &'static str| json!({ "from": from, "to": to });
    let on_exit_day = app
        .ok(
            &w.tenant.steering,
            FIGURES,
            one_day("2025-03-01", "2025-03-01"),
        )
        .await;
    assert_eq!(on_exit_day["indicators"]["accompanied"], 2, "A and C");
    assert_eq!(on_exit_day["indicators"]["averageAccompanied"], 2.0);
    let after = app
        .ok(
            &w.tenant.steering,
            FIGURES,
            one_day("2025-03-02", "2025-03-02"),
        )
        .await;
    assert_eq!(after["indicators"]["accompanied"], 1, "A only");
    assert_eq!(after["indicators"]["exits"], 0);
    assert!(after["indicators"]["positiveExitRatePercent"].is_null());
    // A period with nobody: counts of zero, null shares.
    let empty = app
        .ok(
            &w.tenant.steering,
            FIGURES,
            one_day("2010-01-01", "2010-12-31"),
        )
        .await;
    assert_eq!(empty["indicators"]["accompanied"], 0);
    assert!(empty["indicators"]["womenPercent"].is_null());
    assert!(empty["indicators"]["averageCostPerParticipant"].is_null());
    assert!(empty["indicators"]["averageAge"].is_null());

    // The other tenant sees only its own.
    let theirs = app
        .ok(
            &beta.tenant.steering,
            FIGURES,
            json!({ "from": "2025-01-01", "to": "2025-12-31" }),
        )
        .await;
    assert_eq!(theirs["indicators"]["accompanied"], 1);
    assert_eq!(theirs["indicators"]["conventionAmounts"], "0.00");

    // Steering only; a bad period is a validation error.
    for (token, expected) in [
        (w.referent.clone(), "FORBIDDEN"),
        (w.provider.clone(), "FORBIDDEN"),
        (app.admin(), "FORBIDDEN"),
    ] {
        let (_, body) = app
            .post(
                &token,
                FIGURES,
                json!({ "from": "2025-01-01", "to": "2025-12-31" }),
            )
            .await;
        assert_eq!(code(&body), expected, "{body}");
        assert!(body["data"]["indicators"].is_null());
    }
    for (from, to) in [("2025-12-31", "2025-01-01"), ("2000-01-01", "2025-01-01")] {
        let (_, body) = app
            .post(
                &w.tenant.steering,
                FIGURES,
                json!({ "from": from, "to": to }),
            )
            .await;
        assert_eq!(code(&body), "VALIDATION", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "period.to");
    }
}

on_both!(key_figures_match_the_hand_computed_values);
