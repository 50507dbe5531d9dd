//! Who may do what with tenants: the platform operator creates, suspends and reactivates
//! them; steering changes its own tenant's settings.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// The platform operator creates tenants.
pub(crate) fn require_creator(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Admin], "only the platform operator creates tenants")
}

/// The platform operator suspends and reactivates tenants.
pub(crate) fn require_status_changer(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Admin],
        "only the platform operator suspends or reactivates tenants",
    )
}

/// Steering changes its own tenant's settings.
pub(crate) fn require_settings_editor(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Steering],
        "only steering changes the tenant's settings",
    )
}
