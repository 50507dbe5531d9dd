//! Who may do what with conventions: steering signs them and their amendments; the
//! provider reads its own.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Steering signs conventions.
pub(crate) fn require_signatory(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering signs conventions")
}

/// Steering signs amendments.
pub(crate) fn require_amendment_signatory(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering signs amendments")
}
