//! Start-up: database preparation, isolation checks, keys, demo data, serving and shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::{any, get, post};
use parcours_domain::db::PoolSettings;
use parcours_domain::demo::DemoAccount;
use parcours_domain::{Db, checks};
use rand::Rng;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{TokenRequest, Verifier, mint};
use crate::config::{Config, Mode, Secret};
use crate::graphql;
use crate::state::GraphqlState;

/// Why the service cannot start or a command cannot run.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

fn fail(message: impl Into<String>) -> StartError {
    StartError(message.into())
}

/// How long a request may take, body included, before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The SDL of the schema (what `parcours schema` prints and `schema.graphql` holds).
pub fn schema_sdl() -> String {
    graphql::build(true).sdl()
}

/// Make sure an SQLite URL creates its file and folder.
fn prepare_sqlite(url: &str) -> Result<String, StartError> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(url.to_owned());
    };
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty()
        && !path.starts_with(":memory:")
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            fail(format!(
                "DATABASE_URL: cannot create {}: {e}",
                dir.display()
            ))
        })?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Run the migrations as the owner role.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let url = prepare_sqlite(&config.database_owner_url)?;
    // The owner connection retries like the runtime one: the database may still be starting.
    connect_with_retries(&url, "DATABASE_OWNER_URL", &PoolSettings::default())
        .await?
        .close()
        .await
        .ok();
    parcours_migration::run(&url)
        .await
        .map_err(|e| fail(format!("DATABASE_OWNER_URL: migration failed: {e}")))?;
    Ok(())
}

async fn connect_with_retries(
    url: &str,
    variable: &str,
    pool: &PoolSettings,
) -> Result<Db, StartError> {
    let mut delay = Duration::from_millis(250);
    let attempts = 5;
    for attempt in 1..=attempts {
        match Db::connect(url, pool).await {
            Ok(db) => match db.ping().await {
                Ok(()) => return Ok(db),
                Err(e) if attempt == attempts => {
                    return Err(fail(format!("{variable}: database not reachable: {e}")));
                }
                Err(_) => {}
            },
            Err(e) if attempt == attempts => {
                return Err(fail(format!("{variable}: database not reachable: {e}")));
            }
            Err(_) => {}
        }
        tracing::warn!(attempt, "database not reachable yet, retrying");
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
    Err(fail(format!("{variable}: database not reachable")))
}

/// Migrate, connect as the runtime role and check the isolation walls (fatal in production).
pub async fn connect_and_migrate(config: &Config) -> Result<Db, StartError> {
    migrate(config).await?;
    let url = prepare_sqlite(&config.database_url)?;
    let db = connect_with_retries(&url, "DATABASE_URL", &config.pool).await?;
    let problems = checks::isolation_problems(&db)
        .await
        .map_err(|e| fail(format!("DATABASE_URL: isolation checks failed to run: {e}")))?;
    for problem in &problems {
        tracing::warn!(problem, "database isolation check failed");
    }
    if config.mode == Mode::Production && !problems.is_empty() {
        return Err(fail(format!(
            "DATABASE_URL: refusing to start in production: {}",
            problems.join("; ")
        )));
    }
    // Names are searched by a stored key: keep it in step with the folding rule.
    let rekeyed = parcours_domain::participants::rekey_names(&db)
        .await
        .map_err(|e| fail(format!("DATABASE_URL: name keys could not be updated: {e}")))?;
    if rekeyed > 0 {
        tracing::info!(rekeyed, "participants' search keys brought up to date");
    }
    Ok(db)
}

/// The development secret: generated once and kept in the data folder. `None` in production
/// or when keys are configured.
pub fn dev_secret(config: &Config) -> Result<Option<Secret>, StartError> {
    let jwt = &config.jwt;
    if config.mode == Mode::Production {
        // An HS256 secret in production must be given explicitly, and not be the generated one.
        if let (Some(secret), Ok(generated)) = (
            &jwt.secret,
            std::fs::read_to_string(config.dev_secret_path()),
        ) && secret.expose() == generated.trim().as_bytes()
        {
            return Err(fail(
                "PARCOURS_JWT_SECRET: production refuses the generated development secret",
            ));
        }
        return Ok(None);
    }
    if jwt.secret.is_some() || !jwt.public_keys.is_empty() || jwt.jwks_file.is_some() {
        return Ok(None);
    }
    let path = config.dev_secret_path();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(Some(Secret::new(existing)));
        }
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        fail(format!(
            "PARCOURS_DATA_DIR: cannot create {}: {e}",
            config.data_dir.display()
        ))
    })?;
    let bytes: [u8; 32] = rand::rng().random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(Secret::new(secret)))
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content.as_bytes())
}

