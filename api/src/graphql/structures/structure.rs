//! The `Structure` object: an organisation of the tenant, what kind it is
//! (`StructureKind`), and its staff.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::staff::{self, StaffFilter};
use parcours_domain::structures::{self, Structure};

use crate::graphql::staff::{Role, StaffMemberObj};
use crate::graphql::{Conn, GqlResult, ids, req, tagged_connection, tagged_page_request};

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
        let tag = ids::ListTag::of_child(ctx, self.0.id.0);
        let page = tagged_page_request(ctx, tag, first, after).gql(ctx)?;
        let filter = StaffFilter {
            structure_id: Some(self.0.id),
            role: role.map(Into::into),
            active,
        };
        let page = staff::list(&r.tx, &r.principal, &filter, page)
            .await
            .gql(ctx)?;
        Ok(tagged_connection(tag, page, |s| s.id.0, StaffMemberObj))
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
