//! Queries of diagnostics, scoped by the transaction's tenant; looked up by their whole key
//! (cohort, participant).

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use super::model::*;
use crate::db::{Change, TenantTx};
use crate::entities::diagnostic;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId};

pub(crate) async fn find(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<Option<Diagnostic>> {
    tx.select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.eq(cohort.0))
        .filter(diagnostic::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(to_diagnostic)
        .transpose()
}

fn to_diagnostic(r: diagnostic::Model) -> Result<Diagnostic> {
    let bad = |what: &str| DomainError::Internal(format!("stored diagnostic {what} unreadable"));
    Ok(Diagnostic {
        cohort_id: CohortId(r.cohort_id),
        participant_id: ParticipantId(r.participant_id),
        is_final: r.status == "final",
        content: DiagnosticContent {
            fle: serde_json::from_value(r.fle).map_err(|_| bad("fle"))?,
            mobility: serde_json::from_value(r.mobility).map_err(|_| bad("mobility"))?,
            clea: serde_json::from_value(r.clea).map_err(|_| bad("clea"))?,
            daq_orientation: r.daq_orientation,
            recommendations: r.recommendations,
        },
        written_by: r.written_by,
        updated_at: r.updated_at,
        version: r.version,
    })
}

/// Insert the first version of `d`, or replace the previous one (`d.version - 1`): `CONFLICT`
/// (stale) when another writer got there first.
pub(super) async fn write(tx: &Change, d: &Diagnostic, existing: bool) -> Result<()> {
    let row = diagnostic::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        cohort_id: Set(d.cohort_id.0),
        participant_id: Set(d.participant_id.0),
        status: Set(if d.is_final { "final" } else { "draft" }.to_owned()),
        fle: Set(serde_json::to_value(&d.content.fle).unwrap_or_default()),
        mobility: Set(serde_json::to_value(&d.content.mobility).unwrap_or_default()),
        clea: Set(serde_json::to_value(&d.content.clea).unwrap_or_default()),
        daq_orientation: Set(d.content.daq_orientation),
        recommendations: Set(d.content.recommendations.clone()),
        written_by: Set(d.written_by.clone()),
        updated_at: Set(d.updated_at),
        version: Set(d.version),
    };
    if existing {
        let result = tx
            .update_many::<diagnostic::Entity>()
            .set(row)
            .filter(diagnostic::Column::CohortId.eq(d.cohort_id.0))
            .filter(diagnostic::Column::ParticipantId.eq(d.participant_id.0))
            .filter(diagnostic::Column::Version.eq(d.version - 1))
            .exec(tx.conn())
            .await?;
        if result.rows_affected != 1 {
            return Err(DomainError::stale("diagnostic"));
        }
        return Ok(());
    }
    tx.insert(row).await.map_err(|e| match e {
        DomainError::Conflict(_) => DomainError::stale("diagnostic"),
        other => other,
    })
}

/// The diagnostics of the cohorts and participants of `keys` (by the primary key's columns,
/// not the participant alone).
pub(super) async fn of_keys(
    tx: &TenantTx,
    keys: &[(CohortId, ParticipantId)],
) -> Result<Vec<Diagnostic>> {
    let cohorts: std::collections::BTreeSet<uuid::Uuid> = keys.iter().map(|k| k.0.0).collect();
    let participants: std::collections::BTreeSet<uuid::Uuid> = keys.iter().map(|k| k.1.0).collect();
    tx.select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.is_in(cohorts))
        .filter(diagnostic::Column::ParticipantId.is_in(participants))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_diagnostic)
        .collect()
}