/// The HS256 secret that `parcours token` and the demo sign with.
fn signing_secret(config: &Config) -> Result<Secret, StartError> {
    if config.mode == Mode::Production {
        return Err(fail(
            "PARCOURS_ENV: `parcours token` refuses to run in production; tokens come from the identity provider",
        ));
    }
    match &config.jwt.secret {
        Some(secret) => Ok(secret.clone()),
        None => dev_secret(config)?.ok_or_else(|| {
            fail("PARCOURS_JWT_SECRET: keys are configured, so there is no development secret to sign with")
        }),
    }
}

/// Mint a development token.
pub fn token(config: &Config, request: &TokenRequest) -> Result<String, StartError> {
    let secret = signing_secret(config)?;
    mint(&secret, &config.jwt, request).map_err(fail)
}

/// The structure a `--structure` argument names: a Structure's global ID, as the API gives
/// it, or a bare UUID.
pub fn structure_argument(text: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(text)
        .ok()
        .or_else(|| {
            crate::graphql::ids::decode_any(text)
                .filter(|(kind, _)| kind == "Structure")
                .map(|(_, id)| id)
        })
        .ok_or_else(|| "--structure: must be a structure's global ID or UUID".to_owned())
}

/// `parcours token`: a token only for an account the service would accept — the claims are
/// authenticated against the database exactly as a request's would be (the tenant exists and
/// is not suspended; the subject is an active staff member of it, of that role, in that
/// active structure), and a refusal says why instead of printing a token that would fail.
pub async fn checked_token(config: &Config, request: &TokenRequest) -> Result<String, StartError> {
    let secret = signing_secret(config)?;
    let db = connect_and_migrate(config).await?;
    let claims = parcours_domain::auth::Claims {
        subject: request.subject.clone(),
        role: request.role,
        tenant: request.tenant.clone(),
        structure: request.structure,
    };
    match parcours_domain::auth::begin(&db, claims, parcours_domain::db::Mode::Read).await {
        Ok((tx, _)) => tx.rollback().await,
        Err(e) => {
            return Err(fail(format!(
                "no token: the service would refuse these claims ({e})"
            )));
        }
    }
    mint(&secret, &config.jwt, request).map_err(fail)
}

/// `/graphql`: a WebSocket upgrade is a subscription connection (`ws`), anything else a
/// GraphQL-over-HTTP request (`http`). Chosen here, above both, so that neither depends on the
/// other.
async fn graphql_or_subscriptions(
    State(state): State<Arc<GraphqlState>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    if crate::ws::is_upgrade(request.headers()) {
        let request_id = crate::state::request_id(request.headers());
        return crate::ws::handshake(state, request, request_id).await;
    }
    crate::http::graphql(State(state), request).await
}

