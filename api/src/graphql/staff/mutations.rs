//! Steering invites a staff member (`inviteStaff`), changes their name, e-mail or structure
//! (`updateStaff`) and deactivates them (`deactivateStaff`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::ids::StructureId;
use parcours_domain::staff::{self, NewStaff, StaffChanges};

use super::{Role, StaffMemberObj, staff_id};
use crate::graphql::{GqlResult, ids, req};

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
