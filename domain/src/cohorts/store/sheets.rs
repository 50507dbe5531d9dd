//! Queries of the names a printed sheet shows: the PLIE (the tenant), the provider, the
//! people on its rows.

use sea_orm::{ColumnTrait, QueryFilter};

use crate::db::TenantTx;
use crate::entities::{participant, structure, tenant};
use crate::error::Result;
use crate::ids::{ParticipantId, StructureId};

/// The name of the transaction's tenant (reads the tenant registry).
pub(crate) async fn tenant_name(tx: &TenantTx) -> Result<Option<String>> {
    Ok(tx
        .tx()
        .registry()
        .tenants()
        .filter(tenant::Column::Id.eq(tx.tenant().0))
        .one(tx.conn())
        .await?
        .map(|t| t.name))
}

/// The name of structure `id`.
pub(crate) async fn structure_name(tx: &TenantTx, id: StructureId) -> Result<Option<String>> {
    Ok(tx
        .select::<structure::Entity>()
        .filter(structure::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(|s| s.name))
}

/// The rows of participants `ids` (for their names), in no order.
pub(crate) async fn participant_rows(
    tx: &TenantTx,
    ids: &[ParticipantId],
) -> Result<Vec<participant::Model>> {
    Ok(tx
        .select::<participant::Entity>()
        .filter(tx.is_in(participant::Column::Id, ids.iter().map(|p| p.0)))
        .all(tx.conn())
        .await?)
}
