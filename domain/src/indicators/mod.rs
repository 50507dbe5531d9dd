//! Key figures of a tenant over a period, for steering and its committee — computed by SQL
//! aggregates, never by loading participants into memory.
//!
//! Definitions, for a period `[from, to]` (both days included, `D` days long):
//! - A participant is *accompanied on day d* when their entry was validated (status active or
//!   exited; refused and candidate participants never count), their entry date is on or before
//!   d, and they have no exit or exited on or after d. Anonymised participants keep these dates
//!   and still count.
//! - **accompanied** (flow): participants accompanied on at least one day of the period.
//! - **average accompanied** (stock): the mean over the period's days of the number accompanied
//!   that day, i.e. the sum of each participant's accompanied days within the period over `D`.
//! - **average age**: mean age in whole years at the entry date, of the flow (a participant
//!   whose birth date was erased counts with their birth year).
//! - **women / men**: gender as recorded, in percent of the flow (non-binary people are in the
//!   flow and in neither share).
//! - **level 3 or below**: education level 1 to 3 of the 2019 nomenclature (CAP/BEP or below),
//!   in percent of the flow.
//! - **priority neighbourhoods**, **RSA**: the flags as recorded, in percent of the flow.
//! - **exits**: exits dated within the period; **positive exit rate**: positive exits (those
//!   that need the committee count once it validated them) in percent of those exits.
//! - **average path length**: mean of (exit date − entry date) in months of 365.25 / 12 days,
//!   over the exits of the period.
//! - **convention amounts**: each convention's amount pro rata of its days within the period
//!   (amount × days in the period / days of the convention); **average cost per participant**:
//!   that sum over the flow.
//!
//! Percentages and means are rounded to one decimal; money to the cent.

mod model;
mod policy;
mod store;

pub use model::{KeyFigures, Period};

use crate::db::Tx;
use crate::error::Result;
use crate::principal::Principal;

/// The key figures of the principal's tenant over `period` (steering only; `FORBIDDEN`
/// otherwise). Two statements: the participants' aggregate and the conventions' amounts.
pub async fn key_figures(tx: &Tx, principal: &Principal, period: Period) -> Result<KeyFigures> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let sums = store::participant_sums(&tx, period).await?;
    let convention_cents = store::convention_cents(&tx, period).await?;
    KeyFigures::from_sums(period, &sums, convention_cents)
}
