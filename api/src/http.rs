//! The hardened GraphQL-over-HTTP endpoint (DESIGN.md §6, SECURITY.md).
//!
//! In order: tokens in the query string are refused; a browser's GET without a query gets
//! GraphiQL when enabled; the bearer token is verified and checked against the data; `Accept`
//! is negotiated (406); the method (405) and `Content-Type` (415) are checked; the body is read
//! under a size cap (413); one JSON object only (batches are refused); the query's length and
//! bracket nesting are checked before parsing; a mutation over GET is 405; the expanded field
//! count is capped; then the operation runs, and the sensitive values it read are written to the
//! access log before anything is answered (`UNAVAILABLE`, no data, when that fails). Request
//! errors are 4xx with no `data`.

use std::sync::Arc;

use async_graphql::Variables;
use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT, ALLOW, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use parcours_domain::access_log::{self, Channel};
use parcours_domain::db::{Mode, Tx};
use parcours_domain::{Db, DomainError, Principal};
use serde_json::{Value, json};

use crate::auth::Verifier;
use crate::errors;
use crate::graphql::{AccessRecorder, ParcoursSchema, RequestCtx};
use crate::guard::{BadDocument, fields_within, parse_within, texts_within};

/// Transport limits.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
pub const MAX_NESTING: usize = 64;
/// The fields an introspection-only query may select once its fragments are expanded
/// (development only; graphql-js's full introspection query expands to fewer).
pub const MAX_INTROSPECTION_FIELDS: usize = 5_000;
pub const MAX_FIELDS: usize = 500;
/// `Retry-After` (seconds) of a 503 `UNAVAILABLE`.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 2;

/// What the endpoint needs.
pub struct GraphqlState {
    pub schema: ParcoursSchema,
    pub db: Db,
    pub verifier: Verifier,
    pub graphiql: bool,
    /// In development, the schema that answers introspection-only queries, deeper than
    /// `schema` (see `graphql::build_for_introspection`); `None` in production.
    pub introspection: Option<ParcoursSchema>,
    pub files: parcours_domain::attachments::Files,
    pub limiter: Arc<crate::limits::Limiter>,
    /// Open WebSocket connections per subject.
    pub(crate) connections: Arc<crate::ws::Connections>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The response media type chosen from `Accept`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    GraphqlResponse,
    Json,
}

/// A refusal before execution.
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// The offending input, for `VALIDATION`.
    field: Option<String>,
    /// Seconds to wait, for `RATE_LIMITED`.
    retry_after: Option<u64>,
}

impl Refusal {
    /// The stable code (`UNAUTHENTICATED`, `RATE_LIMITED`, …).
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }

    /// The message for the client.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// A domain error on a plain HTTP route: its status, code, message and field from the one
    /// table (`crate::errors`).
    pub(crate) fn from_domain(err: DomainError, request_id: &str) -> Self {
        Refusal {
            field: errors::field_of(&err).map(str::to_owned),
            ..refuse(
                errors::status_of(&err),
                errors::code_of(&err),
                errors::client_message(&err, request_id),
            )
        }
        .with_retry_after_if_unavailable()
    }

    /// The same refusal, with `Retry-After` when it is a 503 (the database is unavailable).
    pub(crate) fn with_retry_after_if_unavailable(mut self) -> Self {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            self.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
        }
        self
    }
}

pub(crate) fn refuse(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
        field: None,
        retry_after: None,
    }
}

/// `POST`/`GET /graphql`.
pub async fn graphql(State(state): State<Arc<GraphqlState>>, request: Request) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    if crate::ws::is_upgrade(request.headers()) {
        return crate::ws::handshake(state, request, request_id).await;
    }
    let media = negotiate(request.headers());
    match handle(&state, request, &request_id, media).await {
        Ok(response) => response,
        Err(refusal) => {
            let mut response = error_response(refusal, media.unwrap_or(MediaType::Json));
            if response.status() == StatusCode::UNAUTHORIZED {
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            response
        }
    }
}

