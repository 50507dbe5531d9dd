//! Queries of calls for projects, scoped by the transaction's tenant.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, Select};

use super::model::*;
use crate::db::{Change, TenantTx};
use crate::entities::call_for_projects::{ActiveModel, Column, Entity, Model};
use crate::error::{DomainError, Result};
use crate::ids::CallId;
use crate::money::Money;
use crate::page::{Page, PageRequest, newest_first};

fn scoped(tx: &TenantTx) -> Select<Entity> {
    tx.select::<Entity>()
}

pub(crate) async fn find(tx: &TenantTx, id: CallId) -> Result<Option<CallForProjects>> {
    scoped(tx)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_call)
        .transpose()
}

pub(super) async fn list(
    tx: &TenantTx,
    with_drafts: bool,
    page: &PageRequest,
) -> Result<Page<CallForProjects>> {
    let mut query = scoped(tx);
    if !with_drafts {
        query = query.filter(Column::Status.ne("draft"));
    }
    newest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_call)
}

pub(super) async fn save(
    tx: &Change,
    call: &CallForProjects,
    previous: Option<i32>,
) -> Result<bool> {
    let active = ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(call.id.0),
        reference: Set(call.reference.clone()),
        title: Set(call.title.clone()),
        summary: Set(call.summary.clone()),
        specification: Set(call.specification.clone()),
        budget_cap_cents: Set(call.budget_cap.cents()),
        target_participants_per_year: Set(call.target_participants_per_year),
        group_size_min: Set(call.group_size_min),
        group_size_max: Set(call.group_size_max),
        cadence_weeks: Set(call.cadence_weeks),
        max_half_days_per_week: Set(call.max_half_days_per_week),
        opens_at: Set(call.opens_at),
        deadline_at: Set(call.deadline_at),
        expected_start: Set(call.expected_start),
        questions: Set(serde_json::to_value(&call.questions).unwrap_or_default()),
        status: Set(stored_str(call.stored_status).to_owned()),
        created_at: Set(call.created_at),
        updated_at: Set(call.updated_at),
        version: Set(call.version),
    };
    let duplicate = |err: DomainError| match err {
        DomainError::Conflict(_) => DomainError::validation(
            "reference",
            "another call of this tenant has this reference",
        ),
        other => other,
    };
    match previous {
        None => {
            tx.insert(active).await.map_err(duplicate)?;
            Ok(true)
        }
        Some(version) => {
            let mut active = active;
            active.tenant_id = sea_orm::ActiveValue::Unchanged(tx.tenant().0);
            active.id = sea_orm::ActiveValue::Unchanged(call.id.0);
            let result = tx
                .update_many::<Entity>()
                .set(active)
                .filter(Column::Id.eq(call.id.0))
                .filter(Column::Version.eq(version))
                .exec(tx.conn())
                .await
                .map_err(|e| duplicate(e.into()))?;
            Ok(result.rows_affected == 1)
        }
    }
}

/// Mark a call decided (its last pending submission got its decision).
pub(crate) async fn set_decided(tx: &Change, id: CallId) -> Result<()> {
    tx.update_many::<Entity>()
        .col_expr(Column::Status, "decided".into())
        .col_expr(Column::UpdatedAt, tx.now().into())
        .col_expr(
            Column::Version,
            sea_orm::ExprTrait::add(sea_orm::sea_query::Expr::col(Column::Version), 1),
        )
        .filter(Column::Id.eq(id.0))
        .exec(tx.conn())
        .await?;
    Ok(())
}

fn stored_str(s: StoredCallStatus) -> &'static str {
    match s {
        StoredCallStatus::Draft => "draft",
        StoredCallStatus::Published => "published",
        StoredCallStatus::Decided => "decided",
    }
}

fn to_call(row: Model) -> Result<CallForProjects> {
    let stored_status = match row.status.as_str() {
        "draft" => StoredCallStatus::Draft,
        "published" => StoredCallStatus::Published,
        "decided" => StoredCallStatus::Decided,
        other => {
            return Err(DomainError::Internal(format!(
                "unknown call status {other}"
            )));
        }
    };
    Ok(CallForProjects {
        id: CallId(row.id),
        reference: row.reference,
        title: row.title,
        summary: row.summary,
        specification: row.specification,
        budget_cap: Money::from_cents(row.budget_cap_cents)?,
        target_participants_per_year: row.target_participants_per_year,
        group_size_min: row.group_size_min,
        group_size_max: row.group_size_max,
        cadence_weeks: row.cadence_weeks,
        max_half_days_per_week: row.max_half_days_per_week,
        opens_at: row.opens_at,
        deadline_at: row.deadline_at,
        expected_start: row.expected_start,
        questions: serde_json::from_value(row.questions).unwrap_or_default(),
        stored_status,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
