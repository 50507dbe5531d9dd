//! Queries of a cohort's members: prescriptions, enrolments, declines and drop-outs.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::{member_to_cohort, of_visible_cohorts};
use crate::cohorts::model::*;
use crate::cohorts::policy::{self, Members};
use crate::db::rows::{self, Positional};
use crate::db::{Change, TenantTx};
use crate::entities::{cohort, cohort_member, participant};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, ConventionId, ParticipantId, StaffId};
use crate::principal::Principal;

/// Whether `participant` is enrolled in a cohort other than `except` that is not closed, in
/// one statement.
pub(crate) async fn enrolled_elsewhere(
    tx: &TenantTx,
    participant: ParticipantId,
    except: CohortId,
) -> Result<bool> {
    use sea_orm::{JoinType, PaginatorTrait};
    let to_cohort = member_to_cohort();
    Ok(tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .filter(cohort_member::Column::Status.eq(MemberStatus::Enrolled.as_str()))
        .filter(cohort_member::Column::CohortId.ne(except.0))
        .filter(cohort::Column::Status.ne(CohortStatus::Closed.as_str()))
        .count(tx.conn())
        .await?
        > 0)
}

/// Insert a new membership, prescribed by `prescribed_by` (a token's subject).
pub(crate) async fn insert_member(tx: &Change, m: &Member, prescribed_by: &str) -> Result<()> {
    tx.insert(cohort_member::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        cohort_id: Set(m.cohort_id.0),
        participant_id: Set(m.participant_id.0),
        status: Set(m.status.as_str().to_owned()),
        reason: Set(m.reason.clone()),
        prescribed_by: Set(prescribed_by.to_owned()),
        updated_at: Set(tx.now()),
        version: Set(m.version),
        dropped_out_on: Set(m.dropped_out_on),
    })
    .await
}

/// The members of cohort `id`, whatever their status, by participant.
pub(crate) async fn members_in(tx: &TenantTx, id: CohortId) -> Result<Vec<Member>> {
    let query = tx
        .select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(id.0))
        .order_by_asc(cohort_member::Column::ParticipantId);
    read_members(tx, query).await
}

/// When `participant`'s last membership of the cohorts of `convention` (by cohort start) is a
/// drop-out, its date: the day they left the action.
pub(crate) async fn dropped_out_of_action(
    tx: &TenantTx,
    convention: ConventionId,
    participant: ParticipantId,
) -> Result<Option<chrono::NaiveDate>> {
    use sea_orm::JoinType;
    let to_cohort = member_to_cohort();
    #[expect(clippy::disallowed_methods, reason = "a fixed list of statuses")]
    let last = tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(cohort::Column::ConventionId.eq(convention.0))
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .filter(cohort_member::Column::Status.is_in([
            MemberStatus::Enrolled.as_str(),
            MemberStatus::DroppedOut.as_str(),
        ]))
        .order_by_desc(cohort::Column::StartDate)
        .one(tx.conn())
        .await?;
    Ok(last
        .filter(|m| m.status == MemberStatus::DroppedOut.as_str())
        .and_then(|m| m.dropped_out_on))
}

/// The members `query` selects, reading only a [`Member`]'s columns, by position (see
/// [`crate::db::rows`]: a page of cohorts reads hundreds of them).
async fn read_members(tx: &TenantTx, query: Select<cohort_member::Entity>) -> Result<Vec<Member>> {
    Ok(rows::read::<Member>(tx.conn(), query).await?)
}

impl rows::Shaped for Member {
    type Entity = cohort_member::Entity;

    fn columns() -> &'static [cohort_member::Column] {
        use cohort_member::Column as C;
        &[
            C::CohortId,
            C::ParticipantId,
            C::Status,
            C::Reason,
            C::DroppedOutOn,
            C::Version,
        ]
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, sea_orm::DbErr> {
        use cohort_member::Column as C;
        Ok(Member {
            cohort_id: CohortId(at.get(C::CohortId)?),
            participant_id: ParticipantId(at.get(C::ParticipantId)?),
            status: MemberStatus::parse(&at.get::<String>(C::Status)?)
                .ok_or_else(|| sea_orm::DbErr::Type("unknown member status".into()))?,
            reason: at.get(C::Reason)?,
            dropped_out_on: at.get(C::DroppedOutOn)?,
            version: at.get(C::Version)?,
        })
    }
}

/// The membership of `participant` in cohort `cohort_id` (`NOT_FOUND`, a prescription, otherwise).
pub(crate) async fn member(
    tx: &TenantTx,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    one_member(tx, member_query(tx, cohort_id, participant)).await
}

