//! Queries of participants, path steps, episodes and exits. Every query is scoped by the
//! transaction's tenant; participant reads are further scoped to a referent's own portfolio.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::exit_assessment::EpisodeKind;
use super::model::*;
use super::policy;
use crate::db::{Change, TenantTx};
use crate::entities::{episode, participant, participant_exit, path_step};
use crate::error::{DomainError, Result};
use crate::ids::{CommuneId, EpisodeId, ParticipantId, PathStepId, StaffId};
use crate::principal::{Principal, Role};

mod reach;

pub(crate) use reach::ids_of_referent;
use reach::{provider_knows, provider_participants};

/// The participants the principal may see in the transaction's tenant.
async fn visible(tx: &TenantTx, principal: &Principal) -> Result<Select<participant::Entity>> {
    let query = tx.select::<participant::Entity>();
    Ok(
        match (principal.role(), principal.staff(), principal.structure()) {
            (Role::Steering, _, _) => query,
            (Role::Referent, Some(staff), _) => {
                query.filter(participant::Column::ReferentId.eq(staff.0))
            }
            (Role::Provider, _, Some(structure)) => {
                let ids = provider_participants(tx, structure).await?;
                query.filter(participant::Column::Id.is_in(ids))
            }
            // Nobody else sees any participant; an impossible condition keeps this fail-closed.
            _ => query.filter(participant::Column::Id.is_null()),
        },
    )
}

/// A participant the principal may see: `FORBIDDEN` when it is another referent's,
/// `NOT_FOUND` when it does not exist in this tenant.
pub(super) async fn find_visible(
    tx: &TenantTx,
    principal: &Principal,
    id: ParticipantId,
) -> Result<Participant> {
    policy::require_reader(principal)?;
    let row = tx
        .select::<participant::Entity>()
        .filter(participant::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound {
            entity: "participant",
        })?;
    let found = to_participant(row)?;
    match (principal.role(), principal.structure()) {
        (Role::Provider, Some(structure)) => {
            if !provider_knows(tx, structure, id).await? {
                return Err(DomainError::Forbidden(
                    "a provider sees only the participants of its cohorts",
                ));
            }
        }
        _ => policy::require_owner(principal, &found)?,
    }
    Ok(found)
}