async fn handle(
    state: &GraphqlState,
    request: Request,
    request_id: &str,
    media: Option<MediaType>,
) -> Result<Response, Refusal> {
    let (parts, body) = request.into_parts();
    let params: Vec<(String, String)> = parts.uri.query().map(url_decode_pairs).unwrap_or_default();
    if params.iter().any(|(k, _)| k == "access_token") {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            errors::UNAUTHENTICATED,
            "tokens are accepted in the Authorization header only",
        ));
    }
    let wants_html = parts
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if parts.method == Method::GET && wants_html && !params.iter().any(|(k, _)| k == "query") {
        if state.graphiql {
            return Ok(Html(crate::graphiql::PAGE).into_response());
        }
        return Err(refuse(
            StatusCode::NOT_FOUND,
            errors::NOT_FOUND,
            "GraphiQL is disabled",
        ));
    }

    let authorization = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = verify(state, authorization, request_id)?;
    let media = media.ok_or_else(|| {
        refuse(
            StatusCode::NOT_ACCEPTABLE,
            errors::NOT_ACCEPTABLE,
            format!("accept {GRAPHQL_RESPONSE} or {JSON}"),
        )
    })?;

    let body = match parts.method {
        Method::POST => {
            check_content_type(&parts.headers)?;
            let bytes = read_body(body).await?;
            parse_body(&bytes)?
        }
        Method::GET => parse_params(params)?,
        _ => {
            let mut response = error_response(
                refuse(
                    StatusCode::METHOD_NOT_ALLOWED,
                    errors::METHOD_NOT_ALLOWED,
                    "use POST, or GET for queries",
                ),
                media,
            );
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
            return Ok(response);
        }
    };
    let GraphqlBody {
        query,
        variables,
        operation_name,
    } = body;
    let bad = |r: BadDocument| Refusal {
        field: r.field,
        ..refuse(StatusCode::BAD_REQUEST, r.code, r.message)
    };
    let mut gql = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = &operation_name {
        gql = gql.operation_name(name);
    }
    let selected = parse_within(&mut gql, MAX_QUERY_BYTES, MAX_NESTING).map_err(bad)?;
    // For metrics and logs: the operation's own name when the request does not give one.
    let label_name: Option<String> = operation_name
        .clone()
        .or_else(|| selected.as_ref().and_then(|s| s.name.clone()));
    if parts.method == Method::GET
        && selected
            .as_ref()
            .is_some_and(|s| s.ty != OperationType::Query)
    {
        let mut response = error_response(
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                errors::METHOD_NOT_ALLOWED,
                "mutations are sent with POST",
            ),
            media,
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Ok(response);
    }
    if state.introspection.is_none() && selected.as_ref().is_some_and(|s| s.introspects) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            errors::INTROSPECTION_DISABLED,
            "introspection is off in production; the schema is published as schema.graphql \
             (`parcours schema`)",
        ));
    }
    // The standard introspection queries expand their fragments into more fields than any
    // screen asks; an introspection-only query (development) has a bound of its own.
    let introspection = selected
        .as_ref()
        .is_some_and(|s| s.introspection_only && state.introspection.is_some());
    let max_fields = if introspection {
        MAX_INTROSPECTION_FIELDS
    } else {
        MAX_FIELDS
    };
    fields_within(&mut gql, max_fields).map_err(bad)?;
    texts_within(&mut gql).map_err(bad)?;

    // One transaction for the whole operation, authentication included (see
    // `parcours_domain::db`). Mutation fields that are several changes each get a savepoint.
    let mode = match &selected {
        Some(s) if s.ty == OperationType::Mutation => Mode::Write {
            isolated: !s.single_root_field,
        },
        _ => Mode::Read,
    };
    let (tx, principal) = open(state, token.claims, mode, request_id).await?;
    let tenant = principal
        .tenant()
        .map_or_else(|| "-".to_owned(), |t| t.slug.clone());
    let role = principal.role();
    let principal = principal.with_request_id(request_id);
    let access = AccessRecorder::default();
    let ctx = RequestCtx {
        tx: tx.clone(),
        principal: principal.clone(),
        request_id: request_id.to_owned(),
        access: access.clone(),
    };
    let started = std::time::Instant::now();
    let schema = match (&state.introspection, &selected) {
        (Some(deeper), Some(s)) if s.introspection_only => deeper,
        _ => &state.schema,
    };
    let mut response = schema.execute(ctx.into_request(gql)).await;
    give_codes(&mut response);
    // The sensitive values in `response` leave only with their access entries, written in the
    // operation's own transaction (one statement), and only once it has committed: when
    // either fails the client gets no data at all, and no entry outlives a failed answer.
    let finished = async {
        access_log::record(&tx, &principal, Channel::Graphql, access.take()).await?;
        tx.commit().await
    }
    .await;
    if finished.is_err() {
        tx.rollback().await;
    }
    let outcome = match (&finished, response.errors.first()) {
        (Err(_), _) => errors::UNAVAILABLE.to_owned(),
        (Ok(_), None) => "ok".to_owned(),
        (Ok(_), Some(e)) => match e.extensions.as_ref().and_then(|x| x.get("code")) {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => "ERROR".to_owned(),
        },
    };
    state.metrics.operation(label_name.as_deref(), &outcome);
    // One line per operation: who (tenant and role, never the subject), what, how it went.
    tracing::info!(
        request_id,
        tenant,
        role = role.as_str(),
        operation = crate::metrics::operation_label(label_name.as_deref()),
        outcome,
        duration_ms = started.elapsed().as_millis() as u64,
        "graphql operation"
    );
    if let Err(err) = finished {
        tracing::warn!(request_id, error = %err, detail = ?err, "not committed; response withheld");
        return Err(unavailable(request_id));
    }
    Ok(graphql_response(response, media))
}

