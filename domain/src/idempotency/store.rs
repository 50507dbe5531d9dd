//! The idempotency keys' table, scoped by the transaction's tenant.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use crate::db::{Change, TenantTx};
use crate::entities::idempotency_key;
use crate::error::Result;
use crate::principal::Principal;

/// The key's row, if it was claimed.
pub(super) async fn find(tx: &TenantTx, key: &str) -> Result<Option<idempotency_key::Model>> {
    Ok(tx
        .select::<idempotency_key::Entity>()
        .filter(idempotency_key::Column::Key.eq(key))
        .one(tx.conn())
        .await?)
}

/// Claim `key` for the principal's request (`fingerprint`) with its `response`, unless it is
/// claimed already (`INSERT … ON CONFLICT DO NOTHING`); whether this call claimed it.
pub(super) async fn insert_if_new(
    tx: &Change,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
    response: serde_json::Value,
) -> Result<bool> {
    let row = claim_row(tx, principal, key, fingerprint, response);
    Ok(tx.upsert(row, unless_claimed()).await? > 0)
}

/// The row that claims `key` (its tenant is set by the change).
pub(super) fn claim_row(
    tx: &Change,
    principal: &Principal,
    key: &str,
    fingerprint: &str,
    response: serde_json::Value,
) -> idempotency_key::ActiveModel {
    idempotency_key::ActiveModel {
        key: Set(key.to_owned()),
        subject: Set(principal.subject().to_owned()),
        request_hash: Set(fingerprint.to_owned()),
        response: Set(response),
        created_at: Set(tx.now()),
        ..Default::default()
    }
}

/// Nothing, when the tenant's key is claimed already.
pub(super) fn unless_claimed() -> OnConflict {
    OnConflict::columns([
        idempotency_key::Column::TenantId,
        idempotency_key::Column::Key,
    ])
    .do_nothing()
    .to_owned()
}
