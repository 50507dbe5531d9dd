//! The participant's own mutations: create and update the record, the validation committee's
//! entry decision, a new referent, anonymisation. Those of its path, episodes and exit sit
//! beside their objects.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::ids::{CommuneId, StaffId};
use parcours_domain::participants::{self as domain, Participant};

use super::{EducationLevel, Gender, ParticipantObj, participant_id};
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

fn staff_id(id: &ID) -> Result<StaffId, DomainError> {
    ids::decode(id, "StaffMember", "referent").map(StaffId)
}

fn commune_id(id: &ID) -> Result<CommuneId, DomainError> {
    // An ID that is not a commune of this tenant is outside the perimeter.
    ids::decode(id, "Commune", "commune")
        .map(CommuneId)
        .map_err(|_| {
            DomainError::validation("communeId", "is not a commune of this PLIE's perimeter")
        })
}

/// Identity, contact and situation fields; on update only those given change.
#[derive(InputObject, Default)]
pub struct ParticipantFieldsInput {
    /// First name: 1 to 200 characters, one line.
    first_name: Option<String>,
    /// Last name: 1 to 200 characters, one line.
    last_name: Option<String>,
    birth_date: Option<Date>,
    gender: Option<Gender>,
    /// E-mail address: at most 254 characters, one line, stored lowercased; an empty one
    /// removes it.
    email: Option<String>,
    /// Phone number: 1 to 30 characters, one line, of digits, spaces and `+ . - ( )`.
    phone: Option<String>,
    /// Postal address: 1 to 500 characters, one line.
    postal_address: Option<String>,
    /// A commune of the tenant's perimeter (see `tenant.communes`).
    commune_id: Option<ID>,
    long_term_job_seeker: Option<bool>,
    rsa_beneficiary: Option<bool>,
    priority_neighbourhood: Option<bool>,
    education_level: Option<EducationLevel>,
    recognised_disability: Option<bool>,
    authorised_to_work: Option<bool>,
    /// Other integration difficulties (at most 20, 100 characters each).
    difficulties: Option<Vec<String>>,
    consent_date: Option<Date>,
    /// What the participant agreed to: 1 to 1,000 characters, one line.
    consent_scope: Option<String>,
}

impl ParticipantFieldsInput {
    fn into_domain(self) -> Result<domain::ParticipantFields, DomainError> {
        Ok(domain::ParticipantFields {
            first_name: self.first_name,
            last_name: self.last_name,
            birth_date: self.birth_date.map(|d| d.0),
            gender: self.gender.map(Into::into),
            email: self.email,
            phone: self.phone,
            postal_address: self.postal_address,
            commune_id: self.commune_id.as_ref().map(commune_id).transpose()?,
            long_term_job_seeker: self.long_term_job_seeker,
            rsa_beneficiary: self.rsa_beneficiary,
            priority_neighbourhood: self.priority_neighbourhood,
            education_level: self.education_level.map(EducationLevel::number),
            recognised_disability: self.recognised_disability,
            authorised_to_work: self.authorised_to_work,
            difficulties: self.difficulties,
            consent_date: self.consent_date.map(|d| d.0),
            consent_scope: self.consent_scope,
        })
    }
}

/// Input of `createParticipant`: first and last name, birth date, gender, commune, education
/// level, consent date and scope are required; `authorisedToWork` must be true.
#[derive(InputObject)]
pub struct CreateParticipantInput {
    #[graphql(flatten)]
    fields: ParticipantFieldsInput,
    /// The referent (required for steering; a referent creates in their own portfolio).
    referent_id: Option<ID>,
    /// The day the participant entered the path (default today).
    entry_date: Option<Date>,
    /// Create even though a participant of this PLIE has the same name and birth date (names
    /// compared as search compares them: case, accents, ligatures, apostrophes and hyphens
    /// ignored). Without it such a create is refused with `POSSIBLE_DUPLICATE`. Default false.
    #[graphql(default = false)]
    allow_duplicate: bool,
    /// A key (1 to 200 characters) the client makes for this create: sent again with the
    /// same input (a retry after a lost answer), it returns the participant the first one
    /// created and writes nothing; with another input it is `CONFLICT`.
    idempotency_key: Option<String>,
}

