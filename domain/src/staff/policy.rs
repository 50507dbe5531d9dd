//! Who may do what with the staff directory: every member of the tenant's staff reads it;
//! steering invites, edits and deactivates.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Steering invites staff.
pub(crate) fn require_inviter(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff invite staff")
}

/// Steering edits staff members.
pub(crate) fn require_editor(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff edit staff")
}

/// Steering deactivates staff members.
pub(crate) fn require_deactivator(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff deactivate staff")
}

/// Every member of the tenant's staff reads the directory.
pub(crate) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering, Role::Referent, Role::Provider],
        "only tenant staff read the staff directory",
    )
}
