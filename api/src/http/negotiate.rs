//! Content negotiation: the response's media type from `Accept` (406 when the client accepts
//! none the endpoint speaks), and the request's `Content-Type` (415 unless JSON in UTF-8).

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};

use super::refusal::{Refusal, refuse};
use crate::errors;

pub(super) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

/// The response media type chosen from `Accept`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    GraphqlResponse,
    Json,
}

/// The media type to answer with, or `None` when the client accepts neither.
pub(super) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
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

pub(super) fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
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

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

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
}