/// A verified bearer token: the claims to check against the data, and when it expires.
pub(crate) struct Verified {
    pub(crate) claims: parcours_domain::auth::Claims,
    pub(crate) expires_at: chrono::DateTime<chrono::Utc>,
}

/// Check an `Authorization` value (`Bearer <jwt>`): the signature and standard claims, then
/// the caller's rate budget. No database yet.
pub(crate) fn verify(
    state: &GraphqlState,
    authorization: Option<&str>,
    request_id: &str,
) -> Result<Verified, Refusal> {
    let token = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refused_token(request_id, "no bearer token"))?;
    let (claims, expires_at) = state
        .verifier
        .verify_until(token)
        .map_err(|e| refused_token(request_id, &e.0))?;
    if let Err(wait) = state
        .limiter
        .take(claims.tenant.as_deref(), &claims.subject)
    {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::info!(request_id, retry_after = seconds, "rate limited");
        let mut refusal = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            errors::RATE_LIMITED,
            format!("too many requests; retry in {seconds} s"),
        );
        refusal.retry_after = Some(seconds.max(1));
        return Err(refusal);
    }
    Ok(Verified { claims, expires_at })
}

fn refused_token(request_id: &str, why: &str) -> Refusal {
    tracing::info!(request_id, why, "authentication refused");
    refuse(
        StatusCode::UNAUTHORIZED,
        errors::UNAUTHENTICATED,
        "a valid bearer token is required",
    )
}

/// Begin the request's one transaction and check `claims` against the data inside it.
pub(crate) async fn open(
    state: &GraphqlState,
    claims: parcours_domain::auth::Claims,
    mode: Mode,
    request_id: &str,
) -> Result<(Tx, Principal), Refusal> {
    let opened = parcours_domain::auth::begin(&state.db, claims, mode);
    opened.await.map_err(|err| match err {
        DomainError::Unauthenticated(why) => refused_token(request_id, why),
        DomainError::Unavailable(detail) => {
            tracing::warn!(request_id, detail, "database unavailable");
            unavailable(request_id)
        }
        other => {
            tracing::error!(request_id, error = %other, detail = ?other, "authentication failed");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                errors::INTERNAL,
                format!("internal error; request id {request_id}"),
            )
        }
    })
}

