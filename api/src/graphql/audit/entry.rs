//! The `AuditEntry` object: one audited mutation.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::audit::AuditEntry;

use crate::graphql::ids;

/// One audited mutation.
pub struct AuditEntryObj(pub AuditEntry);

#[Object(name = "AuditEntry")]
impl AuditEntryObj {
    /// When the change was committed (the instant of its transaction).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The `sub` claim of the caller.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The caller's role, e.g. `steering` or `admin`.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// What was done, e.g. `structure.create`, `staff.deactivate`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The GraphQL type of the object acted on, e.g. `Structure`, `CohortSession`.
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global ID of the object acted on (`node` opens it while the object exists).
    async fn object_id(&self) -> Option<ID> {
        self.0
            .object_id
            .map(|id| ids::encode(&self.0.object_type, id))
    }
    /// The request id (also in the `x-request-id` response header and the logs).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
