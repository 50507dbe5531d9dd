//! Who may write and read diagnostics: the cohort's provider (or steering) writes them;
//! steering and the provider read every diagnostic of the cohort, a referent their own
//! participants' (the reach of the cohorts policy, [`crate::cohorts::readable_members`]).

use crate::error::Result;
use crate::principal::{Principal, Role};

/// The cohort's provider writes diagnostics (steering may too).
pub(super) fn require_writer(principal: &Principal) -> Result<()> {
    principal.require(
        &[Role::Provider, Role::Steering],
        "the cohort's provider writes diagnostics",
    )
}
