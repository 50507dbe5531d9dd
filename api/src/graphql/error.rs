//! The one table from domain errors to GraphQL errors and their stable `extensions.code`.
//!
//! Internal errors are logged with the request id and answered as `INTERNAL` without detail; no
//! foreign error reaches a client through a blanket conversion.

use async_graphql::{Error, ErrorExtensions};
use parcours_domain::DomainError;

/// The stable code of a domain error.
pub fn code_of(err: &DomainError) -> &'static str {
    match err {
        DomainError::Unauthenticated(_) => "UNAUTHENTICATED",
        DomainError::Forbidden(_) => "FORBIDDEN",
        DomainError::NotFound { .. } => "NOT_FOUND",
        DomainError::Validation { .. } => "VALIDATION",
        DomainError::Conflict(_) => "CONFLICT",
        DomainError::Rule { code, .. } => code.as_str(),
        DomainError::Unavailable(_) => "UNAVAILABLE",
        DomainError::Internal(_) => "INTERNAL",
    }
}

/// Convert a domain error for a client, logging what must not be shown.
pub fn to_graphql(err: DomainError, request_id: &str) -> Error {
    let (code, message) = match &err {
        DomainError::Unauthenticated(_) => ("UNAUTHENTICATED", err.to_string()),
        DomainError::Forbidden(_) => ("FORBIDDEN", err.to_string()),
        DomainError::NotFound { .. } => ("NOT_FOUND", err.to_string()),
        DomainError::Validation { message, .. } => ("VALIDATION", message.clone()),
        DomainError::Conflict(_) => ("CONFLICT", err.to_string()),
        DomainError::Rule { code, message } => (code.as_str(), message.clone()),
        DomainError::Unavailable(detail) => {
            tracing::warn!(request_id, detail, "database unavailable");
            (
                "UNAVAILABLE",
                format!("service temporarily unavailable; request id {request_id}"),
            )
        }
        DomainError::Internal(detail) => {
            tracing::error!(request_id, detail, "internal error");
            (
                "INTERNAL",
                format!("internal error; request id {request_id}"),
            )
        }
    };
    let field = match &err {
        DomainError::Validation { field, .. } => Some(field.clone()),
        _ => None,
    };
    Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(field) = &field {
            ext.set("field", field.as_str());
        }
    })
}

/// An error with a code, for checks made in the GraphQL layer itself (ID and cursor decoding).
pub fn coded(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code))
}
