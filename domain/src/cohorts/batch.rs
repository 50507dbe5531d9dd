//! Batch reads of a page of cohorts' relations: one statement per relation whatever the
//! number of cohorts, for the api's loaders. A cohort the principal may not read has no
//! members, sessions or attendance here (it never reaches a client to ask).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationDef, Select,
};

use super::model::{Attendance, Member, Session};
use super::policy;
use super::store;
use super::{to_attendance, to_member, to_session};
use crate::db::Tx;
use crate::entities::{attendance, cohort, cohort_member, cohort_session, participant};
use crate::error::{DomainError, Result};
use crate::ids::CohortId;
use crate::principal::{Principal, Role};

/// Keep only the rows of cohorts run by the provider's structure (`E` has a `cohort_id`,
/// joined to its cohort through `to_cohort`).
fn of_readable_cohorts<E: EntityTrait>(
    query: Select<E>,
    principal: &Principal,
    to_cohort: RelationDef,
) -> Result<Select<E>> {
    match principal.role() {
        Role::Steering | Role::Referent => Ok(query),
        Role::Provider => {
            let structure = principal.structure().ok_or(DomainError::Forbidden(
                "a provider token carries a structure",
            ))?;
            Ok(query
                .join(JoinType::InnerJoin, to_cohort)
                .filter(cohort::Column::StructureId.eq(structure.0)))
        }
        Role::Admin => Err(DomainError::Forbidden(
            "the platform operator sees no tenant data",
        )),
    }
}

fn cohort_ids(ids: &[CohortId]) -> Vec<uuid::Uuid> {
    ids.iter().map(|i| i.0).collect()
}

/// The members of each cohort of `ids` that the principal may see (a referent: their own
/// participants'), by participant. Every key of `ids` has an entry.
pub async fn members_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Member>>> {
    let tx = tx.scoped(principal).await?;
    let to_cohort = store::member_to_cohort();
    let mut query = of_readable_cohorts(
        tx.select::<cohort_member::Entity>()
            .filter(cohort_member::Column::CohortId.is_in(cohort_ids(ids))),
        principal,
        to_cohort,
    )?;
    if principal.role() == Role::Referent {
        let Some(staff) = principal.staff() else {
            return Ok(ids.iter().map(|id| (*id, Vec::new())).collect());
        };
        let to_participant: RelationDef = cohort_member::Entity::belongs_to(participant::Entity)
            .from((
                cohort_member::Column::TenantId,
                cohort_member::Column::ParticipantId,
            ))
            .to((participant::Column::TenantId, participant::Column::Id))
            .on_condition(move |_, person| {
                Expr::col((person, participant::Column::ReferentId))
                    .eq(staff.0)
                    .into_condition()
            })
            .into();
        query = query.join(JoinType::InnerJoin, to_participant);
    }
    let rows = query
        .order_by_asc(cohort_member::Column::CohortId)
        .order_by_asc(cohort_member::Column::ParticipantId)
        .all(tx.conn())
        .await?;
    let mut out: HashMap<CohortId, Vec<Member>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        let member = to_member(row)?;
        out.entry(member.cohort_id).or_default().push(member);
    }
    Ok(out)
}

/// The session calendar of each cohort of `ids`, in calendar order. Every key has an entry.
pub async fn sessions_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Session>>> {
    let tx = tx.scoped(principal).await?;
    let to_cohort = store::session_to_cohort();
    let rows = of_readable_cohorts(
        tx.select::<cohort_session::Entity>()
            .filter(cohort_session::Column::CohortId.is_in(cohort_ids(ids))),
        principal,
        to_cohort,
    )?
    .order_by_asc(cohort_session::Column::Day)
    .order_by_desc(cohort_session::Column::HalfDay)
    .all(tx.conn())
    .await?;
    let mut out: HashMap<CohortId, Vec<Session>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        let session = to_session(row)?;
        out.entry(session.cohort_id).or_default().push(session);
    }
    Ok(out)
}

/// An attendance record with the cohort of its session.
#[derive(Debug)]
struct WithCohort {
    record: attendance::Model,
    cohort_id: uuid::Uuid,
}

impl FromQueryResult for WithCohort {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Ok(Self {
            record: attendance::Model::from_query_result(row, pre)?,
            cohort_id: row.try_get(pre, "session_cohort_id")?,
        })
    }
}

/// The attendance records of each cohort of `ids` (steering and the provider; a referent
/// reads their participants' through the members), by session then participant. Every key
/// has an entry.
pub async fn attendance_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<HashMap<CohortId, Vec<Attendance>>> {
    policy::require_attendance_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let to_session: RelationDef = attendance::Entity::belongs_to(cohort_session::Entity)
        .from((attendance::Column::TenantId, attendance::Column::SessionId))
        .to((cohort_session::Column::TenantId, cohort_session::Column::Id))
        .into();
    let session_to_cohort = store::session_to_cohort();
    let rows = of_readable_cohorts(
        tx.select::<attendance::Entity>()
            .join(JoinType::InnerJoin, to_session)
            .column_as(cohort_session::Column::CohortId, "session_cohort_id")
            .filter(cohort_session::Column::CohortId.is_in(cohort_ids(ids))),
        principal,
        session_to_cohort,
    )?
    .order_by_asc(attendance::Column::SessionId)
    .order_by_asc(attendance::Column::ParticipantId)
    .into_model::<WithCohort>()
    .all(tx.conn())
    .await?;
    let mut out: HashMap<CohortId, Vec<Attendance>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        out.entry(CohortId(row.cohort_id))
            .or_default()
            .push(to_attendance(row.record)?);
    }
    Ok(out)
}
