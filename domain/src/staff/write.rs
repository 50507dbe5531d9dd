//! Inviting, editing and deactivating staff (steering only), each in one audited transaction.

use super::model::{NewStaff, StaffChanges, StaffMember};
use super::policy;
use super::store;
use crate::audit::Action;
use crate::db::{Change, TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{StaffId, StructureId};
use crate::principal::{Principal, Role};
use crate::structures;
use crate::text::{Email, Name, Subject};

/// Record a staff member and the subject their tokens will carry.
pub async fn invite(tx: &Tx, principal: &Principal, input: NewStaff) -> Result<StaffMember> {
    policy::require_inviter(principal)?;
    let tx = tx.change(principal).await?;
    let member = insert_checked(&tx, input).await?;
    tx.commit(action("staff.invite", member.id)).await?;
    Ok(member)
}

/// Check `input` and insert it in the transaction's tenant (also used when creating a tenant).
pub(crate) async fn insert_checked(tx: &Change, input: NewStaff) -> Result<StaffMember> {
    let subject = Subject::parse("subject", &input.subject)?;
    let display_name = Name::parse("displayName", &input.display_name)?;
    let email = Email::parse("email", &input.email)?;
    if input.role == Role::Admin {
        return Err(DomainError::validation(
            "role",
            "platform operators are not staff of a tenant",
        ));
    }
    check_structure(tx, input.structure_id, input.role).await?;
    let member = StaffMember {
        id: StaffId::generate(),
        subject: subject.into_inner(),
        display_name: display_name.into_inner(),
        email: email.into_inner(),
        role: input.role,
        structure_id: input.structure_id,
        active: true,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    store::insert(tx, &member).await?;
    Ok(member)
}

/// Change a staff member's name, e-mail or structure; `CONFLICT` on a stale version.
pub async fn update(tx: &Tx, principal: &Principal, input: StaffChanges) -> Result<StaffMember> {
    policy::require_editor(principal)?;
    let display_name = input
        .display_name
        .as_deref()
        .map(|raw| Name::parse("displayName", raw))
        .transpose()?;
    let email = input
        .email
        .as_deref()
        .map(|raw| Email::parse("email", raw))
        .transpose()?;
    let tx = tx.change(principal).await?;
    let current = current(&tx, input.id, input.version).await?;
    if let Some(structure) = input.structure_id {
        check_structure(&tx, structure, current.role).await?;
    }
    let changed = StaffMember {
        display_name: display_name.map_or(current.display_name.clone(), Name::into_inner),
        email: email.map_or(current.email.clone(), Email::into_inner),
        structure_id: input.structure_id.unwrap_or(current.structure_id),
        ..current.clone()
    };
    save(tx, current, changed, "staff.update").await
}

/// Deactivate a staff member: their tokens are refused from now on.
pub async fn deactivate(
    tx: &Tx,
    principal: &Principal,
    id: StaffId,
    version: i32,
) -> Result<StaffMember> {
    policy::require_deactivator(principal)?;
    if principal.staff() == Some(id) {
        return Err(DomainError::validation(
            "id",
            "you cannot deactivate yourself; ask another steering staff member",
        ));
    }
    let tx = tx.change(principal).await?;
    let current = current(&tx, id, version).await?;
    if !current.active {
        return Err(DomainError::Conflict(
            "this staff member is already deactivated".into(),
        ));
    }
    let changed = StaffMember {
        active: false,
        ..current.clone()
    };
    save(tx, current, changed, "staff.deactivate").await
}

async fn current(tx: &TenantTx, id: StaffId, version: i32) -> Result<StaffMember> {
    let current = store::find(tx, id).await?.ok_or(DomainError::NotFound {
        entity: "staff member",
    })?;
    if current.version != version {
        return Err(DomainError::stale("staff member"));
    }
    Ok(current)
}

async fn save(
    tx: Change,
    current: StaffMember,
    changed: StaffMember,
    name: &'static str,
) -> Result<StaffMember> {
    let changed = StaffMember {
        updated_at: tx.now(),
        version: current.version + 1,
        ..changed
    };
    if !store::update(&tx, &changed, current.version).await? {
        return Err(DomainError::stale("staff member"));
    }
    tx.commit(action(name, changed.id)).await?;
    Ok(changed)
}

/// The structure must exist in this tenant and employ `role`.
async fn check_structure(tx: &TenantTx, id: StructureId, role: Role) -> Result<()> {
    let structure = structures::find_in(tx, id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "structure",
        })?;
    if structure.kind.staff_role() != Some(role) {
        return Err(DomainError::validation(
            "structureId",
            format!(
                "a {} structure does not employ {} staff",
                structure.kind.as_str(),
                role.as_str()
            ),
        ));
    }
    Ok(())
}

fn action(name: &'static str, id: StaffId) -> Action {
    Action {
        name,
        object_type: "StaffMember",
        object_id: id.0,
    }
}
