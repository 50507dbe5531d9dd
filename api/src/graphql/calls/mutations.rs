//! Steering writes, edits and publishes a call: `createCall`, `updateCall`, `publishCall`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::calls::{self, CallFields, NewQuestion, ParisTime};
use parcours_domain::{DomainError, paris};

use super::{CallObj, ParisDateTime, call_id};
use crate::graphql::scalars::{Date, Money};
use crate::graphql::{GqlResult, req};

/// A question of a new call.
#[derive(InputObject)]
pub struct QuestionInput {
    /// The question: 1 to 2,000 characters, one line.
    text: String,
    #[graphql(default = true)]
    required: bool,
}

/// The fields of a call; on update only those given change.
#[derive(InputObject)]
pub struct CallFieldsInput {
    /// Reference (e.g. `AAP-2017-REMOB`): 1 to 50 characters, one line.
    reference: Option<String>,
    /// Title: 1 to 200 characters, one line.
    title: Option<String>,
    /// Summary: 1 to 2,000 characters, one line.
    summary: Option<String>,
    /// Markdown. Several paragraphs (line breaks and tabs kept), at most 100,000 characters and
    /// 200,000 bytes of UTF-8; may be empty.
    specification: Option<String>,
    budget_cap: Option<Money>,
    target_participants_per_year: Option<i32>,
    group_size_min: Option<i32>,
    group_size_max: Option<i32>,
    cadence_weeks: Option<i32>,
    /// The action's part-time frame: at most this many sessions (half-days) per calendar week
    /// in a cohort, 1 to 9; default 5 (half-time). `createCohort`, `addCohortSession` and
    /// `moveCohortSession` refuse a calendar beyond it (`VALIDATION`).
    max_half_days_per_week: Option<i32>,
    /// Opening, Paris time.
    opens: Option<ParisDateTime>,
    /// Deadline, Paris time (e.g. 2017-12-21 17:00).
    deadline: Option<ParisDateTime>,
    expected_start: Option<Date>,
    questions: Option<Vec<QuestionInput>>,
}

fn paris_time(field: &str, t: ParisDateTime) -> Result<ParisTime, DomainError> {
    Ok(ParisTime {
        date: t.date.0,
        time: paris::parse_time(field, &t.time)?,
    })
}

impl CallFieldsInput {
    fn into_domain(self) -> Result<CallFields, DomainError> {
        Ok(CallFields {
            reference: self.reference,
            title: self.title,
            summary: self.summary,
            specification: self.specification,
            budget_cap: self.budget_cap.map(|m| m.0),
            target_participants_per_year: self.target_participants_per_year,
            group_size_min: self.group_size_min,
            group_size_max: self.group_size_max,
            cadence_weeks: self.cadence_weeks,
            max_half_days_per_week: self.max_half_days_per_week,
            opens: self.opens.map(|t| paris_time("opens", t)).transpose()?,
            deadline: self
                .deadline
                .map(|t| paris_time("deadline", t))
                .transpose()?,
            expected_start: self.expected_start.map(|d| d.0),
            questions: self.questions.map(|qs| {
                qs.into_iter()
                    .map(|q| NewQuestion {
                        text: q.text,
                        required: q.required,
                    })
                    .collect()
            }),
        })
    }
}

/// Input of `updateCall`.
#[derive(InputObject)]
pub struct UpdateCallInput {
    id: ID,
    version: i32,
    #[graphql(flatten)]
    fields: CallFieldsInput,
}

/// Input of `publishCall`.
#[derive(InputObject)]
pub struct PublishCallInput {
    id: ID,
    version: i32,
}

/// Result of the call mutations.
#[derive(SimpleObject)]
pub struct CallPayload {
    call: CallObj,
}

#[derive(Default)]
pub struct CallMutation;

#[Object]
impl CallMutation {
    /// Steering: write a call (a draft).
    async fn create_call(
        &self,
        ctx: &Context<'_>,
        input: CallFieldsInput,
    ) -> async_graphql::Result<Option<CallPayload>> {
        let r = req(ctx);
        let fields = input.into_domain().gql(ctx)?;
        let call = calls::create(&r.tx, &r.principal, fields).await.gql(ctx)?;
        Ok(Some(CallPayload {
            call: CallObj(call),
        }))
    }

    /// Steering: edit a draft call.
    async fn update_call(
        &self,
        ctx: &Context<'_>,
        input: UpdateCallInput,
    ) -> async_graphql::Result<Option<CallPayload>> {
        let r = req(ctx);
        let id = call_id(&input.id).gql(ctx)?;
        let fields = input.fields.into_domain().gql(ctx)?;
        let call = calls::update(&r.tx, &r.principal, id, input.version, fields)
            .await
            .gql(ctx)?;
        Ok(Some(CallPayload {
            call: CallObj(call),
        }))
    }

    /// Steering: publish a draft call to the tenant's providers.
    async fn publish_call(
        &self,
        ctx: &Context<'_>,
        input: PublishCallInput,
    ) -> async_graphql::Result<Option<CallPayload>> {
        let r = req(ctx);
        let id = call_id(&input.id).gql(ctx)?;
        let call = calls::publish(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(CallPayload {
            call: CallObj(call),
        }))
    }
}
