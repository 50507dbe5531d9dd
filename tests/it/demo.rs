//! The demo data loads on both databases, and shows what the README promises: Dijon's
//! structures and participants, nothing of Besançon, a positive-exit rate, and the seed
//! convention's cohorts.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use parcours_domain::Role;
use parcours_domain::demo::{DemoAccount, first_names};
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
    // transmitted follow-up sheets; and this week's (below).
    let c = app
        .ok(
            &dijon,
            "{ cohorts { totalCount edges { node { status sessions { day } attendance { presence }
                members { status diagnostic { isFinal } followUpSheet { status attendance { ratePercent } } } } } }
               followUpSheets(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(c["cohorts"]["totalCount"], 3);
    assert_eq!(c["followUpSheets"]["totalCount"], 20);
    let edges = c["cohorts"]["edges"].as_array().expect("cohorts");
    let closed: Vec<&Value> = edges
        .iter()
        .map(|e| &e["node"])
        .filter(|c| c["status"] == "CLOSED")
        .collect();
    assert_eq!(closed.len(), 2, "{edges:?}");
    for cohort in closed {
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
    crate::audit::audited_objects_open_as_their_type(&app, &dijon).await;
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

/// Every ESF+ record `token` reads of `operation`, page after page.
async fn all_esf_records(app: &TestApp, token: &str, operation: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app
            .ok(
                token,
                "query($op: ID, $after: String) { esfRecords(operationId: $op, first: 100, after: $after) {
                   pageInfo { hasNextPage endCursor }
                   edges { node { participant { id } entryDate employmentStatus ageBand
                     thirdCountryNational foreignBackground homeless ruralArea exitDate
                     exitJobSearching exitInEducationOrTraining exitInEmployment
                     laterInEmployment missingItems } } } }",
                json!({ "op": operation, "after": after }),
            )
            .await;
        let page = &d["esfRecords"];
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

/// The rows of the ESF+ export of `operation` over `from`..`to`, by column name.
async fn esf_export(
    app: &TestApp,
    token: &str,
    operation: &Value,
    from: &str,
    to: &str,
) -> Vec<HashMap<String, String>> {
    let path = format!(
        "/esf/export?operationId={}&from={from}&to={to}",
        operation.as_str().unwrap_or_default()
    );
    let (status, _, body) = app.get(token, &path).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&body));
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.expect("a row").iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The token of the demo provider, the one the CLI prints.
fn demo_provider(app: &TestApp, accounts: &[DemoAccount]) -> String {
    let account = accounts
        .iter()
        .find(|a| a.label == "dijon provider")
        .expect("a provider account");
    let structure = account.structure.expect("a structure").to_string();
    app.token(
        account.tenant.as_deref(),
        account.role,
        &account.subject,
        Some(&structure),
    )
}

