//! Queries of conventions and amendments, scoped by the transaction's tenant (and by the
//! provider's structure where [`super::policy`] says so).

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder, Select};

use super::model::*;
use crate::db::{Change, TenantTx};
use crate::entities::{amendment, convention};
use crate::error::{DomainError, Result};
use crate::ids::{AmendmentId, ConventionId, StructureId, SubmissionId};
use crate::money::Money;
use crate::page::{Page, PageRequest};

pub(super) fn visible(tx: &TenantTx, scope: Option<StructureId>) -> Select<convention::Entity> {
    let q = tx.select::<convention::Entity>();
    match scope {
        Some(s) => q.filter(convention::Column::StructureId.eq(s.0)),
        None => q,
    }
}

/// A page of the conventions in `scope` (one structure's, or all), in creation order.
pub(super) async fn page(
    tx: &TenantTx,
    scope: Option<StructureId>,
    page: &PageRequest,
) -> Result<Page<Convention>> {
    crate::page::oldest_first(tx.conn(), visible(tx, scope), convention::Column::Id, page)
        .await?
        .try_map(to_convention)
}

/// Every convention in `scope` (a structure's, or all), by start date.
pub(crate) async fn all_in(tx: &TenantTx, scope: Option<StructureId>) -> Result<Vec<Convention>> {
    visible(tx, scope)
        .order_by_asc(convention::Column::StartDate)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_convention)
        .collect()
}

/// The IDs of the conventions of `structure`.
pub(crate) async fn ids_of_structure(
    tx: &TenantTx,
    structure: StructureId,
) -> Result<Vec<uuid::Uuid>> {
    Ok(visible(tx, Some(structure))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

pub(crate) async fn find_in(
    tx: &TenantTx,
    scope: Option<StructureId>,
    id: ConventionId,
) -> Result<Convention> {
    visible(tx, scope)
        .filter(convention::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_convention)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "convention",
        })
}

pub(crate) fn to_convention(row: convention::Model) -> Result<Convention> {
    Ok(Convention {
        id: ConventionId(row.id),
        submission_id: SubmissionId(row.submission_id),
        structure_id: StructureId(row.structure_id),
        number: row.number,
        amount: Money::from_cents(row.amount_cents)?,
        start_date: row.start_date,
        end_date: row.end_date,
        renewals: row.renewals,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// The amendments of a convention, in signature order.
pub(super) async fn amendments_of(tx: &TenantTx, id: ConventionId) -> Result<Vec<Amendment>> {
    let rows = tx
        .select::<amendment::Entity>()
        .filter(amendment::Column::ConventionId.eq(id.0))
        .order_by_asc(amendment::Column::SignedOn)
        .order_by_asc(amendment::Column::Id)
        .all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Amendment {
                id: AmendmentId(r.id),
                convention_id: ConventionId(r.convention_id),
                kind: match r.kind.as_str() {
                    "extension" => AmendmentKind::Extension,
                    "budget_change" => AmendmentKind::BudgetChange,
                    _ => AmendmentKind::Other,
                },
                description: r.description,
                signed_on: r.signed_on,
                new_end_date: r.new_end_date,
                new_amount: r.new_amount_cents.map(Money::from_cents).transpose()?,
            })
        })
        .collect()
}

/// Insert a new convention (a unique index refuses a second one for the same submission, or a
/// number taken: `CONFLICT`).
pub(super) async fn insert(tx: &Change, c: &Convention) -> Result<()> {
    tx.insert(convention::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(c.id.0),
        submission_id: Set(c.submission_id.0),
        structure_id: Set(c.structure_id.0),
        number: Set(c.number.clone()),
        amount_cents: Set(c.amount.cents()),
        start_date: Set(c.start_date),
        end_date: Set(c.end_date),
        renewals: Set(c.renewals),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        version: Set(c.version),
    })
    .await
}

/// Save an amended convention if it is still at `previous` version; `false` if someone else
/// changed it first.
pub(super) async fn save(tx: &Change, changed: &Convention, previous: i32) -> Result<bool> {
    let result = tx
        .update_many::<convention::Entity>()
        .col_expr(convention::Column::EndDate, changed.end_date.into())
        .col_expr(
            convention::Column::AmountCents,
            changed.amount.cents().into(),
        )
        .col_expr(convention::Column::Renewals, changed.renewals.into())
        .col_expr(convention::Column::UpdatedAt, changed.updated_at.into())
        .col_expr(convention::Column::Version, changed.version.into())
        .filter(convention::Column::Id.eq(changed.id.0))
        .filter(convention::Column::Version.eq(previous))
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Insert a signed amendment, dated now.
pub(super) async fn insert_amendment(tx: &Change, a: &Amendment) -> Result<()> {
    tx.insert(amendment::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(a.id.0),
        convention_id: Set(a.convention_id.0),
        kind: Set(a.kind.as_str().to_owned()),
        description: Set(a.description.clone()),
        signed_on: Set(a.signed_on),
        new_end_date: Set(a.new_end_date),
        new_amount_cents: Set(a.new_amount.map(Money::cents)),
        created_at: Set(tx.now()),
    })
    .await
}
