//! Creating, suspending and reactivating tenants (`admin` only), each in one audited
//! transaction. Audit entries of these actions belong to the tenant they act on.

use std::collections::HashSet;

use super::model::{Commune, CreatedTenant, NewTenant, Tenant, TenantStatus};
use super::policy;
use super::store;
use crate::audit::Action;
use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::{CommuneId, TenantId};
use crate::principal::{Principal, Role};
use crate::staff::{self, NewStaff};
use crate::structures::{self, StructureKind};
use crate::text::{InseeCode, Name, Slug};

/// The largest perimeter accepted (the biggest French intercommunality has under 200 communes).
pub const MAX_COMMUNES: usize = 500;
const MAX_NEIGHBOURHOODS: usize = 50;

/// Create a tenant with its communes, its steering body and its first steering account.
pub async fn create(tx: &Tx, principal: &Principal, input: NewTenant) -> Result<CreatedTenant> {
    policy::require_creator(principal)?;
    let slug = Slug::parse("slug", &input.slug)?;
    let name = Name::parse("name", &input.name)?;
    let steering_body_name = Name::parse("steeringBodyName", &input.steering_body_name)?;
    let communes = parse_communes(&input)?;

    let registry = tx.platform(principal)?;
    let tenant = Tenant {
        id: TenantId::generate(),
        slug: slug.into_inner(),
        name: name.into_inner(),
        status: TenantStatus::Active,
        created_at: registry.now(),
        updated_at: registry.now(),
        version: 1,
        clea_threshold_percent: 75,
        retention_months: 24,
    };
    // The change is opened first: a tenant whose creation fails leaves no registry row.
    let tx = registry.enter(tenant.id).await?.change(principal).await?;
    store::insert(&registry, &tenant).await?;
    store::insert_communes(&tx, &communes).await?;
    let steering_body = structures::insert_in(
        &tx,
        steering_body_name.into_inner(),
        StructureKind::SteeringBody,
    )
    .await?;
    let first = input.first_steering;
    let first_steering = staff::insert_checked(
        &tx,
        NewStaff {
            subject: first.subject,
            display_name: first.display_name,
            email: first.email,
            role: Role::Steering,
            structure_id: steering_body.id,
        },
    )
    .await
    .map_err(|err| prefix_field(err, "firstSteering"))?;
    tx.commit(tenant_action("tenant.create", tenant.id)).await?;
    Ok(CreatedTenant {
        tenant,
        steering_body,
        first_steering,
    })
}

/// Suspend a tenant: its staff's tokens are refused until it is reactivated. Data is kept.
pub async fn suspend(
    tx: &Tx,
    principal: &Principal,
    id: TenantId,
    version: Option<i32>,
) -> Result<Tenant> {
    set_status(tx, principal, id, version, TenantStatus::Suspended).await
}

/// Reactivate a suspended tenant.
pub async fn reactivate(
    tx: &Tx,
    principal: &Principal,
    id: TenantId,
    version: Option<i32>,
) -> Result<Tenant> {
    set_status(tx, principal, id, version, TenantStatus::Active).await
}

async fn set_status(
    tx: &Tx,
    principal: &Principal,
    id: TenantId,
    version: Option<i32>,
    status: TenantStatus,
) -> Result<Tenant> {
    policy::require_status_changer(principal)?;
    let registry = tx.platform(principal)?;
    let tx = registry.enter(id).await?.change(principal).await?;
    let current = store::find(&registry, id)
        .await?
        .ok_or(DomainError::NotFound { entity: "tenant" })?;
    if version.is_some_and(|v| v != current.version) {
        return Err(DomainError::stale("tenant"));
    }
    if current.status == status {
        return Err(DomainError::Conflict(format!(
            "the tenant is already {}",
            status.as_str()
        )));
    }
    let changed = Tenant {
        status,
        updated_at: tx.now(),
        version: current.version + 1,
        ..current.clone()
    };
    if !store::set_status(&registry, &changed, current.version).await? {
        return Err(DomainError::stale("tenant"));
    }
    let name = match status {
        TenantStatus::Suspended => "tenant.suspend",
        TenantStatus::Active => "tenant.reactivate",
    };
    tx.commit(tenant_action(name, id)).await?;
    Ok(changed)
}

