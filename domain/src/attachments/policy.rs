//! Who may read a file: its structure (the provider), and steering once what the file supports
//! was sent to it (a received submission, a submitted report); anyone else gets `NOT_FOUND`,
//! as for a missing file.

use super::store::{find, supports_received_submission, supports_submitted_report};
use crate::entities::attachment;
use crate::error::{DomainError, Result};
use crate::ids::{AttachmentId, StructureId};
use crate::principal::{Principal, Role};

pub(super) async fn readable(
    tx: &crate::db::TenantTx,
    principal: &Principal,
    id: AttachmentId,
) -> Result<attachment::Model> {
    let not_found = || DomainError::NotFound {
        entity: "attachment",
    };
    let row = find(tx, id).await?.ok_or_else(not_found)?;
    let visible = match principal.role() {
        Role::Provider => principal.structure() == Some(StructureId(row.structure_id)),
        // Steering reads what was sent to it: the file of a submission once it was received,
        // a supporting document of a report once that report was submitted.
        Role::Steering => match row.submission_id {
            Some(s) => supports_received_submission(tx, s).await?,
            None => supports_submitted_report(tx, row.id).await?,
        },
        _ => false,
    };
    if !visible {
        return Err(not_found());
    }
    Ok(row)
}

/// Providers upload files, for their own structure.
pub(super) fn require_uploader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider],
        "providers attach files to their responses",
    )
}
