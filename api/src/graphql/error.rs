//! Domain errors as GraphQL errors, with their stable `extensions.code` from the one table of
//! codes (`crate::errors`).
//!
//! Internal errors are logged with the request id and answered as `INTERNAL` without detail; no
//! foreign error reaches a client through a blanket conversion.

use async_graphql::{Error, ErrorExtensions};
use parcours_domain::DomainError;

use crate::errors;

/// Convert a domain error for a client, logging what must not be shown.
pub fn to_graphql(err: DomainError, request_id: &str) -> Error {
    let code = errors::code_of(&err);
    let field = errors::field_of(&err).map(str::to_owned);
    Error::new(errors::client_message(&err, request_id)).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(field) = &field {
            ext.set("field", field.as_str());
        }
    })
}
