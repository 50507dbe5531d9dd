//! Queries of diagnostics, scoped by the transaction's tenant; looked up by their whole key
//! (cohort, participant).

use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, QueryFilter};

use super::model::*;
use crate::db::rows::{self, Positional};
use crate::db::{Change, TenantTx};
use crate::entities::diagnostic;
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ParticipantId};

pub(crate) async fn find(
    tx: &TenantTx,
    cohort: CohortId,
    participant: ParticipantId,
) -> Result<Option<Diagnostic>> {
    let query = tx
        .select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.eq(cohort.0))
        .filter(diagnostic::Column::ParticipantId.eq(participant.0));
    Ok(rows::read::<Diagnostic>(tx.conn(), query).await?.pop())
}

impl sea_orm::TryGetableFromJson for Fle {}
impl sea_orm::TryGetableFromJson for Mobility {}
impl rows::Cell for Fle {}
impl rows::Cell for Mobility {}

/// The stored CléA positioning: one per domain of [`CLEA_DOMAINS`].
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Positioning(Vec<Acquisition>);

impl sea_orm::TryGetableFromJson for Positioning {}
impl rows::Cell for Positioning {}

// The shapes are read by position (see [`crate::db::rows`]), their JSON parts straight into
// their types (no `serde_json::Value` in between: a page of cohorts reads hundreds of them).

impl rows::Shaped for Diagnostic {
    type Entity = diagnostic::Entity;

    fn columns() -> &'static [diagnostic::Column] {
        use diagnostic::Column as C;
        &[
            C::CohortId,
            C::ParticipantId,
            C::Status,
            C::Fle,
            C::Mobility,
            C::Clea,
            C::DaqOrientation,
            C::Recommendations,
            C::WrittenBy,
            C::UpdatedAt,
            C::Version,
        ]
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use diagnostic::Column as C;
        Ok(Diagnostic {
            cohort_id: CohortId(at.get(C::CohortId)?),
            participant_id: ParticipantId(at.get(C::ParticipantId)?),
            is_final: at.get::<String>(C::Status)? == "final",
            content: DiagnosticContent {
                fle: at.get(C::Fle)?,
                mobility: at.get(C::Mobility)?,
                clea: at.get::<Positioning>(C::Clea)?.0,
                daq_orientation: at.get(C::DaqOrientation)?,
                recommendations: at.get(C::Recommendations)?,
            },
            written_by: at.get(C::WrittenBy)?,
            updated_at: at.get(C::UpdatedAt)?,
            version: at.get(C::Version)?,
        })
    }
}

impl rows::Shaped for DiagnosticSummary {
    type Entity = diagnostic::Entity;

    fn columns() -> &'static [diagnostic::Column] {
        use diagnostic::Column as C;
        &[
            C::CohortId,
            C::ParticipantId,
            C::Status,
            C::Fle,
            C::Clea,
            C::DaqOrientation,
            C::UpdatedAt,
            C::Version,
        ]
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use diagnostic::Column as C;
        Ok(DiagnosticSummary {
            cohort_id: CohortId(at.get(C::CohortId)?),
            participant_id: ParticipantId(at.get(C::ParticipantId)?),
            is_final: at.get::<String>(C::Status)? == "final",
            fle: at.get(C::Fle)?,
            clea: at.get::<Positioning>(C::Clea)?.0,
            daq_orientation: at.get(C::DaqOrientation)?,
            updated_at: at.get(C::UpdatedAt)?,
            version: at.get(C::Version)?,
        })
    }
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
pub(super) async fn of_keys<S: Shape>(
    tx: &TenantTx,
    keys: &[(CohortId, ParticipantId)],
) -> Result<Vec<S>> {
    let key = (
        diagnostic::Column::CohortId,
        diagnostic::Column::ParticipantId,
    );
    let query = tx
        .select::<diagnostic::Entity>()
        .filter(tx.pairs_in(key, keys.iter().map(|k| (k.0.0, k.1.0))));
    Ok(rows::read::<S>(tx.conn(), query).await?)
}
