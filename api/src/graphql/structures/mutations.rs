//! Steering creates a structure (`createStructure`) and renames, deactivates or reactivates
//! one (`updateStructure`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::ids::StructureId;
use parcours_domain::structures::{self, NewStructure, StructureChanges};

use super::StructureObj;
use super::structure::StructureKind;
use crate::graphql::{GqlResult, ids, req};

/// Input of `createStructure`.
#[derive(InputObject)]
pub struct CreateStructureInput {
    /// Name (1 to 200 characters, unique within the tenant).
    name: String,
    /// What the structure is.
    kind: StructureKind,
}

/// Result of `createStructure`.
#[derive(SimpleObject)]
pub struct CreateStructurePayload {
    /// The new structure.
    structure: StructureObj,
}

/// Input of `updateStructure`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateStructureInput {
    /// The structure's global ID.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: i32,
    /// New name: 1 to 200 characters, one line.
    name: Option<String>,
    /// Deactivate (false) or reactivate (true).
    active: Option<bool>,
}

/// Result of `updateStructure`.
#[derive(SimpleObject)]
pub struct UpdateStructurePayload {
    /// The structure after the change.
    structure: StructureObj,
}

#[derive(Default)]
pub struct StructureMutation;

#[Object]
impl StructureMutation {
    /// Create a structure in the caller's tenant. Steering only.
    async fn create_structure(
        &self,
        ctx: &Context<'_>,
        input: CreateStructureInput,
    ) -> async_graphql::Result<Option<CreateStructurePayload>> {
        let r = req(ctx);
        let new = NewStructure {
            name: input.name,
            kind: input.kind.into(),
        };
        let structure = structures::create(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(CreateStructurePayload {
            structure: StructureObj(structure),
        }))
    }

    /// Rename, deactivate or reactivate a structure. Steering only.
    async fn update_structure(
        &self,
        ctx: &Context<'_>,
        input: UpdateStructureInput,
    ) -> async_graphql::Result<Option<UpdateStructurePayload>> {
        let r = req(ctx);
        let id = StructureId(ids::decode(&input.id, "Structure", "structure").gql(ctx)?);
        let changes = StructureChanges {
            id,
            version: input.version,
            name: input.name,
            active: input.active,
        };
        let structure = structures::update(&r.tx, &r.principal, changes)
            .await
            .gql(ctx)?;
        Ok(Some(UpdateStructurePayload {
            structure: StructureObj(structure),
        }))
    }
}
