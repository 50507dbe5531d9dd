//! Queries of the access log, scoped by the transaction's tenant; entries are only ever
//! inserted and read.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, Select};

use super::model::*;
use crate::db::TenantTx;
use crate::entities::access_entry::{self, Column, Entity};
use crate::error::{DomainError, Result};
use crate::ids::{AccessEntryId, ParticipantId};
use crate::page::{Page, PageRequest, newest_first};
use crate::principal::Principal;

pub(super) fn scoped(tx: &TenantTx) -> Select<Entity> {
    tx.select::<Entity>()
}

pub(super) async fn insert(
    tx: &TenantTx,
    principal: &Principal,
    channel: Channel,
    reads: &[Read],
) -> Result<()> {
    let rows = reads.iter().map(|r| access_entry::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(AccessEntryId::generate().0),
        at: Set(tx.now()),
        subject: Set(principal.subject.clone()),
        role: Set(principal.role.as_str().to_owned()),
        participant_id: Set(r.participant.0),
        field: Set(r.field.as_str().to_owned()),
        channel: Set(channel.as_str().to_owned()),
        request_id: Set(principal.request_id.clone()),
    });
    tx.record_reads(rows.collect()).await
}

pub(super) async fn list_in(
    tx: &TenantTx,
    filter: &AccessFilter,
    page: &PageRequest,
) -> Result<Page<AccessEntry>> {
    let mut query = scoped(tx);
    if let Some(participant) = filter.participant {
        query = query.filter(Column::ParticipantId.eq(participant.0));
    }
    if let Some(subject) = &filter.subject {
        query = query.filter(Column::Subject.eq(subject.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    newest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_entry)
}

pub(super) fn to_entry(row: access_entry::Model) -> Result<AccessEntry> {
    let bad = |what: &str| DomainError::Internal(format!("stored access {what} unreadable"));
    Ok(AccessEntry {
        id: AccessEntryId(row.id),
        at: row.at,
        subject: row.subject,
        role: row.role,
        participant_id: ParticipantId(row.participant_id),
        field: SensitiveField::parse(&row.field).ok_or_else(|| bad("field"))?,
        channel: Channel::parse(&row.channel).ok_or_else(|| bad("channel"))?,
        request_id: row.request_id,
    })
}

pub(super) async fn find(tx: &TenantTx, id: AccessEntryId) -> Result<Option<AccessEntry>> {
    scoped(tx)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_entry)
        .transpose()
}
