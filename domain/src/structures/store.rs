//! Queries of structures, always scoped by the transaction's tenant.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, Select};

use super::model::{Structure, StructureFilter, StructureKind};
use crate::db::{Change, TenantTx};
use crate::entities::structure::{ActiveModel, Column, Entity, Model};
use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::page::{Page, PageRequest};

fn scoped(tx: &TenantTx) -> Select<Entity> {
    tx.select::<Entity>()
}

pub(crate) async fn find(tx: &TenantTx, id: StructureId) -> Result<Option<Structure>> {
    scoped(tx)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_structure)
        .transpose()
}

pub(super) async fn find_many(tx: &TenantTx, ids: &[StructureId]) -> Result<Vec<Structure>> {
    scoped(tx)
        .filter(tx.is_in(Column::Id, ids.iter().map(|id| id.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_structure)
        .collect()
}

pub(super) async fn list(
    tx: &TenantTx,
    filter: &StructureFilter,
    page: &PageRequest,
) -> Result<Page<Structure>> {
    let mut query = scoped(tx);
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    crate::page::oldest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_structure)
}

/// Insert a new structure in the transaction's tenant.
pub(crate) async fn insert(tx: &Change, name: String, kind: StructureKind) -> Result<Structure> {
    let structure = Structure {
        id: StructureId::generate(),
        name,
        kind,
        active: true,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    let row = ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(structure.id.0),
        name: Set(structure.name.clone()),
        kind: Set(kind.as_str().to_owned()),
        active: Set(true),
        created_at: Set(tx.now()),
        updated_at: Set(tx.now()),
        version: Set(1),
    };
    tx.insert(row).await.map_err(duplicate_name)?;
    Ok(structure)
}

/// Write `changed` if the stored version is still `version`; `false` when it is not.
pub(super) async fn update(tx: &Change, changed: &Structure, version: i32) -> Result<bool> {
    let result = tx
        .update_many::<Entity>()
        .col_expr(Column::Name, changed.name.clone().into())
        .col_expr(Column::Active, changed.active.into())
        .col_expr(Column::UpdatedAt, changed.updated_at.into())
        .col_expr(Column::Version, changed.version.into())
        .filter(Column::Id.eq(changed.id.0))
        .filter(Column::Version.eq(version))
        .exec(tx.conn())
        .await
        .map_err(duplicate_name)?;
    Ok(result.rows_affected == 1)
}

fn duplicate_name(err: impl Into<DomainError>) -> DomainError {
    match err.into() {
        DomainError::Conflict(_) => {
            DomainError::validation("name", "another structure of this tenant has this name")
        }
        other => other,
    }
}

fn to_structure(row: Model) -> Result<Structure> {
    Ok(Structure {
        id: StructureId(row.id),
        name: row.name,
        kind: StructureKind::parse(&row.kind)?,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
