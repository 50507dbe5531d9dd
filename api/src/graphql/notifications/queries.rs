//! The caller's inbox: `notifications` and `unreadNotificationCount`.

use async_graphql::{Context, Object};
use parcours_domain::notifications::{self, InboxFilter};

use super::NotificationObj;
use crate::graphql::{Conn, GqlResult, connection, page_request, req};

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's notifications, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "true: unread only; false: read only; absent: all.")] unread: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<NotificationObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = notifications::inbox(&r.tx, &r.principal, InboxFilter { unread }, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |n| n.id.0, NotificationObj)))
    }

    /// How many of the caller's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let r = req(ctx);
        let count = notifications::unread_count(&r.tx, &r.principal)
            .await
            .gql(ctx)?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }
}
