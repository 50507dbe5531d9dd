//! The `accessLog` query and its filters.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use parcours_domain::access_log::{self, AccessFilter};

use super::AccessEntryObj;
use crate::graphql::participants::participant_id;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

/// Filters of `accessLog`; all optional, combined with AND.
#[derive(InputObject, Default)]
pub struct AccessLogFilter {
    /// Only reads of this participant (a Participant's global ID).
    participant_id: Option<ID>,
    /// Only reads by this subject (`sub` claim), 1 to 320 characters.
    subject: Option<String>,
    /// From this instant, inclusive.
    from: Option<DateTime<Utc>>,
    /// Until this instant, exclusive; not before `from`.
    to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// Who read which participant's RSA status or recognised disability, newest first.
    /// Steering only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccessLogFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<AccessEntryObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = filter.unwrap_or_default();
        let participant = filter
            .participant_id
            .as_ref()
            .map(|id| {
                participant_id(id).map_err(|_| {
                    parcours_domain::DomainError::validation(
                        "filter.participantId",
                        "is not a Participant ID",
                    )
                })
            })
            .transpose()
            .gql(ctx)?;
        let filter = AccessFilter {
            participant,
            subject: filter.subject,
            from: filter.from,
            to: filter.to,
        };
        let page = access_log::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |e| e.id.0, AccessEntryObj)))
    }
}
