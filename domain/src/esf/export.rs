//! An operation's export and its common indicators: steering, or the provider of the
//! convention. The export discloses each participant's disability, so it records its access
//! entries before it returns.

use super::model::*;
use super::{policy, store};
use crate::access_log::{Channel, Read, SensitiveField};
use crate::db::{TenantTx, Tx};
use crate::error::Result;
use crate::indicators::Period;
use crate::principal::Principal;

/// The records of `operation` present during `period` (entered on or before its end, not
/// exited before its start), by entry date: steering, or the provider of the convention.
pub async fn export(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
    period: Period,
) -> Result<Export> {
    let (tx, label) = report_tx(tx, principal, operation).await?;
    let records = store::present_during(&tx, operation, period).await?;
    let names = store::names_of(&tx, records.iter().map(|r| r.participant_id)).await?;
    let today = crate::paris::wall_clock(tx.now()).date();
    let out: Vec<ExportRow> = records
        .into_iter()
        .map(|record| {
            let (last_name, first_name) = names
                .get(&record.participant_id)
                .cloned()
                .unwrap_or_default();
            ExportRow {
                missing: record.missing(today),
                record,
                last_name,
                first_name,
            }
        })
        .collect();
    // Every row carries the participant's disability: no file without its access entries.
    crate::access_log::record(
        tx.tx(),
        principal,
        Channel::EsfExport,
        out.iter().map(|row| Read {
            participant: row.record.participant_id,
            field: SensitiveField::RecognisedDisability,
        }),
    )
    .await?;
    Ok(Export {
        operation: label,
        rows: out,
    })
}

/// The common indicators of `operation` over `period`, by gender, in one SQL aggregate.
pub async fn indicators(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
    period: Period,
) -> Result<Vec<IndicatorLine>> {
    let (tx, _) = report_tx(tx, principal, operation).await?;
    store::indicators(&tx, operation, period).await
}

async fn report_tx(
    tx: &Tx,
    principal: &Principal,
    operation: Operation,
) -> Result<(TenantTx, String)> {
    policy::require_exporter(principal)?;
    let tx = tx.scoped(principal).await?;
    let label = policy::require_operation(&tx, principal, operation).await?;
    Ok((tx, label))
}
