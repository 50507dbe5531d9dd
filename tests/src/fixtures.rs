//! Fixtures beside the harness: participants and communes made through the API, and rows
//! written as the database's owner.

use serde_json::{Value, json};

use crate::{Backend, TestApp, global_uuid, record_personal};

/// The global ID of the first commune of the caller's tenant.
pub async fn first_commune(app: &TestApp, token: &str) -> String {
    let data = app
        .ok(token, "{ tenant { communes { id } } }", json!({}))
        .await;
    data["tenant"]["communes"][0]["id"]
        .as_str()
        .expect("a commune")
        .to_owned()
}

/// Run `sql` as the database's owner in the tenant `tenant` (its global ID) and commit: data
/// the service would not write itself (rows migrated from an earlier tool, entries of an
/// earlier release). On PostgreSQL the tenant is set for row-level security, which binds the
/// owner too.
pub async fn owner_sql(app: &TestApp, tenant: &str, sql: &str) {
    use sea_orm::ConnectionTrait;
    let owner = sea_orm::Database::connect(app.config.database_owner_url.as_str())
        .await
        .expect("owner connection");
    let sql = match app.backend {
        Backend::Postgres { .. } => format!(
            "BEGIN; SELECT set_config('app.tenant_id', '{}', true); {sql}; COMMIT",
            global_uuid(tenant).expect("a tenant ID")
        ),
        Backend::Sqlite => sql.to_owned(),
    };
    owner.execute_unprepared(&sql).await.expect("owner's SQL");
    owner.close().await.ok();
}

/// The GraphQL of `createParticipant`, returning the fields tests read.
pub const CREATE_PARTICIPANT: &str = "mutation($input: CreateParticipantInput!) {
    createParticipant(input: $input) { participant { id version status } } }";

/// A valid `createParticipant` input for a referent's own portfolio.
pub fn participant_input(commune: &str, last_name: &str) -> Value {
    json!({
        "firstName": "Amina", "lastName": last_name, "birthDate": "1990-05-17",
        "gender": "WOMAN", "email": "amina@example.org", "phone": "06 12 34 56 78",
        "postalAddress": "3 rue des Lilas, 21000 Dijon", "communeId": commune,
        "longTermJobSeeker": true, "rsaBeneficiary": true, "priorityNeighbourhood": false,
        "educationLevel": "LEVEL_3", "recognisedDisability": false, "authorisedToWork": true,
        "difficulties": ["mobilité"], "consentDate": "2024-01-02",
        "consentScope": "suivi de parcours et données FSE", "entryDate": "2024-01-02",
    })
}

/// Create a participant through the API; returns (global ID, version).
pub async fn create_participant(app: &TestApp, token: &str, input: Value) -> (String, i64) {
    let personal = ["firstName", "lastName", "email", "phone", "postalAddress"]
        .map(|field| input[field].as_str().unwrap_or_default());
    record_personal(&personal);
    let data = app
        .ok(token, CREATE_PARTICIPANT, json!({ "input": input }))
        .await;
    let p = &data["createParticipant"]["participant"];
    (
        p["id"].as_str().expect("id").to_owned(),
        p["version"].as_i64().expect("version"),
    )
}
