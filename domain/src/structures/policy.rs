//! Who may do what with structures: every member of the tenant's staff reads them; steering
//! creates and edits them.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Steering creates structures.
pub(crate) fn require_creator(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff create structures")
}

/// Steering edits structures.
pub(crate) fn require_editor(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff edit structures")
}

/// Every member of the tenant's staff reads structures.
pub(crate) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "only tenant staff read structures",
    )
}
