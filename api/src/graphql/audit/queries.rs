//! The `auditLog` query, newest first, and its filters.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::audit::{self, AuditFilter};

use super::entry::AuditEntryObj;
use crate::graphql::{Conn, GqlResult, connection, ids, page_request, req};

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
