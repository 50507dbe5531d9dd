//! The HTTP transport, as a pipeline of named steps (DESIGN.md §6, SECURITY.md):
//!
//! - [`caller`]: who is asking — the bearer token verified, the rate budget spent, then the
//!   request's one transaction begun and the caller authenticated inside it (axum extractors
//!   that every route takes as arguments);
//! - [`negotiate`]: the response's media type from `Accept`, the request's `Content-Type`;
//! - [`request`]: the body under its cap, one GraphQL request from a POST or a GET;
//! - [`refusal`]: a request turned away, with its status and stable code;
//! - [`response`]: the answer written — an operation's result, a refusal, a file's name;
//! - [`graphql`]: `GET`/`POST /graphql`, which runs these steps in order.
//!
//! The plain routes (`attachments`, `exports`, `imports`, `sheets`) and the WebSocket transport
//! (`ws`) use the same steps; nothing here depends on them.

mod caller;
mod graphql;
mod negotiate;
mod refusal;
mod request;
mod response;

pub(crate) use caller::{Bearer, Caller, Read, Unauthorized, Write};
pub(crate) use graphql::graphql;
pub(crate) use negotiate::MediaType;
pub(crate) use refusal::{Refusal, UNAVAILABLE_RETRY_AFTER, refuse};
pub(crate) use request::{Params, PathParam};
pub(crate) use response::{content_disposition, error_response, give_codes};

/// Transport limits.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_QUERY_BYTES: usize = 32 * 1024;
pub const MAX_NESTING: usize = 64;
/// The fields an introspection-only query may select once its fragments are expanded
/// (development only; graphql-js's full introspection query expands to fewer).
pub const MAX_INTROSPECTION_FIELDS: usize = 5_000;
pub const MAX_FIELDS: usize = 500;
