//! Queries of participants, path steps, episodes and exits. Every query is scoped by the
//! transaction's tenant; participant reads are further scoped to a referent's own portfolio.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, Order, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::model::*;
use super::policy::{self, Visible};
use crate::db::rows;
use crate::db::{Change, TenantTx};
use crate::entities::{commune, episode, participant, participant_exit, path_step};
use crate::error::{DomainError, Result};
use crate::ids::{ParticipantId, StaffId};
use crate::principal::Principal;
use crate::tenants::CommuneSummary;

mod exits;
mod path;
mod reach;
mod shapes;

pub(crate) use exits::due_for_anonymisation;
pub(super) use exits::*;
pub(super) use path::*;

pub(crate) use reach::ids_of_referent;
use reach::{provider_knows, provider_participants};
use shapes::{ByEntryDate, ByName, COMMUNE_PREFIX, Row, SortKey, WithCommune, shaped};

/// The participants the principal may see in the transaction's tenant (see
/// [`policy::visible`]).
async fn visible(tx: &TenantTx, principal: &Principal) -> Result<Select<participant::Entity>> {
    let query = tx.select::<participant::Entity>();
    Ok(match policy::visible(principal) {
        Visible::All => query,
        Visible::OfReferent(staff) => query.filter(participant::Column::ReferentId.eq(staff.0)),
        Visible::OfProvider(structure) => {
            let ids = provider_participants(tx, structure).await?;
            query.filter(tx.is_in(participant::Column::Id, ids))
        }
        // An impossible condition keeps this fail-closed.
        Visible::Nothing => query.filter(participant::Column::Id.is_null()),
    })
}

/// A participant the principal may see: `FORBIDDEN` when it is another referent's,
/// `NOT_FOUND` when it does not exist in this tenant.
pub(super) async fn find_visible(
    tx: &TenantTx,
    principal: &Principal,
    id: ParticipantId,
) -> Result<Participant> {
    policy::require_reader(principal)?;
    let query = tx
        .select::<participant::Entity>()
        .filter(participant::Column::Id.eq(id.0));
    let found = rows::read::<Participant>(tx.conn(), query)
        .await?
        .pop()
        .ok_or(DomainError::NotFound {
            entity: "participant",
        })?;
    match policy::visible(principal) {
        Visible::OfProvider(structure) => {
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

/// The visible participants among `ids`, in the shape `S` (only its columns are read).
pub(super) async fn find_many<S: Shape>(
    tx: &TenantTx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<Vec<S>> {
    let query = visible(tx, principal)
        .await?
        .filter(tx.is_in(participant::Column::Id, ids.iter().map(|i| i.0)));
    Ok(rows::read::<S>(tx.conn(), query).await?)
}

/// A page of participants: keyset on (sort key, id), each with its cursor and, with
/// `communes`, its commune's summary read by the same statement; and the total when the
/// request counts.
pub(super) async fn list<S: Shape>(
    tx: &TenantTx,
    principal: &Principal,
    filter: &ParticipantFilter,
    sort: ParticipantSort,
    request: &crate::page::PageRequest,
    after: Option<(Option<String>, uuid::Uuid)>,
    communes: bool,
) -> Result<(Vec<super::Listed<S>>, Option<u64>)> {
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
    let rows = match sort {
        ParticipantSort::Name => page::<S, ByName>(tx, query, request, after, communes).await?,
        ParticipantSort::EntryDate => {
            page::<S, ByEntryDate>(tx, query, request, after, communes).await?
        }
    };
    Ok((rows, total))
}

/// The page of `query` after the cursor `after`, sorted by `K` then ID, in the shape `S`.
async fn page<S: Shape, K: SortKey>(
    tx: &TenantTx,
    query: Select<participant::Entity>,
    request: &crate::page::PageRequest,
    after: Option<(Option<String>, uuid::Uuid)>,
    communes: bool,
) -> Result<Vec<super::Listed<S>>> {
    use participant::Column as C;
    let mut query = query;
    if let Some((value, id)) = after {
        query = query.filter(after_row::<K>(value, id)?);
    }
    // The order of the index `(tenant_id, key, id)`, which [`after_row`] relies on.
    let query = shaped::<S, K>(query)
        .order_by(K::sorted_by(), Order::Asc)
        .order_by_asc(C::Id);
    // The cursor's sort value, as stored (the name key is not computed again).
    let listed = |row: Row<S, K>, commune: Option<CommuneSummary>| super::Listed {
        cursor: super::Cursor {
            value: row.key,
            id: row.participant.id(),
        },
        participant: row.participant,
        commune,
    };
    Ok(if communes {
        // The commune of the same tenant (the join carries the tenant, as every key does).
        // An inner join: `commune_id` is `NOT NULL` with a foreign key on (tenant, commune),
        // so it keeps every participant, and PostgreSQL checks the commune's row-level
        // security once per statement, where a left join's nullable side checked it again for
        // each row of the page (PostgreSQL's instructions per W1 request −24%, counted with
        // callgrind: README, "Where the time goes").
        let lives_in: sea_orm::RelationDef = participant::Entity::belongs_to(commune::Entity)
            .from((C::TenantId, C::CommuneId))
            .to((commune::Column::TenantId, commune::Column::Id))
            .into();
        // The participant's columns keep their names (decoded without building a prefixed
        // name per column, which `select_also` does), the commune summary's are
        // `commune_<column>`.
        let mut query = query.join(JoinType::InnerJoin, lives_in);
        for &column in <CommuneSummary as rows::Shaped>::columns() {
            let alias = format!("{COMMUNE_PREFIX}{}", sea_orm::IdenStatic::as_str(&column));
            query = query.column_as(column, alias);
        }
        crate::page::limited::<WithCommune<S, K>, _, _>(tx.conn(), query, request.limit())
            .await?
            .into_iter()
            .map(|row| listed(row.row, Some(row.commune)))
            .collect()
    } else {
        crate::page::limited::<Row<S, K>, _, _>(tx.conn(), query, request.limit())
            .await?
            .into_iter()
            .map(|row| listed(row, None))
            .collect()
    })
}

/// The rows after the cursor's row in the list's order (`K`'s key, then ID): the row comparison
/// `(key, id) > (cursor's key, cursor's id)`, one range of the index `(tenant_id, key, id)`,
/// which both databases start at the cursor, even inside a run of equal keys (the anonymised
/// participants' empty name key, a day's entries).
fn after_row<K: SortKey>(value: Option<String>, id: uuid::Uuid) -> Result<Expr> {
    use participant::Column as C;
    let value = K::value_of(value)
        .ok_or_else(|| DomainError::validation("after", "is not a cursor of this list"))?;
    Ok(
        Expr::tuple([K::sorted_by(), Expr::col((participant::Entity, C::Id))])
            .gt(Expr::tuple([Expr::val(value), Expr::val(id)])),
    )
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
        search_name: Set(name_key(p.last_name.as_deref(), p.first_name.as_deref())),
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
    type Keyed = (uuid::Uuid, Option<String>, Option<String>, String);
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
        if stored == key {
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
