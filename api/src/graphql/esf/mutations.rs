//! Recording a participant's ESF+ data: at entry (`recordEsfEntry`), at exit
//! (`recordEsfExit`) and six months later (`recordEsfLaterSituation`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::esf::{self, EmploymentStatus, EntryAnswers, ExitAnswers, LaterAnswers};

use super::record::{EmploymentStatusGql, EsfRecordObj, today};
use super::{operation, record_id};
use crate::graphql::participants::participant_id;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, req};

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
