//! Reading the request: the body under its size cap (413), a POST's JSON object or a GET's
//! query string as one GraphQL request (400 `BAD_REQUEST` otherwise; batches are refused), and
//! the plain routes' path and query parameters ([`PathParam`], [`Params`]).

use async_graphql::Variables;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use http_body_util::{BodyExt, Limited};
use serde_json::Value;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::MAX_BODY_BYTES;
use super::negotiate::MediaType;
use super::refusal::{Refusal, refuse};
use super::response::error_response;
use crate::errors;

/// A plain route's query parameters, read as `T`. A query string `T` cannot read (a repeated
/// parameter, a bad encoding) is a JSON 400 `BAD_REQUEST`, like every refusal, never axum's
/// plain-text rejection. Routes take it after their [`super::Caller`]: an unauthenticated
/// request is refused before its parameters are read.
pub(crate) struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(params)| Params(params))
            .map_err(|rejection| {
                let refusal = refuse(
                    StatusCode::BAD_REQUEST,
                    errors::BAD_REQUEST,
                    format!("the query string is malformed: {}", rejection.body_text()),
                );
                error_response(refusal, MediaType::Json)
            })
    }
}

/// A plain route's one path parameter (an object's ID), as text. A segment that does not
/// decode to text (`%FF`) is a JSON 400 `BAD_REQUEST`, never axum's plain-text rejection.
pub(crate) struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(segment)| PathParam(segment))
            .map_err(|rejection| {
                let refusal = refuse(
                    StatusCode::BAD_REQUEST,
                    errors::BAD_REQUEST,
                    format!("the path is malformed: {}", rejection.body_text()),
                );
                error_response(refusal, MediaType::Json)
            })
    }
}

pub(super) async fn read_body(body: Body) -> Result<Bytes, Refusal> {
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

pub(super) struct GraphqlBody {
    pub(super) query: String,
    pub(super) variables: Variables,
    pub(super) operation_name: Option<String>,
}

fn bad_request(message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, errors::BAD_REQUEST, message)
}

pub(super) fn parse_body(bytes: &[u8]) -> Result<GraphqlBody, Refusal> {
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

pub(super) fn parse_params(params: Vec<(String, String)>) -> Result<GraphqlBody, Refusal> {
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
pub(super) fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded() {
        let pairs = url_decode_pairs("query=%7B%20me%20%7D&x=a+b&bad=%zz&end=%4");
        assert_eq!(pairs[0], ("query".into(), "{ me }".into()));
        assert_eq!(pairs[1], ("x".into(), "a b".into()));
        assert_eq!(pairs[2], ("bad".into(), "%zz".into()));
        assert_eq!(pairs[3], ("end".into(), "%4".into()));
    }
}
