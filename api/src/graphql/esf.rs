//! ESF+ participant records, their completeness, and the common indicators of an operation.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use parcours_domain::esf::{
    self, AgeBand, EmploymentStatus, EntryAnswers, EsfRecord, ExitAnswers, IndicatorLine,
    IscedBand, LaterAnswers, Operation, RecordFilter,
};
use parcours_domain::ids::EsfRecordId;
use parcours_domain::{DomainError, Principal};

use super::indicators::PeriodInput;
use super::participants::{ParticipantObj, participant_id};
use super::scalars::Date;
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// Labour-market status at entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfEmploymentStatus")]
pub enum EmploymentStatusGql {
    Unemployed,
    LongTermUnemployed,
    /// Neither employed nor looking for work.
    Inactive,
    /// Including self-employed.
    Employed,
}

/// Age band at entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfAgeBand")]
pub enum AgeBandGql {
    Under18,
    From18To29,
    From30To54,
    From55,
}

/// ISCED band of the highest education level (from the French level: 1–2 → 0–2, 3–4 → 3–4,
/// 5–8 → 5–8).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EsfIscedBand")]
pub enum IscedBandGql {
    Isced0To2,
    Isced3To4,
    Isced5To8,
}

/// The decoded operation of an `operationId`: a Convention's ID, or the Tenant's ID for the
/// PLIE's accompaniment (another tenant's ID is not found).
pub fn operation(principal: &Principal, id: &ID) -> Result<Operation, DomainError> {
    let (kind, uuid) = ids::decode_any(id).ok_or(DomainError::NotFound {
        entity: "operation",
    })?;
    Operation::identified(principal, &kind, uuid)
}

/// A participant's ESF+ record in one operation.
pub struct EsfRecordObj(EsfRecord, NaiveDate);

impl EsfRecordObj {
    /// The record as read today (its completeness depends on the day).
    pub(crate) fn read(ctx: &Context<'_>, record: EsfRecord) -> Self {
        Self(record, today(ctx))
    }
}

#[Object(name = "EsfRecord")]
impl EsfRecordObj {
    /// Global ID.
    pub async fn id(&self) -> ID {
        ids::encode("EsfRecord", self.0.id.0)
    }
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        super::loaders::participant(ctx, self.0.participant_id).await
    }
    /// The convention's ID, or the tenant's ID for the PLIE's accompaniment.
    async fn operation_id(&self, ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(match self.0.operation {
            Operation::Convention(c) => ids::encode("Convention", c.0),
            Operation::Plie => ids::encode("Tenant", req(ctx).principal.tenant_id().gql(ctx)?.0),
        })
    }
    async fn entry_date(&self) -> Date {
        Date(self.0.entry_date)
    }
    /// Kept from the first entry.
    async fn employment_status(&self) -> EmploymentStatusGql {
        match self.0.employment_status {
            EmploymentStatus::Unemployed => EmploymentStatusGql::Unemployed,
            EmploymentStatus::LongTermUnemployed => EmploymentStatusGql::LongTermUnemployed,
            EmploymentStatus::Inactive => EmploymentStatusGql::Inactive,
            EmploymentStatus::Employed => EmploymentStatusGql::Employed,
        }
    }
    /// At entry; null when the birth date and year are unknown.
    async fn age_band(&self) -> Option<AgeBandGql> {
        self.0.age_band.map(|a| match a {
            AgeBand::Under18 => AgeBandGql::Under18,
            AgeBand::From18To29 => AgeBandGql::From18To29,
            AgeBand::From30To54 => AgeBandGql::From30To54,
            AgeBand::From55 => AgeBandGql::From55,
        })
    }
    async fn isced_band(&self) -> IscedBandGql {
        match self.0.isced_band {
            IscedBand::Isced0To2 => IscedBandGql::Isced0To2,
            IscedBand::Isced3To4 => IscedBandGql::Isced3To4,
            IscedBand::Isced5To8 => IscedBandGql::Isced5To8,
        }
    }
    /// Recognised disability at entry: a sensitive read, recorded in the access log.
    async fn disability(&self, ctx: &Context<'_>) -> bool {
        super::access::note(
            ctx,
            self.0.participant_id,
            parcours_domain::access_log::SensitiveField::RecognisedDisability,
        );
        self.0.disability
    }
    async fn third_country_national(&self) -> Option<bool> {
        self.0.entry.third_country_national
    }
    async fn foreign_background(&self) -> Option<bool> {
        self.0.entry.foreign_background
    }
    /// Optional and sensitive: null when not asked or declined.
    async fn minority(&self) -> Option<bool> {
        self.0.entry.minority
    }
    /// Homelessness or housing exclusion.
    async fn homeless(&self) -> Option<bool> {
        self.0.entry.homeless
    }
    async fn rural_area(&self) -> Option<bool> {
        self.0.entry.rural_area
    }
    async fn exit_date(&self) -> Option<Date> {
        self.0.exit.map(|x| Date(x.date))
    }
    async fn exit_job_searching(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.job_searching)
    }
    async fn exit_in_education_or_training(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.in_education_or_training)
    }
    async fn exit_qualification_gained(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.qualification_gained)
    }
    /// Including self-employment.
    async fn exit_in_employment(&self) -> Option<bool> {
        self.0.exit.and_then(|x| x.in_employment)
    }
    /// Six months after the exit.
    async fn later_in_employment(&self) -> Option<bool> {
        self.0.later.in_employment
    }
    /// Six months after the exit.
    async fn later_improved_situation(&self) -> Option<bool> {
        self.0.later.improved_situation
    }
    /// The items still missing today (field names of this type).
    async fn missing_items(&self) -> Vec<&'static str> {
        self.0.missing(self.1)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

