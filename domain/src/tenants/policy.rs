//! Who may do what with tenants: the platform operator creates, suspends and reactivates
//! them; steering changes its own tenant's settings.

use crate::error::{DomainError, Result};
use crate::ids::TenantId;
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

/// A tenant is read by the platform operator, or by its own staff; another tenant is
/// `NOT_FOUND`, as if it did not exist.
pub(crate) fn require_reader_of(principal: &Principal, id: TenantId) -> Result<()> {
    if !is_operator(principal) && principal.tenant_id()? != id {
        return Err(DomainError::NotFound { entity: "tenant" });
    }
    Ok(())
}

/// Whether `principal` is the platform operator, who reads a tenant from outside its scope.
pub(crate) fn is_operator(principal: &Principal) -> bool {
    principal.role() == Role::Admin
}
