//! Notifications: the caller's inbox, marking read, and the live subscription.

use async_graphql::futures_util::{Stream, StreamExt, stream};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use parcours_domain::db::Mode;
use parcours_domain::ids::NotificationId;
use parcours_domain::notifications::{self, InboxFilter, Kind, Notification};
use parcours_domain::reports::ReportKind;
use parcours_domain::{DomainError, RuleCode};

use super::reports::{ReportKindGql, kind_gql};
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// What happened.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NotificationKind {
    /// (Referent) A follow-up sheet of one of your participants was transmitted; `subjectId`
    /// is the sheet, `relatedId` the participant.
    FollowUpSheetTransmitted,
    /// (Referent) The provider enrolled your participant; `subjectId` is the cohort,
    /// `relatedId` the participant.
    PrescriptionAccepted,
    /// (Referent) The provider declined your prescription; as above.
    PrescriptionDeclined,
    /// (Steering) A submission was received; `subjectId` is the submission.
    SubmissionReceived,
    /// (Provider) A decision was recorded on your submission; `subjectId` is the submission.
    SubmissionDecided,
    /// (Steering) A report was submitted; `subjectId` is the report.
    ReportSubmitted,
    /// (Provider) Your report was accepted or sent back for changes; `subjectId` is the report.
    ReportReviewed,
    /// (Steering) A report is overdue; `subjectId` is the convention, `reportKind` which report.
    ReportOverdue,
}

fn kind(k: Kind) -> NotificationKind {
    match k {
        Kind::FollowUpSheetTransmitted => NotificationKind::FollowUpSheetTransmitted,
        Kind::PrescriptionAccepted => NotificationKind::PrescriptionAccepted,
        Kind::PrescriptionDeclined => NotificationKind::PrescriptionDeclined,
        Kind::SubmissionReceived => NotificationKind::SubmissionReceived,
        Kind::SubmissionDecided => NotificationKind::SubmissionDecided,
        Kind::ReportSubmitted => NotificationKind::ReportSubmitted,
        Kind::ReportReviewed => NotificationKind::ReportReviewed,
        Kind::ReportOverdue => NotificationKind::ReportOverdue,
    }
}

/// Something the caller is told. Kinds and IDs only: read the subject through its query.
pub struct NotificationObj(pub Notification);

#[Object(name = "Notification")]
impl NotificationObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Notification", self.0.id.0)
    }
    /// What happened.
    async fn kind(&self) -> NotificationKind {
        kind(self.0.kind)
    }
    /// The object to open, a `node` ID.
    async fn subject_id(&self) -> ID {
        ids::encode(&self.0.subject.type_name, self.0.subject.id)
    }
    /// The GraphQL type of the subject, e.g. `FollowUpSheet`.
    async fn subject_type(&self) -> &str {
        &self.0.subject.type_name
    }
    /// The subject itself, as the caller may read it now (so that an inbox renders in one
    /// request); null when the caller can no longer read it, and in live subscription
    /// deliveries (open `subjectId` with `node`).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::node::Node>> {
        if ctx.data_opt::<super::RequestCtx>().is_none() {
            return Ok(None);
        }
        let id = ids::encode(&self.0.subject.type_name, self.0.subject.id);
        match super::node::resolve(ctx, &id).await {
            Ok(node) => Ok(Some(node)),
            Err(DomainError::NotFound { .. } | DomainError::Forbidden(_)) => Ok(None),
            Err(other) => Err(other).gql(ctx),
        }
    }
    /// The participant concerned, for a follow-up sheet or a prescription.
    async fn related_id(&self) -> Option<ID> {
        self.0
            .related
            .as_ref()
            .map(|r| ids::encode(&r.type_name, r.id))
    }
    /// For `REPORT_OVERDUE`: which report.
    async fn report_kind(&self) -> Option<ReportKindGql> {
        self.0
            .detail
            .as_deref()
            .and_then(ReportKind::parse)
            .map(kind_gql)
    }
    /// When it happened (the instant of the change's transaction).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the caller marked it read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

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

/// What a WebSocket connection authenticated with (see `crate::ws`). Subscriptions have no
/// request transaction: each delivery runs in a read transaction of its own.
#[derive(Clone)]
pub struct Session {
    pub db: parcours_domain::Db,
    pub principal: parcours_domain::Principal,
    pub request_id: String,
    pub claims: parcours_domain::auth::Claims,
    /// The token's expiry: the subscription ends then.
    pub expires_at: DateTime<Utc>,
}

/// All subscriptions (over WebSocket, `graphql-transport-ws`).
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// The caller's notifications as they are written, on whichever instance. Best effort:
    /// after a reconnection, catch up with `notifications(unread: true)`. The caller's account
    /// is checked again before each delivery; the stream ends with `UNAUTHENTICATED` when the
    /// token expires or the account is deactivated.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<NotificationObj>>> {
        let session = ctx.data::<Session>()?.clone();
        notifications::require_recipient(&session.principal)
            .map_err(|e| super::error::to_graphql(e, &session.request_id))?;
        let request_id = session.request_id.clone();
        let expiry_request_id = session.request_id.clone();
        let subscription = session.db.bus().subscribe();
        let expired = tokio::time::sleep(
            (session.expires_at - Utc::now())
                .to_std()
                .unwrap_or_default(),
        );
        let events = stream::unfold(subscription, |mut subscription| async move {
            subscription.next().await.map(|item| (item, subscription))
        });
        let principal = session.principal.clone();
        let deliveries = events
            .filter(move |item| {
                std::future::ready(
                    item.as_ref()
                        .map_or(true, |event| notifications::is_for(event, &principal)),
                )
            })
            .then(move |item| {
                let db = session.db.clone();
                let claims = session.claims.clone();
                let request_id = request_id.clone();
                async move {
                    let gql = |e| super::error::to_graphql(e, &request_id);
                    let Ok(event) = item else {
                        tracing::warn!(request_id, "notifications missed; subscription ended");
                        return Err(gql(DomainError::Rule {
                            code: RuleCode::NotificationsMissed,
                            message: "some notifications may have been missed: read \
                                      notifications(unread: true), then subscribe again"
                                .into(),
                        }));
                    };
                    // One read transaction per delivery: still allowed (deactivated staff or
                    // structure, suspended tenant)? Then the row, in the caller's scope.
                    #[expect(clippy::disallowed_methods, reason = "a delivery's own transaction")]
                    let delivered = db
                        .run(Mode::Read, async |tx| {
                            let principal = parcours_domain::auth::authenticate(tx, claims).await?;
                            notifications::delivered(tx, &principal, &event).await
                        })
                        .await;
                    delivered
                        .map(|found| found.map(NotificationObj))
                        .map_err(gql)
                }
            })
            .filter_map(|delivery| std::future::ready(delivery.transpose()));
        let expiry = stream::once(expired).map(move |()| {
            Err(super::error::to_graphql(
                DomainError::Unauthenticated("the token expired; reconnect with a new one"),
                &expiry_request_id,
            ))
        });
        // End right after the first error (refused account or expiry).
        let merged = Box::pin(stream::select(deliveries, expiry));
        Ok(stream::unfold(
            (merged, false),
            |(mut merged, ended)| async move {
                if ended {
                    return None;
                }
                let item = merged.next().await?;
                let ended = item.is_err();
                Some((item, (merged, ended)))
            },
        ))
    }
}
