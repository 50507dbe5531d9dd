//! The shapes participants are read in (see [`Shape`]), decoded by position
//! ([`crate::db::rows`]), and the rows of a page: with its cursor's name key, and with its
//! communes.

use sea_orm::{DbErr, QuerySelect, Select};

use super::super::model::*;
use crate::db::rows::{Positional, Shaped};
use crate::entities::participant;
use crate::error::Result;
use crate::ids::{CommuneId, ParticipantId, StaffId};
use crate::tenants::CommuneSummary;

/// `query` selecting the columns of `S` only, then the stored sort key of names (a page's
/// cursor).
pub(super) fn shaped<S: Shape>(query: Select<participant::Entity>) -> Select<participant::Entity> {
    query
        .select_only()
        .columns(S::columns().iter().copied())
        .column(participant::Column::SearchName)
}

/// The summary's columns, in its decoder's order.
const SUMMARY: [participant::Column; 11] = {
    use participant::Column as C;
    [
        C::Id,
        C::FirstName,
        C::LastName,
        C::BirthDate,
        C::BirthYear,
        C::Gender,
        C::CommuneId,
        C::ReferentId,
        C::Status,
        C::EntryDate,
        C::Version,
    ]
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
const WHOLE: [participant::Column; 28] = {
    let mut all = [participant::Column::Id; 28];
    let mut i = 0;
    while i < SUMMARY.len() {
        all[i] = SUMMARY[i];
        i += 1;
    }
    while i < all.len() {
        all[i] = REST[i - SUMMARY.len()];
        i += 1;
    }
    all
};

impl Shaped for ParticipantSummary {
    type Entity = participant::Entity;

    fn columns() -> &'static [participant::Column] {
        &SUMMARY
    }

    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, DbErr> {
        use participant::Column as C;
        Ok(ParticipantSummary {
            id: ParticipantId(at.get(C::Id)?),
            first_name: at.get(C::FirstName)?,
            last_name: at.get(C::LastName)?,
            birth_date: at.get(C::BirthDate)?,
            birth_year: at.get(C::BirthYear)?,
            gender: unreadable(Gender::parse(&at.get::<String>(C::Gender)?))?,
            commune_id: CommuneId(at.get(C::CommuneId)?),
            referent_id: StaffId(at.get(C::ReferentId)?),
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
        let s = ParticipantSummary::decode(at)?;
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
            id: s.id,
            first_name: s.first_name,
            last_name: s.last_name,
            birth_date: s.birth_date,
            birth_year: s.birth_year,
            gender: s.gender,
            commune_id: s.commune_id,
            referent_id: s.referent_id,
            status: s.status,
            entry_date: s.entry_date,
            version: s.version,
        })
    }
}

/// A stored value no variant matches, as the decoding error it is.
fn unreadable<T>(parsed: Result<T>) -> std::result::Result<T, DbErr> {
    parsed.map_err(|e| DbErr::Type(e.to_string()))
}

/// The prefix of the commune's columns in a page read with its communes.
pub(super) const COMMUNE_PREFIX: &str = "commune_";

/// A participant read in the shape `S`, with its stored name key (the cursor of a list sorted
/// by name), decoded by position.
pub(super) struct Row<S> {
    pub(super) participant: S,
    pub(super) search_name: Option<String>,
}

impl<S: Shape> Row<S> {
    fn decode(at: &mut Positional<'_>) -> std::result::Result<Self, sea_orm::DbErr> {
        let participant = S::decode(at)?;
        let search_name = at.get(participant::Column::SearchName)?;
        Ok(Self {
            participant,
            search_name,
        })
    }
}

impl<S: Shape> sea_orm::FromQueryResult for Row<S> {
    fn from_query_result(
        row: &sea_orm::QueryResult,
        _: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Self::decode(&mut Positional::new(row, 0))
    }
}

/// A participant's row with its commune's summary (every participant has one: the column is
/// `NOT NULL`, with a foreign key to a commune of the same tenant).
pub(super) struct WithCommune<S> {
    pub(super) row: Row<S>,
    pub(super) commune: CommuneSummary,
}

impl<S: Shape> sea_orm::FromQueryResult for WithCommune<S> {
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
