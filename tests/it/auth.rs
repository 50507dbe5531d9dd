//! Authentication: every way a token can be wrong is refused with 401 `UNAUTHENTICATED`, before
//! anything executes; valid RS256 and EdDSA tokens pass.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use parcours_tests::{Backend, TestApp, code, on_both};
use serde_json::{Value, json};

fn key_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/keys")
        .join(name)
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(key_path(name)).expect("test key")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).expect("signed")
}

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(&pem("rsa-private.pem")).expect("rsa key")
}

fn rs256(claims: &Value) -> String {
    sign(Algorithm::RS256, &rsa(), Some("rsa"), claims)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Claims of a valid token for `sub` in `tenant`.
fn claims(sub: &str, tenant: Option<&str>, role: &str, structure: Option<&str>) -> Value {
    let mut c = json!({ "sub": sub, "iss": "parcours", "aud": "parcours", "exp": now() + 600,
                        "iat": now(), "role": role });
    if let Some(t) = tenant {
        c["tenant"] = json!(t);
    }
    if let Some(s) = structure {
        let uuid = parcours_tests::global_uuid(s).expect("global id");
        c["structure"] = json!(uuid.to_string());
    }
    c
}

async fn start(backend: Backend) -> TestApp {
    let keys = format!(
        "rsa:RS256:{},ed:EdDSA:{}",
        key_path("rsa-public.pem").display(),
        key_path("ed25519-public.pem").display()
    );
    TestApp::start_with(backend, move |vars| {
        vars.remove("PARCOURS_JWT_SECRET");
        vars.insert("PARCOURS_JWT_PUBLIC_KEYS".into(), keys);
    })
    .await
}

async fn post_with(app: &TestApp, authorization: Option<&str>) -> (u16, Value) {
    let mut request = app
        .client()
        .post(app.url())
        .header("content-type", "application/json")
        .body(r#"{"query":"{ me { subject } }"}"#);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The accounts the tokens below name, built through the API with RS256 tokens: tenant alpha
/// with a referent carrier, its referent `r@alpha` and a deactivated referent `gone@alpha`,
/// and tenant beta, suspended.
struct Accounts {
    /// The referent carrier of alpha (global ID).
    carrier: String,
    /// Alpha's steering body (a structure that is not the referent's).
    a_body: String,
    /// Beta's steering body (a structure of another tenant).
    b_body: String,
}

impl Accounts {
    async fn build(app: &TestApp) -> Self {
        let admin = rs256(&claims("operator", None, "admin", None));

        // Build two tenants through the API, with RS256 tokens.
        let create = |slug: &'static str| {
            json!({ "input": { "slug": slug, "name": slug, "communes": [{ "name": "Ville" }],
            "steeringBodyName": "Animation", "firstSteering": { "subject": format!("s@{slug}"),
            "displayName": "S", "email": format!("s@{slug}.org") } } })
        };
        let q = "mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } steeringBody { id } firstSteering { id } } }";
        let a = app.ok(&admin, q, create("alpha")).await["createTenant"].clone();
        let b = app.ok(&admin, q, create("beta")).await["createTenant"].clone();
        let steering_a = rs256(&claims("s@alpha", Some("alpha"), "steering", None));
        let a_body = a["steeringBody"]["id"].as_str().expect("id").to_owned();
        let b_body = b["steeringBody"]["id"].as_str().expect("id").to_owned();
        let carrier = app
        .ok(&steering_a, "mutation { createStructure(input: {name: \"C\", kind: REFERENT_CARRIER}) { structure { id } } }", json!({}))
        .await["createStructure"]["structure"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
        let invite = format!(
            "mutation {{ inviteStaff(input: {{subject: \"r@alpha\", displayName: \"R\", email: \"r@alpha.org\", role: REFERENT, structureId: \"{carrier}\"}}) {{ staffMember {{ id }} }} }}"
        );
        app.ok(&steering_a, &invite, json!({})).await["inviteStaff"]["staffMember"]["id"]
            .as_str()
            .expect("id");
        let invite_gone = format!(
            "mutation {{ inviteStaff(input: {{subject: \"gone@alpha\", displayName: \"G\", email: \"g@alpha.org\", role: REFERENT, structureId: \"{carrier}\"}}) {{ staffMember {{ id }} }} }}"
        );
        let gone_id =
            app.ok(&steering_a, &invite_gone, json!({})).await["inviteStaff"]["staffMember"]["id"]
                .as_str()
                .expect("id")
                .to_owned();
        app.ok(
        &steering_a,
        "mutation($id: ID!) { deactivateStaff(input: {id: $id, version: 1}) { staffMember { active } } }",
        json!({ "id": gone_id }),
    )
    .await;
        // Suspend beta.
        app.ok(
            &admin,
            "mutation($id: ID!) { suspendTenant(input: {id: $id}) { tenant { status } } }",
            json!({ "id": b["tenant"]["id"] }),
        )
        .await;
        Self {
            carrier,
            a_body,
            b_body,
        }
    }

    /// Claims of a valid token of the referent `r@alpha`.
    fn valid(&self) -> Value {
        claims("r@alpha", Some("alpha"), "referent", Some(&self.carrier))
    }
}

/// `Bearer <token>`.
fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

/// Each `authorization` header is refused with 401 `UNAUTHENTICATED` and no data.
async fn all_refused(app: &TestApp, cases: Vec<(&str, Option<String>)>) {
    for (name, authorization) in cases {
        let (status, body) = post_with(app, authorization.as_deref()).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(code(&body), "UNAUTHENTICATED", "{name}");
        assert!(body.get("data").is_none(), "{name}: no data on refusal");
    }
}

async fn only_well_formed_tokens_signed_by_a_known_key_pass(backend: Backend) {
    let app = start(backend).await;
    let valid = Accounts::build(&app).await.valid();
    let good_rs = rs256(&valid);
    let good_ed = sign(
        Algorithm::EdDSA,
        &EncodingKey::from_ed_pem(&pem("ed25519-private.pem")).expect("ed key"),
        Some("ed"),
        &valid,
    );
    let mut within_leeway = valid.clone();
    within_leeway["exp"] = json!(now() - 10);
    for (name, token) in [
        ("RS256", good_rs.clone()),
        ("EdDSA", good_ed),
        (
            "expired 10 s ago, within the 30 s leeway",
            rs256(&within_leeway),
        ),
        (
            "aud an array holding ours (RFC 7519 §4.1.3)",
            rs256(&{
                let mut c = valid.clone();
                c["aud"] = json!(["https://idp.example/other", "parcours"]);
                c
            }),
        ),
    ] {
        let (status, body) = post_with(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["data"]["me"]["subject"], "r@alpha", "{name}");
    }

    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = valid.clone();
        f(&mut c);
        bearer(&rs256(&c))
    };
    let without = |claim: &str| {
        with(&|c| {
            c.as_object_mut().expect("obj").remove(claim);
        })
    };
    let parts: Vec<&str> = good_rs.split('.').collect();
    let mut altered = valid.clone();
    altered["role"] = json!("steering");
    let altered_payload = format!("{}.{}.{}", parts[0], b64(&altered), parts[2]);
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&valid)
    );
    let rsa_public_as_hmac = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(&pem("rsa-public.pem")).expect("hmac key"),
        Some("rsa"),
        &valid,
    );
    let other_rsa = sign(
        Algorithm::RS256,
        &EncodingKey::from_rsa_pem(&pem("rsa-other-private.pem")).expect("rsa key"),
        Some("rsa"),
        &valid,
    );
    let bad_typ = {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("rsa".into());
        header.typ = Some("id_token+jwt".into());
        jsonwebtoken::encode(&header, &valid, &rsa()).expect("signed")
    };
    let with_jku = {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("elsewhere".into());
        header.jku = Some("http://127.0.0.1:9/jwks.json".into());
        jsonwebtoken::encode(&header, &valid, &rsa()).expect("signed")
    };
    all_refused(
        &app,
        vec![
            ("missing", None),
            ("not bearer", Some(format!("Basic {good_rs}"))),
            ("garbage", bearer("not.a.token")),
            (
                "expired beyond leeway",
                with(&|c| c["exp"] = json!(now() - 120)),
            ),
            (
                "nbf in the future",
                with(&|c| c["nbf"] = json!(now() + 120)),
            ),
            ("no exp", without("exp")),
            ("no iss", without("iss")),
            ("no aud", without("aud")),
            ("no sub", without("sub")),
            ("wrong iss", with(&|c| c["iss"] = json!("someone-else"))),
            ("wrong aud", with(&|c| c["aud"] = json!("another-api"))),
            (
                "aud an array without ours",
                with(&|c| c["aud"] = json!(["another-api", "yet-another"])),
            ),
            ("aud an empty array", with(&|c| c["aud"] = json!([]))),
            ("NUL in sub", with(&|c| c["sub"] = json!("r@alpha\u{0}"))),
            (
                "NUL in tenant",
                with(&|c| c["tenant"] = json!("alpha\u{0}")),
            ),
            (
                "control character in sub",
                with(&|c| c["sub"] = json!("r@alpha\u{7}")),
            ),
            ("wrong key", bearer(&other_rsa)),
            ("altered payload", bearer(&altered_payload)),
            ("alg none", bearer(&alg_none)),
            (
                "RS256 public key used as HS256 secret",
                bearer(&rsa_public_as_hmac),
            ),
            (
                "unknown kid",
                bearer(&sign(Algorithm::RS256, &rsa(), Some("nope"), &valid)),
            ),
            (
                "injection in kid",
                bearer(&sign(
                    Algorithm::RS256,
                    &rsa(),
                    Some("../../x' OR 1=1 --"),
                    &valid,
                )),
            ),
            ("jku pointing elsewhere", bearer(&with_jku)),
            ("bad typ", bearer(&bad_typ)),
        ],
    )
    .await;

    // A token in the query string is refused even beside a valid header.
    let response = app
        .client()
        .post(format!("{}?access_token={good_rs}", app.url()))
        .bearer_auth(&good_rs)
        .json(&json!({ "query": "{ me { subject } }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 401, "token in the query string");
}

async fn a_token_passes_only_for_an_active_account_in_its_role_structure_and_tenant(
    backend: Backend,
) {
    let app = start(backend).await;
    let accounts = Accounts::build(&app).await;
    let Accounts {
        carrier,
        a_body,
        b_body,
    } = &accounts;
    let valid = accounts.valid();
    let token =
        |sub, tenant, role, structure| bearer(&rs256(&claims(sub, tenant, role, structure)));
    let without = |claim: &str| {
        let mut c = valid.clone();
        c.as_object_mut().expect("obj").remove(claim);
        bearer(&rs256(&c))
    };
    let mut unknown_role = valid.clone();
    unknown_role["role"] = json!("superuser");
    all_refused(
        &app,
        vec![
            ("unknown role", bearer(&rs256(&unknown_role))),
            ("referent without structure", without("structure")),
            (
                "structure of another tenant",
                token("r@alpha", Some("alpha"), "referent", Some(b_body)),
            ),
            (
                "structure not the staff member's",
                token("r@alpha", Some("alpha"), "referent", Some(a_body)),
            ),
            (
                "role not the staff member's",
                token("r@alpha", Some("alpha"), "steering", None),
            ),
            (
                "unknown tenant",
                token("r@alpha", Some("nowhere"), "referent", Some(carrier)),
            ),
            (
                "suspended tenant",
                token("s@beta", Some("beta"), "steering", None),
            ),
            (
                "deactivated staff member",
                token("gone@alpha", Some("alpha"), "referent", Some(carrier)),
            ),
            (
                "unknown subject",
                token("nobody@alpha", Some("alpha"), "steering", None),
            ),
            (
                "admin token with a tenant",
                token("operator", Some("alpha"), "admin", None),
            ),
            (
                "tenant role without tenant",
                token("s@alpha", None, "steering", None),
            ),
        ],
    )
    .await;
}

/// Every authenticated route refuses a missing or unverifiable token with 401
/// `UNAUTHENTICATED` and the challenge `WWW-Authenticate: Bearer` (RFC 9110 §15.5.2), the
/// plain-HTTP routes as well as GraphQL, and so does `/metrics` in production without its
/// scrape token.
async fn every_route_answers_401_with_a_bearer_challenge(backend: Backend) {
    let app = start(backend).await;
    let id = uuid::Uuid::now_v7();
    let base = app.url().trim_end_matches("/graphql").to_owned();
    let routes = [
        ("POST", "/graphql".to_owned()),
        ("GET", "/graphql?query=%7B__typename%7D".to_owned()),
        ("POST", "/attachments".to_owned()),
        ("GET", format!("/attachments/{id}")),
        (
            "GET",
            format!("/cohorts/{id}/attendance-sheet?week=2026-11-30"),
        ),
        ("GET", format!("/follow-up-sheets/{id}")),
        ("GET", "/esf/export?from=a&from=b".to_owned()),
        ("POST", "/imports/participants".to_owned()),
    ];
    for (method, path) in &routes {
        for authorization in [None, Some("Bearer not-a-token")] {
            let mut request = match *method {
                "POST" => app
                    .client()
                    .post(format!("{base}{path}"))
                    .header("content-type", "application/json")
                    .body(r#"{"query":"{ __typename }"}"#),
                _ => app.client().get(format!("{base}{path}")),
            };
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = request.send().await.expect("sent");
            let what = format!("{method} {path} with {authorization:?}");
            assert_eq!(response.status().as_u16(), 401, "{what}");
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer"),
                "{what}"
            );
            let body: Value = response.json().await.expect("a JSON body");
            assert_eq!(code(&body), "UNAUTHENTICATED", "{what}: {body}");
        }
    }
}

on_both!(
    only_well_formed_tokens_signed_by_a_known_key_pass,
    a_token_passes_only_for_an_active_account_in_its_role_structure_and_tenant,
    every_route_answers_401_with_a_bearer_challenge,
);

/// `parcours token` signs only for an account the service would accept, says why otherwise,
/// and reads `--structure` as a global ID as well as a UUID.
async fn the_token_command_signs_only_for_accounts_the_service_accepts(backend: Backend) {
    use parcours_api::auth::TokenRequest;
    use parcours_domain::Role;
    let app = TestApp::start(backend).await;
    let w = parcours_tests::World::build(&app, "alpha").await;
    let carrier = parcours_api::structure_argument(&w.carrier).expect("a global ID reads");
    assert_eq!(
        parcours_api::structure_argument(&carrier.to_string()).ok(),
        Some(carrier),
        "a UUID reads"
    );
    assert!(
        parcours_api::structure_argument(&w.referent_id).is_err(),
        "a staff ID is no structure"
    );
    let request =
        |tenant: &str, role: Role, subject: &str, structure: Option<uuid::Uuid>| TokenRequest {
            tenant: Some(tenant.to_owned()),
            role,
            subject: subject.to_owned(),
            structure,
            ttl: chrono::Duration::hours(1),
        };
    let token = parcours_api::checked_token(
        &app.config,
        &request("alpha", Role::Referent, "ref@alpha.example", Some(carrier)),
    )
    .await
    .expect("an active referent of that structure");
    let me = app.ok(&token, "{ me { role } }", json!({})).await;
    assert_eq!(me["me"]["role"], "REFERENT");
    for (what, refused) in [
        (
            "an unknown subject",
            request(
                "alpha",
                Role::Referent,
                "nobody@alpha.example",
                Some(carrier),
            ),
        ),
        (
            "another role",
            request("alpha", Role::Steering, "ref@alpha.example", None),
        ),
        (
            "another structure",
            request(
                "alpha",
                Role::Referent,
                "ref@alpha.example",
                Some(uuid::Uuid::now_v7()),
            ),
        ),
        (
            "an unknown tenant",
            request("omega", Role::Referent, "ref@alpha.example", Some(carrier)),
        ),
    ] {
        let err = parcours_api::checked_token(&app.config, &refused)
            .await
            .expect_err(what)
            .to_string();
        assert!(err.contains("would refuse"), "{what}: {err}");
    }
}

on_both!(the_token_command_signs_only_for_accounts_the_service_accepts);
