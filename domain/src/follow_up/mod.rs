//! Follow-up sheets (fiches de suivi): at the end of a cohort, the provider issues one per
//! member — an attendance summary computed from the records, the diagnostic, recommendations —
//! and transmits it to the participant's referent and to steering.
//!
//! Rules: the cohort's provider (or steering) prepares the sheet of an enrolled or dropped-out
//! member of a running or closed cohort, as a draft it may revise; it transmits it once the
//! cohort is closed (or the member dropped out), and for a member who completed the cohort only
//! once the diagnostic is final (`DIAGNOSTIC_NOT_FINAL`). The attendance summary is computed
//! again at transmission and frozen: what the referent reads is what was sent. A transmitted
//! sheet no longer changes. Who reads: the provider the sheets of its cohorts, drafts included;
//! steering and the participant's referent the transmitted ones, and each records when they
//! first read it.

mod document;
mod model;
mod policy;
mod store;
mod write;

pub use document::document;
pub use model::*;
pub use write::{mark_read, save, transmit};

use std::collections::HashMap;

use crate::db::Tx;
use crate::error::Result;
use crate::ids::{CohortId, FollowUpSheetId, ParticipantId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// The sheets the principal may read, oldest first.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: SheetFilter,
    page: PageRequest,
) -> Result<Page<FollowUpSheet>> {
    let tx = tx.scoped(principal).await?;
    store::list(&tx, principal, filter, &page).await
}

/// One sheet the principal may read.
pub async fn get(tx: &Tx, principal: &Principal, id: FollowUpSheetId) -> Result<FollowUpSheet> {
    let tx = tx.scoped(principal).await?;
    let found = store::find_readable(&tx, principal, id).await?;
    Ok(found)
}

/// Batch read for dataloaders: the sheets of the memberships `keys` the principal may read.
pub async fn load_many(
    tx: &Tx,
    principal: &Principal,
    keys: &[(CohortId, ParticipantId)],
) -> Result<HashMap<(CohortId, ParticipantId), FollowUpSheet>> {
    let tx = tx.scoped(principal).await?;
    let people: Vec<uuid::Uuid> = keys.iter().map(|k| k.1.0).collect();
    let mut out = HashMap::new();
    for sheet in store::readable_of(&tx, principal, people).await? {
        let key = (sheet.cohort_id, sheet.participant_id);
        if keys.contains(&key) {
            out.insert(key, sheet);
        }
    }
    Ok(out)
}
