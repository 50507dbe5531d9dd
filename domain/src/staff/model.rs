//! Read models and inputs of staff members.

use chrono::{DateTime, Utc};

use crate::ids::{StaffId, StructureId};
use crate::principal::Role;

/// A staff member of a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: StaffId,
    pub subject: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub structure_id: StructureId,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Input of `invite`.
#[derive(Clone, Debug)]
pub struct NewStaff {
    pub subject: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub structure_id: StructureId,
}

/// Input of `update`: the fields to change, and the version they were based on.
#[derive(Clone, Debug)]
pub struct StaffChanges {
    pub id: StaffId,
    pub version: i32,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub structure_id: Option<StructureId>,
}

/// Filters of the staff list; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct StaffFilter {
    pub structure_id: Option<StructureId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}