/// The router, on a prepared database.
pub fn build_router(config: &Config, db: Db) -> Result<Router, StartError> {
    let dev = dev_secret(config)?;
    let verifier = Verifier::from_config(&config.jwt, dev.as_ref()).map_err(fail)?;
    let open = config.mode == Mode::Development;
    let files = match &config.attachments_url {
        Some(url) => parcours_domain::attachments::Files::from_url(
            url,
            config
                .attachments_options
                .iter()
                .map(|(k, v)| (k.clone(), v.expose_str().to_owned()))
                .collect(),
        )
        .map_err(|e| fail(format!("PARCOURS_ATTACHMENTS_URL: {e}")))?,
        None => parcours_domain::attachments::Files::local(&config.attachments_dir)
            .map_err(|e| fail(format!("PARCOURS_ATTACHMENTS_DIR: {e}")))?,
    };
    parcours_domain::notifications::listen(&db);
    let state = Arc::new(GraphqlState {
        schema: graphql::build(open),
        introspection: open.then(graphql::build_for_introspection),
        db: db.clone(),
        verifier,
        graphiql: open,
        files,
        limiter: Arc::new(crate::limits::Limiter::new(config.rate_limits)),
        connections: Arc::new(crate::connections::Connections::new(config.ws)),
        metrics: Arc::default(),
    });
    let metrics = Arc::clone(&state.metrics);
    // /metrics: open in development; in production only behind its own token.
    let metrics_route = match (config.mode, &config.metrics_token) {
        (Mode::Development, token) => Some(token.clone()),
        (Mode::Production, Some(token)) => Some(Some(token.clone())),
        (Mode::Production, None) => None,
    }
    .map(|token| {
        Router::new()
            .route("/metrics", get(crate::metrics::endpoint))
            .with_state(crate::metrics::Exposed {
                metrics: Arc::clone(&state.metrics),
                db: state.db.clone(),
                limiter: Arc::clone(&state.limiter),
                token,
            })
    });
    let graphql_routes = Router::new()
        .route("/graphql", any(graphql_or_subscriptions))
        .route("/attachments", post(crate::attachments::upload))
        .route("/attachments/{id}", get(crate::attachments::download))
        .route(
            "/cohorts/{id}/attendance-sheet",
            get(crate::sheets::attendance_sheet),
        )
        .route(
            "/follow-up-sheets/{id}",
            get(crate::sheets::follow_up_sheet),
        )
        .route("/esf/export", get(crate::exports::esf_export))
        .route("/imports/participants", post(crate::imports::participants))
        .with_state(state);
    let graphql_routes = match metrics_route {
        Some(m) => graphql_routes.merge(m),
        None => graphql_routes,
    };
    // GraphiQL's files, served by the binary itself, where its page is (development).
    let graphql_routes = if open {
        graphql_routes.route("/graphiql/{file}", get(crate::graphiql::asset))
    } else {
        graphql_routes
    };
    let health = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(db);
    Ok(graphql_routes
        .merge(health)
        .route_layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    request_id,
                    method = %request.method(),
                    path = request.uri().path(),
                )
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(plain_request_id))
        .layer(axum::middleware::map_response(no_sniffing)))
}

