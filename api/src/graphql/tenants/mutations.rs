//! The platform operator creates a tenant with its communes, steering body and first steering
//! account (`createTenant`), and suspends or reactivates one.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::ids::TenantId;
use parcours_domain::tenants::{self, FirstSteering, NewCommune, NewTenant};

use super::TenantObj;
use crate::graphql::staff::StaffMemberObj;
use crate::graphql::structures::StructureObj;
use crate::graphql::{GqlResult, ids, req};

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
