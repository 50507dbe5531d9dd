//! Queries of the tenant registry and of communes (the latter scoped by tenant).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use sea_orm::DbErr;

use super::model::{Commune, CommuneShape, CommuneSummary, Tenant, TenantStatus};
use crate::db::rows::{self, Positional, Shaped};
use crate::db::{Change, PlatformTx, TenantTx, Tx};
use crate::entities::{commune, tenant};
use crate::error::{DomainError, Result};
use crate::ids::{CommuneId, TenantId};
use crate::page::{Page, PageRequest};

pub(super) async fn find(tx: &PlatformTx, id: TenantId) -> Result<Option<Tenant>> {
    find_row(tx, id).await?.map(to_tenant).transpose()
}

/// A tenant's row, as the transaction keeps it for its settings.
pub(super) async fn find_row(tx: &PlatformTx, id: TenantId) -> Result<Option<tenant::Model>> {
    Ok(tx
        .tenants()
        .filter(tenant::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?)
}

/// The tenant whose tokens carry `slug`, entered: on PostgreSQL the same statement sets the
/// transaction's `app.tenant_id` (when the tenant exists), and the transaction keeps the row
/// for its settings.
pub(crate) async fn enter_by_slug(tx: &Tx, slug: &str) -> Result<Option<Tenant>> {
    let mut query = tx
        .registry()
        .tenants()
        .filter(tenant::Column::Slug.eq(slug));
    if tx.backend() == sea_orm::DbBackend::Postgres {
        query = query.expr_as(
            Expr::cust(r#"set_config('app.tenant_id', CAST("tenant"."id" AS text), true)"#),
            "scope",
        );
    }
    let found = query.one(tx.conn()).await?;
    if let Some(row) = &found {
        tx.entered(row.clone());
    }
    found.map(to_tenant).transpose()
}

/// Every tenant's row, whatever its status (a job's tour of the tenants).
pub(super) async fn all_rows(tx: &PlatformTx) -> Result<Vec<tenant::Model>> {
    Ok(tx.tenants().all(tx.conn()).await?)
}

/// Whether the instance has no tenant yet.
pub(super) async fn none(tx: &PlatformTx) -> Result<bool> {
    use sea_orm::PaginatorTrait;
    Ok(tx.tenants().count(tx.conn()).await? == 0)
}

/// The active tenants, by ID.
pub(super) async fn active(tx: &PlatformTx) -> Result<Vec<Tenant>> {
    tx.tenants()
        .filter(tenant::Column::Status.eq(TenantStatus::Active.as_str()))
        .order_by_asc(tenant::Column::Id)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_tenant)
        .collect()
}

pub(super) async fn list(tx: &PlatformTx, page: &PageRequest) -> Result<Page<Tenant>> {
    crate::page::oldest_first(tx.conn(), tx.tenants(), tenant::Column::Id, page)
        .await?
        .try_map(to_tenant)
}

pub(super) async fn insert(tx: &PlatformTx, tenant: &Tenant) -> Result<()> {
    let row = tenant::ActiveModel {
        id: Set(tenant.id.0),
        slug: Set(tenant.slug.clone()),
        name: Set(tenant.name.clone()),
        status: Set(tenant.status.as_str().to_owned()),
        created_at: Set(tenant.created_at),
        updated_at: Set(tenant.updated_at),
        version: Set(tenant.version),
        clea_threshold_percent: Set(tenant.clea_threshold_percent),
        retention_months: Set(tenant.retention_months),
    };
    tx.insert_tenant(row).await.map_err(|err| match err {
        DomainError::Conflict(_) => {
            DomainError::validation("slug", "another tenant already has this slug")
        }
        other => other,
    })?;
    Ok(())
}

/// Set the status if the stored version is still `version`; `false` when it is not.
pub(super) async fn set_status(tx: &PlatformTx, changed: &Tenant, version: i32) -> Result<bool> {
    let result = tx
        .update_tenants()
        .col_expr(tenant::Column::Status, changed.status.as_str().into())
        .col_expr(tenant::Column::UpdatedAt, changed.updated_at.into())
        .col_expr(tenant::Column::Version, changed.version.into())
        .filter(tenant::Column::Id.eq(changed.id.0))
        .filter(tenant::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

pub(crate) async fn communes(tx: &TenantTx) -> Result<Vec<Commune>> {
    let mut communes = rows::read::<Commune>(tx.conn(), tx.select::<commune::Entity>()).await?;
    // Alphabetical as a French reader expects: accents and case do not move a name (byte order
    // would put "Fénay" after "Fontaine"). At most 500 rows, so sorting here is cheap.
    communes.sort_by_cached_key(|c| crate::text::sort_key(&c.name));
    Ok(communes)
}

pub(super) async fn insert_communes(tx: &Change, communes: &[Commune]) -> Result<()> {
    let rows = communes.iter().map(|c| commune::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(c.id.0),
        insee_code: Set(c.insee_code.clone()),
        name: Set(c.name.clone()),
        priority_neighbourhoods: Set(serde_json::json!(c.priority_neighbourhoods)),
    });
    tx.insert_many(rows).await
}

pub(crate) fn to_tenant(row: tenant::Model) -> Result<Tenant> {
    let status = match row.status.as_str() {
        "active" => TenantStatus::Active,
        "suspended" => TenantStatus::Suspended,
        other => {
            return Err(DomainError::Internal(format!(
                "unknown tenant status {other}"
            )));
        }
    };
    Ok(Tenant {
        id: TenantId(row.id),
        slug: row.slug,
        name: row.name,
        status,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        clea_threshold_percent: row.clea_threshold_percent,
        retention_months: row.retention_months,
    })
}

/// Whether `id` is a commune of the transaction's tenant.
pub(crate) async fn commune_exists(tx: &TenantTx, id: CommuneId) -> Result<bool> {
    Ok(tx
        .select::<commune::Entity>()
        .filter(commune::Column::Id.eq(id.0))
        .count(tx.conn())
        .await?
        == 1)
}

/// The communes among `ids` in the transaction's tenant, in the shape `C`.
pub(crate) async fn communes_by_id<C: CommuneShape>(
    tx: &TenantTx,
    ids: &[CommuneId],
) -> Result<Vec<C>> {
    let query = tx
        .select::<commune::Entity>()
        .filter(tx.is_in(commune::Column::Id, ids.iter().map(|i| i.0)));
    Ok(rows::read::<C>(tx.conn(), query).await?)
}

/// The summary's columns, in its decoder's order.
const SUMMARY: [commune::Column; 3] = [
    commune::Column::Id,
    commune::Column::InseeCode,
    commune::Column::Name,
];

/// The whole commune's columns: the summary's, then its priority neighbourhoods.
const WHOLE: [commune::Column; 4] = [
    commune::Column::Id,
    commune::Column::InseeCode,
    commune::Column::Name,
    commune::Column::PriorityNeighbourhoods,
];

impl Shaped for CommuneSummary {
    type Entity = commune::Entity;

    fn columns() -> &'static [commune::Column] {
        &SUMMARY
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        Ok(CommuneSummary {
            id: CommuneId(at.get(commune::Column::Id)?),
            insee_code: at.get(commune::Column::InseeCode)?,
            name: at.get(commune::Column::Name)?,
        })
    }
}

impl Shaped for Commune {
    type Entity = commune::Entity;

    fn columns() -> &'static [commune::Column] {
        &WHOLE
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        let CommuneSummary {
            id,
            insee_code,
            name,
        } = CommuneSummary::decode(at)?;
        let priority_neighbourhoods: serde_json::Value =
            at.get(commune::Column::PriorityNeighbourhoods)?;
        Ok(Commune {
            id,
            insee_code,
            name,
            priority_neighbourhoods: serde_json::from_value(priority_neighbourhoods)
                .unwrap_or_default(),
        })
    }
}

