//! Queries of staff members, always scoped by the transaction's tenant.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};

use super::model::{StaffFilter, StaffMember};
use crate::db::callers::SigningIn as SigningInRow;
use crate::db::{Change, TenantTx, Tx};
use crate::entities::staff_member::{ActiveModel, Column, Entity, Model};
use crate::error::{DomainError, Result};
use crate::ids::TenantId;
use crate::ids::{StaffId, StructureId};
use crate::page::{Page, PageRequest};
use crate::principal::Role;

pub(crate) async fn find(tx: &TenantTx, id: StaffId) -> Result<Option<StaffMember>> {
    tx.select::<Entity>()
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

/// The staff member whose tokens carry `subject`.
pub(crate) async fn find_by_subject(tx: &TenantTx, subject: &str) -> Result<Option<StaffMember>> {
    tx.select::<Entity>()
        .filter(Column::Subject.eq(subject))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

/// The staff member whose tokens carry `subject`, with whether their structure is active
/// (`None`: it does not exist), in one statement: what authentication reads.
pub(crate) async fn find_signing_in(
    tx: &TenantTx,
    subject: &str,
) -> Result<Option<(StaffMember, Option<bool>)>> {
    use crate::entities::structure;
    let found: Option<(Model, Option<bool>)> = tx
        .select::<Entity>()
        .filter(Column::Subject.eq(subject))
        .join(
            JoinType::LeftJoin,
            crate::entities::staff_member::Relation::Structure.def(),
        )
        .column_as(structure::Column::Active, "structure_active")
        .into_model::<SigningIn>()
        .one(tx.conn())
        .await?
        .map(|row| (row.model, row.structure_active));
    found
        .map(|(row, active)| Ok((to_staff(row)?, active)))
        .transpose()
}

/// A tenant's row by ID with its staff member whose tokens carry `subject` (if any) and whether
/// that member's structure is active (`None`: no such structure): what a request that begins in
/// its tenant's scope reads to authenticate. One statement, or none when this instance keeps
/// what it read for this caller (on PostgreSQL, see `db/callers.rs`). `generation` is the
/// cache's, taken before the transaction's snapshot was.
pub(crate) async fn signing_in_at(
    tx: &Tx,
    tenant: TenantId,
    subject: &str,
    generation: crate::db::callers::Generation,
) -> Result<
    Option<(
        crate::entities::tenant::Model,
        Option<(StaffMember, Option<bool>)>,
    )>,
> {
    let callers = tx.db().callers();
    let found = match callers.get(tenant, subject) {
        Some(kept) => kept,
        None => {
            let Some(read) = read_signing_in(tx, tenant, subject).await? else {
                return Ok(None);
            };
            if read.staff.is_some() {
                callers.keep(generation, tenant, subject, read.clone());
            }
            read
        }
    };
    let member = found
        .staff
        .map(|row| Ok::<_, DomainError>((to_staff(row)?, found.structure_active)))
        .transpose()?;
    Ok(Some((found.tenant, member)))
}

/// The statement of [`signing_in_at`].
async fn read_signing_in(tx: &Tx, tenant: TenantId, subject: &str) -> Result<Option<SigningInRow>> {
    use crate::entities::{structure, tenant as t};
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    let subject = subject.to_owned();
    let staff_of: sea_orm::RelationDef = t::Entity::belongs_to(Entity)
        .from(t::Column::Id)
        .to(Column::TenantId)
        .on_condition(move |_, staff| {
            Expr::col((staff, Column::Subject))
                .eq(subject.clone())
                .into_condition()
        })
        .into();
    Ok(tx
        .registry()
        .tenants()
        .filter(t::Column::Id.eq(tenant.0))
        .join(JoinType::LeftJoin, staff_of)
        .join(
            JoinType::LeftJoin,
            crate::entities::staff_member::Relation::Structure.def(),
        )
        .column_as(Column::Id, "staff_id")
        .column_as(Column::Subject, "staff_subject")
        .column_as(Column::DisplayName, "staff_display_name")
        .column_as(Column::Email, "staff_email")
        .column_as(Column::Role, "staff_role")
        .column_as(Column::StructureId, "staff_structure_id")
        .column_as(Column::Active, "staff_active")
        .column_as(Column::CreatedAt, "staff_created_at")
        .column_as(Column::UpdatedAt, "staff_updated_at")
        .column_as(Column::Version, "staff_version")
        .column_as(structure::Column::Active, "structure_active")
        .into_model::<SigningInRow>()
        .one(tx.conn())
        .await?)
}

/// A tenant row with the staff member's columns prefixed `staff_`.
impl sea_orm::FromQueryResult for SigningInRow {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        let staff = match row.try_get::<Option<uuid::Uuid>>(pre, "staff_id")? {
            None => None,
            Some(id) => Some(Model {
                tenant_id: row.try_get(pre, "id")?,
                id,
                subject: row.try_get(pre, "staff_subject")?,
                display_name: row.try_get(pre, "staff_display_name")?,
                email: row.try_get(pre, "staff_email")?,
                role: row.try_get(pre, "staff_role")?,
                structure_id: row.try_get(pre, "staff_structure_id")?,
                active: row.try_get(pre, "staff_active")?,
                created_at: row.try_get(pre, "staff_created_at")?,
                updated_at: row.try_get(pre, "staff_updated_at")?,
                version: row.try_get(pre, "staff_version")?,
            }),
        };
        Ok(Self {
            tenant: crate::entities::tenant::Model::from_query_result(row, pre)?,
            staff,
            structure_active: row.try_get(pre, "structure_active")?,
        })
    }
}

#[derive(Debug)]
struct SigningIn {
    model: Model,
    structure_active: Option<bool>,
}

impl sea_orm::FromQueryResult for SigningIn {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Ok(Self {
            model: Model::from_query_result(row, pre)?,
            structure_active: row.try_get(pre, "structure_active")?,
        })
    }
}

