//! The shapes participants are read in (see [`Shape`]), decoded by position
//! ([`crate::db::rows`]), and the rows of a page: with its sort key (its cursor's value), and
//! with its communes.

use std::marker::PhantomData;

use sea_orm::sea_query::Expr;
use sea_orm::{DbErr, QuerySelect, Select};

use super::super::model::*;
use crate::db::rows::{Positional, Shaped};
use crate::entities::participant;
use crate::error::Result;
use crate::ids::{CommuneId, ParticipantId, StaffId};
use crate::tenants::CommuneSummary;

/// `query` selecting the columns of `S` only, then the list's sort key `K` (a page's cursor).
pub(super) fn shaped<S: Shape, K: SortKey>(
    query: Select<participant::Entity>,
) -> Select<participant::Entity> {
    query
        .select_only()
        .columns(S::columns().iter().copied())
        .column(K::COLUMN)
}

/// The brief's columns, in its decoder's order.
const BRIEF: [participant::Column; 7] = {
    use participant::Column as C;
    [
        C::Id,
        C::FirstName,
        C::LastName,
        C::BirthDate,
        C::Gender,
        C::CommuneId,
        C::ReferentId,
    ]
};

/// The summary's columns, in its decoder's order: the brief's, then its own.
const SUMMARY: [participant::Column; 11] = {
    use participant::Column as C;
    concat(&BRIEF, [C::BirthYear, C::Status, C::EntryDate, C::Version])
};

/// The rest of the record, in its decoder's order.
const REST: [participant::Column; 17] = {
    use participant::Column as C;
    [
        C::Email,
        C::Phone,
        C::PostalAddress,
        C::LongTermJobSeeker,
        C::RsaBeneficiary,
        C::PriorityNeighbourhood,
        C::EducationLevel,
        C::RecognisedDisability,
        C::AuthorisedToWork,
        C::Difficulties,
        C::ConsentDate,
        C::ConsentScope,
        C::CommitteeDate,
        C::RefusalReason,
        C::AnonymisedAt,
        C::CreatedAt,
        C::UpdatedAt,
    ]
};

/// The whole record's columns: the summary's, then the rest.
const WHOLE: [participant::Column; 28] = concat(&SUMMARY, REST);

/// `head` then `tail`, in a constant (`N` is their lengths' sum).
const fn concat<const H: usize, const T: usize, const N: usize>(
    head: &[participant::Column; H],
    tail: [participant::Column; T],
) -> [participant::Column; N] {
    assert!(H + T == N);
    let mut all = [participant::Column::Id; N];
    let mut i = 0;
    while i < H {
        all[i] = head[i];
        i += 1;
    }
    while i < N {
        all[i] = tail[i - H];
        i += 1;
    }
    all
}

impl Shaped for ParticipantBrief {
    type Entity = participant::Entity;

    fn columns() -> &'static [participant::Column] {
        &BRIEF
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use participant::Column as C;
        Ok(ParticipantBrief {
            id: ParticipantId(at.get(C::Id)?),
            first_name: at.get(C::FirstName)?,
            last_name: at.get(C::LastName)?,
            birth_date: at.get(C::BirthDate)?,
            gender: unreadable(Gender::parse(&at.get::<String>(C::Gender)?))?,
            commune_id: CommuneId(at.get(C::CommuneId)?),
            referent_id: StaffId(at.get(C::ReferentId)?),
        })
    }
}

impl Shaped for ParticipantSummary {
    type Entity = participant::Entity;

    fn columns() -> &'static [participant::Column] {
        &SUMMARY
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use participant::Column as C;
        // Read in the order of `columns` (a struct's fields are evaluated as written).
        Ok(ParticipantSummary {
            brief: ParticipantBrief::decode(at)?,
            birth_year: at.get(C::BirthYear)?,
            status: unreadable(ParticipantStatus::parse(&at.get::<String>(C::Status)?))?,
            entry_date: at.get(C::EntryDate)?,
            version: at.get(C::Version)?,
        })
    }
}

/// The whole record: the summary's columns first, then the rest.
impl Shaped for Participant {
    type Entity = participant::Entity;

    fn columns() -> &'static [participant::Column] {
        &WHOLE
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use participant::Column as C;
        let ParticipantSummary {
            brief: b,
            birth_year,
            status,
            entry_date,
            version,
        } = ParticipantSummary::decode(at)?;
        // Read in the order of `columns` (a struct's fields are evaluated as written).
        Ok(Participant {
            email: at.get(C::Email)?,
            phone: at.get(C::Phone)?,
            postal_address: at.get(C::PostalAddress)?,
            long_term_job_seeker: at.get(C::LongTermJobSeeker)?,
            rsa_beneficiary: at.get(C::RsaBeneficiary)?,
            priority_neighbourhood: at.get(C::PriorityNeighbourhood)?,
            education_level: EducationLevel::new(at.get(C::EducationLevel)?)
                .map_err(|_| DbErr::Type("stored education level out of range".into()))?,
            recognised_disability: at.get(C::RecognisedDisability)?,
            authorised_to_work: at.get(C::AuthorisedToWork)?,
            difficulties: serde_json::from_value(at.get::<serde_json::Value>(C::Difficulties)?)
                .unwrap_or_default(),
            consent_date: at.get(C::ConsentDate)?,
            consent_scope: at.get(C::ConsentScope)?,
            committee_date: at.get(C::CommitteeDate)?,
            refusal_reason: at.get(C::RefusalReason)?,
            anonymised_at: at.get(C::AnonymisedAt)?,
            created_at: at.get(C::CreatedAt)?,
            updated_at: at.get(C::UpdatedAt)?,
            id: b.id,
            first_name: b.first_name,
            last_name: b.last_name,
            birth_date: b.birth_date,
            birth_year,
            gender: b.gender,
            commune_id: b.commune_id,
            referent_id: b.referent_id,
            status,
            entry_date,
            version,
        })
    }
}