fn today(ctx: &Context<'_>) -> NaiveDate {
    parcours_domain::paris::wall_clock(req(ctx).tx.now()).date()
}

/// One common indicator of an operation, in total and by gender.
#[derive(SimpleObject)]
#[graphql(name = "EsfIndicator")]
pub struct IndicatorLineGql {
    /// `participants`, `unemployed`, `longTermUnemployed`, `inactive`, `employed`, `under18`,
    /// `aged18To29`, `aged55AndOver`, `isced0To2`, `isced3To4`, `isced5To8`, `disability`,
    /// `thirdCountryNationals`, `foreignBackground`, `minority`, `homeless`, `ruralArea`, and
    /// the result indicators of those who left during the period: `exitJobSearching`,
    /// `exitInEducationOrTraining`, `exitQualificationGained`, `exitInEmployment`,
    /// `laterInEmployment`, `laterImprovedSituation`.
    indicator: String,
    total: i64,
    women: i64,
    men: i64,
    non_binary: i64,
}

impl From<IndicatorLine> for IndicatorLineGql {
    fn from(l: IndicatorLine) -> Self {
        Self {
            indicator: l.indicator.to_owned(),
            total: l.total,
            women: l.women,
            men: l.men,
            non_binary: l.non_binary,
        }
    }
}

#[derive(Default)]
pub struct EsfQuery;

#[Object]
impl EsfQuery {
    /// ESF+ records: steering all, a referent their participants', a provider its conventions'.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn esf_records(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "A Convention's ID, or the Tenant's ID for the PLIE's accompaniment.")]
        operation_id: Option<ID>,
        participant_id: Option<ID>,
        #[graphql(desc = "Only the records that still miss an item.")] incomplete: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<EsfRecordObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = RecordFilter {
            operation: operation_id
                .as_ref()
                .map(|id| operation(&r.principal, id))
                .transpose()
                .gql(ctx)?,
            participant: participant_id
                .as_ref()
                .map(participant_id_of)
                .transpose()
                .gql(ctx)?,
            incomplete: incomplete.unwrap_or(false),
        };
        let page = esf::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        let day = today(ctx);
        Ok(Some(connection(
            ctx,
            page,
            |x| x.id.0,
            |x| EsfRecordObj(x, day),
        )))
    }

    /// The ESF+ common indicators of an operation over a period (steering; a provider for its
    /// own convention).
    async fn esf_indicators(
        &self,
        ctx: &Context<'_>,
        operation_id: ID,
        period: PeriodInput,
    ) -> async_graphql::Result<Option<Vec<IndicatorLineGql>>> {
        let r = req(ctx);
        let op = operation(&r.principal, &operation_id).gql(ctx)?;
        let period = period.period().gql(ctx)?;
        let lines = esf::indicators(&r.tx, &r.principal, op, period)
            .await
            .gql(ctx)?;
        Ok(Some(lines.into_iter().map(Into::into).collect()))
    }
}

fn participant_id_of(id: &ID) -> Result<parcours_domain::ids::ParticipantId, DomainError> {
    participant_id(id)
}

fn record_id(id: &ID) -> Result<EsfRecordId, DomainError> {
    ids::decode(id, "EsfRecord", "ESF record").map(EsfRecordId)
}

