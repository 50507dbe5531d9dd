//! Who may do what with responses to calls: a provider writes its structure's responses;
//! steering reviews and decides; steering reads responses once received.

use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::principal::{Principal, Role};

/// Providers answer calls for projects.
pub(crate) fn require_author(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider],
        "only providers answer calls for projects",
    )
}

/// Only the provider who wrote a response changes it (its structure is checked with the row).
pub(crate) fn require_own_author(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider],
        "only the provider who wrote it changes a response",
    )
}

/// Steering reviews responses and decides on them.
pub(crate) fn require_reviewer(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering reviews and decides")
}

/// The scope of a reader: `Some(structure)` for a provider, `None` for steering.
pub(crate) fn reader_scope(principal: &Principal) -> Result<Option<StructureId>> {
    match principal.role() {
        Role::Steering => Ok(None),
        Role::Provider => principal
            .structure()
            .map(Some)
            .ok_or(DomainError::Forbidden(
                "a provider token carries a structure",
            )),
        _ => Err(DomainError::Forbidden(
            "submissions are read by steering and the providers who wrote them",
        )),
    }
}
