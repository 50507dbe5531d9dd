//! Writing the response: an executed operation as GraphQL-over-HTTP (status from what it
//! produced, `null` where a field failed, a code on every error), a refusal as a JSON error
//! body, and the `Content-Disposition` of the files the plain routes send.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::UNAVAILABLE_RETRY_AFTER;
use super::negotiate::MediaType;
use super::refusal::Refusal;
use crate::errors;

/// An async-graphql response as HTTP: request errors (nothing executed) are 400 without `data`;
/// an operation that produced no data because the database was unavailable (every error is
/// `UNAVAILABLE`, every root field is null) is 503 with `Retry-After`, without `data`.
pub(super) fn graphql_response(response: async_graphql::Response, media: MediaType) -> Response {
    if response.errors.is_empty() && !matches!(response.data, async_graphql::Value::Null) {
        // The common answer, serialised straight from async-graphql's value (no intermediate
        // `serde_json::Value`).
        #[derive(serde::Serialize)]
        struct Data<'a> {
            data: &'a async_graphql::Value,
        }
        // Written into a buffer that starts at 16 KiB rather than serde_json's 128 bytes: a page
        // of cohorts (90 KB) would otherwise grow it ten times, each a copy.
        let mut body = Vec::with_capacity(16 * 1024);
        if serde_json::to_writer(
            &mut body,
            &Data {
                data: &response.data,
            },
        )
        .is_ok()
        {
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
    // RFC 9110 §15.5.2: a 401 names the scheme that would authenticate, on every route.
    if refusal.status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
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
}
