//! The live `notificationAdded` subscription (`SubscriptionRoot`) and the WebSocket `Session`
//! it runs in.

use async_graphql::futures_util::{Stream, StreamExt, stream};
use async_graphql::{Context, Subscription};
use chrono::{DateTime, Utc};
use parcours_domain::db::Mode;
use parcours_domain::notifications;
use parcours_domain::{DomainError, RuleCode};

use super::NotificationObj;
use crate::graphql::error;

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
            .map_err(|e| error::to_graphql(e, &session.request_id))?;
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
                    let gql = |e| error::to_graphql(e, &request_id);
                    let Ok(event) = item else {
                        tracing::warn!(request_id, "notifications missed; subscription ended");
                        return Err(gql(DomainError::Rule {
                            code: RuleCode::NotificationsMissed,
                            message: "some notifications may have been missed: read \
                                      notifications(unread: true), then subscribe again"
                                .into(),
                        }));
                    };
                    // One read transaction per delivery, authenticated as a request is (a
                    // known caller costs no statement): still allowed (deactivated staff or
                    // structure, suspended tenant)? Then the row, in the caller's scope.
                    let delivered = parcours_domain::auth::run(
                        &db,
                        claims,
                        Mode::Read,
                        async |tx, principal| notifications::delivered(tx, principal, &event).await,
                    )
                    .await;
                    delivered
                        .map(|found| found.map(NotificationObj))
                        .map_err(gql)
                }
            })
            .filter_map(|delivery| std::future::ready(delivery.transpose()));
        let expiry = stream::once(expired).map(move |()| {
            Err(error::to_graphql(
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
