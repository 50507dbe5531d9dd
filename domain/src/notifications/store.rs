//! Queries of notifications, always scoped by the transaction's tenant and by recipient.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use super::{Audience, InboxFilter, Kind, Notice, Notification, Reference};
use crate::db::{Change, TenantTx};
use crate::entities::notification::{self, Column, Entity};
use crate::entities::staff_member;
use crate::error::Result;
use crate::ids::{NotificationId, StaffId};
use crate::page::{Page, PageRequest, newest_first};
use crate::principal::Role;

/// The recipient's own notifications: the scope of this area.
fn inbox(tx: &TenantTx, recipient: StaffId) -> Select<Entity> {
    tx.select::<Entity>()
        .filter(Column::RecipientId.eq(recipient.0))
}

/// The active staff members of `audience`.
pub(super) async fn recipients(tx: &TenantTx, audience: Audience) -> Result<Vec<StaffId>> {
    let mut query = tx
        .select::<staff_member::Entity>()
        .select_only()
        .column(staff_member::Column::Id)
        .filter(staff_member::Column::Active.eq(true));
    query = match audience {
        Audience::Staff(id) => query.filter(staff_member::Column::Id.eq(id.0)),
        Audience::Steering => query.filter(staff_member::Column::Role.eq(Role::Steering.as_str())),
        Audience::Provider(structure) => query
            .filter(staff_member::Column::Role.eq(Role::Provider.as_str()))
            .filter(staff_member::Column::StructureId.eq(structure.0)),
    };
    let ids: Vec<uuid::Uuid> = query
        .order_by_asc(staff_member::Column::Id)
        .into_tuple()
        .all(tx.conn())
        .await?;
    Ok(ids.into_iter().map(StaffId).collect())
}

/// Write one row per recipient in one statement; a reminder already sent to a recipient is
/// skipped. Returns the rows written.
pub(super) async fn insert(
    tx: &Change,
    recipients: &[StaffId],
    notice: &Notice,
) -> Result<Vec<Notification>> {
    let mut recipients = recipients.to_vec();
    if let Some(key) = &notice.dedupe_key {
        let told: Vec<uuid::Uuid> = tx
            .select::<Entity>()
            .select_only()
            .column(Column::RecipientId)
            .filter(Column::DedupeKey.eq(key.as_str()))
            .into_tuple()
            .all(tx.conn())
            .await?;
        recipients.retain(|r| !told.contains(&r.0));
    }
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Notification> = recipients
        .iter()
        .map(|r| Notification {
            id: NotificationId::generate(),
            recipient: *r,
            kind: notice.kind,
            subject: Reference {
                type_name: notice.subject.0.to_owned(),
                id: notice.subject.1,
            },
            related: notice.related.map(|(type_name, id)| Reference {
                type_name: type_name.to_owned(),
                id,
            }),
            detail: notice.detail.clone(),
            created_at: tx.now(),
            read_at: None,
        })
        .collect();
    tx.insert_many(rows.iter().map(|n| notification::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(n.id.0),
        recipient_id: Set(n.recipient.0),
        kind: Set(n.kind.as_str().to_owned()),
        subject_type: Set(n.subject.type_name.clone()),
        subject_id: Set(n.subject.id),
        related_type: Set(n.related.as_ref().map(|r| r.type_name.clone())),
        related_id: Set(n.related.as_ref().map(|r| r.id)),
        detail: Set(n.detail.clone()),
        dedupe_key: Set(notice.dedupe_key.clone()),
        created_at: Set(n.created_at),
        read_at: Set(None),
    }))
    .await?;
    Ok(rows)
}

pub(super) async fn list(
    tx: &TenantTx,
    recipient: StaffId,
    filter: InboxFilter,
    page: &PageRequest,
) -> Result<Page<Notification>> {
    let mut query = inbox(tx, recipient);
    match filter.unread {
        Some(true) => query = query.filter(Column::ReadAt.is_null()),
        Some(false) => query = query.filter(Column::ReadAt.is_not_null()),
        None => {}
    }
    newest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_notification)
}

pub(super) async fn find(
    tx: &TenantTx,
    recipient: StaffId,
    id: NotificationId,
) -> Result<Option<Notification>> {
    inbox(tx, recipient)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_notification)
        .transpose()
}

pub(super) async fn unread_count(tx: &TenantTx, recipient: StaffId) -> Result<u64> {
    Ok(inbox(tx, recipient)
        .filter(Column::ReadAt.is_null())
        .count(tx.conn())
        .await?)
}

/// Mark `ids` read; every one must be the recipient's (else `NOT_FOUND`, nothing marked).
pub(super) async fn mark_read(
    tx: &Change,
    recipient: StaffId,
    ids: &[NotificationId],
) -> Result<Vec<Notification>> {
    let wanted: Vec<uuid::Uuid> = ids.iter().map(|i| i.0).collect();
    let found = inbox(tx, recipient)
        .filter(tx.is_in(Column::Id, wanted.clone()))
        .count(tx.conn())
        .await?;
    let distinct: std::collections::HashSet<&uuid::Uuid> = wanted.iter().collect();
    if found != distinct.len() as u64 {
        return Err(crate::error::DomainError::NotFound {
            entity: "notification",
        });
    }
    tx.update_many::<Entity>()
        .col_expr(Column::ReadAt, tx.now().into())
        .filter(Column::RecipientId.eq(recipient.0))
        .filter(tx.is_in(Column::Id, wanted.clone()))
        .filter(Column::ReadAt.is_null())
        .exec(tx.conn())
        .await?;
    inbox(tx, recipient)
        .filter(tx.is_in(Column::Id, wanted))
        .order_by_desc(Column::Id)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_notification)
        .collect()
}

pub(super) async fn mark_all_read(tx: &Change, recipient: StaffId) -> Result<u64> {
    let result = tx
        .update_many::<Entity>()
        .col_expr(Column::ReadAt, tx.now().into())
        .filter(
            Condition::all()
                .add(Column::RecipientId.eq(recipient.0))
                .add(Column::ReadAt.is_null()),
        )
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected)
}

fn to_notification(row: notification::Model) -> Result<Notification> {
    Ok(Notification {
        id: NotificationId(row.id),
        recipient: StaffId(row.recipient_id),
        kind: Kind::parse(&row.kind)?,
        subject: Reference {
            type_name: row.subject_type,
            id: row.subject_id,
        },
        related: match (row.related_type, row.related_id) {
            (Some(type_name), Some(id)) => Some(Reference { type_name, id }),
            _ => None,
        },
        detail: row.detail,
        created_at: row.created_at,
        read_at: row.read_at,
    })
}