/// Each of `tenant`'s `people` has a first name that goes with the recorded gender, and both
/// genders are there.
fn check_names_go_with_genders(tenant: &str, people: &[Value]) {
    for p in people {
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
}

/// An exit closes the path: every step of an exited participant is closed, with an end.
async fn check_exits_close_the_path(app: &TestApp, steering: &str, tenant: &str) {
    let exited = all_participants(
        app,
        steering,
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

/// ESF+ data of the PLIE's accompaniment for everyone admitted, consistent with the participant;
/// only those who moved away miss answers (they could not be reached).
fn check_esf_records(tenant: &str, people: &[Value], records: &[Value]) {
    let admitted: Vec<&Value> = people
        .iter()
        .filter(|p| matches!(p["status"].as_str(), Some("ACTIVE" | "EXITED")))
        .collect();
    assert_eq!(records.len(), admitted.len(), "{tenant}: one record each");
    for p in admitted {
        let r = records
            .iter()
            .find(|r| r["participant"]["id"] == p["id"])
            .unwrap_or_else(|| panic!("{tenant}: no ESF+ record for {p}"));
        let born = NaiveDate::parse_from_str(p["birthDate"].as_str().expect("born"), "%Y-%m-%d")
            .expect("a date");
        let entered =
            NaiveDate::parse_from_str(r["entryDate"].as_str().expect("entry"), "%Y-%m-%d")
                .expect("a date");
        let age = entered.years_since(born).expect("born before entry");
        let band = match age {
            0..=17 => "UNDER_18",
            18..=29 => "FROM_18_TO_29",
            30..=54 => "FROM_30_TO_54",
            _ => "FROM_55",
        };
        assert_eq!(r["ageBand"], band, "{tenant}: {p} {r}");
        for answer in [
            "thirdCountryNational",
            "foreignBackground",
            "homeless",
            "ruralArea",
        ] {
            assert!(r[answer].is_boolean(), "{tenant}: {answer} answered: {r}");
        }
        assert_eq!(
            r["exitDate"], p["exit"]["date"],
            "{tenant}: the exit is the PLIE's"
        );
        let moved = p["exit"]["kind"] == "MOVED_AWAY";
        let missing = r["missingItems"].as_array().expect("missing items");
        assert_eq!(!missing.is_empty(), moved, "{tenant}: {p} {r}");
        if !p["exit"].is_null() && !moved {
            let busy = r["exitInEmployment"] == true || r["exitInEducationOrTraining"] == true;
            assert_eq!(r["exitJobSearching"], !busy, "{tenant}: {r}");
        }
    }
    if tenant == "dijon" {
        // Varied answers (Besançon's twenty are too few to show every one).
        for (field, value) in [
            ("employmentStatus", json!("LONG_TERM_UNEMPLOYED")),
            ("employmentStatus", json!("UNEMPLOYED")),
            ("employmentStatus", json!("INACTIVE")),
            ("thirdCountryNational", json!(true)),
            ("thirdCountryNational", json!(false)),
            ("ruralArea", json!(true)),
            ("homeless", json!(true)),
            ("exitInEmployment", json!(true)),
            ("exitInEducationOrTraining", json!(true)),
            ("laterInEmployment", json!(true)),
            ("laterInEmployment", json!(false)),
        ] {
            assert!(
                records.iter().any(|r| r[field] == value),
                "{tenant}: some {field} {value}"
            );
        }
    }
}

/// The steering's export of the PLIE's operation over the last three years is no longer just a
/// header: a row for each record present then, whose first name goes with its gender.
async fn check_steering_export(
    app: &TestApp,
    steering: &str,
    tenant: &str,
    tenant_id: &Value,
    records: &[Value],
) {
    let today = parcours_domain::paris::wall_clock(chrono::Utc::now()).date();
    let from = today
        .checked_sub_months(Months::new(36))
        .expect("a date")
        .to_string();
    let rows = esf_export(app, steering, tenant_id, &from, &today.to_string()).await;
    let present = records
        .iter()
        .filter(|r| {
            r["exitDate"]
                .as_str()
                .is_none_or(|exit| exit >= from.as_str())
        })
        .count();
    assert!(present > 0, "{tenant}");
    assert_eq!(rows.len(), present, "{tenant}");
    for row in &rows {
        let gender = if row["gender"] == "woman" {
            Gender::Woman
        } else {
            Gender::Man
        };
        assert!(
            first_names(gender).any(|n| n == row["first_name"]),
            "{tenant}: {row:?}"
        );
    }
}

/// The provider collects the ESF+ data of its action: the 2018 cohorts' 20 members, entered and
/// exited, each six-month situation known; its export of the seed convention is theirs.
async fn check_the_provider_s_esf_data(app: &TestApp, accounts: &[DemoAccount]) {
    let provider = demo_provider(app, accounts);
    let conventions = app
        .ok(
            &provider,
            "{ conventions { edges { node { id number startDate } } } }",
            json!({}),
        )
        .await;
    let seed = conventions["conventions"]["edges"]
        .as_array()
        .expect("conventions")
        .iter()
        .map(|e| &e["node"])
        .find(|c| c["startDate"] == "2018-02-01")
        .expect("the seed convention")
        .clone();
    let records = all_esf_records(app, &provider, &seed["id"]).await;
    assert_eq!(records.len(), 20);
    assert!(
        records.iter().all(|r| r["exitDate"].is_string()
            && r["laterInEmployment"].is_boolean()
            && r["missingItems"] == json!([])),
        "{records:?}"
    );
    let rows = esf_export(app, &provider, &seed["id"], "2018-01-01", "2018-12-31").await;
    assert_eq!(rows.len(), 20);
    assert!(
        rows.iter().all(|r| r["operation"] == seed["number"]),
        "{rows:?}"
    );
}

/// The demo's people, in both territories, are consistent: names and genders, exits and paths,
/// ESF+ records and exports, for steering and for the provider (one demo load, checked by the
/// named helpers above).
async fn the_demo_s_people_are_consistent(backend: Backend) {
    let app = TestApp::start(backend).await;
    let accounts = parcours_domain::demo::load(&app.db)
        .await
        .expect("demo loads");
    for (tenant, subject, count) in [
        ("dijon", "pilotage@plie-dijon.example", 180),
        ("besancon", "pilotage@plie-besancon.example", 20),
    ] {
        let steering = app.token(Some(tenant), Role::Steering, subject, None);
        let people = all_participants(
            &app,
            &steering,
            "",
            "id firstName gender birthDate status exit { date kind }",
        )
        .await;
        assert_eq!(people.len(), count, "{tenant}");
        check_names_go_with_genders(tenant, &people);
        check_exits_close_the_path(&app, &steering, tenant).await;
        let tenant_id =
            app.ok(&steering, "{ tenant { id } }", json!({})).await["tenant"]["id"].clone();
        let records = all_esf_records(&app, &steering, &tenant_id).await;
        check_esf_records(tenant, &people, &records);
        check_steering_export(&app, &steering, tenant, &tenant_id, &records).await;
    }
    check_the_provider_s_esf_data(&app, &accounts).await;

    // A couple of known pairs, so that the lists themselves stay right.
    assert!(first_names(Gender::Woman).any(|n| n == "Fatoumata"));
    assert!(first_names(Gender::Man).any(|n| n == "Mohamed"));
    assert!(!first_names(Gender::Woman).any(|n| n == "Mohamed"));
    assert!(!first_names(Gender::Man).any(|n| n == "Fatoumata"));
}

on_both!(the_demo_s_people_are_consistent);

/// This week's cohort as the demo provider sees it, loaded on `today` (Paris time): running
/// under a convention in force, from this week's Monday, a session every weekday morning,
/// attendance recorded before today and not from today on, and today's session (on a weekday)
/// open to `recordAttendance`.
async fn check_this_week(app: &TestApp, provider: &str, today: NaiveDate, when: &str) {
    let d = app
        .ok(
            provider,
            "{ cohorts { edges { node { id label status startDate endDate
                 sessions { id day halfDay } attendance { sessionId }
                 members { status participant { id } } nextSession { id day }
                 convention { id status } } } } }",
            json!({}),
        )
        .await;
    let running: Vec<&Value> = d["cohorts"]["edges"]
        .as_array()
        .expect("cohorts")
        .iter()
        .map(|e| &e["node"])
        .filter(|c| c["status"] == "RUNNING")
        .collect();
    assert_eq!(running.len(), 1, "{when}: one cohort running: {d}");
    let cohort = running[0];
    assert_eq!(cohort["convention"]["status"], "ACTIVE", "{when}: {cohort}");
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    assert_eq!(cohort["startDate"], monday.to_string(), "{when}: {cohort}");
    let day = |s: &Value| {
        NaiveDate::parse_from_str(s["day"].as_str().expect("a day"), "%Y-%m-%d").expect("a date")
    };
    let sessions = cohort["sessions"].as_array().expect("sessions");
    let this_week: Vec<NaiveDate> = sessions
        .iter()
        .map(day)
        .filter(|d| (*d - monday).num_days() < 7)
        .collect();
    assert_eq!(this_week.len(), 5, "{when}: Monday to Friday: {sessions:?}");
    let members: Vec<&Value> = cohort["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["status"] == "ENROLLED")
        .collect();
    assert_eq!(members.len(), 10, "{when}: {cohort}");
    let attendance = cohort["attendance"].as_array().expect("attendance");
    for s in sessions {
        let recorded = attendance
            .iter()
            .filter(|a| a["sessionId"] == s["id"])
            .count();
        let expected = if day(s) < today { 10 } else { 0 };
        assert_eq!(recorded, expected, "{when}: attendance of {s}");
    }
    // The action's ESF+ records, entered on Monday.
    let records = all_esf_records(app, provider, &cohort["convention"]["id"]).await;
    assert_eq!(records.len(), 10, "{when}");
    assert!(
        records
            .iter()
            .all(|r| r["entryDate"] == monday.to_string() && r["exitDate"].is_null()),
        "{when}: {records:?}"
    );

    let next = &cohort["nextSession"];
    if today.weekday().num_days_from_monday() >= 5 {
        assert_eq!(
            day(next),
            monday + chrono::Duration::days(7),
            "{when}: next Monday"
        );
        return;
    }
    assert_eq!(day(next), today, "{when}: a session today");
    let entries: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let presence = if i == 3 { "ABSENT" } else { "PRESENT" };
            json!({ "participantId": m["participant"]["id"], "presence": presence,
                    "signedOnPaper": presence == "PRESENT" })
        })
        .collect();
    let recorded = app
        .ok(
            provider,
            "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
                 attendance { participantId presence signedOnPaper recordedBy } } }",
            json!({ "input": { "sessionId": next["id"], "idempotencyKey": format!("today-{when}"),
                               "entries": entries } }),
        )
        .await;
    let lines = recorded["recordAttendance"]["attendance"]
        .as_array()
        .expect("attendance");
    assert_eq!(lines.len(), 10, "{when}: {recorded}");
    assert!(
        lines
            .iter()
            .all(|l| l["recordedBy"] == "provider1@plie-dijon.example"),
        "{when}: {recorded}"
    );
}

async fn the_demo_provider_records_today_s_attendance_whatever_the_day(backend: Backend) {
    // Today, then two days whose edges matter: a Saturday of a week that spans New Year, and
    // a Sunday evening of late December that is already Monday in Paris (before the hour the
    // cohort starts on other Mondays).
    for now in [
        None,
        Some("2027-01-02T10:00:00Z"),
        Some("2026-12-27T23:30:00Z"),
    ] {
        let app = TestApp::start(backend.clone()).await;
        app.set_now(now);
        let accounts = parcours_domain::demo::load(&app.db)
            .await
            .expect("demo loads");
        let instant = now.map_or_else(chrono::Utc::now, |t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .expect("an instant")
                .to_utc()
        });
        let today = parcours_domain::paris::wall_clock(instant).date();
        let provider = demo_provider(&app, &accounts);
        check_this_week(&app, &provider, today, now.unwrap_or("today")).await;
    }
}

on_both!(the_demo_provider_records_today_s_attendance_whatever_the_day);
