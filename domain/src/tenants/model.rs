//! Read models and inputs of tenants.

use chrono::{DateTime, Utc};

use crate::ids::{CommuneId, TenantId};
use crate::staff::StaffMember;
use crate::structures::Structure;

/// Whether a tenant's staff may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

/// A tenant: one PLIE territory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The share of CléA points (percent) a positioning must reach.
    pub clea_threshold_percent: i32,
    /// Months after the end of a path (exit or refusal) before the participant is anonymised.
    pub retention_months: i32,
}

/// A commune of a tenant's perimeter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commune {
    pub id: CommuneId,
    pub insee_code: Option<String>,
    pub name: String,
    pub priority_neighbourhoods: Vec<String>,
}

/// A commune as a list of participants shows it: everything but its priority neighbourhoods
/// (a JSON list the page would otherwise read and decode once per row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneSummary {
    pub id: CommuneId,
    pub insee_code: Option<String>,
    pub name: String,
}

/// The shapes a commune is read in: [`Commune`] whole, or its [`CommuneSummary`]; each names
/// its columns and decodes them by position ([`crate::db::rows`]).
pub trait CommuneShape:
    crate::db::rows::Shaped<Entity = crate::entities::commune::Entity> + Clone + 'static
{
    /// The commune's ID.
    fn id(&self) -> CommuneId;
}

impl CommuneShape for Commune {
    fn id(&self) -> CommuneId {
        self.id
    }
}

impl CommuneShape for CommuneSummary {
    fn id(&self) -> CommuneId {
        self.id
    }
}

/// Input: a commune of a new tenant.
#[derive(Clone, Debug)]
pub struct NewCommune {
    pub insee_code: Option<String>,
    pub name: String,
    pub priority_neighbourhoods: Vec<String>,
}

/// Input: the first steering account of a new tenant.
#[derive(Clone, Debug)]
pub struct FirstSteering {
    pub subject: String,
    pub display_name: String,
    pub email: String,
}

/// Input of `create`.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub communes: Vec<NewCommune>,
    pub steering_body_name: String,
    pub first_steering: FirstSteering,
}

/// What `create` made.
#[derive(Clone, Debug)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub steering_body: Structure,
    pub first_steering: StaffMember,
}
