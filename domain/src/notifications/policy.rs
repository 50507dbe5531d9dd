//! Who reads notifications: each staff member their own, in their own tenant; a principal
//! without a staff record (a platform admin) has no inbox.

use crate::db::bus::Event;
use crate::error::{DomainError, Result};
use crate::ids::{StaffId, TenantId};
use crate::principal::Principal;

/// The staff member whose inbox the principal reads (`FORBIDDEN` without a staff record).
pub(super) fn recipient(principal: &Principal) -> Result<StaffId> {
    principal.staff().ok_or(DomainError::Forbidden(
        "notifications are addressed to staff members",
    ))
}

/// Whether a live event is for `principal`: its own tenant and its own staff record.
pub fn is_for(event: &Event, principal: &Principal) -> bool {
    principal.tenant_id().ok() == Some(TenantId(event.tenant_id))
        && principal.staff() == Some(StaffId(event.recipient_id))
}

/// Refuse a live subscription to a principal without a staff record (a platform admin).
pub fn require_recipient(principal: &Principal) -> Result<()> {
    recipient(principal).map(|_| ())
}