/// For the plain-HTTP routes: verify the `Authorization` header, begin the request's one
/// transaction in `mode` and authenticate in it. End it with [`finish`].
pub(crate) async fn authenticated(
    state: &GraphqlState,
    headers: &HeaderMap,
    request_id: &str,
    mode: Mode,
) -> Result<(Tx, Principal), Refusal> {
    let authorization = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = verify(state, authorization, request_id)?;
    let (tx, principal) = open(state, token.claims, mode, request_id).await?;
    Ok((tx, principal.with_request_id(request_id)))
}

/// Commit a plain-HTTP route's transaction before it answers: 503 when that fails.
pub(crate) async fn finish(tx: &Tx, request_id: &str) -> Result<(), Refusal> {
    tx.commit().await.map_err(|err| {
        tracing::warn!(request_id, error = %err, detail = ?err, "not committed; response withheld");
        unavailable(request_id)
    })
}

/// The 503 of a request that met an unavailable database before executing.
pub(crate) fn unavailable(request_id: &str) -> Refusal {
    let mut refusal = refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        errors::UNAVAILABLE,
        format!("service temporarily unavailable; request id {request_id}"),
    );
    refusal.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
    refusal
}

/// The media type to answer with, or `None` when the client accepts neither.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(ACCEPT) else {
        return Some(MediaType::GraphqlResponse);
    };
    let accept = accept.to_str().ok()?;
    let mut json = false;
    for item in accept.split(',') {
        let mut params = item.split(';');
        let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = params.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
        });
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE | "*/*" | "application/*" => return Some(MediaType::GraphqlResponse),
            JSON => json = true,
            _ => {}
        }
    }
    json.then_some(MediaType::Json)
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let unsupported = || {
        refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            errors::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json",
        )
    };
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unsupported)?;
    let mut parts = value.split(';');
    if !parts
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(JSON))
    {
        return Err(unsupported());
    }
    for param in parts {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported());
        }
    }
    Ok(())
}

async fn read_body(body: Body) -> Result<Bytes, Refusal> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            errors::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )),
        Err(_) => Err(refuse(
            StatusCode::BAD_REQUEST,
            errors::BAD_REQUEST,
            "the body could not be read",
        )),
    }
}

struct GraphqlBody {
    query: String,
    variables: Variables,
    operation_name: Option<String>,
}

fn bad_request(message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, errors::BAD_REQUEST, message)
}

fn parse_body(bytes: &[u8]) -> Result<GraphqlBody, Refusal> {
    // serde_json stops at 128 levels of nesting, so deep JSON is an error, not a stack overflow.
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| bad_request("the body is not valid UTF-8 JSON"))?;
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(bad_request(
                "batches are not supported: send one operation per request",
            ));
        }
        _ => return Err(bad_request("the body must be a JSON object")),
    };
    let query = match object.get("query") {
        Some(Value::String(q)) => q.clone(),
        _ => return Err(bad_request("the body needs a string `query`")),
    };
    let variables = match object.get("variables") {
        None | Some(Value::Null) => Variables::default(),
        Some(v @ Value::Object(_)) => Variables::from_json(v.clone()),
        Some(_) => return Err(bad_request("`variables` must be an object")),
    };
    if !matches!(
        object.get("extensions"),
        None | Some(Value::Null | Value::Object(_))
    ) {
        return Err(bad_request("`extensions` must be an object"));
    }
    let operation_name = match object.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(bad_request("`operationName` must be a string")),
    };
    Ok(GraphqlBody {
        query,
        variables,
        operation_name,
    })
}

fn parse_params(params: Vec<(String, String)>) -> Result<GraphqlBody, Refusal> {
    let mut query = None;
    let mut variables = Variables::default();
    let mut operation_name = None;
    for (key, value) in params {
        match key.as_str() {
            "query" => query = Some(value),
            "variables" if !value.is_empty() => {
                let parsed: Value = serde_json::from_str(&value)
                    .map_err(|_| bad_request("`variables` is not JSON"))?;
                match parsed {
                    v @ Value::Object(_) => variables = Variables::from_json(v),
                    Value::Null => {}
                    _ => return Err(bad_request("`variables` must be an object")),
                }
            }
            "operationName" if !value.is_empty() => operation_name = Some(value),
            _ => {}
        }
    }
    Ok(GraphqlBody {
        query: query.ok_or_else(|| bad_request("the `query` parameter is missing"))?,
        variables,
        operation_name,
    })
}

