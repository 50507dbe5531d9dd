//! Notifications: telling the right staff member that something happened.
//!
//! Rules:
//! - a referent is told when a follow-up sheet of one of their participants is transmitted and
//!   when a prescription of one of their participants is answered (enrolled or declined);
//! - steering is told when a submission arrives, a report is submitted, or a report is overdue
//!   (once per report and due date);
//! - a provider's staff are told when a decision is recorded on their submission or their
//!   report is reviewed;
//! - the actor is never told of their own action; inactive staff are not told.
//!
//! A notification is one row per recipient, written in the transaction of the change that
//! causes it (an outbox): it exists exactly when the change does. It holds kinds and IDs only,
//! never personal data; the client reads the subject through the usual, authorised queries.
//! Live delivery goes through the [`Bus`]: on PostgreSQL the rows travel by `NOTIFY` at commit
//! to every instance's `LISTEN` connection, so a subscriber connected to any replica hears
//! them; on SQLite (one process) they are published in-process after the commit. A subscriber
//! that was disconnected catches up with the `notifications(unread: true)` query.

mod model;
mod policy;
mod store;

pub use model::*;
pub use policy::{is_for, require_recipient};

pub use crate::db::bus::{Bus, Event, Missed, Subscription, listen};

use crate::audit::Action;
use crate::db::{Change, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{NotificationId, StaffId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// Tell `audience`, in the change's transaction, except the actor. Returns how many were told.
pub(crate) async fn notify(
    tx: &Change,
    actor: Option<StaffId>,
    audience: Audience,
    notice: Notice,
) -> Result<usize> {
    let recipients: Vec<StaffId> = store::recipients(tx, audience)
        .await?
        .into_iter()
        .filter(|r| Some(*r) != actor)
        .collect();
    let rows = store::insert(tx, &recipients, &notice).await?;
    let told = rows.len();
    tx.publish(
        rows.iter()
            .map(|n| Event::new(tx.tenant(), n.recipient, n.id))
            .collect(),
    )
    .await?;
    Ok(told)
}

/// The principal's own notifications, newest first.
pub async fn inbox(
    tx: &Tx,
    principal: &Principal,
    filter: InboxFilter,
    page: PageRequest,
) -> Result<Page<Notification>> {
    let me = policy::recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    let page = store::list(&tx, me, filter, &page).await?;
    Ok(page)
}

/// One of the principal's own notifications; another recipient's is `NOT_FOUND`.
pub async fn get(tx: &Tx, principal: &Principal, id: NotificationId) -> Result<Notification> {
    let me = policy::recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    store::find(&tx, me, id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "notification",
        })
}

/// How many of the principal's notifications are unread.
pub async fn unread_count(tx: &Tx, principal: &Principal) -> Result<u64> {
    let me = policy::recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    let count = store::unread_count(&tx, me).await?;
    Ok(count)
}

/// Mark some of the principal's notifications read (the first reading is kept). Another
/// recipient's notification, or another tenant's, is `NOT_FOUND`; nothing is marked then.
pub async fn mark_read(
    tx: &Tx,
    principal: &Principal,
    ids: &[NotificationId],
) -> Result<Vec<Notification>> {
    let me = policy::recipient(principal)?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(DomainError::validation("ids", "give between 1 and 100 IDs"));
    }
    crate::batch::distinct("ids", None, ids, |id| *id)?;
    let tx = tx.change(principal).await?;
    let marked = store::mark_read(&tx, me, ids).await?;
    tx.commit(Action {
        name: "notifications.read",
        object_type: "StaffMember",
        object_id: me.0,
    })
    .await?;
    Ok(marked)
}

/// Mark all of the principal's notifications read; returns how many changed.
pub async fn mark_all_read(tx: &Tx, principal: &Principal) -> Result<u64> {
    let me = policy::recipient(principal)?;
    let tx = tx.change(principal).await?;
    let changed = store::mark_all_read(&tx, me).await?;
    tx.commit(Action {
        name: "notifications.read_all",
        object_type: "StaffMember",
        object_id: me.0,
    })
    .await?;
    Ok(changed)
}

/// The notification an event announces, read in the principal's scope: `None` when it is not
/// the principal's or does not exist (an event that no committed row backs).
pub async fn delivered(
    tx: &Tx,
    principal: &Principal,
    event: &Event,
) -> Result<Option<Notification>> {
    if !is_for(event, principal) {
        return Ok(None);
    }
    let me = policy::recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find(&tx, me, NotificationId(event.id)).await?;
    Ok(found)
}
