//! Staff members of a tenant.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::ids::{StaffId, StructureId};
use parcours_domain::staff::{self, NewStaff, StaffChanges, StaffFilter, StaffMember};
use parcours_domain::{DomainError, Role as DomainRole};

use super::structures::StructureObj;
use super::{Conn, GqlResult, StructureLoader, connection, ids, page_request, req};

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
        let loader = ctx.data_unchecked::<super::loaders::Loaded<StructureLoader>>();
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

#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// The staff of the caller's tenant, in creation order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only staff of this structure.")] structure_id: Option<ID>,
        #[graphql(desc = "Only staff with this role.")] role: Option<Role>,
        #[graphql(desc = "Only active (true) or deactivated (false) staff.")] active: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<StaffMemberObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let structure_id = structure_id
            .map(|id| ids::decode(&id, "Structure", "structure").map(StructureId))
            .transpose()
            .gql(ctx)?;
        let filter = StaffFilter {
            structure_id,
            role: role.map(Into::into),
            active,
        };
        let page = staff::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, StaffMemberObj)))
    }
}

/// Input of `inviteStaff`.
#[derive(InputObject)]
pub struct InviteStaffInput {
    /// The `sub` claim their tokens will carry (unique within the tenant). 1 to 255
    /// characters, one line, without spaces; kept exactly as given (not normalised).
    subject: String,
    /// Display name: 1 to 200 characters, one line.
    display_name: String,
    /// E-mail address (unique within the tenant): at most 254 characters, one line, stored
    /// lowercased.
    email: String,
    /// Role: steering, referent or provider.
    role: Role,
    /// The structure they work for; its kind must employ the role.
    structure_id: ID,
}

/// Result of `inviteStaff`.
#[derive(SimpleObject)]
pub struct InviteStaffPayload {
    /// The new staff member.
    staff_member: StaffMemberObj,
}

/// Input of `updateStaff`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateStaffInput {
    /// The staff member's global ID.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: i32,
    /// New display name: 1 to 200 characters, one line.
    display_name: Option<String>,
    /// New e-mail address: at most 254 characters, one line, stored lowercased.
    email: Option<String>,
    /// New structure; its kind must employ the staff member's role.
    structure_id: Option<ID>,
}

/// Result of `updateStaff`.
#[derive(SimpleObject)]
pub struct UpdateStaffPayload {
    /// The staff member after the change.
    staff_member: StaffMemberObj,
}

/// Input of `deactivateStaff`.
#[derive(InputObject)]
pub struct DeactivateStaffInput {
    /// The staff member's global ID.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: i32,
}

/// Result of `deactivateStaff`.
#[derive(SimpleObject)]
pub struct DeactivateStaffPayload {
    /// The staff member after the change.
    staff_member: StaffMemberObj,
}

fn staff_id(id: &ID) -> Result<StaffId, DomainError> {
    ids::decode(id, "StaffMember", "staff member").map(StaffId)
}

fn structure_id(id: &ID) -> Result<StructureId, DomainError> {
    ids::decode(id, "Structure", "structure").map(StructureId)
}

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Record a staff member and the subject their tokens will carry. Steering only.
    async fn invite_staff(
        &self,
        ctx: &Context<'_>,
        input: InviteStaffInput,
    ) -> async_graphql::Result<Option<InviteStaffPayload>> {
        let r = req(ctx);
        let new = NewStaff {
            subject: input.subject,
            display_name: input.display_name,
            email: input.email,
            role: input.role.into(),
            structure_id: structure_id(&input.structure_id).gql(ctx)?,
        };
        let member = staff::invite(&r.tx, &r.principal, new).await.gql(ctx)?;
        Ok(Some(InviteStaffPayload {
            staff_member: StaffMemberObj(member),
        }))
    }

    /// Change a staff member's name, e-mail or structure. Steering only.
    async fn update_staff(
        &self,
        ctx: &Context<'_>,
        input: UpdateStaffInput,
    ) -> async_graphql::Result<Option<UpdateStaffPayload>> {
        let r = req(ctx);
        let changes = StaffChanges {
            id: staff_id(&input.id).gql(ctx)?,
            version: input.version,
            display_name: input.display_name,
            email: input.email,
            structure_id: input
                .structure_id
                .as_ref()
                .map(structure_id)
                .transpose()
                .gql(ctx)?,
        };
        let member = staff::update(&r.tx, &r.principal, changes).await.gql(ctx)?;
        Ok(Some(UpdateStaffPayload {
            staff_member: StaffMemberObj(member),
        }))
    }

    /// Deactivate a staff member: their tokens are refused from now on. Steering only; nobody
    /// deactivates themselves.
    async fn deactivate_staff(
        &self,
        ctx: &Context<'_>,
        input: DeactivateStaffInput,
    ) -> async_graphql::Result<Option<DeactivateStaffPayload>> {
        let r = req(ctx);
        let id = staff_id(&input.id).gql(ctx)?;
        let member = staff::deactivate(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(DeactivateStaffPayload {
            staff_member: StaffMemberObj(member),
        }))
    }
}