/// Input of `updateParticipant`.
#[derive(InputObject)]
pub struct UpdateParticipantInput {
    /// The participant.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: i32,
    #[graphql(flatten)]
    fields: ParticipantFieldsInput,
}

/// Input of `validateEntry`.
#[derive(InputObject)]
pub struct ValidateEntryInput {
    id: ID,
    version: i32,
    /// The validation committee's date.
    committee_date: Date,
}

/// Input of `refuseEntry`.
#[derive(InputObject)]
pub struct RefuseEntryInput {
    id: ID,
    version: i32,
    /// The validation committee's date.
    committee_date: Date,
    /// Why the committee refused: 1 to 1,000 characters, one line.
    reason: String,
}

/// Input of `reassignReferent`.
#[derive(InputObject)]
pub struct ReassignReferentInput {
    id: ID,
    version: i32,
    /// An active referent of the tenant.
    referent_id: ID,
}

/// Input of `anonymiseParticipant`.
#[derive(InputObject)]
pub struct AnonymiseParticipantInput {
    id: ID,
    version: i32,
}

/// Result of the participant mutations.
#[derive(SimpleObject)]
pub struct ParticipantPayload {
    /// The participant after the change.
    participant: ParticipantObj,
}

fn payload(p: Participant) -> Option<ParticipantPayload> {
    Some(ParticipantPayload {
        participant: ParticipantObj::from(p),
    })
}

#[derive(Default)]
pub struct ParticipantRecordMutation;

#[Object]
impl ParticipantRecordMutation {
    /// Create a participant (a `CANDIDATE`): a referent in their own portfolio, or steering.
    /// Eligibility is checked; each violation names its field.
    async fn create_participant(
        &self,
        ctx: &Context<'_>,
        input: CreateParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let new = domain::NewParticipant {
            fields: input.fields.into_domain().gql(ctx)?,
            referent_id: input
                .referent_id
                .as_ref()
                .map(staff_id)
                .transpose()
                .gql(ctx)?,
            entry_date: input.entry_date.map(|d| d.0),
            allow_duplicate: input.allow_duplicate,
            idempotency_key: input.idempotency_key,
        };
        Ok(payload(
            domain::create(&r.tx, &r.principal, new).await.gql(ctx)?,
        ))
    }

    /// Change a participant's fields (their referent or steering).
    async fn update_participant(
        &self,
        ctx: &Context<'_>,
        input: UpdateParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let changes = domain::ParticipantChanges {
            id: participant_id(&input.id).gql(ctx)?,
            version: input.version,
            fields: input.fields.into_domain().gql(ctx)?,
        };
        Ok(payload(
            domain::update(&r.tx, &r.principal, changes)
                .await
                .gql(ctx)?,
        ))
    }

    /// Steering: the validation committee admits a candidate.
    async fn validate_entry(
        &self,
        ctx: &Context<'_>,
        input: ValidateEntryInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::validate_entry(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.committee_date.0,
        )
        .await
        .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: the validation committee refuses a candidate.
    async fn refuse_entry(
        &self,
        ctx: &Context<'_>,
        input: RefuseEntryInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::refuse_entry(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.committee_date.0,
            &input.reason,
        )
        .await
        .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: give the participant another referent.
    async fn reassign_referent(
        &self,
        ctx: &Context<'_>,
        input: ReassignReferentInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let referent = staff_id(&input.referent_id).gql(ctx)?;
        let p = domain::reassign_referent(&r.tx, &r.principal, id, input.version, referent)
            .await
            .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: erase the participant's personal data (right to erasure); anonymous facts stay.
    async fn anonymise_participant(
        &self,
        ctx: &Context<'_>,
        input: AnonymiseParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::anonymise(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(payload(p))
    }
}
