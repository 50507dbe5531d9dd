//! Structures of a tenant.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::ids::StructureId;
use parcours_domain::staff::{self, StaffFilter};
use parcours_domain::structures::{
    self, NewStructure, Structure, StructureChanges, StructureFilter,
};

use super::staff::{Role, StaffMemberObj};
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// What a structure is in the PLIE.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum StructureKind {
    /// The body that runs the PLIE (structure d'animation); employs steering staff.
    SteeringBody,
    /// Employs path referents.
    ReferentCarrier,
    /// Answers calls for projects and runs actions; employs provider staff.
    Provider,
    /// Another partner; employs no staff of this service.
    Partner,
}

impl From<structures::StructureKind> for StructureKind {
    fn from(k: structures::StructureKind) -> Self {
        match k {
            structures::StructureKind::SteeringBody => Self::SteeringBody,
            structures::StructureKind::ReferentCarrier => Self::ReferentCarrier,
            structures::StructureKind::Provider => Self::Provider,
            structures::StructureKind::Partner => Self::Partner,
        }
    }
}

impl From<StructureKind> for structures::StructureKind {
    fn from(k: StructureKind) -> Self {
        match k {
            StructureKind::SteeringBody => Self::SteeringBody,
            StructureKind::ReferentCarrier => Self::ReferentCarrier,
            StructureKind::Provider => Self::Provider,
            StructureKind::Partner => Self::Partner,
        }
    }
}

/// An organisation of the tenant: steering body, referent carrier, provider or partner.
pub struct StructureObj(pub Structure);

#[Object(name = "Structure")]
impl StructureObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Structure", self.0.id.0)
    }
    /// Name, unique within the tenant.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the structure is; decides which staff role it employs.
    async fn kind(&self) -> StructureKind {
        self.0.kind.into()
    }
    /// A deactivated structure's staff cannot sign in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The structure's staff, in creation order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only staff with this role.")] role: Option<Role>,
        #[graphql(desc = "Only active (true) or deactivated (false) staff.")] active: Option<bool>,
    ) -> async_graphql::Result<Conn<StaffMemberObj>> {
        let r = req(ctx);
        // This structure's list: another structure's staff list refuses its cursors.
        let tag = super::ids::ListTag::of_child(ctx, self.0.id.0);
        let page = super::tagged_page_request(ctx, tag, first, after).gql(ctx)?;
        let filter = StaffFilter {
            structure_id: Some(self.0.id),
            role: role.map(Into::into),
            active,
        };
        let page = staff::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(super::tagged_connection(
            tag,
            page,
            |s| s.id.0,
            StaffMemberObj,
        ))
    }
    /// When the structure was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the structure last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version: pass it back when changing the structure.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct StructureQuery;

#[Object]
impl StructureQuery {
    /// The structures of the caller's tenant, in creation order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn structures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only structures of this kind.")] kind: Option<StructureKind>,
    ) -> async_graphql::Result<Option<Conn<StructureObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = StructureFilter {
            kind: kind.map(Into::into),
        };
        let page = structures::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, StructureObj)))
    }
}

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
