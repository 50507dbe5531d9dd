//! Tenants (PLIE territories; `parcours_domain::tenants`) as the schema shows them: the
//! `Tenant` and the `Commune`s of its perimeter, the `tenant` and `tenants` queries, and the
//! platform operator's mutations that create, suspend and reactivate a tenant. Rules stay in
//! the domain; resolvers only map.

mod commune;
mod mutations;
mod queries;
mod tenant;

pub use commune::CommuneObj;
pub(crate) use commune::summary_suffices;
pub use mutations::TenantMutation;
pub use queries::TenantQuery;
pub use tenant::TenantObj;
