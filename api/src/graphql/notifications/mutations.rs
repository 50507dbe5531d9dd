//! Marking the caller's notifications read: some (`markNotificationsRead`) or all
//! (`markAllNotificationsRead`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::ids::NotificationId;
use parcours_domain::notifications;

use super::NotificationObj;
use crate::graphql::{GqlResult, ids, req};

/// Input of `markNotificationsRead`.
#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    /// 1 to 100 of the caller's notifications.
    pub ids: Vec<ID>,
}

/// Payload of `markNotificationsRead`.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// The notifications, now read (the first reading is kept).
    pub notifications: Vec<NotificationObj>,
}

/// Payload of `markAllNotificationsRead`.
#[derive(SimpleObject)]
pub struct MarkAllNotificationsReadPayload {
    /// How many were unread and are now read.
    pub marked: i64,
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Mark some of the caller's notifications read. Someone else's: `NOT_FOUND`, none marked.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationsReadInput,
    ) -> async_graphql::Result<Option<MarkNotificationsReadPayload>> {
        let r = req(ctx);
        // An ID that does not decode is unknown, like another recipient's.
        let ids = input
            .ids
            .iter()
            .map(|id| ids::decode(id, "Notification", "notification").map(NotificationId))
            .collect::<Result<Vec<_>, _>>()
            .gql(ctx)?;
        let marked = notifications::mark_read(&r.tx, &r.principal, &ids)
            .await
            .gql(ctx)?;
        Ok(Some(MarkNotificationsReadPayload {
            notifications: marked.into_iter().map(NotificationObj).collect(),
        }))
    }

    /// Mark all of the caller's notifications read.
    async fn mark_all_notifications_read(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MarkAllNotificationsReadPayload>> {
        let r = req(ctx);
        let marked = notifications::mark_all_read(&r.tx, &r.principal)
            .await
            .gql(ctx)?;
        Ok(Some(MarkAllNotificationsReadPayload {
            marked: i64::try_from(marked).unwrap_or(i64::MAX),
        }))
    }
}
