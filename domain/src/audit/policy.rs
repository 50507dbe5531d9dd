//! Who reads the audit log: steering staff only, of their own tenant.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Only steering staff read the audit log.
pub(crate) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff read the audit log")
}