/// [`member`], locked until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transactions are serialised already) and read after the lock: a membership change checks
/// what depends on it (the presences recorded after a drop-out's day, which
/// `recordAttendance` writes under a `FOR SHARE` lock of the same row) with no concurrent
/// write in between.
pub(crate) async fn member_locked(
    tx: &TenantTx,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    let query = member_query(tx, cohort_id, participant).lock_exclusive();
    one_member(tx, query).await
}

fn member_query(
    tx: &TenantTx,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Select<cohort_member::Entity> {
    tx.select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
}

async fn one_member(tx: &TenantTx, query: Select<cohort_member::Entity>) -> Result<Member> {
    read_members(tx, query)
        .await?
        .pop()
        .ok_or(DomainError::NotFound {
            entity: "prescription",
        })
}

/// Write a membership's status, reason and drop-out day at its version (stale otherwise).
pub(crate) async fn set_member(
    tx: &Change,
    m: &Member,
    status: MemberStatus,
    reason: Option<String>,
    dropped_out_on: Option<NaiveDate>,
) -> Result<Member> {
    let result = tx
        .update_many::<cohort_member::Entity>()
        .col_expr(cohort_member::Column::Status, status.as_str().into())
        .col_expr(cohort_member::Column::Reason, reason.clone().into())
        .col_expr(cohort_member::Column::DroppedOutOn, dropped_out_on.into())
        .col_expr(cohort_member::Column::UpdatedAt, tx.now().into())
        .col_expr(cohort_member::Column::Version, (m.version + 1).into())
        .filter(cohort_member::Column::CohortId.eq(m.cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(m.participant_id.0))
        .filter(cohort_member::Column::Version.eq(m.version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("membership"));
    }
    Ok(Member {
        status,
        reason,
        dropped_out_on,
        version: m.version + 1,
        ..m.clone()
    })
}

/// How many members cohort `id` has enrolled.
pub(crate) async fn enrolled_count(tx: &TenantTx, id: CohortId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(tx
        .select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(id.0))
        .filter(cohort_member::Column::Status.eq(MemberStatus::Enrolled.as_str()))
        .count(tx.conn())
        .await?)
}

/// The memberships of `people`, whatever their cohort, by cohort start date (one statement).
pub(crate) async fn memberships_of_people(
    tx: &TenantTx,
    people: &[ParticipantId],
) -> Result<Vec<Member>> {
    use sea_orm::JoinType;
    let to_cohort = member_to_cohort();
    let query = tx
        .select::<cohort_member::Entity>()
        .join(JoinType::InnerJoin, to_cohort)
        .filter(tx.is_in(
            cohort_member::Column::ParticipantId,
            people.iter().map(|p| p.0),
        ))
        .order_by_asc(cohort::Column::StartDate)
        .order_by_asc(cohort::Column::Id);
    read_members(tx, query).await
}

/// Of `people`, those whose referent is `referent` (reads the participants' rows).
pub(crate) async fn followed_by(
    tx: &TenantTx,
    referent: StaffId,
    people: &[ParticipantId],
) -> Result<HashSet<ParticipantId>> {
    Ok(tx
        .select::<participant::Entity>()
        .filter(tx.is_in(participant::Column::Id, people.iter().map(|p| p.0)))
        .filter(participant::Column::ReferentId.eq(referent.0))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|p| ParticipantId(p.id))
        .collect())
}

/// The members of the cohorts `ids` the principal may see (a referent: their own
/// participants', none without a staff ID), by cohort then participant (one statement).
pub(crate) async fn visible_members_of(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[CohortId],
) -> Result<Vec<Member>> {
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    use sea_orm::{EntityTrait, JoinType, RelationDef};
    let to_cohort = member_to_cohort();
    let mut query = of_visible_cohorts(
        tx.select::<cohort_member::Entity>()
            .filter(tx.is_in(cohort_member::Column::CohortId, ids.iter().map(|i| i.0))),
        principal,
        to_cohort,
    )?;
    let staff = match policy::members_seen(principal) {
        Members::All => None,
        Members::OfReferent(staff) => Some(staff),
        Members::Nothing => return Ok(Vec::new()),
    };
    if let Some(staff) = staff {
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
    let query = query
        .order_by_asc(cohort_member::Column::CohortId)
        .order_by_asc(cohort_member::Column::ParticipantId);
    read_members(tx, query).await
}
