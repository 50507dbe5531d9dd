//! Who may do what with calls for projects: steering writes and publishes them; steering and
//! providers read them (a draft only steering).

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Steering writes calls for projects (drafts).
pub(crate) fn require_writer(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering writes calls for projects")
}

/// Steering publishes a call.
pub(crate) fn require_publisher(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering],
        "only steering publishes calls for projects",
    )
}

/// Steering and providers read calls for projects.
pub(crate) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "calls for projects are read by steering and providers",
    )
}

/// Whether `principal` reads draft calls (steering, which writes them); everyone else reads
/// published and closed calls only, and a draft is `NOT_FOUND` for them.
pub(crate) fn reads_drafts(principal: &Principal) -> bool {
    principal.role() == Role::Steering
}
