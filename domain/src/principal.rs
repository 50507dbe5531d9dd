//! The acting principal: who is calling, in which tenant, with which role.

use std::str::FromStr;

use crate::error::DomainError;
use crate::ids::{StaffId, StructureId, TenantId};

/// A role, as carried by the `role` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Steering staff of one PLIE: everything inside their tenant.
    Steering,
    /// A path referent employed by a carrier structure.
    Referent,
    /// A provider (partner organisation running actions).
    Provider,
    /// The platform operator: tenants only, no participant data.
    Admin,
}

impl Role {
    /// The claim and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Steering => "steering",
            Role::Referent => "referent",
            Role::Provider => "provider",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "steering" => Ok(Role::Steering),
            "referent" => Ok(Role::Referent),
            "provider" => Ok(Role::Provider),
            "admin" => Ok(Role::Admin),
            _ => Err(DomainError::validation(
                "role",
                "must be steering, referent, provider or admin",
            )),
        }
    }
}

/// The tenant a principal acts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantScope {
    pub id: TenantId,
    pub slug: String,
}

/// An authenticated caller. Built only by [`crate::auth`], so holding one means its tenant is
/// active and, for tenant roles, its staff record is active with this role and structure.
#[derive(Clone, Debug)]
pub struct Principal {
    pub(crate) subject: String,
    pub(crate) role: Role,
    pub(crate) tenant: Option<TenantScope>,
    pub(crate) structure: Option<StructureId>,
    pub(crate) staff: Option<StaffId>,
    pub(crate) request_id: Option<String>,
}

impl Principal {
    /// The `sub` claim.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The role claim.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The tenant, absent for `admin`.
    pub fn tenant(&self) -> Option<&TenantScope> {
        self.tenant.as_ref()
    }

    /// The structure the principal works for, if any.
    pub fn structure(&self) -> Option<StructureId> {
        self.structure
    }

    /// The staff record behind the principal, absent for `admin`.
    pub fn staff(&self) -> Option<StaffId> {
        self.staff
    }

    /// A job acting in `tenant` (retention, reminders): audited under `subject`.
    pub(crate) fn system(tenant: TenantScope, subject: &str, role: Role) -> Self {
        Self {
            subject: subject.to_owned(),
            role,
            tenant: Some(tenant),
            structure: None,
            staff: None,
            request_id: Some(subject.trim_start_matches("system:").to_owned()),
        }
    }

    /// The request this principal acts in, written into audit records.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The tenant of a tenant role; `admin` has none and sees no tenant data.
    pub fn tenant_id(&self) -> Result<TenantId, DomainError> {
        self.tenant
            .as_ref()
            .map(|t| t.id)
            .ok_or(DomainError::Forbidden(
                "the platform operator sees no tenant data",
            ))
    }

    /// Refuse unless the principal has one of `roles`.
    pub(crate) fn require(&self, roles: &[Role], what: &'static str) -> Result<(), DomainError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(what))
        }
    }
}
