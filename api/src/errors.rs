//! The one table of error codes: every `extensions.code` the service can answer, and for a
//! domain error its code, its HTTP status and the message a client may read.
//!
//! GraphQL errors (`graphql::error`) and plain HTTP refusals (`http::refusal`) both read it, so a
//! domain error is answered with the same code whichever way it leaves. The domain's business
//! rules bring their own codes ([`RuleCode`]); the transport's codes are declared here, and the
//! README's table lists exactly [`every_code`] (checked by a test below).

use axum::http::StatusCode;
use parcours_domain::{DomainError, RuleCode};

/// Declares the codes as constants and lists them, from one table, so none is left out of the
/// list.
macro_rules! codes {
    ($list:ident: $($(#[doc = $doc:literal])* $name:ident,)*) => {
        $($(#[doc = $doc])* pub const $name: &str = stringify!($name);)*

        /// Every code of this table, in order.
        pub const $list: &[&str] = &[$($name),*];
    };
}

codes! { KINDS:
    /// (401) No, bad, expired or refused token; suspended tenant; deactivated account.
    UNAUTHENTICATED,
    /// (403) The role may not do this.
    FORBIDDEN,
    /// (404) No such object, or another tenant's, answered identically.
    NOT_FOUND,
    /// (400) Invalid input; `extensions.field` names it.
    VALIDATION,
    /// (409) Stale version, duplicate, wrong status.
    CONFLICT,
    /// (503) The database cannot be reached; retry later.
    UNAVAILABLE,
    /// (500) A bug, logged with the request id.
    INTERNAL,
}

codes! { TRANSPORT:
    /// (429) The subject's or the tenant's request budget is spent.
    RATE_LIMITED,
    /// (400) Brackets or selections nest too deep.
    QUERY_TOO_DEEP,
    /// (400) Too many fields, or too complex for async-graphql's limits.
    QUERY_TOO_COMPLEX,
    /// (400) The query text is too long.
    QUERY_TOO_LARGE,
    /// (400) The document does not parse.
    GRAPHQL_PARSE_FAILED,
    /// (400) The document does not validate against the schema.
    GRAPHQL_VALIDATION_FAILED,
    /// (400) Introspection is off (production).
    INTROSPECTION_DISABLED,
    /// (400) The request is malformed.
    BAD_REQUEST,
    /// (415) The request's `Content-Type` is not one the route takes.
    UNSUPPORTED_MEDIA_TYPE,
    /// (406) The client accepts no media type the endpoint answers with.
    NOT_ACCEPTABLE,
    /// (405) The method is not allowed (a mutation over GET, a PUT…).
    METHOD_NOT_ALLOWED,
    /// (413) The body is over its cap.
    PAYLOAD_TOO_LARGE,
}

/// Every code the service can answer: the kinds of domain error, the business rules, and the
/// transport's own (a code in two tables counts once).
pub fn every_code() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = KINDS.to_vec();
    codes.extend(RuleCode::ALL.iter().map(|c| c.as_str()));
    codes.extend(TRANSPORT);
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(*c));
    codes
}

/// The stable code of a domain error.
pub fn code_of(err: &DomainError) -> &'static str {
    match err {
        DomainError::Unauthenticated(_) => UNAUTHENTICATED,
        DomainError::Forbidden(_) => FORBIDDEN,
        DomainError::NotFound { .. } => NOT_FOUND,
        DomainError::Validation { .. } => VALIDATION,
        DomainError::Conflict(_) => CONFLICT,
        DomainError::Rule { code, .. } => code.as_str(),
        DomainError::Unavailable(_) => UNAVAILABLE,
        DomainError::Internal(_) => INTERNAL,
    }
}

/// The HTTP status of a domain error answered by a plain HTTP route.
pub fn status_of(err: &DomainError) -> StatusCode {
    match err {
        DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::Validation { .. } => StatusCode::BAD_REQUEST,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Rule { code, .. } => match code {
            RuleCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RuleCode::UnsupportedMediaType | RuleCode::ContentTypeMismatch => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
        DomainError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message a client reads for a domain error, logging what must not be shown (the
/// database's text, a bug's detail) with the request id.
pub fn client_message(err: &DomainError, request_id: &str) -> String {
    match err {
        DomainError::Validation { message, .. } | DomainError::Rule { message, .. } => {
            message.clone()
        }
        DomainError::Unavailable(detail) => {
            tracing::warn!(request_id, detail, "database unavailable");
            format!("service temporarily unavailable; request id {request_id}")
        }
        DomainError::Internal(detail) => {
            tracing::error!(request_id, detail, "internal error");
            format!("internal error; request id {request_id}")
        }
        DomainError::Unauthenticated(_)
        | DomainError::Forbidden(_)
        | DomainError::NotFound { .. }
        | DomainError::Conflict(_) => err.to_string(),
    }
}

/// The input a domain error is about, named as the client sent it (`VALIDATION` only).
pub fn field_of(err: &DomainError) -> Option<&str> {
    match err {
        DomainError::Validation { field, .. } => Some(field),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The codes in the first column of README's "Error codes (`extensions.code`)" table.
    fn readme_codes() -> BTreeSet<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let readme = std::fs::read_to_string(path).expect("README.md beside the workspace");
        let table = readme
            .split("### Error codes (`extensions.code`)")
            .nth(1)
            .expect("README has an error-code table");
        table
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .skip(2) // the header and its rule
            .filter_map(|line| line.split('|').nth(1))
            .flat_map(|cell| cell.split(','))
            .map(|code| code.trim().trim_matches('`').to_owned())
            .collect()
    }

    #[test]
    fn readme_lists_exactly_the_codes_the_service_answers() {
        let documented = readme_codes();
        let answered: BTreeSet<String> = every_code().into_iter().map(str::to_owned).collect();
        let undocumented: Vec<_> = answered.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&answered).collect();
        assert!(
            undocumented.is_empty(),
            "codes the service answers that README's error table does not list: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "codes in README's error table that the service never answers: {unknown:?}"
        );
    }

    #[test]
    fn every_domain_error_has_a_known_code() {
        let known = every_code();
        let errors = [
            DomainError::Unauthenticated("x"),
            DomainError::Forbidden("x"),
            DomainError::NotFound { entity: "x" },
            DomainError::validation("x", "y"),
            DomainError::Conflict("x".into()),
            DomainError::Unavailable("x".into()),
            DomainError::Internal("x".into()),
        ];
        let rules = RuleCode::ALL.iter().map(|c| DomainError::rule(*c, "x"));
        for err in errors.into_iter().chain(rules) {
            assert!(known.contains(&code_of(&err)), "{err:?} has a known code");
        }
    }
}
