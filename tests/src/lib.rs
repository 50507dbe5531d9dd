//! Test harness: the real router on a real, freshly migrated database, spoken to over HTTP
//! with real tokens. Each test builds its own database and tenants, so tests run in parallel.
//!
//! SQLite always; PostgreSQL when `TEST_POSTGRES_URL` names an owner role that may create
//! databases (each test gets its own database, and the service runs as the non-owner role
//! `parcours_app`, or `TEST_POSTGRES_APP_USER`). With `CI=true` PostgreSQL is mandatory.

use std::collections::HashMap;
use std::path::PathBuf;

pub mod cluster;

use parcours_api::auth::{TokenRequest, mint};
use parcours_api::config::{Config, Secret};
use parcours_domain::{Db, Role};
use serde_json::{Value, json};
use uuid::Uuid;

pub mod ws;

mod fixtures;
mod inspect;
pub use fixtures::*;
pub use inspect::*;

/// A database to run a test on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { owner_url: String },
}

impl Backend {
    /// PostgreSQL when configured; panics under CI when it is not.
    pub fn postgres() -> Option<Self> {
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Self::Postgres { owner_url: url }),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("TEST_POSTGRES_URL is required when CI=true (PostgreSQL is mandatory in CI)")
            }
            _ => {
                eprintln!("TEST_POSTGRES_URL not set: PostgreSQL case not run");
                None
            }
        }
    }
}

/// Run each named `async fn(Backend)` on SQLite and, when available, on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = $crate::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            }
        )*
    };
}

/// Replace the user and database of a `postgres://user@host:port/db?params` URL.
pub fn postgres_url(url: &str, user: Option<&str>, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let query = path
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    let (userinfo, host) = authority.rsplit_once('@').unwrap_or(("", authority));
    let userinfo = match user {
        Some(user) => format!("{user}@"),
        None if userinfo.is_empty() => String::new(),
        None => format!("{userinfo}@"),
    };
    format!("{scheme}://{userinfo}{host}/{database}{query}")
}

/// Database URLs prepared for one test: (owner URL, runtime URL).
pub async fn prepare_database(backend: &Backend) -> (String, String, Option<PathBuf>) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir()
                .join("parcours-tests")
                .join(Uuid::now_v7().to_string());
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.join("parcours.db").display());
            (url.clone(), url, Some(dir))
        }
        Backend::Postgres { owner_url } => {
            let name = format!("pt_{}", Uuid::now_v7().simple());
            let admin = Db::connect(owner_url, &Default::default())
                .await
                .expect("TEST_POSTGRES_URL reachable");
            parcours_domain::db::execute_unscoped(&admin, &format!("CREATE DATABASE {name}"))
                .await
                .expect("the owner role may create databases");
            admin.close().await.ok();
            let app_user =
                std::env::var("TEST_POSTGRES_APP_USER").unwrap_or_else(|_| "parcours_app".into());
            (
                postgres_url(owner_url, None, &name),
                postgres_url(owner_url, Some(&app_user), &name),
                None,
            )
        }
    }
}

/// With `PARCOURS_TEST_LOG=<file>`, the service's logs of the whole test run go to that file
/// as JSON lines (what production writes), and the personal values the tests send go to
/// `<file>.personal`, one per line: CI checks that none of them, no token and no e-mail
/// address reaches the log.
fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(path) = std::env::var("PARCOURS_TEST_LOG") {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .expect("PARCOURS_TEST_LOG is writable");
            let _ = tracing_subscriber::fmt()
                .json()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
    });
}

/// Note personal values sent to the service (see [`capture_logs`]).
pub fn record_personal(values: &[&str]) {
    use std::io::Write as _;
    let Ok(path) = std::env::var("PARCOURS_TEST_LOG") else {
        return;
    };
    let lines: String = values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| format!("{v}\n"))
        .collect();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(format!("{path}.personal"))
        .expect("the personal-values file is writable");
    file.write_all(lines.as_bytes()).expect("write");
}

/// The test clock: `None` is the system clock.
type Clock = std::sync::Arc<std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>>;

/// Migrate, connect with the test clock, and serve the router on a loopback port.
async fn serve_instance(config: &Config, now: &Clock) -> (String, Db) {
    capture_logs();
    let read = std::sync::Arc::clone(now);
    let db = parcours_api::connect_and_migrate(config)
        .await
        .expect("database prepared")
        .with_clock(parcours_domain::Clock::from_fn(move || {
            read.lock()
                .ok()
                .and_then(|t| *t)
                .unwrap_or_else(chrono::Utc::now)
        }));
    let router = parcours_api::build_router(config, db.clone()).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum_serve(listener, router).await;
    });
    (format!("http://{address}"), db)
}