/// A numeric setting of the tenant.
#[derive(Clone, Copy, Debug)]
pub(super) enum SettingColumn {
    CleaThresholdPercent,
    RetentionMonths,
}

/// Set a setting if the stored version is still `version`.
pub(super) async fn set_setting(
    tx: &Change,
    id: TenantId,
    setting: SettingColumn,
    value: i32,
    version: i32,
) -> Result<bool> {
    let column = match setting {
        SettingColumn::CleaThresholdPercent => tenant::Column::CleaThresholdPercent,
        SettingColumn::RetentionMonths => tenant::Column::RetentionMonths,
    };
    let result = tx
        .tx()
        .registry()
        .update_tenants()
        .col_expr(column, value.into())
        .col_expr(tenant::Column::UpdatedAt, tx.now().into())
        .col_expr(tenant::Column::Version, (version + 1).into())
        .filter(tenant::Column::Id.eq(id.0))
        .filter(tenant::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// The CléA threshold of the transaction's tenant, read at most once per transaction
/// (authentication has usually read it already).
pub(crate) async fn clea_threshold(tx: &TenantTx) -> Result<i32> {
    if let Some(tenant) = tx.tx().settings().filter(|t| t.id == tx.tenant().0) {
        return Ok(tenant.clea_threshold_percent);
    }
    let found = find_row(&tx.tx().registry(), tx.tenant()).await?;
    tx.tx().cache_settings(found.clone());
    Ok(found.map_or(75, |t| t.clea_threshold_percent))
}
