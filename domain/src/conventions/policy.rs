//! Who may do what with conventions: steering signs them and their amendments; the
//! provider reads its own.

use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::principal::{Principal, Role};

/// Steering signs conventions.
pub(crate) fn require_signatory(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering signs conventions")
}

/// Steering signs amendments.
pub(crate) fn require_amendment_signatory(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering signs amendments")
}

/// Steering reads every convention; a provider its own structure's (the scope it returns).
pub(super) fn reader_scope(principal: &Principal) -> Result<Option<StructureId>> {
    match principal.role() {
        Role::Steering => Ok(None),
        Role::Provider => Ok(principal.structure()),
        _ => Err(DomainError::Forbidden(
            "conventions are read by steering and the provider that holds them",
        )),
    }
}