/// A running service for one test.
pub struct TestApp {
    pub base: String,
    /// `None`: the system clock; `Some(t)`: every transaction reads `t`.
    now: Clock,
    pub config: Config,
    pub db: Db,
    pub backend: Backend,
    secret: Secret,
    client: reqwest::Client,
    dir: Option<PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A tenant made for a test, with its first steering account.
#[derive(Clone, Debug)]
pub struct TenantFixture {
    pub slug: String,
    pub id: String,
    pub steering_body: String,
    pub steering_subject: String,
    pub steering_staff: String,
    pub steering: String,
}

impl TestApp {
    /// Start on `backend` with the default test configuration.
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// Start on `backend`, with `adjust` applied to the configuration variables first.
    pub async fn start_with(
        backend: Backend,
        adjust: impl FnOnce(&mut HashMap<String, String>),
    ) -> Self {
        let (owner_url, runtime_url, dir) = prepare_database(&backend).await;
        let secret: String = (0..2)
            .map(|_| Uuid::new_v4().simple().to_string())
            .collect();
        let data_dir = std::env::temp_dir()
            .join("parcours-tests")
            .join(format!("data-{}", Uuid::now_v7()));
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", runtime_url),
            ("DATABASE_OWNER_URL", owner_url),
            ("PARCOURS_JWT_SECRET", secret.clone()),
            ("PARCOURS_DATA_DIR", data_dir.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        adjust(&mut vars);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        let now: Clock = Default::default();
        let (base, db) = serve_instance(&config, &now).await;
        Self {
            now,
            base,
            config,
            db,
            backend,
            secret: Secret::new(secret),
            client: reqwest::Client::new(),
            dir,
        }
    }

    /// Another instance of the service on this one's database, with its own pool, router and
    /// port (a replica behind a load balancer), sharing the secret and the test clock.
    pub async fn replica(&self) -> TestApp {
        let (base, db) = serve_instance(&self.config, &self.now).await;
        TestApp {
            now: std::sync::Arc::clone(&self.now),
            base,
            config: self.config.clone(),
            db,
            backend: self.backend.clone(),
            secret: self.secret.clone(),
            client: reqwest::Client::new(),
            dir: None,
        }
    }

    /// Fix the service's clock at `t` (RFC 3339), or give it back the system clock with `None`.
    pub fn set_now(&self, t: Option<&str>) {
        let t = t.map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .expect("an RFC 3339 instant")
                .with_timezone(&chrono::Utc)
        });
        *self.now.lock().expect("clock") = t;
    }

    /// A token signed with this service's secret.
    pub fn token(
        &self,
        tenant: Option<&str>,
        role: Role,
        subject: &str,
        structure: Option<&str>,
    ) -> String {
        self.token_for(tenant, role, subject, structure, chrono::Duration::hours(1))
    }

    /// A token valid for `ttl`.
    pub fn token_for(
        &self,
        tenant: Option<&str>,
        role: Role,
        subject: &str,
        structure: Option<&str>,
        ttl: chrono::Duration,
    ) -> String {
        let structure = structure.map(|s| {
            // Accept a global ID or a raw UUID.
            global_uuid(s).unwrap_or_else(|| Uuid::parse_str(s).expect("a structure ID"))
        });
        mint(
            &self.secret,
            &self.config.jwt,
            &TokenRequest {
                tenant: tenant.map(str::to_owned),
                role,
                subject: subject.to_owned(),
                structure,
                ttl,
            },
        )
        .expect("token")
    }

    /// The platform operator's token.
    pub fn admin(&self) -> String {
        self.token(None, Role::Admin, "operator@test.example", None)
    }

    /// Make `token`'s caller known to the instance, so that counting its next request's
    /// statements counts no authentication: on PostgreSQL the instance keeps a known caller's
    /// account (`domain/src/db/callers.rs`) once its listener listens; on SQLite it reads it
    /// every time.
    pub async fn known_caller(&self, token: &str) {
        let start = std::time::Instant::now();
        while matches!(self.backend, Backend::Postgres { .. }) && !self.db.keeps_callers() {
            assert!(start.elapsed().as_secs() < 10, "the listener listens");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // A tenant seen for the first time is not kept yet; its next request is.
        for _ in 0..2 {
            self.ok(token, "{ me { subject } }", json!({})).await;
        }
    }

    /// The GraphQL endpoint.
    pub fn url(&self) -> String {
        format!("{}/graphql", self.base)
    }

    /// A raw HTTP client for transport tests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// GET `path` of the service with a bearer token (none when empty): the status, the
    /// content type and the body.
    pub async fn get(&self, token: &str, path: &str) -> (u16, String, Vec<u8>) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        (status, content_type, body)
    }

