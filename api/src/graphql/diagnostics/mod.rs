//! Diagnostics of cohort members (`parcours_domain::diagnostics`) as the schema shows them: the
//! `Diagnostic` with its French-language, mobility and CléA parts, and the mutations that save
//! one and set the tenant's CléA threshold and retention. Rules stay in the domain; resolvers
//! only map.

mod diagnostic;
mod mutations;

pub use diagnostic::{CleaDomain, DiagnosticObj};
pub(crate) use diagnostic::{Shape as DiagnosticShape, shape_of as diagnostic_shape_of};
pub use mutations::DiagnosticMutation;