/// The staff member whose subject is `key`, or whose e-mail is `key` in any case.
pub(crate) async fn find_by_subject_or_email(
    tx: &TenantTx,
    key: &str,
) -> Result<Option<StaffMember>> {
    let by_subject = find_by_subject(tx, key).await?;
    if by_subject.is_some() {
        return Ok(by_subject);
    }
    // E-mails are stored lowercased (`text::Email`).
    tx.select::<Entity>()
        .filter(Column::Email.eq(key.to_lowercase()))
        .one(tx.conn())
        .await?
        .map(to_staff)
        .transpose()
}

pub(super) async fn find_many(tx: &TenantTx, ids: &[StaffId]) -> Result<Vec<StaffMember>> {
    tx.select::<Entity>()
        .filter(tx.is_in(Column::Id, ids.iter().map(|id| id.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_staff)
        .collect()
}

pub(super) async fn list(
    tx: &TenantTx,
    filter: &StaffFilter,
    page: &PageRequest,
) -> Result<Page<StaffMember>> {
    let mut query = tx.select::<Entity>();
    if let Some(structure) = filter.structure_id {
        query = query.filter(Column::StructureId.eq(structure.0));
    }
    if let Some(role) = filter.role {
        query = query.filter(Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(Column::Active.eq(active));
    }
    crate::page::oldest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_staff)
}

/// Insert a staff member in the transaction's tenant (inputs already checked).
pub(crate) async fn insert(tx: &Change, member: &StaffMember) -> Result<()> {
    let row = ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(member.id.0),
        subject: Set(member.subject.clone()),
        display_name: Set(member.display_name.clone()),
        email: Set(member.email.clone()),
        role: Set(member.role.as_str().to_owned()),
        structure_id: Set(member.structure_id.0),
        active: Set(member.active),
        created_at: Set(member.created_at),
        updated_at: Set(member.updated_at),
        version: Set(member.version),
    };
    tx.insert(row).await.map_err(duplicate_domain)
}

/// Write `changed` if the stored version is still `version`; `false` when it is not.
pub(super) async fn update(tx: &Change, changed: &StaffMember, version: i32) -> Result<bool> {
    let result = tx
        .update_many::<Entity>()
        .col_expr(Column::DisplayName, changed.display_name.clone().into())
        .col_expr(Column::Email, changed.email.clone().into())
        .col_expr(Column::StructureId, changed.structure_id.0.into())
        .col_expr(Column::Active, changed.active.into())
        .col_expr(Column::UpdatedAt, changed.updated_at.into())
        .col_expr(Column::Version, changed.version.into())
        .filter(Column::Id.eq(changed.id.0))
        .filter(Column::Version.eq(version))
        .exec(tx.conn())
        .await
        .map_err(duplicate)?;
    Ok(result.rows_affected == 1)
}

fn duplicate(err: sea_orm::DbErr) -> DomainError {
    duplicate_domain(DomainError::from(err))
}

fn duplicate_domain(err: DomainError) -> DomainError {
    match err {
        DomainError::Conflict(_) => DomainError::Conflict(
            "another staff member of this tenant has this subject or e-mail".into(),
        ),
        other => other,
    }
}

fn to_staff(row: Model) -> Result<StaffMember> {
    let role: Role = row
        .role
        .parse()
        .map_err(|_| DomainError::Internal(format!("unknown stored role {}", row.role)))?;
    Ok(StaffMember {
        id: StaffId(row.id),
        subject: row.subject,
        display_name: row.display_name,
        email: row.email,
        role,
        structure_id: StructureId(row.structure_id),
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
