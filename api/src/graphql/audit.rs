//! The audit log (steering only).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::audit::{self, AuditEntry, AuditFilter};

use super::{Conn, GqlResult, connection, ids, page_request, req};

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
    /// The type of the object acted on, e.g. `Structure`.
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global ID of the object acted on.
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

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The tenant's audit log, newest first. Steering only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "one GraphQL argument each")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Only actions by this subject (the `sub` claim, or a job's `system:…`), 1 to 255 characters, compared exactly."
        )]
        subject: Option<String>,
        #[graphql(desc = "Only actions on this object (global ID).")] object_id: Option<ID>,
        #[graphql(desc = "From this instant, inclusive.")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Until this instant, exclusive.")] to: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<Option<Conn<AuditEntryObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        // An object ID that does not decode matches nothing, like an unknown one.
        let object_id = match object_id {
            Some(id) => match ids::decode_any(&id) {
                Some((_, uuid)) => Some(uuid),
                None => Some(uuid::Uuid::nil()),
            },
            None => None,
        };
        let filter = AuditFilter {
            subject,
            object_id,
            from,
            to,
        };
        let page = audit::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |e| e.id.0, AuditEntryObj)))
    }
}
