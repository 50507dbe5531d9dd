//! Queries of exits, and of the paths that ended long enough ago to be anonymised.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QuerySelect};

use crate::db::{Change, TenantTx};
use crate::entities::{participant, participant_exit};
use crate::error::Result;
use crate::ids::ParticipantId;
use crate::participants::model::*;

pub(crate) async fn exits_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Exit>> {
    let rows = tx
        .select::<participant_exit::Entity>()
        .filter(tx.is_in(
            participant_exit::Column::ParticipantId,
            participants.iter().map(|p| p.0),
        ))
        .all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|row| {
            let exit = Exit {
                participant_id: ParticipantId(row.participant_id),
                date: row.exit_date,
                kind: ExitKind::parse(&row.kind)?,
                positive: row.positive,
                rule: row.rule.as_deref().and_then(parse_rule),
                reason: row.reason,
                needs_committee_validation: row.needs_committee_validation,
                committee_validated_on: row.committee_validated_on,
            };
            Ok((exit.participant_id, exit))
        })
        .collect()
}

pub(crate) async fn save_exit(tx: &Change, exit: &Exit, insert: bool) -> Result<()> {
    let active = participant_exit::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        participant_id: Set(exit.participant_id.0),
        exit_date: Set(exit.date),
        kind: Set(exit.kind.as_str().to_owned()),
        positive: Set(exit.positive),
        rule: Set(exit.rule.map(|r| rule_str(r).to_owned())),
        reason: Set(exit.reason.clone()),
        needs_committee_validation: Set(exit.needs_committee_validation),
        committee_validated_on: Set(exit.committee_validated_on),
        recorded_at: Set(tx.now()),
    };
    if insert {
        tx.insert(active).await?;
    } else {
        tx.update(active).await?;
    }
    Ok(())
}

/// The participants whose path ended on or before `cutoff` (an exit dated then, or a refusal
/// by the committee then) and who are not yet anonymised, with their versions. Three
/// statements.
pub(crate) async fn due_for_anonymisation(
    tx: &TenantTx,
    cutoff: NaiveDate,
) -> Result<Vec<(ParticipantId, i32)>> {
    let exited: Vec<uuid::Uuid> = tx
        .select::<participant_exit::Entity>()
        .select_only()
        .column(participant_exit::Column::ParticipantId)
        .filter(participant_exit::Column::ExitDate.lte(cutoff))
        .into_tuple()
        .all(tx.conn())
        .await?;
    let base = || {
        tx.select::<participant::Entity>()
            .select_only()
            .column(participant::Column::Id)
            .column(participant::Column::Version)
            .filter(participant::Column::AnonymisedAt.is_null())
    };
    let mut due: Vec<(uuid::Uuid, i32)> = base()
        .filter(participant::Column::Status.eq("exited"))
        .filter(tx.is_in(participant::Column::Id, exited))
        .into_tuple()
        .all(tx.conn())
        .await?;
    let refused: Vec<(uuid::Uuid, i32)> = base()
        .filter(participant::Column::Status.eq("refused"))
        .filter(participant::Column::CommitteeDate.lte(cutoff))
        .into_tuple()
        .all(tx.conn())
        .await?;
    due.extend(refused);
    Ok(due
        .into_iter()
        .map(|(id, version)| (ParticipantId(id), version))
        .collect())
}
