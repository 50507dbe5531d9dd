//! Who may do what with responses to calls: a provider writes its structure's responses;
//! steering reviews and decides; steering reads responses once received.

use crate::error::Result;
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
