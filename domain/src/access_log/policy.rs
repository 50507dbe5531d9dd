//! Who reads the access log: steering staff only, of their own tenant. Everyone's reads are
//! recorded.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Only steering staff read the access log.
pub(super) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "only steering staff read the access log")
}
