//! Queries of submissions and receipt numbers, scoped by the transaction's tenant.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, Select, Statement,
};

use super::model::*;
use crate::db::{Change, TenantTx};
use crate::entities::submission::{ActiveModel, Column, Entity, Model};
use crate::error::{DomainError, Result};
use crate::ids::{CallId, StructureId, SubmissionId};
use crate::money::Money;
use crate::page::{Page, PageRequest};

/// Submissions a reader sees: a provider only its structure's; steering all but drafts.
pub(super) fn visible(tx: &TenantTx, structure: Option<StructureId>) -> Select<Entity> {
    let query = tx.select::<Entity>();
    match structure {
        Some(s) => query.filter(Column::StructureId.eq(s.0)),
        None => query.filter(Column::Status.ne("draft")),
    }
}

pub(super) async fn find(
    tx: &TenantTx,
    structure: Option<StructureId>,
    id: SubmissionId,
) -> Result<Option<Submission>> {
    visible(tx, structure)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_submission)
        .transpose()
}

pub(super) async fn list(
    tx: &TenantTx,
    structure: Option<StructureId>,
    call: Option<CallId>,
    page: &PageRequest,
) -> Result<Page<Submission>> {
    let mut query = visible(tx, structure);
    if let Some(call) = call {
        query = query.filter(Column::CallId.eq(call.0));
    }
    crate::page::oldest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_submission)
}

/// How many submissions of `call` still wait for a decision.
#[expect(clippy::disallowed_methods, reason = "a fixed list of statuses")]
pub(super) async fn pending(tx: &TenantTx, call: CallId) -> Result<u64> {
    Ok(tx
        .select::<Entity>()
        .filter(Column::CallId.eq(call.0))
        .filter(Column::Status.is_in(["submitted", "under_review"]))
        .count(tx.conn())
        .await?)
}

pub(super) async fn save(tx: &Change, s: &Submission, previous: Option<i32>) -> Result<bool> {
    let active = ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(s.id.0),
        call_id: Set(s.call_id.0),
        structure_id: Set(s.structure_id.0),
        status: Set(s.status.as_str().to_owned()),
        answers: Set(serde_json::to_value(&s.answers).unwrap_or_default()),
        requested_amount_cents: Set(s.requested_amount.cents()),
        budget_lines: Set(serde_json::to_value(&s.budget_lines).unwrap_or_default()),
        receipt_number: Set(s.receipt.map(|r| r.number)),
        received_at: Set(s.receipt.map(|r| r.received_at)),
        decision_reason: Set(s.decision_reason.clone()),
        committee_date: Set(s.committee_date),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
        version: Set(s.version),
    };
    match previous {
        None => {
            tx.insert(active).await.map_err(|e| match e {
                DomainError::Conflict(_) => DomainError::Conflict(
                    "your structure already has a response to this call".into(),
                ),
                other => other,
            })?;
            Ok(true)
        }
        Some(version) => {
            let mut active = active;
            active.tenant_id = sea_orm::ActiveValue::Unchanged(tx.tenant().0);
            active.id = sea_orm::ActiveValue::Unchanged(s.id.0);
            let result = tx
                .update_many::<Entity>()
                .set(active)
                .filter(Column::Id.eq(s.id.0))
                .filter(Column::Version.eq(version))
                .exec(tx.conn())
                .await?;
            Ok(result.rows_affected == 1)
        }
    }
}

/// The next deposit-receipt number of the tenant: one atomic upsert, so concurrent
/// submissions never share a number (and the unique index would refuse it anyway).
pub(super) async fn next_receipt_number(tx: &Change) -> Result<i32> {
    let backend = tx.conn().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO receipt_counter (tenant_id, last_number) VALUES ($1, 1) \
             ON CONFLICT (tenant_id) DO UPDATE SET last_number = receipt_counter.last_number + 1 \
             RETURNING last_number"
        }
        _ => {
            "INSERT INTO receipt_counter (tenant_id, last_number) VALUES (?, 1) \
             ON CONFLICT (tenant_id) DO UPDATE SET last_number = receipt_counter.last_number + 1 \
             RETURNING last_number"
        }
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "an upsert with RETURNING; the tenant is its key (and RLS checks it)"
    )]
    let row = tx
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [tx.tenant().0.into()],
        ))
        .await?
        .ok_or_else(|| DomainError::Internal("the receipt counter returned nothing".into()))?;
    row.try_get_by_index::<i32>(0).map_err(DomainError::from)
}

fn to_submission(row: Model) -> Result<Submission> {
    let status = SubmissionStatus::parse(&row.status).ok_or_else(|| {
        DomainError::Internal(format!("unknown submission status {}", row.status))
    })?;
    Ok(Submission {
        id: SubmissionId(row.id),
        call_id: CallId(row.call_id),
        structure_id: StructureId(row.structure_id),
        status,
        answers: serde_json::from_value(row.answers).unwrap_or_default(),
        requested_amount: Money::from_cents(row.requested_amount_cents)?,
        budget_lines: serde_json::from_value(row.budget_lines).unwrap_or_default(),
        receipt: match (row.receipt_number, row.received_at) {
            (Some(number), Some(received_at)) => Some(Receipt {
                number,
                received_at,
            }),
            _ => None,
        },
        decision_reason: row.decision_reason,
        committee_date: row.committee_date,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
