//! The printed form of a follow-up sheet: what its PDF shows, for whoever may read the sheet.

use std::collections::HashMap;

use super::model::SheetDocument;
use super::store;
use crate::cohorts;
use crate::db::Tx;
use crate::diagnostics;
use crate::error::{DomainError, Result};
use crate::ids::{FollowUpSheetId, SessionId};
use crate::principal::Principal;

/// The content of a sheet's PDF, for whoever may read the sheet.
pub async fn document(
    tx: &Tx,
    principal: &Principal,
    id: FollowUpSheetId,
) -> Result<SheetDocument> {
    let tx = tx.scoped(principal).await?;
    let sheet = store::find_readable(&tx, principal, id).await?;
    let cohort = cohorts::find_in(&tx, principal, sheet.cohort_id).await?;
    let (last_name, first_name) =
        store::name_of(&tx, sheet.participant_id)
            .await?
            .ok_or(DomainError::NotFound {
                entity: "participant",
            })?;
    let diagnostic = diagnostics::find(&tx, sheet.cohort_id, sheet.participant_id).await?;
    let clea_threshold_percent = crate::tenants::clea_threshold(&tx).await?;
    let heading = cohorts::sheet_heading(&tx, &cohort).await?;
    let dropped_out = cohorts::members_in(&tx, cohort.id)
        .await?
        .into_iter()
        .find(|m| m.participant_id == sheet.participant_id)
        .and_then(|m| m.dropped_out_on.map(|on| (on, m.reason)));
    let presences: HashMap<SessionId, cohorts::Presence> =
        cohorts::member_attendance_in(&tx, cohort.id, sheet.participant_id)
            .await?
            .into_iter()
            .map(|(_, a)| (a.session_id, a.presence))
            .collect();
    let sessions = cohorts::sessions_in(&tx, cohort.id)
        .await?
        .into_iter()
        .filter(|s| dropped_out.as_ref().is_none_or(|(on, _)| s.day <= *on))
        .map(|s| (s, presences.get(&s.id).copied()))
        .collect();
    Ok(SheetDocument {
        sheet,
        cohort,
        heading,
        dropped_out,
        sessions,
        name: (
            last_name.unwrap_or_else(|| "—".into()),
            first_name.unwrap_or_default(),
        ),
        diagnostic,
        clea_threshold_percent,
    })
}
