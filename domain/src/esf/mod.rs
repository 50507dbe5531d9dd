//! ESF+ participant records (Regulation (EU) 2021/1057, Annex I): the data the European Social
//! Fund wants for each participant of each operation, at entry, at exit and six months later.
//!
//! An operation is either the PLIE's accompaniment (identified by the tenant) or the action of
//! one convention. Rules:
//! - One record per participant and operation. A re-entry into the same operation keeps the
//!   first entry's data; it may only fill items still missing.
//! - At entry: the employment status is given; the age band (under 18, 18–29, 30–54, 55 and
//!   over) is derived from the birth date (or year) at the entry date; the education band
//!   (ISCED 0–2, 3–4, 5–8) from the French level — 1 and 2 → ISCED 0–2; 3 (CAP/BEP) and
//!   4 (baccalauréat) → 3–4; 5 to 8 → 5–8; disability from the participant's record. Third-
//!   country national, foreign background, homelessness or housing exclusion and rural area are
//!   asked; minority is optional and sensitive (null: not asked or declined).
//! - At exit (the situation within four weeks): job searching, in education or training,
//!   qualification gained, in employment (including self-employment). Six months after the
//!   exit: in employment, improved labour-market situation — not before that date.
//! - Completeness: the items still missing of each record (`missing`); minority is never
//!   "missing".
//! - Who: steering every record; a referent their own participants' records; a provider the
//!   records of its conventions' operations, for the participants of its cohorts. The export and
//!   the indicators of an operation: steering, and the provider for its own convention.
//! - The export discloses each participant's disability: it records one access entry per
//!   exported participant (channel `esf_export`) before it returns, and returns nothing when
//!   that fails (see [`crate::access_log`]).

mod export;
mod model;
mod policy;
mod store;
mod write;

pub use export::{export, indicators};
pub use model::*;
pub use write::{record_entry, record_exit, record_later};

use crate::db::Tx;
use crate::error::Result;
use crate::ids::EsfRecordId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// One record the principal may read (`NOT_FOUND` otherwise, like a missing one).
pub async fn get(tx: &Tx, principal: &Principal, id: EsfRecordId) -> Result<EsfRecord> {
    let tx = tx.scoped(principal).await?;
    store::find_readable(&tx, principal, id).await
}

/// The records the principal may read, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: RecordFilter,
    page: PageRequest,
) -> Result<Page<EsfRecord>> {
    let tx = tx.scoped(principal).await?;
    store::list(&tx, principal, filter, &page).await
}
