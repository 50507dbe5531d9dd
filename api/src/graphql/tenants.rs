//! Tenants (PLIE territories) and their communes.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::ids::TenantId;
use parcours_domain::tenants::{self, Commune, FirstSteering, NewCommune, NewTenant, Tenant};

use super::staff::StaffMemberObj;
use super::structures::StructureObj;
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// Whether a tenant's staff may sign in.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum TenantStatus {
    /// Staff sign in normally.
    Active,
    /// Every token of this tenant is refused; the data is kept.
    Suspended,
}

/// A tenant: one PLIE territory sharing this instance.
pub struct TenantObj(pub Tenant);

#[Object(name = "Tenant")]
impl TenantObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Tenant", self.0.id.0)
    }
    /// The slug carried by the `tenant` claim of this tenant's tokens.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name, e.g. "PLIE de l'agglomération dijonnaise".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Active or suspended.
    async fn status(&self) -> TenantStatus {
        match self.0.status {
            tenants::TenantStatus::Active => TenantStatus::Active,
            tenants::TenantStatus::Suspended => TenantStatus::Suspended,
        }
    }
    /// The communes of the territory's perimeter, by name (at most 500).
    async fn communes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CommuneObj>> {
        let r = req(ctx);
        let communes = tenants::communes(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(communes.into_iter().map(CommuneObj::from).collect())
    }
    /// When the tenant was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the tenant last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The share of CléA points (percent) a positioning must reach (75 by default).
    async fn clea_threshold_percent(&self) -> i32 {
        self.0.clea_threshold_percent
    }
    /// Months after the end of a path (exit or refused entry) before the retention job
    /// anonymises the participant.
    async fn retention_months(&self) -> i32 {
        self.0.retention_months
    }
    /// Optimistic-concurrency version: pass it back when changing the tenant.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A commune of a tenant's perimeter.
pub struct CommuneObj(pub Commune);

#[Object(name = "Commune")]
impl CommuneObj {
    /// Global ID (what `communeId` inputs take).
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Commune", self.0.id.0)
    }
    /// INSEE code, where known (e.g. 21231 for Dijon).
    async fn insee_code(&self) -> Option<&str> {
        self.0.insee_code.as_deref()
    }
    /// Name, e.g. "Chenôve".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Priority neighbourhoods (QPV) of the commune, where known.
    async fn priority_neighbourhoods(&self) -> &[String] {
        &self.0.priority_neighbourhoods
    }
}

impl From<Commune> for CommuneObj {
    fn from(c: Commune) -> Self {
        Self(c)
    }
}

#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// The caller's own tenant. The platform operator has none (`FORBIDDEN`).
    async fn tenant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TenantObj>> {
        let r = req(ctx);
        let tenant = tenants::current(&r.tx, &r.principal).await.gql(ctx)?;
        Ok(Some(TenantObj(tenant)))
    }

    /// Every tenant of the platform. Platform operator only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<TenantObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = tenants::list(&r.tx, &r.principal, page).await.gql(ctx)?;
        Ok(Some(connection(ctx, page, |t| t.id.0, TenantObj)))
    }
}

/// A commune of a new tenant.
#[derive(InputObject)]
pub struct CommuneInput {
    /// INSEE code, where known: five characters (2A/2B for Corsica).
    insee_code: Option<String>,
    /// Name (1 to 200 characters, unique in the perimeter).
    name: String,
    /// Priority neighbourhoods (QPV), where known (at most 50). Each 1 to 200 characters, one
    /// line.
    #[graphql(default)]
    priority_neighbourhoods: Vec<String>,
}

/// The first steering account of a new tenant.
#[derive(InputObject)]
pub struct FirstSteeringInput {
    /// The `sub` claim their tokens will carry. 1 to 255 characters, one line, without
    /// spaces; kept exactly as given (not normalised).
    subject: String,
    /// Display name: 1 to 200 characters, one line.
    display_name: String,
    /// E-mail address: at most 254 characters, one line, stored lowercased.
    email: String,
}

/// Input of `createTenant`.
#[derive(InputObject)]
pub struct CreateTenantInput {
    /// Slug carried by the `tenant` claim: 2 to 63 lowercase letters, digits, inner hyphens.
    /// ASCII only, so 2 to 63 characters, one line.
    slug: String,
    /// Display name: 1 to 200 characters, one line.
    name: String,
    /// The communes of the perimeter (1 to 500).
    communes: Vec<CommuneInput>,
    /// Name of the steering body (structure d'animation) created with the tenant: 1 to 200
    /// characters, one line.
    steering_body_name: String,
    /// The first steering account.
    first_steering: FirstSteeringInput,
}

/// Result of `createTenant`.
#[derive(SimpleObject)]
pub struct CreateTenantPayload {
    /// The new tenant.
    tenant: TenantObj,
    /// Its steering body.
    steering_body: StructureObj,
    /// Its first steering account.
    first_steering: StaffMemberObj,
}

/// Input of `suspendTenant` and `reactivateTenant`.
#[derive(InputObject)]
pub struct TenantStatusInput {
    /// The tenant's global ID.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: Option<i32>,
}

/// Result of `suspendTenant` and `reactivateTenant`.
#[derive(SimpleObject)]
pub struct TenantStatusPayload {
    /// The tenant after the change.
    tenant: TenantObj,
}

#[derive(Default)]
pub struct TenantMutation;

#[Object]
impl TenantMutation {
    /// Create a tenant with its communes, steering body and first steering account.
    /// Platform operator only.
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: CreateTenantInput,
    ) -> async_graphql::Result<Option<CreateTenantPayload>> {
        let r = req(ctx);
        let new = NewTenant {
            slug: input.slug,
            name: input.name,
            communes: input
                .communes
                .into_iter()
                .map(|c| NewCommune {
                    insee_code: c.insee_code,
                    name: c.name,
                    priority_neighbourhoods: c.priority_neighbourhoods,
                })
                .collect(),
            steering_body_name: input.steering_body_name,
            first_steering: FirstSteering {
                subject: input.first_steering.subject,
                display_name: input.first_steering.display_name,
                email: input.first_steering.email,
            },
        };
        let created = tenants::create(&r.tx, &r.principal, new).await.gql(ctx)?;
        Ok(Some(CreateTenantPayload {
            tenant: TenantObj(created.tenant),
            steering_body: StructureObj(created.steering_body),
            first_steering: StaffMemberObj(created.first_steering),
        }))
    }

    /// Suspend a tenant: its tokens are refused until it is reactivated. Platform operator only.
    async fn suspend_tenant(
        &self,
        ctx: &Context<'_>,
        input: TenantStatusInput,
    ) -> async_graphql::Result<Option<TenantStatusPayload>> {
        let r = req(ctx);
        let id = TenantId(ids::decode(&input.id, "Tenant", "tenant").gql(ctx)?);
        let tenant = tenants::suspend(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(TenantStatusPayload {
            tenant: TenantObj(tenant),
        }))
    }

    /// Reactivate a suspended tenant. Platform operator only.
    async fn reactivate_tenant(
        &self,
        ctx: &Context<'_>,
        input: TenantStatusInput,
    ) -> async_graphql::Result<Option<TenantStatusPayload>> {
        let r = req(ctx);
        let id = TenantId(ids::decode(&input.id, "Tenant", "tenant").gql(ctx)?);
        let tenant = tenants::reactivate(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(TenantStatusPayload {
            tenant: TenantObj(tenant),
        }))
    }
}
