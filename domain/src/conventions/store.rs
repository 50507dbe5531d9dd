//! Queries of conventions and amendments, scoped by the transaction's tenant (and by the
//! provider's structure where [`super::policy`] says so).

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Select};

use super::model::*;
use crate::db::TenantTx;
use crate::entities::{amendment, convention};
use crate::error::{DomainError, Result};
use crate::ids::{AmendmentId, ConventionId, StructureId, SubmissionId};
use crate::money::Money;

pub(super) fn visible(tx: &TenantTx, scope: Option<StructureId>) -> Select<convention::Entity> {
    let q = tx.select::<convention::Entity>();
    match scope {
        Some(s) => q.filter(convention::Column::StructureId.eq(s.0)),
        None => q,
    }
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