/// Every answer is what its `Content-Type` says, never sniffed by the client into something
/// else (an uploaded file served as a PDF must not run as HTML).
async fn no_sniffing(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// A client's `x-request-id` is kept only when it is one short, plain identifier (1 to 64
/// characters of `A-Z a-z 0-9 . _ -`); otherwise it is dropped and the service makes one. It
/// goes into logs, audit entries and answers: nothing longer or stranger should.
async fn plain_request_id(mut request: Request<axum::body::Body>) -> Request<axum::body::Body> {
    let values = request.headers().get_all("x-request-id");
    let mut all = values.iter();
    let keep = match (all.next(), all.next()) {
        (Some(one), None) => one.to_str().is_ok_and(is_plain_request_id),
        _ => false,
    };
    if !keep {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// Whether `id` is a request id worth keeping (see [`plain_request_id`]).
pub fn is_plain_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

async fn readyz(State(db): State<Db>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

/// Load the demo data into an empty database.
pub async fn demo(config: &Config) -> Result<Vec<DemoAccount>, StartError> {
    let db = connect_and_migrate(config).await?;
    let empty = parcours_domain::demo::is_empty(&db)
        .await
        .map_err(|e| fail(format!("reading the database: {e}")))?;
    if !empty {
        return Err(fail(
            "the database is not empty: the demo loads into an empty one only",
        ));
    }
    parcours_domain::demo::load(&db)
        .await
        .map_err(|e| fail(format!("loading the demo data: {e}")))
}

/// `parcours serve`: migrate, load the demo on an empty development database, serve until
/// SIGTERM or Ctrl-C, letting in-flight requests finish.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let db = connect_and_migrate(&config).await?;
    let mut loaded = Vec::new();
    if config.mode == Mode::Development
        && parcours_domain::demo::is_empty(&db)
            .await
            .map_err(|e| fail(format!("reading the database: {e}")))?
    {
        loaded = parcours_domain::demo::load(&db)
            .await
            .map_err(|e| fail(format!("loading the demo data: {e}")))?;
    }
    if config.mode == Mode::Production {
        tokio::spawn(retention_daily(db.clone()));
    }
    tokio::spawn(reminders_hourly(db.clone()));
    let router = build_router(&config, db)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            fail(format!(
                "PARCOURS_LISTEN: cannot listen on {}: {e}",
                config.listen
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| fail(format!("PARCOURS_LISTEN: {e}")))?;
    tracing::info!(%address, mode = ?config.mode, "parcours listening");
    if config.mode == Mode::Development {
        print_welcome(&config, address, &loaded)?;
    }
    serve_on(listener, router, shutdown_signal()).await?;
    tracing::info!("parcours stopped");
    Ok(())
}

/// Serve `router` on `listener` until `shutdown` completes; then stop accepting connections
/// (the listener is closed) and return once every request in flight has been answered.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    // Upgraded WebSocket connections outlive the HTTP server's graceful shutdown: they are told
    // through `Stopping`, close with 1001 after the delivery they are sending, and are waited
    // for (a few seconds at most) once the server has stopped.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let router = router.layer(axum::Extension(crate::ws::Stopping(stopping)));
    let signalled = {
        let stop = stop.clone();
        async move {
            shutdown.await;
            let _ = stop.send(true);
        }
    };
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(signalled)
        .await
        .map_err(|e| fail(format!("server error: {e}")));
    let _ = stop.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stop.closed()).await;
    served
}

/// The retention job, in production: ten minutes after the start, then every day.
async fn retention_daily(db: Db) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(600),
        std::time::Duration::from_secs(86_400),
    );
    loop {
        ticks.tick().await;
        match parcours_domain::jobs::retention::run(&db, false).await {
            Ok(report) => {
                let anonymised: usize = report.iter().map(|t| t.anonymised).sum();
                tracing::info!(anonymised, tenants = report.len(), "retention job done");
            }
            Err(e) => tracing::warn!(error = %e, "retention job failed; retried tomorrow"),
        }
    }
}

/// Overdue-report reminders: a minute after the start, then every hour (each is sent once).
async fn reminders_hourly(db: Db) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(3_600),
    );
    loop {
        ticks.tick().await;
        match parcours_domain::jobs::remind_overdue_reports(&db).await {
            Ok(sent) => tracing::info!(sent, "overdue-report reminders done"),
            Err(e) => {
                tracing::warn!(error = %e, "overdue-report reminders failed; retried in an hour")
            }
        }
    }
}

/// `parcours retention [--dry-run]`: run the retention job once; one line per tenant.
pub async fn retention(config: &Config, dry_run: bool) -> Result<Vec<String>, StartError> {
    let db = connect_and_migrate(config).await?;
    let report = parcours_domain::jobs::retention::run(&db, dry_run)
        .await
        .map_err(|e| fail(format!("retention: {e}")))?;
    Ok(report
        .into_iter()
        .map(|t| {
            format!(
                "{}: retention {} months, paths ended on or before {}: {} due, {} anonymised",
                t.tenant, t.retention_months, t.cutoff, t.due, t.anonymised
            )
        })
        .collect())
}

fn print_welcome(
    config: &Config,
    address: std::net::SocketAddr,
    loaded: &[DemoAccount],
) -> Result<(), StartError> {
    println!("\nParcours (development mode) — GraphiQL: http://{address}/graphql");
    if loaded.is_empty() {
        println!(
            "Mint a token with: cargo run -- token --tenant dijon --role steering --sub pilotage@plie-dijon.example\n"
        );
        return Ok(());
    }
    println!("Demo data loaded. Paste one of these in GraphiQL's Headers tab:\n");
    for account in loaded {
        let token = token(
            config,
            &TokenRequest {
                tenant: account.tenant.clone(),
                role: account.role,
                subject: account.subject.clone(),
                structure: account.structure,
                ttl: chrono::Duration::hours(12),
            },
        )?;
        println!("  {} ({}):", account.label, account.subject);
        println!("  {{\"Authorization\": \"Bearer {token}\"}}\n");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
