//! Queries of cohorts, their sessions, members and attendance, scoped by the transaction's
//! tenant (and, for reads on behalf of a principal, by what [`super::policy`] lets it see): the
//! only place of the area that builds queries. This file holds the cohort rows; the sessions,
//! the members and attendance have a file each.

use std::collections::HashSet;

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef, Select};

use super::model::*;
use super::policy::{self, Cohorts, visible};
use crate::db::{Change, TenantTx};
use crate::entities::{cohort, cohort_member, cohort_session};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ConventionId, StructureId};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

mod attendance;
mod members;
mod sessions;
mod sheets;

pub(crate) use attendance::{
    attendance_at, attendance_upsert, find_attendance, has_attendance, member_attendance_in,
    session_for_attendance, session_for_attendance_query, visible_attendance_of,
};
pub(crate) use members::{
    dropped_out_of_action, enrolled_count, enrolled_elsewhere, followed_by, insert_member, member,
    member_locked, members_in, memberships_of_people, set_member, visible_members_of,
};
pub(crate) use sessions::{
    delete_session, find_session, insert_session, insert_sessions, session_cohort, sessions_in,
    sessions_of_cohorts, update_session, visible_sessions_of,
};
pub(crate) use sheets::{participant_rows, structure_name, tenant_name};

/// A cohort the principal may see (`NOT_FOUND` otherwise).
pub(crate) async fn find_in(tx: &TenantTx, principal: &Principal, id: CohortId) -> Result<Cohort> {
    visible(tx, principal)?
        .filter(cohort::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_cohort)
        .transpose()?
        .ok_or(DomainError::NotFound { entity: "cohort" })
}

/// The cohort, locked until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transactions are serialised already): what rules that count its members hold on to.
pub(crate) async fn find_locked(
    tx: &TenantTx,
    principal: &Principal,
    id: CohortId,
) -> Result<Cohort> {
    visible(tx, principal)?
        .filter(cohort::Column::Id.eq(id.0))
        .lock_exclusive()
        .one(tx.conn())
        .await?
        .map(to_cohort)
        .transpose()?
        .ok_or(DomainError::NotFound { entity: "cohort" })
}

/// The cohorts of `ids` the principal may see (one statement).
pub(crate) async fn visible_many(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<Vec<Cohort>> {
    visible_rows(tx, principal, ids)
        .await?
        .into_iter()
        .map(to_cohort)
        .collect()
}

/// Of the cohorts `ids`, the IDs of those the principal may see (one statement).
pub(crate) async fn visible_ids(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashSet<CohortId>> {
    Ok(visible_rows(tx, principal, ids)
        .await?
        .into_iter()
        .map(|c| CohortId(c.id))
        .collect())
}

/// The rows of the cohorts of `ids` the principal may see.
async fn visible_rows(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<Vec<cohort::Model>> {
    Ok(visible(tx, principal)?
        .filter(tx.is_in(cohort::Column::Id, ids.iter().map(|i| i.0)))
        .all(tx.conn())
        .await?)
}

/// A page of the cohorts the principal may see that meet `filter`, oldest first.
pub(crate) async fn list(
    tx: &TenantTx,
    principal: &Principal,
    filter: &CohortFilter,
    page: &PageRequest,
) -> Result<Page<Cohort>> {
    let mut q = visible(tx, principal)?;
    if let Some(c) = filter.convention {
        q = q.filter(cohort::Column::ConventionId.eq(c.0));
    }
    if !filter.statuses.is_empty() {
        #[expect(clippy::disallowed_methods, reason = "the statuses a filter names")]
        let statuses = cohort::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str()));
        q = q.filter(statuses);
    }
    if let Some(from) = filter.from {
        q = q.filter(cohort::Column::EndDate.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(cohort::Column::StartDate.lte(to));
    }
    crate::page::oldest_first(tx.conn(), q, cohort::Column::Id, page)
        .await?
        .try_map(to_cohort)
}

/// The IDs of the cohorts run by `structure`.
pub(crate) async fn ids_of_structure(
    tx: &TenantTx,
    structure: StructureId,
) -> Result<Vec<uuid::Uuid>> {
    Ok(tx
        .select::<cohort::Entity>()
        .select_only()
        .column(cohort::Column::Id)
        .filter(cohort::Column::StructureId.eq(structure.0))
        .into_tuple()
        .all(tx.conn())
        .await?)
}

/// A cohort row as the domain's value.
fn to_cohort(r: cohort::Model) -> Result<Cohort> {
    Ok(Cohort {
        id: CohortId(r.id),
        convention_id: ConventionId(r.convention_id),
        structure_id: StructureId(r.structure_id),
        label: r.label,
        start_date: r.start_date,
        end_date: r.end_date,
        size_min: r.size_min,
        size_max: r.size_max,
        status: CohortStatus::parse(&r.status)
            .ok_or_else(|| DomainError::Internal("unknown cohort status".into()))?,
        place: r.place,
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    })
}

/// Keep only the rows of cohorts the principal may see (a provider: those run by its
/// structure); `E` has a `cohort_id`, joined to its cohort through `to_cohort`.
fn of_visible_cohorts<E: EntityTrait>(
    query: Select<E>,
    principal: &Principal,
    to_cohort: RelationDef,
) -> Result<Select<E>> {
    Ok(match policy::cohorts_seen(principal)? {
        Cohorts::All => query,
        Cohorts::OfProvider(structure) => query
            .join(JoinType::InnerJoin, to_cohort)
            .filter(cohort::Column::StructureId.eq(structure.0)),
    })
}

/// `cohort_member` → `cohort`, on the tenant and the cohort (the composite key).
fn member_to_cohort() -> RelationDef {
    cohort_member::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_member::Column::TenantId,
            cohort_member::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into()
}

/// `cohort_session` → `cohort`, on the tenant and the cohort (the composite key).
fn session_to_cohort() -> RelationDef {
    cohort_session::Entity::belongs_to(cohort::Entity)
        .from((
            cohort_session::Column::TenantId,
            cohort_session::Column::CohortId,
        ))
        .to((cohort::Column::TenantId, cohort::Column::Id))
        .into()
}

/// Insert a new cohort.
pub(super) async fn insert(tx: &Change, c: &Cohort) -> Result<()> {
    tx.insert(cohort::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(c.id.0),
        convention_id: Set(c.convention_id.0),
        structure_id: Set(c.structure_id.0),
        label: Set(c.label.clone()),
        start_date: Set(c.start_date),
        end_date: Set(c.end_date),
        size_min: Set(c.size_min),
        size_max: Set(c.size_max),
        status: Set(c.status.as_str().to_owned()),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        version: Set(c.version),
        place: Set(c.place.clone()),
    })
    .await
}

/// Write `next` over the cohort at the version before it (`CONFLICT`, stale, when another
/// writer changed it meanwhile): its label, place and status.
pub(super) async fn save(tx: &Change, next: &Cohort) -> Result<()> {
    let result = tx
        .update_many::<cohort::Entity>()
        .col_expr(cohort::Column::Label, next.label.clone().into())
        .col_expr(cohort::Column::Place, next.place.clone().into())
        .col_expr(cohort::Column::Status, next.status.as_str().into())
        .col_expr(cohort::Column::UpdatedAt, next.updated_at.into())
        .col_expr(cohort::Column::Version, next.version.into())
        .filter(cohort::Column::Id.eq(next.id.0))
        .filter(cohort::Column::Version.eq(next.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("cohort"));
    }
    Ok(())
}
