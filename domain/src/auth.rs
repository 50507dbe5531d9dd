//! From verified token claims to a [`Principal`].
//!
//! The api verifies the signature and the standard claims; this module checks the claims against
//! the data: the tenant exists and is active, the subject is an active staff member of it with
//! this role, and the structure claim names that staff member's (active) structure. `admin`
//! tokens carry no tenant and no structure.

use std::ops::Not;

use uuid::Uuid;

use crate::db::{Db, Mode, Tx};
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

/// Begin the unit of work of the caller with `claims` (a request) and authenticate them in
/// its transaction. A tenant seen before begins in its scope at once (on PostgreSQL the
/// `BEGIN` and the `set_config` travel together), then one statement reads the tenant, the
/// staff member by subject and their structure; a tenant seen for the first time costs the
/// two statements of [`authenticate`]. On PostgreSQL that reading is kept for the next
/// requests of the same caller, and forgotten on every instance as soon as a tenant, a staff
/// member or a structure changes (`db/callers.rs`): a suspension or a deactivation takes effect
/// at the next request on the instance that made it, and within the notification's delivery
/// (milliseconds) on the others. Every request checks the reading
/// ([`admit`]), kept or not.
pub async fn begin(db: &Db, claims: Claims, mode: Mode) -> Result<(Tx, Principal)> {
    let shape = check_shape(&claims)?;
    let tenant = match (
        shape,
        db.known_tenant(claims.tenant.as_deref().unwrap_or_default()),
    ) {
        (Shape::Admin, _) | (Shape::Tenant, None) => {
            #[expect(clippy::disallowed_methods, reason = "the request's one transaction")]
            let tx = db.begin(mode).await?;
            return match authenticate(&tx, claims).await {
                Ok(principal) => Ok((tx, principal)),
                Err(err) => {
                    tx.rollback().await;
                    Err(err)
                }
            };
        }
        (Shape::Tenant, Some(tenant)) => tenant,
    };
    // Taken before the transaction's snapshot: a reading from a snapshot older than a change
    // must not be kept once that change has been forgotten (see `db/callers.rs`).
    let generation = db.callers().generation();
    let tx = db.begin_in(mode, tenant).await?;
    let signed_in = async {
        let (tenant, member) = staff::signing_in_at(&tx, tenant, &claims.subject, generation)
            .await?
            .ok_or(DomainError::Unauthenticated("unknown tenant"))?;
        tx.entered(tenant.clone());
        admit(claims, crate::tenants::to_tenant(tenant)?, member)
    };
    match signed_in.await {
        Ok(principal) => Ok((tx, principal)),
        Err(err) => {
            tx.rollback().await;
            Err(err)
        }
    }
}

/// [`begin`] the caller's unit of work, run `work` in it as the principal, then commit, or roll
/// back when `work` fails: a unit of work outside a request (a subscription's delivery).
pub async fn run<T>(
    db: &Db,
    claims: Claims,
    mode: Mode,
    work: impl AsyncFnOnce(&Tx, &Principal) -> Result<T>,
) -> Result<T> {
    let (tx, principal) = begin(db, claims, mode).await?;
    let outcome = work(&tx, &principal).await;
    tx.end(outcome).await
}

/// What a token is, from its claims alone.
#[derive(Clone, Copy)]
enum Shape {
    Admin,
    Tenant,
}

fn check_shape(claims: &Claims) -> Result<Shape> {
    use DomainError::Unauthenticated as Refused;
    if claims.subject.is_empty() {
        return Err(Refused("the token has an empty subject"));
    }
    // Claims are text from outside like any other: checked before they reach a query (a NUL
    // would reach PostgreSQL as an invalid byte sequence).
    if crate::text::Subject::parse("sub", &claims.subject)
        .is_ok_and(|s| s.as_str() == claims.subject)
        .not()
    {
        return Err(Refused("the subject is not plain text"));
    }
    if let Some(slug) = &claims.tenant
        && crate::text::Slug::parse("tenant", slug).is_err()
    {
        return Err(Refused("unknown tenant"));
    }
    if claims.role == Role::Admin {
        if claims.tenant.is_some() || claims.structure.is_some() {
            return Err(Refused(
                "a platform operator token carries no tenant or structure",
            ));
        }
        return Ok(Shape::Admin);
    }
    if claims.tenant.is_none() {
        return Err(Refused("the token carries no tenant"));
    }
    if matches!(claims.role, Role::Referent | Role::Provider) && claims.structure.is_none() {
        return Err(Refused("referent and provider tokens carry a structure"));
    }
    Ok(Shape::Tenant)
}

/// Check `claims` against the data, inside the unit of work's transaction, and build the
/// principal. Two statements for a tenant role, whatever the role: the tenant by its slug (on
/// PostgreSQL the same statement enters the tenant's row-level-security scope, and the tenant's
/// row is kept for the transaction's settings), then the staff member by subject with their
/// structure. A suspension or a deactivation therefore takes effect at the next request.
pub async fn authenticate(tx: &Tx, claims: Claims) -> Result<Principal> {
    use DomainError::Unauthenticated as Refused;
    if let Shape::Admin = check_shape(&claims)? {
        return Ok(Principal {
            subject: claims.subject,
            role: Role::Admin,
            tenant: None,
            structure: None,
            staff: None,
            request_id: None,
        });
    }
    let slug = claims.tenant.clone().unwrap_or_default();
    let tenant = tenants::enter_by_slug(tx, &slug)
        .await?
        .ok_or(Refused("unknown tenant"))?;
    tx.db().remember_tenant(&slug, tenant.id);
    let scope = tx.registry().enter(tenant.id).await?;
    let member = staff::find_signing_in(&scope, &claims.subject).await?;
    admit(claims, tenant, member)
}

/// The principal of `claims`, once the tenant and the staff member they name are read.
fn admit(
    claims: Claims,
    tenant: tenants::Tenant,
    member: Option<(staff::StaffMember, Option<bool>)>,
) -> Result<Principal> {
    use DomainError::Unauthenticated as Refused;
    if tenant.status != TenantStatus::Active {
        return Err(Refused("this tenant is suspended"));
    }
    let (member, structure_active) =
        member.ok_or(Refused("no staff member of this tenant has this subject"))?;
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
