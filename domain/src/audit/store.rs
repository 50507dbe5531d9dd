//! Queries of the audit log, always scoped by the transaction's tenant.

use sea_orm::{ColumnTrait, QueryFilter};

use super::{AuditEntry, AuditFilter};
use crate::db::TenantTx;
use crate::entities::audit_entry::{self, Column, Entity};
use crate::error::Result;
use crate::ids::AuditEntryId;
use crate::page::{Page, PageRequest, newest_first};

pub(super) async fn list(
    tx: &TenantTx,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEntry>> {
    let mut query = tx.select::<Entity>();
    if let Some(subject) = &filter.subject {
        // A subject is 1 to 255 characters (`crate::text::Subject`); the jobs' `system:…` too.
        if subject.is_empty() || subject.chars().count() > 255 {
            return Err(crate::error::DomainError::validation(
                "subject",
                "must be 1 to 255 characters",
            ));
        }
        query = query.filter(Column::Subject.eq(subject.as_str()));
    }
    if let Some(object) = filter.object_id {
        query = query.filter(Column::ObjectId.eq(object));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    Ok(newest_first(tx.conn(), query, Column::Id, page)
        .await?
        .map(to_entry))
}

fn to_entry(row: audit_entry::Model) -> AuditEntry {
    // Entries written before the session's actions named the object by its GraphQL type
    // say `Session`: the log is never rewritten, so the old name is read as the new one
    // (their object ID is then a `CohortSession`'s global ID, which `node` opens).
    let object_type = match row.object_type.as_str() {
        "Session" => "CohortSession".to_owned(),
        _ => row.object_type,
    };
    AuditEntry {
        id: AuditEntryId(row.id),
        at: row.at,
        subject: row.subject,
        role: row.role,
        action: row.action,
        object_type,
        object_id: row.object_id,
        request_id: row.request_id,
    }
}
