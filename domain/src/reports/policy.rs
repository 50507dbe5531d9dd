//! Who may read and write reports.
//!
//! Steering reads and writes every report of its tenant and alone reviews them; a provider
//! reads and writes the reports of its own conventions; nobody else reads any.

use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::principal::{Principal, Role};

/// Refuse all but steering and providers; the structure whose conventions' reports the
/// principal is limited to (`None` for steering: every report).
pub(super) fn require_party(principal: &Principal) -> Result<Option<StructureId>> {
    match principal.role() {
        Role::Steering => Ok(None),
        Role::Provider => Ok(principal.structure()),
        _ => Err(DomainError::Forbidden(
            "reports are written by the convention's provider and read by steering",
        )),
    }
}

/// Steering only: accepting a report or asking for changes.
pub(super) fn require_reviewer(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "steering reviews reports")
}
