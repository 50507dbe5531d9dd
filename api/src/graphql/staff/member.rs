//! The `StaffMember` object: a person who signs in to the tenant, with the `Role` their
//! tokens carry.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::staff::StaffMember;
use parcours_domain::{DomainError, Role as DomainRole};

use crate::graphql::StructureLoader;
use crate::graphql::loaders::Loaded;
use crate::graphql::structures::StructureObj;
use crate::graphql::{GqlResult, ids};

/// A role, as carried by the `role` claim of tokens.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Role {
    /// Steering staff of one PLIE: everything inside their tenant.
    Steering,
    /// A path referent, employed by a referent carrier.
    Referent,
    /// Staff of a provider structure.
    Provider,
    /// The platform operator: tenants only, no tenant data.
    Admin,
}

impl From<DomainRole> for Role {
    fn from(r: DomainRole) -> Self {
        match r {
            DomainRole::Steering => Self::Steering,
            DomainRole::Referent => Self::Referent,
            DomainRole::Provider => Self::Provider,
            DomainRole::Admin => Self::Admin,
        }
    }
}

impl From<Role> for DomainRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Steering => Self::Steering,
            Role::Referent => Self::Referent,
            Role::Provider => Self::Provider,
            Role::Admin => Self::Admin,
        }
    }
}

/// A person who signs in to the tenant.
pub struct StaffMemberObj(pub StaffMember);

#[Object(name = "StaffMember")]
impl StaffMemberObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("StaffMember", self.0.id.0)
    }
    /// The `sub` claim this person's tokens carry.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Display name.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// E-mail address (lowercase).
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Role; must match the token's `role` claim.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The structure this person works for.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObj> {
        let loader = ctx.data_unchecked::<Loaded<StructureLoader>>();
        let structure = loader.load_one(self.0.structure_id).await?;
        structure
            .map(StructureObj)
            .ok_or(DomainError::NotFound {
                entity: "structure",
            })
            .gql(ctx)
    }
    /// A deactivated staff member's tokens are refused.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When the staff member was invited.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the staff member last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version: pass it back when changing the staff member.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
