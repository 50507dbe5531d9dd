//! Queries of staff members, always scoped by the transaction's tenant.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::model::{StaffFilter, StaffMember};
use crate::db::TenantTx;
use crate::entities::staff_member::{ActiveModel, Column, Entity, Model};
use crate::error::{DomainError, Result};
use crate::ids::{StaffId, StructureId};
use crate::page::{Page, PageRequest};
use crate::principal::Role;

fn scoped(tx: &TenantTx) -> Select<Entity> {
    Entity::find().filter(Column::TenantId.eq(tx.tenant().0))
}

pub(crate) async fn find(tx: &TenantTx, id: StaffId) -> Result<Option<StaffMember>> {
    scoped(tx)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

/// The staff member whose tokens carry `subject`.
pub(crate) async fn find_by_subject(tx: &TenantTx, subject: &str) -> Result<Option<StaffMember>> {
    scoped(tx)
        .filter(Column::Subject.eq(subject))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

/// The staff member whose subject is `key`, or whose e-mail is `key` in any case.
pub(crate) async fn find_by_subject_or_email(
    tx: &TenantTx,
    key: &str,
) -> Result<Option<StaffMember>> {
    let by_subject = find_by_subject(tx, key).await?;
    if by_subject.is_some() {
        return Ok(by_subject);
    }
    // E-mails are stored lowercased (`text::Email`).
    scoped(tx)
        .filter(Column::Email.eq(key.to_lowercase()))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

pub(super) async fn find_many(tx: &TenantTx, ids: &[StaffId]) -> Result<Vec<StaffMember>> {
    scoped(tx)
        .filter(Column::Id.is_in(ids.iter().map(|id| id.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_staff)
        .collect()
}

pub(super) async fn list(
    tx: &TenantTx,
    filter: &StaffFilter,
    page: &PageRequest,
) -> Result<Page<StaffMember>> {
    let mut query = scoped(tx);
    if let Some(structure) = filter.structure_id {
        query = query.filter(Column::StructureId.eq(structure.0));
    }
    if let Some(role) = filter.role {
        query = query.filter(Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(Column::Active.eq(active));
    }
    let total = query.clone().count(tx.conn()).await?;
    if let Some(after) = page.after {
        query = query.filter(Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(Column::Id)
        .limit(page.limit())
        .all(tx.conn())
        .await?;
    let rows = rows.into_iter().map(to_staff).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, page, total))
}

/// Insert a staff member in the transaction's tenant (inputs already checked).
pub(crate) async fn insert(tx: &TenantTx, member: &StaffMember) -> Result<()> {
    let row = ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(member.id.0),
        subject: Set(member.subject.clone()),
        display_name: Set(member.display_name.clone()),
        email: Set(member.email.clone()),
        role: Set(member.role.as_str().to_owned()),
        structure_id: Set(member.structure_id.0),
        active: Set(member.active),
        created_at: Set(member.created_at),
        updated_at: Set(member.updated_at),
        version: Set(member.version),
    };
    Entity::insert(row)
        .exec_without_returning(tx.conn())
        .await
        .map_err(duplicate)?;
    Ok(())
}

/// Write `changed` if the stored version is still `version`; `false` when it is not.
pub(super) async fn update(tx: &TenantTx, changed: &StaffMember, version: i32) -> Result<bool> {
    let result = Entity::update_many()
        .col_expr(Column::DisplayName, changed.display_name.clone().into())
        .col_expr(Column::Email, changed.email.clone().into())
        .col_expr(Column::StructureId, changed.structure_id.0.into())
        .col_expr(Column::Active, changed.active.into())
        .col_expr(Column::UpdatedAt, changed.updated_at.into())
        .col_expr(Column::Version, changed.version.into())
        .filter(Column::TenantId.eq(tx.tenant().0))
        .filter(Column::Id.eq(changed.id.0))
        .filter(Column::Version.eq(version))
        .exec(tx.conn())
        .await
        .map_err(duplicate)?;
    Ok(result.rows_affected == 1)
}

fn duplicate(err: sea_orm::DbErr) -> DomainError {
    match DomainError::from(err) {
        DomainError::Conflict(_) => DomainError::Conflict(
            "another staff member of this tenant has this subject or e-mail".into(),
        ),
        other => other,
    }
}

fn to_staff(row: Model) -> Result<StaffMember> {
    let role: Role = row
        .role
        .parse()
        .map_err(|_| DomainError::Internal(format!("unknown stored role {}", row.role)))?;
    Ok(StaffMember {
        id: StaffId(row.id),
        subject: row.subject,
        display_name: row.display_name,
        email: row.email,
        role,
        structure_id: StructureId(row.structure_id),
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
