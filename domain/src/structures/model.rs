//! Read models and inputs of structures.

use chrono::{DateTime, Utc};

use crate::error::DomainError;
use crate::ids::StructureId;
use crate::principal::Role;

/// What a structure is in the PLIE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StructureKind {
    /// The body that runs the PLIE (structure d'animation).
    SteeringBody,
    /// Employs path referents.
    ReferentCarrier,
    /// Answers calls for projects and runs actions.
    Provider,
    /// Other partner (no staff accounts).
    Partner,
}

impl StructureKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SteeringBody => "steering_body",
            Self::ReferentCarrier => "referent_carrier",
            Self::Provider => "provider",
            Self::Partner => "partner",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "steering_body" => Ok(Self::SteeringBody),
            "referent_carrier" => Ok(Self::ReferentCarrier),
            "provider" => Ok(Self::Provider),
            "partner" => Ok(Self::Partner),
            other => Err(DomainError::Internal(format!(
                "unknown structure kind {other}"
            ))),
        }
    }

    /// The one staff role this kind of structure employs, if any.
    pub fn staff_role(self) -> Option<Role> {
        match self {
            Self::SteeringBody => Some(Role::Steering),
            Self::ReferentCarrier => Some(Role::Referent),
            Self::Provider => Some(Role::Provider),
            Self::Partner => None,
        }
    }
}

/// A structure of a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Structure {
    pub id: StructureId,
    pub name: String,
    pub kind: StructureKind,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Input of `create`.
#[derive(Clone, Debug)]
pub struct NewStructure {
    pub name: String,
    pub kind: StructureKind,
}

/// Input of `update`: the fields to change, and the version they were based on.
#[derive(Clone, Debug)]
pub struct StructureChanges {
    pub id: StructureId,
    pub version: i32,
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// Filters of the structure list.
#[derive(Clone, Debug, Default)]
pub struct StructureFilter {
    pub kind: Option<StructureKind>,
}
