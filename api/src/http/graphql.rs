//! `GET`/`POST /graphql`: the hardened GraphQL-over-HTTP endpoint (DESIGN.md §6,
//! SECURITY.md), which runs the transport's steps in order.
//!
//! Tokens in the query string are refused; a browser's GET without a query gets GraphiQL when
//! enabled; the bearer token, verified by the route's extractor (`caller`), is refused here
//! when it did not pass; `Accept` is negotiated (406); the method
//! (405) and `Content-Type` (415) are checked; the body is read under a size cap (413); one
//! JSON object only (batches are refused); the query's length and bracket nesting are checked
//! before parsing; a mutation over GET is 405; the expanded field count is capped; then the
//! request's transaction begins and the caller is authenticated inside it, the operation runs,
//! and the sensitive values it read are written to the access log before anything is answered
//! (`UNAVAILABLE`, no data, when that fails). Request errors are 4xx with no `data`. A
//! WebSocket upgrade on the same URL goes to `ws` (see `startup`) and never reaches here.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, ALLOW};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use parcours_domain::access_log::{self, Channel};
use parcours_domain::db::Mode;

use super::caller::{Bearer, Caller, Unauthorized};
use super::negotiate::{GRAPHQL_RESPONSE, JSON, MediaType, check_content_type, negotiate};
use super::refusal::{Refusal, refuse, unavailable};
use super::request::{GraphqlBody, parse_body, parse_params, read_body, url_decode_pairs};
use super::response::{error_response, give_codes, graphql_response};
use super::{MAX_FIELDS, MAX_INTROSPECTION_FIELDS, MAX_NESTING, MAX_QUERY_BYTES};
use crate::errors;
use crate::graphql::{AccessRecorder, RequestCtx};
use crate::guard::{BadDocument, fields_within, parse_within, texts_within};
use crate::state::{GraphqlState, request_id};

/// `POST`/`GET /graphql`: the caller's bearer token, verified or refused (see `caller`), and
/// the request.
pub(crate) async fn graphql(
    State(state): State<Arc<GraphqlState>>,
    bearer: Result<Bearer, Unauthorized>,
    request: Request,
) -> Response {
    let request_id = request_id(request.headers());
    let media = negotiate(request.headers());
    match handle(&state, bearer, request, &request_id, media).await {
        Ok(response) => response,
        Err(refusal) => error_response(refusal, media.unwrap_or(MediaType::Json)),
    }
}

async fn handle(
    state: &GraphqlState,
    bearer: Result<Bearer, Unauthorized>,
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

    let token = bearer.map_err(|refused| refused.0)?;
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
    let Caller { tx, principal, .. } = token.open(state, mode).await?;
    let tenant = principal
        .tenant()
        .map_or_else(|| "-".to_owned(), |t| t.slug.clone());
    let role = principal.role();
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
