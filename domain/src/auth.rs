//! From verified token claims to a [`Principal`].
//!
//! The api verifies the signature and the standard claims; this module checks the claims against
//! the data: the tenant exists and is active, the subject is an active staff member of it with
//! this role, and the structure claim names that staff member's (active) structure. `admin`
//! tokens carry no tenant and no structure.

use uuid::Uuid;

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::StructureId;
use crate::principal::{Principal, Role, TenantScope};
use crate::staff;
use crate::tenants::{self, TenantStatus};

/// The Parcours claims of a verified token.
#[derive(Clone, Debug)]
pub struct Claims {
    pub subject: String,
    pub role: Role,
    pub tenant: Option<String>,
    pub structure: Option<Uuid>,
}

/// Check `claims` against the data, inside the unit of work's transaction, and build the
/// principal. Two statements for a tenant role, whatever the role: the tenant by its slug (on
/// PostgreSQL the same statement enters the tenant's row-level-security scope, and the tenant's
/// row is kept for the transaction's settings), then the staff member by subject with their
/// structure. A suspension or a deactivation therefore takes effect at the next request.
pub async fn authenticate(tx: &Tx, claims: Claims) -> Result<Principal> {
    use DomainError::Unauthenticated as Refused;
    if claims.subject.is_empty() {
        return Err(Refused("the token has an empty subject"));
    }
    if claims.role == Role::Admin {
        if claims.tenant.is_some() || claims.structure.is_some() {
            return Err(Refused(
                "a platform operator token carries no tenant or structure",
            ));
        }
        return Ok(Principal {
            subject: claims.subject,
            role: Role::Admin,
            tenant: None,
            structure: None,
            staff: None,
            request_id: None,
        });
    }
    let slug = claims
        .tenant
        .ok_or(Refused("the token carries no tenant"))?;
    if matches!(claims.role, Role::Referent | Role::Provider) && claims.structure.is_none() {
        return Err(Refused("referent and provider tokens carry a structure"));
    }

    let tenant = tenants::enter_by_slug(tx, &slug)
        .await?
        .ok_or(Refused("unknown tenant"))?;
    if tenant.status != TenantStatus::Active {
        return Err(Refused("this tenant is suspended"));
    }
    let scope = tx.registry().enter(tenant.id).await?;
    let (member, structure_active) = staff::find_signing_in(&scope, &claims.subject)
        .await?
        .ok_or(Refused("no staff member of this tenant has this subject"))?;
    if !member.active {
        return Err(Refused("this staff member is deactivated"));
    }
    if member.role != claims.role {
        return Err(Refused("the role claim does not match the staff record"));
    }
    if claims
        .structure
        .is_some_and(|s| StructureId(s) != member.structure_id)
    {
        return Err(Refused(
            "the structure claim does not match the staff record",
        ));
    }
    match structure_active {
        None => return Err(Refused("the staff member's structure does not exist")),
        Some(false) => return Err(Refused("the staff member's structure is deactivated")),
        Some(true) => {}
    }
    Ok(Principal {
        subject: claims.subject,
        role: claims.role,
        tenant: Some(TenantScope {
            id: tenant.id,
            slug: tenant.slug,
        }),
        structure: Some(member.structure_id),
        staff: Some(member.id),
        request_id: None,
    })
}