pub(super) async fn find_many(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<Vec<Participant>> {
    visible(tx, principal)
        .await?
        .filter(participant::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(to_participant)
        .collect()
}

/// A page of participants: keyset on (sort key, id).
pub(super) async fn list(
    tx: &TenantTx,
    principal: &Principal,
    filter: &ParticipantFilter,
    sort: ParticipantSort,
    request: &crate::page::PageRequest,
    after: Option<(String, uuid::Uuid)>,
) -> Result<(Vec<(String, Participant)>, Option<u64>)> {
    use participant::Column as C;
    let mut query = visible(tx, principal).await?;
    if let Some(status) = filter.status {
        query = query.filter(C::Status.eq(status.as_str()));
    }
    if let Some(referent) = filter.referent_id {
        query = query.filter(C::ReferentId.eq(referent.0));
    }
    if let Some(commune) = filter.commune_id {
        query = query.filter(C::CommuneId.eq(commune.0));
    }
    if let Some(qpv) = filter.priority_neighbourhood {
        query = query.filter(C::PriorityNeighbourhood.eq(qpv));
    }
    if let Some(rsa) = filter.rsa_beneficiary {
        query = query.filter(C::RsaBeneficiary.eq(rsa));
    }
    if let Some(from) = filter.entered_from {
        query = query.filter(C::EntryDate.gte(from));
    }
    if let Some(to) = filter.entered_to {
        query = query.filter(C::EntryDate.lte(to));
    }
    if let Some(search) = &filter.search {
        // The search is folded like the names ([`crate::text::fold`]), so it holds letters and
        // digits only; it is compared with the stored key without its one space, so that
        // "martinlea" and "martin lea" both find Martin Léa.
        let folded = crate::text::fold(search);
        if folded.is_empty() || search.chars().count() > 200 {
            return Err(DomainError::validation(
                "search",
                "must hold at least one letter or digit, in at most 200 characters",
            ));
        }
        let pattern = format!("%{}%", escape_like(&folded));
        let key = Expr::expr(
            Func::cust("REPLACE")
                .arg(Expr::col(C::SearchName))
                .arg(" ")
                .arg(""),
        );
        query = query.filter(key.like(LikeExpr::new(pattern).escape('\\')));
    }
    let total = crate::page::total(request, &query, tx.conn()).await?;
    let key = match sort {
        ParticipantSort::Name => C::SearchName,
        ParticipantSort::EntryDate => C::EntryDate,
    };
    if let Some((value, id)) = after {
        let value: sea_orm::Value = match sort {
            ParticipantSort::Name => value.into(),
            ParticipantSort::EntryDate => chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                .map_err(|_| DomainError::validation("after", "is not a cursor of this list"))?
                .into(),
        };
        query = query.filter(
            Condition::any()
                .add(key.gt(value.clone()))
                .add(Condition::all().add(key.eq(value)).add(C::Id.gt(id))),
        );
    }
    let rows = query
        .order_by_asc(key)
        .order_by_asc(C::Id)
        .limit(request.limit())
        .all(tx.conn())
        .await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            // The cursor's sort value, as stored (the name key is not computed again).
            let value = match sort {
                ParticipantSort::Name => row.search_name.clone().unwrap_or_default(),
                ParticipantSort::EntryDate => row
                    .entry_date
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            };
            Ok((value, to_participant(row)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// The stored key a participant is sorted and searched by ([`crate::text::name_key`]); empty
/// once the name is erased.
pub(super) fn name_key(last: Option<&str>, first: Option<&str>) -> String {
    match (last, first) {
        (Some(last), Some(first)) => crate::text::name_key(last, first),
        _ => String::new(),
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) async fn lock(tx: &TenantTx, id: ParticipantId) -> Result<()> {
    tx.select::<participant::Entity>()
        .select_only()
        .column(participant::Column::Id)
        .filter(participant::Column::Id.eq(id.0))
        .lock_exclusive()
        .into_tuple::<uuid::Uuid>()
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound {
            entity: "participant",
        })?;
    Ok(())
}

pub(super) async fn referent_of(tx: &TenantTx, id: ParticipantId) -> Result<StaffId> {
    let referent: Option<uuid::Uuid> = tx
        .select::<participant::Entity>()
        .select_only()
        .column(participant::Column::ReferentId)
        .filter(participant::Column::Id.eq(id.0))
        .into_tuple()
        .one(tx.conn())
        .await?;
    referent.map(StaffId).ok_or(DomainError::NotFound {
        entity: "participant",
    })
}

pub(super) async fn insert(tx: &Change, p: &Participant) -> Result<()> {
    tx.insert(to_active(tx, p)).await?;
    Ok(())
}

/// Write `p` if the stored version is still `version`; `false` when it is not.
pub(super) async fn update(tx: &Change, p: &Participant, version: i32) -> Result<bool> {
    let mut active = to_active(tx, p);
    // Primary key columns are not rewritten.
    active.tenant_id = sea_orm::ActiveValue::Unchanged(tx.tenant().0);
    active.id = sea_orm::ActiveValue::Unchanged(p.id.0);
    let result = tx
        .update_many::<participant::Entity>()
        .set(active)
        .filter(participant::Column::Id.eq(p.id.0))
        .filter(participant::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

fn to_active(tx: &TenantTx, p: &Participant) -> participant::ActiveModel {
    participant::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(p.id.0),
        first_name: Set(p.first_name.clone()),
        last_name: Set(p.last_name.clone()),
        search_name: Set(Some(name_key(
            p.last_name.as_deref(),
            p.first_name.as_deref(),
        ))),
        birth_date: Set(p.birth_date),
        birth_year: Set(p.birth_year),
        gender: Set(p.gender.as_str().to_owned()),
        email: Set(p.email.clone()),
        phone: Set(p.phone.clone()),
        postal_address: Set(p.postal_address.clone()),
        commune_id: Set(p.commune_id.0),
        long_term_job_seeker: Set(p.long_term_job_seeker),
        rsa_beneficiary: Set(p.rsa_beneficiary),
        priority_neighbourhood: Set(p.priority_neighbourhood),
        education_level: Set(i32::from(p.education_level.get())),
        recognised_disability: Set(p.recognised_disability),
        authorised_to_work: Set(p.authorised_to_work),
        difficulties: Set(serde_json::json!(p.difficulties)),
        consent_date: Set(p.consent_date),
        consent_scope: Set(p.consent_scope.clone()),
        referent_id: Set(p.referent_id.0),
        status: Set(p.status.as_str().to_owned()),
        entry_date: Set(p.entry_date),
        committee_date: Set(p.committee_date),
        refusal_reason: Set(p.refusal_reason.clone()),
        anonymised_at: Set(p.anonymised_at),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
        version: Set(p.version),
    }
}

fn to_participant(row: participant::Model) -> Result<Participant> {
    Ok(Participant {
        id: ParticipantId(row.id),
        first_name: row.first_name,
        last_name: row.last_name,
        birth_date: row.birth_date,
        birth_year: row.birth_year,
        gender: Gender::parse(&row.gender)?,
        email: row.email,
        phone: row.phone,
        postal_address: row.postal_address,
        commune_id: CommuneId(row.commune_id),
        long_term_job_seeker: row.long_term_job_seeker,
        rsa_beneficiary: row.rsa_beneficiary,
        priority_neighbourhood: row.priority_neighbourhood,
        education_level: EducationLevel::new(row.education_level)
            .map_err(|_| DomainError::Internal("stored education level out of range".into()))?,
        recognised_disability: row.recognised_disability,
        authorised_to_work: row.authorised_to_work,
        difficulties: serde_json::from_value(row.difficulties).unwrap_or_default(),
        consent_date: row.consent_date,
        consent_scope: row.consent_scope,
        referent_id: StaffId(row.referent_id),
        status: ParticipantStatus::parse(&row.status)?,
        entry_date: row.entry_date,
        committee_date: row.committee_date,
        refusal_reason: row.refusal_reason,
        anonymised_at: row.anonymised_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

// --- path steps ---

pub(super) async fn path_steps_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<PathStep>>> {
    let rows = tx
        .select::<path_step::Entity>()
        .filter(path_step::Column::ParticipantId.is_in(participants.iter().map(|p| p.0)))
        .order_by_asc(path_step::Column::StartDate)
        .order_by_asc(path_step::Column::Id)
        .all(tx.conn())
        .await?;
    let mut out: HashMap<ParticipantId, Vec<PathStep>> = HashMap::new();
    for row in rows {
        let step = to_step(row)?;
        out.entry(step.participant_id).or_default().push(step);
    }
    Ok(out)
}

pub(super) async fn find_step(tx: &TenantTx, id: PathStepId) -> Result<Option<PathStep>> {
    tx.select::<path_step::Entity>()
        .filter(path_step::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_step)
        .transpose()
}

pub(super) async fn save_step(tx: &Change, step: &PathStep, previous: Option<i32>) -> Result<bool> {
    let active = path_step::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(step.id.0),
        participant_id: Set(step.participant_id.0),
        kind: Set(step.kind.as_str().to_owned()),
        title: Set(step.title.clone()),
        start_date: Set(step.start_date),
        end_date: Set(step.end_date),
        outcome: Set(step.outcome.clone()),
        closed: Set(step.closed),
        created_at: Set(tx.now()),
        updated_at: Set(tx.now()),
        version: Set(step.version),
    };
    match previous {
        None => {
            tx.insert(active).await?;
            Ok(true)
        }
        Some(version) => {
            let mut active = active;
            active.created_at = sea_orm::ActiveValue::NotSet;
            active.tenant_id = sea_orm::ActiveValue::Unchanged(tx.tenant().0);
            active.id = sea_orm::ActiveValue::Unchanged(step.id.0);
            let result = tx
                .update_many::<path_step::Entity>()
                .set(active)
                .filter(path_step::Column::Id.eq(step.id.0))
                .filter(path_step::Column::Version.eq(version))
                .exec(tx.conn())
                .await?;
            Ok(result.rows_affected == 1)
        }
    }
}

fn to_step(row: path_step::Model) -> Result<PathStep> {
    Ok(PathStep {
        id: PathStepId(row.id),
        participant_id: ParticipantId(row.participant_id),
        kind: PathStepKind::parse(&row.kind)?,
        title: row.title,
        start_date: row.start_date,
        end_date: row.end_date,
        outcome: row.outcome,
        closed: row.closed,
        version: row.version,
    })
}

// --- episodes ---

pub(super) async fn episodes_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<Episode>>> {
    let rows = tx
        .select::<episode::Entity>()
        .filter(episode::Column::ParticipantId.is_in(participants.iter().map(|p| p.0)))
        // A cancelled episode was recorded by mistake: no rule or list sees it.
        .filter(episode::Column::CancelledAt.is_null())
        .order_by_asc(episode::Column::StartDate)
        .order_by_asc(episode::Column::Id)
        .all(tx.conn())
        .await?;
    let mut out: HashMap<ParticipantId, Vec<Episode>> = HashMap::new();
    for row in rows {
        let e = Episode {
            id: EpisodeId(row.id),
            participant_id: ParticipantId(row.participant_id),
            kind: parse_episode_kind(&row.kind)?,
            start_date: row.start_date,
            end_date: row.end_date,
            minutes_per_week: row.minutes_per_week,
            participant_agreement: row.participant_agreement,
            employer: row.employer,
            end_reason: row.end_reason.as_deref().and_then(EndReason::parse),
            version: row.version,
        };
        out.entry(e.participant_id).or_default().push(e);
    }
    Ok(out)
}

pub(super) async fn insert_episode(tx: &Change, e: &Episode) -> Result<()> {
    let kind: EpisodeKind = e.kind;
    tx.insert(episode::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(e.id.0),
        participant_id: Set(e.participant_id.0),
        kind: Set(episode_kind_str(kind).to_owned()),
        start_date: Set(e.start_date),
        end_date: Set(e.end_date),
        minutes_per_week: Set(e.minutes_per_week),
        participant_agreement: Set(e.participant_agreement),
        employer: Set(e.employer.clone()),
        created_at: Set(tx.now()),
        version: Set(e.version),
        end_reason: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
    })
    .await?;
    Ok(())
}

/// Write `e`'s dates, time, agreement, employer and end reason over version `previous`;
/// false when that version is no longer the stored one.
pub(super) async fn update_episode(tx: &Change, e: &Episode, previous: i32) -> Result<bool> {
    let result = tx
        .update_many::<episode::Entity>()
        .col_expr(episode::Column::StartDate, e.start_date.into())
        .col_expr(episode::Column::EndDate, e.end_date.into())
        .col_expr(episode::Column::MinutesPerWeek, e.minutes_per_week.into())
        .col_expr(
            episode::Column::ParticipantAgreement,
            e.participant_agreement.into(),
        )
        .col_expr(episode::Column::Employer, e.employer.clone().into())
        .col_expr(
            episode::Column::EndReason,
            e.end_reason.map(|r| r.as_str().to_owned()).into(),
        )
        .col_expr(episode::Column::Version, e.version.into())
        .filter(episode::Column::Id.eq(e.id.0))
        .filter(episode::Column::Version.eq(previous))
        .filter(episode::Column::CancelledAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Cancel the episode `id` at version `previous`; false when that version is no longer the
/// stored one.
pub(super) async fn cancel_episode(
    tx: &Change,
    id: EpisodeId,
    previous: i32,
    reason: &str,
) -> Result<bool> {
    let result = tx
        .update_many::<episode::Entity>()
        .col_expr(episode::Column::CancelledAt, tx.now().into())
        .col_expr(episode::Column::CancelReason, reason.into())
        .col_expr(episode::Column::Version, (previous + 1).into())
        .filter(episode::Column::Id.eq(id.0))
        .filter(episode::Column::Version.eq(previous))
        .filter(episode::Column::CancelledAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

// --- exits ---

pub(super) async fn exits_of(
    tx: &TenantTx,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Exit>> {
    let rows = tx
        .select::<participant_exit::Entity>()
        .filter(participant_exit::Column::ParticipantId.is_in(participants.iter().map(|p| p.0)))
        .all(tx.conn())
        .await?;
    rows.into_iter()
        .map(|row| {
            let exit = Exit {
                participant_id: ParticipantId(row.participant_id),
                date: row.exit_date,
                kind: ExitKind::parse(&row.kind)?,
                positive: row.positive,
                rule: row.rule.as_deref().and_then(parse_rule),
                reason: row.reason,
                needs_committee_validation: row.needs_committee_validation,
                committee_validated_on: row.committee_validated_on,
            };
            Ok((exit.participant_id, exit))
        })
        .collect()
}

pub(super) async fn save_exit(tx: &Change, exit: &Exit, insert: bool) -> Result<()> {
    let active = participant_exit::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        participant_id: Set(exit.participant_id.0),
        exit_date: Set(exit.date),
        kind: Set(exit.kind.as_str().to_owned()),
        positive: Set(exit.positive),
        rule: Set(exit.rule.map(|r| rule_str(r).to_owned())),
        reason: Set(exit.reason.clone()),
        needs_committee_validation: Set(exit.needs_committee_validation),
        committee_validated_on: Set(exit.committee_validated_on),
        recorded_at: Set(tx.now()),
    };
    if insert {
        tx.insert(active).await?;
    } else {
        tx.update(active).await?;
    }
    Ok(())
}

/// Close the steps of `id`'s path still open when the path closes on `on` (an exit): a step
/// without an end ends that day, or on its own start if it had not started yet.
pub(super) async fn close_open_steps(
    tx: &Change,
    id: ParticipantId,
    on: chrono::NaiveDate,
) -> Result<()> {
    let open = || {
        Condition::all()
            .add(path_step::Column::ParticipantId.eq(id.0))
            .add(path_step::Column::Closed.eq(false))
    };
    tx.update_many::<path_step::Entity>()
        .col_expr(path_step::Column::EndDate, Expr::value(Some(on)))
        .filter(open())
        .filter(path_step::Column::EndDate.is_null())
        .filter(path_step::Column::StartDate.lte(on))
        .exec(tx.conn())
        .await?;
    tx.update_many::<path_step::Entity>()
        .col_expr(
            path_step::Column::EndDate,
            Expr::col(path_step::Column::StartDate),
        )
        .filter(open())
        .filter(path_step::Column::EndDate.is_null())
        .exec(tx.conn())
        .await?;
    tx.update_many::<path_step::Entity>()
        .col_expr(path_step::Column::Closed, Expr::value(true))
        .col_expr(path_step::Column::UpdatedAt, Expr::value(tx.now()))
        .col_expr(
            path_step::Column::Version,
            Expr::col(path_step::Column::Version).add(1),
        )
        .filter(open())
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Erase the free texts of a participant's path and episodes (right to erasure).
pub(super) async fn erase_texts(tx: &Change, id: ParticipantId) -> Result<()> {
    tx.update_many::<path_step::Entity>()
        .col_expr(path_step::Column::Title, Expr::value("—"))
        .col_expr(
            path_step::Column::Outcome,
            Expr::value(Option::<String>::None),
        )
        .filter(path_step::Column::ParticipantId.eq(id.0))
        .exec(tx.conn())
        .await?;
    tx.update_many::<episode::Entity>()
        .col_expr(
            episode::Column::Employer,
            Expr::value(Option::<String>::None),
        )
        .filter(episode::Column::ParticipantId.eq(id.0))
        .exec(tx.conn())
        .await?;
    tx.update_many::<participant_exit::Entity>()
        .col_expr(
            participant_exit::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(participant_exit::Column::ParticipantId.eq(id.0))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Store again the key of each participant of this tenant whose stored key is not the one
/// [`name_key`] gives today (after the folding rule changed); how many were stored.
pub(super) async fn rekey(tx: &Change) -> Result<usize> {
    use participant::Column as C;
    /// A participant's ID, last and first names, and stored key.
    type Keyed = (uuid::Uuid, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Keyed> = tx
        .select::<participant::Entity>()
        .select_only()
        .columns([C::Id, C::LastName, C::FirstName, C::SearchName])
        .into_tuple()
        .all(tx.conn())
        .await?;
    let mut changed = 0;
    for (id, last, first, stored) in rows {
        let key = name_key(last.as_deref(), first.as_deref());
        if stored.as_deref() == Some(key.as_str()) {
            continue;
        }
        tx.update_many::<participant::Entity>()
            .col_expr(C::SearchName, Expr::value(key))
            .filter(C::Id.eq(id))
            .exec(tx.conn())
            .await?;
        changed += 1;
    }
    Ok(changed)
}

/// Whether a participant of this tenant has the name key `key` and was born on `birth`
/// (a possible duplicate; whoever follows them).
pub(super) async fn same_person(
    tx: &TenantTx,
    key: &str,
    birth: chrono::NaiveDate,
) -> Result<bool> {
    use participant::Column as C;
    Ok(tx
        .select::<participant::Entity>()
        .select_only()
        .column(C::Id)
        .filter(C::SearchName.eq(key))
        .filter(C::BirthDate.eq(birth))
        .limit(1)
        .into_tuple::<uuid::Uuid>()
        .one(tx.conn())
        .await?
        .is_some())
}
