//! Creating and editing structures (steering only), each in one audited transaction.

use super::model::{NewStructure, Structure, StructureChanges};
use super::policy;
use super::store;
use crate::audit::Action;
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::principal::Principal;
use crate::text::Name;

/// Create a structure in the principal's tenant.
pub async fn create(tx: &Tx, principal: &Principal, input: NewStructure) -> Result<Structure> {
    policy::require_creator(principal)?;
    let name = Name::parse("name", &input.name)?;
    let tx = tx.change(principal).await?;
    let structure = store::insert(&tx, name.into_inner(), input.kind).await?;
    tx.commit(action("structure.create", &structure)).await?;
    Ok(structure)
}

/// Rename, deactivate or reactivate a structure; refused with `CONFLICT` on a stale version.
pub async fn update(tx: &Tx, principal: &Principal, input: StructureChanges) -> Result<Structure> {
    policy::require_editor(principal)?;
    let name = input
        .name
        .as_deref()
        .map(|raw| Name::parse("name", raw))
        .transpose()?;
    let tx = tx.change(principal).await?;
    let current = store::find(&tx, input.id)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "structure",
        })?;
    if current.version != input.version {
        return Err(DomainError::stale("structure"));
    }
    if input.active == Some(false) && principal.structure() == Some(current.id) {
        return Err(DomainError::validation(
            "active",
            "you cannot deactivate your own structure",
        ));
    }
    let changed = Structure {
        name: name.map_or(current.name.clone(), Name::into_inner),
        active: input.active.unwrap_or(current.active),
        updated_at: tx.now(),
        version: current.version + 1,
        ..current
    };
    if !store::update(&tx, &changed, input.version).await? {
        return Err(DomainError::stale("structure"));
    }
    tx.commit(action("structure.update", &changed)).await?;
    Ok(changed)
}

fn action(name: &'static str, structure: &Structure) -> Action {
    Action {
        name,
        object_type: "Structure",
        object_id: structure.id.0,
    }
}