fn parse_communes(input: &NewTenant) -> Result<Vec<Commune>> {
    if input.communes.is_empty() || input.communes.len() > MAX_COMMUNES {
        return Err(DomainError::validation(
            "communes",
            format!("a perimeter has 1 to {MAX_COMMUNES} communes"),
        ));
    }
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    let mut out = Vec::with_capacity(input.communes.len());
    for (i, raw) in input.communes.iter().enumerate() {
        let field = |name: &str| format!("communes[{i}].{name}");
        let name = Name::parse(&field("name"), &raw.name)?.into_inner();
        if !names.insert(name.to_lowercase()) {
            return Err(DomainError::validation(
                field("name"),
                "appears twice in the perimeter",
            ));
        }
        let insee_code = raw
            .insee_code
            .as_deref()
            .map(|code| InseeCode::parse(&field("inseeCode"), code))
            .transpose()?
            .map(InseeCode::into_inner);
        if let Some(code) = &insee_code
            && !codes.insert(code.clone())
        {
            return Err(DomainError::validation(
                field("inseeCode"),
                "appears twice in the perimeter",
            ));
        }
        if raw.priority_neighbourhoods.len() > MAX_NEIGHBOURHOODS {
            return Err(DomainError::validation(
                field("priorityNeighbourhoods"),
                format!("at most {MAX_NEIGHBOURHOODS} per commune"),
            ));
        }
        let priority_neighbourhoods = raw
            .priority_neighbourhoods
            .iter()
            .map(|n| Name::parse(&field("priorityNeighbourhoods"), n).map(Name::into_inner))
            .collect::<Result<Vec<_>>>()?;
        out.push(Commune {
            id: CommuneId::generate(),
            insee_code,
            name,
            priority_neighbourhoods,
        });
    }
    Ok(out)
}

fn prefix_field(err: DomainError, prefix: &str) -> DomainError {
    match err {
        DomainError::Validation { field, message } => DomainError::Validation {
            field: format!("{prefix}.{field}"),
            message,
        },
        other => other,
    }
}

fn tenant_action(name: &'static str, id: TenantId) -> Action {
    Action {
        name,
        object_type: "Tenant",
        object_id: id.0,
    }
}

/// Steering: set the share of CléA points (percent, 50 to 100) a positioning must reach.
pub async fn set_clea_threshold(
    tx: &Tx,
    principal: &Principal,
    percent: i32,
    version: i32,
) -> Result<Tenant> {
    let setting = Setting {
        column: store::SettingColumn::CleaThresholdPercent,
        field: "cleaThresholdPercent",
        range: 50..=100,
    };
    set(tx, principal, setting, percent, version).await
}

/// Steering: how many months after the end of a path (exit or refused entry) a participant's
/// personal data is kept before the retention job anonymises it (1 to 120).
pub async fn set_retention(
    tx: &Tx,
    principal: &Principal,
    months: i32,
    version: i32,
) -> Result<Tenant> {
    let setting = Setting {
        column: store::SettingColumn::RetentionMonths,
        field: "retentionMonths",
        range: 1..=120,
    };
    set(tx, principal, setting, months, version).await
}

/// A numeric setting of the tenant, with its allowed range.
struct Setting {
    column: store::SettingColumn,
    field: &'static str,
    range: std::ops::RangeInclusive<i32>,
}

async fn set(
    tx: &Tx,
    principal: &Principal,
    setting: Setting,
    value: i32,
    version: i32,
) -> Result<Tenant> {
    policy::require_settings_editor(principal)?;
    if !setting.range.contains(&value) {
        return Err(DomainError::validation(
            setting.field,
            format!(
                "must be between {} and {}",
                setting.range.start(),
                setting.range.end()
            ),
        ));
    }
    let id = principal.tenant_id()?;
    let change = tx.change(principal).await?;
    if !store::set_setting(&change, id, setting.column, value, version).await? {
        return Err(DomainError::stale("tenant"));
    }
    change.commit(tenant_action("tenant.settings", id)).await?;
    let row = store::find_row(&tx.registry(), id)
        .await?
        .ok_or(DomainError::NotFound { entity: "tenant" })?;
    tx.cache_settings(Some(row.clone()));
    store::to_tenant(row)
}