/// Input of `recordEsfEntry`.
#[derive(InputObject)]
pub struct RecordEsfEntryInput {
    participant_id: ID,
    /// A Convention's ID, or the Tenant's ID for the PLIE's accompaniment.
    operation_id: ID,
    /// Default: the participant's entry date for the PLIE, today for a convention.
    entry_date: Option<Date>,
    employment_status: EmploymentStatusGql,
    third_country_national: Option<bool>,
    foreign_background: Option<bool>,
    /// Optional and sensitive: omit when not asked or declined.
    minority: Option<bool>,
    homeless: Option<bool>,
    rural_area: Option<bool>,
}

/// Input of `recordEsfExit`.
#[derive(InputObject)]
pub struct RecordEsfExitInput {
    id: ID,
    version: i32,
    date: Date,
    job_searching: Option<bool>,
    in_education_or_training: Option<bool>,
    qualification_gained: Option<bool>,
    in_employment: Option<bool>,
}

/// Input of `recordEsfLaterSituation`.
#[derive(InputObject)]
pub struct RecordEsfLaterSituationInput {
    id: ID,
    version: i32,
    in_employment: Option<bool>,
    improved_situation: Option<bool>,
}

/// Result of the ESF mutations.
#[derive(SimpleObject)]
pub struct EsfRecordPayload {
    esf_record: EsfRecordObj,
    /// The participant had already entered this operation: the first entry's data was kept.
    re_entry: bool,
}

#[derive(Default)]
pub struct EsfMutation;

#[Object]
impl EsfMutation {
    /// Record a participant's entry into an operation (a re-entry keeps the first data and only
    /// fills what is missing).
    async fn record_esf_entry(
        &self,
        ctx: &Context<'_>,
        input: RecordEsfEntryInput,
    ) -> async_graphql::Result<Option<EsfRecordPayload>> {
        let r = req(ctx);
        let op = operation(&r.principal, &input.operation_id).gql(ctx)?;
        let participant = participant_id(&input.participant_id).gql(ctx)?;
        let status = match input.employment_status {
            EmploymentStatusGql::Unemployed => EmploymentStatus::Unemployed,
            EmploymentStatusGql::LongTermUnemployed => EmploymentStatus::LongTermUnemployed,
            EmploymentStatusGql::Inactive => EmploymentStatus::Inactive,
            EmploymentStatusGql::Employed => EmploymentStatus::Employed,
        };
        let answers = EntryAnswers {
            third_country_national: input.third_country_national,
            foreign_background: input.foreign_background,
            minority: input.minority,
            homeless: input.homeless,
            rural_area: input.rural_area,
        };
        let (record, re_entry) = esf::record_entry(
            &r.tx,
            &r.principal,
            participant,
            op,
            input.entry_date.map(|d| d.0),
            status,
            answers,
        )
        .await
        .gql(ctx)?;
        Ok(Some(EsfRecordPayload {
            esf_record: EsfRecordObj(record, today(ctx)),
            re_entry,
        }))
    }

    /// Record the situation at exit (within four weeks of leaving).
    async fn record_esf_exit(
        &self,
        ctx: &Context<'_>,
        input: RecordEsfExitInput,
    ) -> async_graphql::Result<Option<EsfRecordPayload>> {
        let r = req(ctx);
        let id = record_id(&input.id).gql(ctx)?;
        let answers = ExitAnswers {
            date: input.date.0,
            job_searching: input.job_searching,
            in_education_or_training: input.in_education_or_training,
            qualification_gained: input.qualification_gained,
            in_employment: input.in_employment,
        };
        let record = esf::record_exit(&r.tx, &r.principal, id, input.version, answers)
            .await
            .gql(ctx)?;
        Ok(Some(EsfRecordPayload {
            esf_record: EsfRecordObj(record, today(ctx)),
            re_entry: false,
        }))
    }

    /// Record the situation six months after the exit (not before).
    async fn record_esf_later_situation(
        &self,
        ctx: &Context<'_>,
        input: RecordEsfLaterSituationInput,
    ) -> async_graphql::Result<Option<EsfRecordPayload>> {
        let r = req(ctx);
        let id = record_id(&input.id).gql(ctx)?;
        let answers = LaterAnswers {
            in_employment: input.in_employment,
            improved_situation: input.improved_situation,
        };
        let record = esf::record_later(&r.tx, &r.principal, id, input.version, answers)
            .await
            .gql(ctx)?;
        Ok(Some(EsfRecordPayload {
            esf_record: EsfRecordObj(record, today(ctx)),
            re_entry: false,
        }))
    }
}