    /// POST a GraphQL operation; returns the HTTP status and the JSON body.
    pub async fn post(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url())
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// POST a GraphQL operation that must succeed; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Create a tenant with one commune and its first steering account.
    pub async fn tenant(&self, slug: &str) -> TenantFixture {
        let steering_subject = format!("steering@{slug}.example");
        let data = self
            .ok(
                &self.admin(),
                "mutation($input: CreateTenantInput!) { createTenant(input: $input) {
                    tenant { id } steeringBody { id } firstSteering { id } } }",
                json!({ "input": {
                    "slug": slug,
                    "name": format!("PLIE {slug}"),
                    "communes": [{ "name": format!("{slug}-ville"), "inseeCode": null,
                                   "priorityNeighbourhoods": ["Centre"] }],
                    "steeringBodyName": format!("Animation {slug}"),
                    "firstSteering": { "subject": steering_subject, "displayName": "Direction",
                                       "email": steering_subject },
                }}),
            )
            .await;
        let created = &data["createTenant"];
        let steering = self.token(Some(slug), Role::Steering, &steering_subject, None);
        TenantFixture {
            slug: slug.to_owned(),
            id: created["tenant"]["id"].as_str().expect("id").to_owned(),
            steering_body: created["steeringBody"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
            steering_staff: created["firstSteering"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
            steering_subject,
            steering,
        }
    }

    /// Create a structure in `tenant`; returns its global ID.
    pub async fn structure(&self, tenant: &TenantFixture, name: &str, kind: &str) -> String {
        let data = self
            .ok(
                &tenant.steering,
                "mutation($input: CreateStructureInput!) { createStructure(input: $input) { structure { id } } }",
                json!({ "input": { "name": name, "kind": kind } }),
            )
            .await;
        data["createStructure"]["structure"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Invite a staff member; returns (staff global ID, token).
    pub async fn staff(
        &self,
        tenant: &TenantFixture,
        role: Role,
        subject: &str,
        structure: &str,
    ) -> (String, String) {
        let data = self
            .ok(
                &tenant.steering,
                "mutation($input: InviteStaffInput!) { inviteStaff(input: $input) { staffMember { id } } }",
                json!({ "input": {
                    "subject": subject, "displayName": subject, "email": subject,
                    "role": role.as_str().to_uppercase(), "structureId": structure,
                }}),
            )
            .await;
        let id = data["inviteStaff"]["staffMember"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let token = self.token(Some(&tenant.slug), role, subject, Some(structure));
        (id, token)
    }
}

/// A tenant with a referent carrier and a referent, a provider and its staff member.
pub struct World {
    pub tenant: TenantFixture,
    pub carrier: String,
    pub referent_id: String,
    pub referent: String,
    pub provider_structure: String,
    pub provider_id: String,
    pub provider: String,
}

impl World {
    /// Build it in `app`.
    pub async fn build(app: &TestApp, slug: &str) -> Self {
        let tenant = app.tenant(slug).await;
        let carrier = app
            .structure(&tenant, &format!("Carrier {slug}"), "REFERENT_CARRIER")
            .await;
        let (referent_id, referent) = app
            .staff(
                &tenant,
                Role::Referent,
                &format!("ref@{slug}.example"),
                &carrier,
            )
            .await;
        let provider_structure = app
            .structure(&tenant, &format!("Provider {slug}"), "PROVIDER")
            .await;
        let (provider_id, provider) = app
            .staff(
                &tenant,
                Role::Provider,
                &format!("prov@{slug}.example"),
                &provider_structure,
            )
            .await;
        Self {
            tenant,
            carrier,
            referent_id,
            referent,
            provider_structure,
            provider_id,
            provider,
        }
    }
}

impl World {
    /// A second provider structure of the tenant, "Autre opérateur", and its staff member
    /// `b@<slug>.example`; returns that provider's token.
    pub async fn other_provider(&self, app: &TestApp) -> String {
        let structure = app
            .structure(&self.tenant, "Autre opérateur", "PROVIDER")
            .await;
        let subject = format!("b@{}.example", self.tenant.slug);
        app.staff(&self.tenant, Role::Provider, &subject, &structure)
            .await
            .1
    }

    /// A second referent of the referent carrier, `colleague@<slug>.example`, with a portfolio
    /// of their own; returns their token.
    pub async fn colleague(&self, app: &TestApp) -> String {
        let subject = format!("colleague@{}.example", self.tenant.slug);
        app.staff(&self.tenant, Role::Referent, &subject, &self.carrier)
            .await
            .1
    }
}

/// No rate limit, for [`TestApp::start_with`]: load tests send hundreds of requests as one
/// subject, and a test waiting for a change asks again every few milliseconds.
pub fn no_rate_limit(vars: &mut HashMap<String, String>) {
    for name in [
        "PARCOURS_RATE_SUBJECT_PER_MINUTE",
        "PARCOURS_RATE_TENANT_PER_MINUTE",
    ] {
        vars.insert(name.into(), "0".into());
    }
}

/// The UUID inside a global ID.
pub fn global_uuid(id: &str) -> Option<Uuid> {
    parcours_api::graphql::ids::decode_any(id).map(|(_, uuid)| uuid)
}

/// The `extensions.code` of the first error.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    let _ = axum::serve(listener, router).await;
}
