//! Who may read the key figures: steering, for its tenant.

use crate::error::Result;
use crate::principal::{Principal, Role};

/// Key figures are for steering (`FORBIDDEN` otherwise).
pub(super) fn require_reader(principal: &Principal) -> Result<()> {
    principal.require(&[Role::Steering], "key figures are for steering")
}
