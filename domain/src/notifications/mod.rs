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

mod store;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use crate::db::bus::{Bus, Event, Missed, Subscription, listen};

use crate::audit::Action;
use crate::db::{Change, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{NotificationId, StaffId, StructureId, TenantId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// To the participant's referent: a follow-up sheet was transmitted.
    FollowUpSheetTransmitted,
    /// To the participant's referent: the provider enrolled the prescribed participant.
    PrescriptionAccepted,
    /// To the participant's referent: the provider declined the prescription.
    PrescriptionDeclined,
    /// To steering: a submission was received.
    SubmissionReceived,
    /// To the provider: a decision was recorded on its submission.
    SubmissionDecided,
    /// To steering: a report was submitted.
    ReportSubmitted,
    /// To the provider: its report was accepted or sent back for changes.
    ReportReviewed,
    /// To steering: a report is past its due date and not (acceptably) submitted.
    ReportOverdue,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::FollowUpSheetTransmitted,
        Kind::PrescriptionAccepted,
        Kind::PrescriptionDeclined,
        Kind::SubmissionReceived,
        Kind::SubmissionDecided,
        Kind::ReportSubmitted,
        Kind::ReportReviewed,
        Kind::ReportOverdue,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FollowUpSheetTransmitted => "follow_up_sheet_transmitted",
            Kind::PrescriptionAccepted => "prescription_accepted",
            Kind::PrescriptionDeclined => "prescription_declined",
            Kind::SubmissionReceived => "submission_received",
            Kind::SubmissionDecided => "submission_decided",
            Kind::ReportSubmitted => "report_submitted",
            Kind::ReportReviewed => "report_reviewed",
            Kind::ReportOverdue => "report_overdue",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| DomainError::Internal(format!("unknown notification kind {text:?}")))
    }
}

/// A node a notification points at: its GraphQL type name and its ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub type_name: String,
    pub id: Uuid,
}

/// A notification, as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub recipient: StaffId,
    pub kind: Kind,
    /// What to open: the sheet, the cohort, the submission, the report or the convention.
    pub subject: Reference,
    /// The participant concerned, for a sheet or a prescription.
    pub related: Option<Reference>,
    /// For an overdue report: which one (`first_quarter`, `mid_term`, `final`).
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Who is told.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Audience {
    /// One staff member (a participant's referent).
    Staff(StaffId),
    /// The tenant's active steering staff.
    Steering,
    /// The active provider staff of a structure.
    Provider(StructureId),
}

/// What to tell.
#[derive(Clone, Debug)]
pub(crate) struct Notice {
    pub kind: Kind,
    pub subject: (&'static str, Uuid),
    pub related: Option<(&'static str, Uuid)>,
    pub detail: Option<String>,
    /// A reminder is sent once per recipient and key.
    pub dedupe_key: Option<String>,
}

impl Notice {
    pub(crate) fn new(kind: Kind, subject_type: &'static str, subject_id: Uuid) -> Self {
        Self {
            kind,
            subject: (subject_type, subject_id),
            related: None,
            detail: None,
            dedupe_key: None,
        }
    }

    pub(crate) fn about(mut self, type_name: &'static str, id: Uuid) -> Self {
        self.related = Some((type_name, id));
        self
    }
}

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

/// Filters of the inbox.
#[derive(Clone, Copy, Debug, Default)]
pub struct InboxFilter {
    /// `Some(true)`: unread only; `Some(false)`: read only.
    pub unread: Option<bool>,
}

fn recipient(principal: &Principal) -> Result<StaffId> {
    principal.staff().ok_or(DomainError::Forbidden(
        "notifications are addressed to staff members",
    ))
}

/// The principal's own notifications, newest first.
pub async fn inbox(
    tx: &Tx,
    principal: &Principal,
    filter: InboxFilter,
    page: PageRequest,
) -> Result<Page<Notification>> {
    let me = recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    let page = store::list(&tx, me, filter, &page).await?;
    Ok(page)
}

/// One of the principal's own notifications; another recipient's is `NOT_FOUND`.
pub async fn get(tx: &Tx, principal: &Principal, id: NotificationId) -> Result<Notification> {
    let me = recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    store::find(&tx, me, id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "notification",
        })
}

/// How many of the principal's notifications are unread.
pub async fn unread_count(tx: &Tx, principal: &Principal) -> Result<u64> {
    let me = recipient(principal)?;
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
    let me = recipient(principal)?;
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
    let me = recipient(principal)?;
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

/// Whether a live event is for `principal`: its own tenant and its own staff record.
pub fn is_for(event: &Event, principal: &Principal) -> bool {
    principal.tenant_id().ok() == Some(TenantId(event.tenant_id))
        && principal.staff() == Some(StaffId(event.recipient_id))
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
    let me = recipient(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find(&tx, me, NotificationId(event.id)).await?;
    Ok(found)
}

/// Refuse a live subscription to a principal without a staff record (a platform admin).
pub fn require_recipient(principal: &Principal) -> Result<()> {
    recipient(principal).map(|_| ())
}
