//! The audit log (`parcours_domain::audit`; steering only) as the schema shows it: the
//! `AuditEntry` of each audited mutation and the `auditLog` query.

mod entry;
mod queries;

pub use queries::AuditQuery;