/// Decode `application/x-www-form-urlencoded` pairs of a query string.
fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An async-graphql response as HTTP: request errors (nothing executed) are 400 without `data`;
/// an operation that produced no data because the database was unavailable (every error is
/// `UNAVAILABLE`, every root field is null) is 503 with `Retry-After`, without `data`.
fn graphql_response(response: async_graphql::Response, media: MediaType) -> Response {
    if response.errors.is_empty() && !matches!(response.data, async_graphql::Value::Null) {
        // The common answer, serialised straight from async-graphql's value (no intermediate
        // `serde_json::Value`).
        #[derive(serde::Serialize)]
        struct Data<'a> {
            data: &'a async_graphql::Value,
        }
        if let Ok(body) = serde_json::to_vec(&Data {
            data: &response.data,
        }) {
            return bytes_response(StatusCode::OK, body, media);
        }
    }
    let request_error = matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let unavailable = !request_error
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from(errors::UNAVAILABLE))
        })
        && no_data(&response.data);
    let errors: Vec<Value> = response
        .errors
        .into_iter()
        .map(|e| serde_json::to_value(&e).unwrap_or_else(|_| json!({ "message": "error" })))
        .collect();
    let (status, body) = if request_error {
        (StatusCode::BAD_REQUEST, json!({ "errors": errors }))
    } else if unavailable {
        let mut response = json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "errors": errors }),
            media,
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
        return response;
    } else {
        let mut data = serde_json::to_value(&response.data).unwrap_or(Value::Null);
        if data.is_null() {
            data = json!({});
        }
        for error in &errors {
            null_at_path(&mut data, &error["path"]);
        }
        let mut body = json!({ "data": data });
        if !errors.is_empty() {
            body["errors"] = Value::Array(errors);
        }
        (StatusCode::OK, body)
    };
    json_response(status, &body, media)
}

/// Whether `data` holds nothing: null, or an object whose root fields are all null.
fn no_data(data: &async_graphql::Value) -> bool {
    match data {
        async_graphql::Value::Null => true,
        async_graphql::Value::Object(fields) => fields
            .values()
            .all(|v| matches!(v, async_graphql::Value::Null)),
        _ => false,
    }
}

/// async-graphql 7 leaves a field whose resolver failed out of `data`; the spec wants it
/// present as `null`, so that clients can tell "failed" from "not asked".
fn null_at_path(data: &mut Value, path: &Value) {
    let Some(segments) = path.as_array() else {
        return;
    };
    let mut node = data;
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match (segment, node) {
            (Value::String(key), Value::Object(map)) => {
                if last {
                    map.entry(key.clone()).or_insert(Value::Null);
                    return;
                }
                match map.get_mut(key) {
                    Some(next) => next,
                    None => return,
                }
            }
            (Value::Number(index), Value::Array(items)) => {
                match index.as_u64().and_then(|i| items.get_mut(i as usize)) {
                    Some(next) => next,
                    None => return,
                }
            }
            _ => return,
        };
    }
}

/// Give every error a code, and a `field` where it names an argument: async-graphql's own
/// parse, validation, limit and coercion errors have none. Done on the response itself, so
/// that the answer, the log line and the metrics all see the same code.
pub(crate) fn give_codes(response: &mut async_graphql::Response) {
    let request_error = matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let message = &error.message;
        let code = if message.contains("nested too deep") || message.contains("recursion depth") {
            errors::QUERY_TOO_DEEP
        } else if message.contains("too complex") || message.contains("directives") {
            errors::QUERY_TOO_COMPLEX
        } else if request_error && !message.starts_with("Invalid value for argument") {
            errors::GRAPHQL_VALIDATION_FAILED
        } else {
            errors::VALIDATION
        };
        // The library says only which type it expected; say what that type takes.
        let hint = if message.ends_with("expected type \"Date\"") {
            Some("a date YYYY-MM-DD from 1900-01-01 to 2099-12-31")
        } else if message.ends_with("expected type \"Money\"") {
            Some("an amount as a string with at most two decimals, such as \"40000.00\"")
        } else {
            None
        };
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", code);
        if let Some(field) = argument_named(message) {
            extensions.set("field", field);
        }
        error.extensions = Some(extensions);
        if let Some(hint) = hint {
            error.message = format!("{}: {hint}", error.message);
        }
    }
}