/// A stored value no variant matches, as the decoding error it is.
fn unreadable<T>(parsed: Result<T>) -> std::result::Result<T, DbErr> {
    parsed.map_err(|e| DbErr::Type(e.to_string()))
}

/// The prefix of the commune's columns in a page read with its communes.
pub(super) const COMMUNE_PREFIX: &str = "commune_";

/// The sort key of a list of participants, read after the shape's columns: the value its
/// cursor carries.
pub(super) trait SortKey: 'static {
    /// The column whose value a cursor carries (read beside the shape's columns).
    const COLUMN: participant::Column;
    /// What the list is ordered by (then by ID), as the index `(tenant_id, this, id)` holds it
    /// (`m20261203_000019`), so that a page is one range of that index.
    fn sorted_by() -> Expr;
    /// The key of the row at `at`, as its cursor carries it.
    fn read(at: &mut Positional<'_>) -> std::result::Result<Option<String>, DbErr>;
    /// The value of [`SortKey::sorted_by`] for a cursor's key; `None` when it is not one.
    fn value_of(key: Option<String>) -> Option<sea_orm::Value>;
}

/// By name: the stored name key ([`crate::text::name_key`]), as stored; never NULL.
pub(super) struct ByName;

impl SortKey for ByName {
    const COLUMN: participant::Column = participant::Column::SearchName;
    fn sorted_by() -> Expr {
        Expr::col((participant::Entity, Self::COLUMN))
    }
    fn read(at: &mut Positional<'_>) -> std::result::Result<Option<String>, DbErr> {
        at.get(Self::COLUMN)
    }
    fn value_of(key: Option<String>) -> Option<sea_orm::Value> {
        key.map(Into::into)
    }
}

/// By entry date: the date, `YYYY-MM-DD`; the participants without one (rows brought from an
/// earlier tool) come last, sorted as [`undated`].
pub(super) struct ByEntryDate;

/// Where a participant without an entry date sorts: 9999-12-31, after every date the service
/// accepts (an entry date is never in the future). Ordering by `COALESCE(entry_date,
/// '9999-12-31')` rather than `entry_date NULLS LAST` makes the rows after a cursor one range
/// of the index, undated ones included, on both databases (a nullable key would need an `OR
/// entry_date IS NULL`, which no index range answers).
pub(super) fn undated() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date")
}

impl SortKey for ByEntryDate {
    const COLUMN: participant::Column = participant::Column::EntryDate;
    fn sorted_by() -> Expr {
        // The same text as the index's expression (`m20261203_000019`), which PostgreSQL and
        // SQLite match by its form: a bound parameter in its place would not use the index.
        Expr::cust(r#"COALESCE("participant"."entry_date", '9999-12-31')"#)
    }
    fn read(at: &mut Positional<'_>) -> std::result::Result<Option<String>, DbErr> {
        let date: Option<chrono::NaiveDate> = at.get(Self::COLUMN)?;
        Ok(date.map(|d| d.to_string()))
    }
    fn value_of(key: Option<String>) -> Option<sea_orm::Value> {
        let date = match key {
            Some(text) => chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?,
            None => undated(),
        };
        Some(date.into())
    }
}

/// A participant read in the shape `S`, with its sort key `K` (the cursor of its list),
/// decoded by position.
pub(super) struct Row<S, K> {
    pub(super) participant: S,
    pub(super) key: Option<String>,
    sorted: PhantomData<K>,
}

impl<S: Shape, K: SortKey> Row<S, K> {
    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, sea_orm::DbErr> {
        let participant = S::decode(at)?;
        let key = K::read(at)?;
        Ok(Self {
            participant,
            key,
            sorted: PhantomData,
        })
    }
}

impl<S: Shape, K: SortKey> sea_orm::FromQueryResult for Row<S, K> {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        _: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Self::decode(&mut Positional::new(row, 0))
    }
}

/// A participant's row with its commune's summary (every participant has one: the column is
/// `NOT NULL`, with a foreign key to a commune of the same tenant).
pub(super) struct WithCommune<S, K> {
    pub(super) row: Row<S, K>,
    pub(super) commune: CommuneSummary,
}

impl<S: Shape, K: SortKey> sea_orm::FromQueryResult for WithCommune<S, K> {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        _: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        let mut at = Positional::new(row, 0);
        Ok(Self {
            row: Row::decode(&mut at)?,
            commune: CommuneSummary::decode(&mut at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{IdenStatic, Iterable};

    use super::*;

    fn names(columns: &[participant::Column]) -> Vec<&'static str> {
        columns.iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn each_shape_extends_the_smaller_and_the_whole_is_every_column_but_the_keys() {
        let (brief, summary, whole) = (names(&BRIEF), names(&SUMMARY), names(&WHOLE));
        assert_eq!(summary[..brief.len()], brief[..]);
        assert_eq!(whole[..summary.len()], summary[..]);
        let mut sorted = whole.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), whole.len(), "a column twice: {whole:?}");
        // The tenant is the transaction's; the name key is a list's sort key, read beside the
        // shape when the list is sorted by name.
        let mut every: Vec<&str> = participant::Column::iter()
            .map(|c| c.as_str())
            .filter(|c| !["tenant_id", "search_name"].contains(c))
            .collect();
        every.sort_unstable();
        assert_eq!(sorted, every);
    }
}
