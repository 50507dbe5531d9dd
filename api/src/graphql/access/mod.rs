//! The access log of sensitive-field reads (steering only), and the per-request recorder that
//! feeds it.
//!
//! Resolvers that answer a sensitive value push (participant, field) into the request's
//! [`AccessRecorder`]; once the operation has run, the endpoint writes them all in one statement
//! and sends the response only if that succeeded (`api/src/http/graphql.rs`). Rules: see
//! `parcours_domain::access_log`.

mod entry;
mod queries;
mod recorder;

pub use entry::AccessEntryObj;
pub use queries::AccessQuery;
pub use recorder::AccessRecorder;
pub(crate) use recorder::note;