/// The input field an async-graphql coercion error is about: its message reads `Invalid value
/// for argument "input.entries.0.presence", …`; the field is the innermost name (`presence`),
/// as the domain's own errors name it.
fn argument_named(message: &str) -> Option<String> {
    let path = message
        .strip_prefix("Invalid value for argument \"")?
        .split('"')
        .next()?;
    path.rsplit('.')
        .find(|segment| !segment.is_empty() && !segment.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

pub(crate) fn error_response(refusal: Refusal, media: MediaType) -> Response {
    let extensions = match refusal.field {
        Some(field) => json!({ "code": refusal.code, "field": field }),
        None => json!({ "code": refusal.code }),
    };
    let body = json!({ "errors": [{ "message": refusal.message, "extensions": extensions }] });
    let mut response = json_response(refusal.status, &body, media);
    if let Some(seconds) = refusal.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn json_response(status: StatusCode, body: &Value, media: MediaType) -> Response {
    bytes_response(status, body.to_string().into_bytes(), media)
}

fn bytes_response(status: StatusCode, body: Vec<u8>, media: MediaType) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(match media {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }),
    );
    response
}

/// A `Content-Disposition` header (RFC 6266) for `filename`: `filename*` carries the name
/// as stored, percent-encoded UTF-8 (RFC 8187), and `filename` an ASCII fallback for old
/// clients in which every other character is `_`.
pub(crate) fn content_disposition(disposition: &str, filename: &str) -> HeaderValue {
    /// RFC 8187 `attr-char`: everything else is percent-encoded.
    const NOT_ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(filename, NOT_ATTR_CHAR);
    HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).expect("header"));
        negotiate(&headers)
    }

    #[test]
    fn accept_is_negotiated() {
        assert!(accept("application/json") == Some(MediaType::Json));
        assert!(
            accept("application/graphql-response+json, application/json;q=0.9")
                == Some(MediaType::GraphqlResponse)
        );
        assert!(accept("*/*") == Some(MediaType::GraphqlResponse));
        assert!(accept("text/html").is_none());
        assert!(
            accept("application/graphql-response+json;q=0, application/json")
                == Some(MediaType::Json)
        );
        assert!(negotiate(&HeaderMap::new()) == Some(MediaType::GraphqlResponse));
    }

    #[test]
    fn no_data_means_null_or_only_null_root_fields() {
        use async_graphql::{Name, Value as GqlValue};
        let object = |fields: Vec<(&str, GqlValue)>| {
            GqlValue::Object(fields.into_iter().map(|(k, v)| (Name::new(k), v)).collect())
        };
        assert!(no_data(&GqlValue::Null));
        assert!(no_data(&object(vec![])));
        assert!(no_data(&object(vec![("a", GqlValue::Null)])));
        assert!(!no_data(&object(vec![
            ("a", GqlValue::Null),
            ("b", GqlValue::from(1))
        ])));
    }

    #[test]
    fn query_strings_are_decoded() {
        let pairs = url_decode_pairs("query=%7B%20me%20%7D&x=a+b&bad=%zz&end=%4");
        assert_eq!(pairs[0], ("query".into(), "{ me }".into()));
        assert_eq!(pairs[1], ("x".into(), "a b".into()));
        assert_eq!(pairs[2], ("bad".into(), "%zz".into()));
        assert_eq!(pairs[3], ("end".into(), "%4".into()));
    }
}
