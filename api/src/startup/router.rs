//! The router: every route, its layers (request id, timeout, tracing, `nosniff`) and
//! readiness.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::{any, get, post};
use parcours_domain::Db;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::{REQUEST_TIMEOUT, StartError, dev_secret, fail};
use crate::auth::Verifier;
use crate::config::{Config, Mode};
use crate::graphql;
use crate::state::GraphqlState;

/// `/graphql`: a WebSocket upgrade is a subscription connection (`ws`), anything else a
/// GraphQL-over-HTTP request (`http`). Chosen here, above both, so that neither depends on the
/// other.
pub(super) async fn graphql_or_subscriptions(
    State(state): State<Arc<GraphqlState>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    if crate::ws::is_upgrade(request.headers()) {
        let request_id = crate::state::request_id(request.headers());
        return crate::ws::handshake(state, request, request_id).await;
    }
    // The GraphQL route's extractors, run here as axum runs a handler's: the token arrives in
    // a header over HTTP (and in `connection_init` over WebSocket).
    let (mut parts, body) = request.into_parts();
    let Ok(bearer) = Result::<crate::http::Bearer, crate::http::Unauthorized>::from_request_parts(
        &mut parts, &state,
    )
    .await;
    let request = axum::extract::Request::from_parts(parts, body);
    crate::http::graphql(State(state), bearer, request).await
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
pub(super) async fn no_sniffing(
    mut response: axum::response::Response,
) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// A client's `x-request-id` is kept only when it is one short, plain identifier (1 to 64
/// characters of `A-Z a-z 0-9 . _ -`); otherwise it is dropped and the service makes one. It
/// goes into logs, audit entries and answers: nothing longer or stranger should.
pub(super) async fn plain_request_id(
    mut request: Request<axum::body::Body>,
) -> Request<axum::body::Body> {
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

pub(super) async fn readyz(State(db): State<Db>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}
