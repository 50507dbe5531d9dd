//! Calls for projects, submissions, conventions and amendments.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::calls::{self, CallFields, CallForProjects, NewQuestion, ParisTime};
use parcours_domain::conventions::{self, Amendment, AmendmentKind, Convention};
use parcours_domain::ids::{CallId, ConventionId, SubmissionId};
use parcours_domain::submissions::{self, DraftFields, Submission, SubmissionStatus};
use parcours_domain::{DomainError, paris};

use super::reports::ReportKindGql;
use super::scalars::{Date, Money};
use super::structures::StructureObj;
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// The lifecycle of a call; `CLOSED` comes by itself at the deadline.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CallStatus {
    Draft,
    Published,
    Closed,
    Decided,
}

/// A Paris wall-clock date and time, as calls are published ("21/12/2017 à 17h00").
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "ParisDateTimeInput")]
pub struct ParisDateTime {
    /// The date in Paris.
    date: Date,
    /// The time in Paris, exactly `HH:MM` (5 characters, 00:00 to 23:59).
    time: String,
}

/// A question the response answers.
#[derive(SimpleObject)]
pub struct Question {
    /// The key answers refer to (`q1`, `q2`, …).
    key: String,
    text: String,
    required: bool,
}

/// A call for projects.
pub struct CallObj(pub CallForProjects);

#[Object(name = "CallForProjects")]
impl CallObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("CallForProjects", self.0.id.0)
    }
    /// Reference, unique within the tenant (e.g. `AAP-2017-REMOB`).
    async fn reference(&self) -> &str {
        &self.0.reference
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The specification (cahier des charges), Markdown.
    async fn specification(&self) -> &str {
        &self.0.specification
    }
    /// The most a response may request.
    async fn budget_cap(&self) -> Money {
        Money(self.0.budget_cap)
    }
    async fn target_participants_per_year(&self) -> i32 {
        self.0.target_participants_per_year
    }
    async fn group_size_min(&self) -> i32 {
        self.0.group_size_min
    }
    async fn group_size_max(&self) -> i32 {
        self.0.group_size_max
    }
    /// A new group every this many weeks.
    async fn cadence_weeks(&self) -> i32 {
        self.0.cadence_weeks
    }
    /// The action's part-time frame: a cohort holds at most this many sessions (half-days)
    /// in a calendar week, Monday to Sunday.
    async fn max_half_days_per_week(&self) -> i32 {
        self.0.max_half_days_per_week
    }
    /// Opening, as an instant.
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }
    /// Deadline, as an instant.
    async fn deadline_at(&self) -> DateTime<Utc> {
        self.0.deadline_at
    }
    /// Deadline in Paris wall-clock time, as published.
    async fn deadline_paris(&self) -> ParisDateTime {
        let t = paris::wall_clock(self.0.deadline_at);
        ParisDateTime {
            date: Date(t.date()),
            time: t.format("%H:%M").to_string(),
        }
    }
    async fn expected_start(&self) -> Option<Date> {
        self.0.expected_start.map(Date)
    }
    async fn questions(&self) -> Vec<Question> {
        self.0
            .questions
            .iter()
            .map(|q| Question {
                key: q.key.clone(),
                text: q.text.clone(),
                required: q.required,
            })
            .collect()
    }
    /// Status now.
    async fn status(&self, ctx: &Context<'_>) -> CallStatus {
        match self.0.status(req(ctx).tx.now()) {
            calls::CallStatus::Draft => CallStatus::Draft,
            calls::CallStatus::Published => CallStatus::Published,
            calls::CallStatus::Closed => CallStatus::Closed,
            calls::CallStatus::Decided => CallStatus::Decided,
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Where a submission stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SubmissionStatus")]
pub enum SubmissionStatusGql {
    Draft,
    Submitted,
    Withdrawn,
    UnderReview,
    Accepted,
    Rejected,
}

/// An answer to a question.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "AnswerInput")]
pub struct Answer {
    /// The question's key: one of the call's question keys (`q1` to `q50`, at most 3
    /// characters).
    key: String,
    /// The answer (an empty one removes it). Several paragraphs (line breaks and tabs kept), at
    /// most 20,000 characters.
    text: String,
}

/// A line of the requested budget.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "BudgetLineInput")]
pub struct BudgetLine {
    /// Label of the line: 1 to 200 characters, one line.
    label: String,
    amount: Money,
}

/// The deposit receipt (attestation de dépôt).
#[derive(SimpleObject)]
pub struct SubmissionReceipt {
    /// Unique within the tenant.
    number: i32,
    /// The exact instant received.
    received_at: DateTime<Utc>,
}

/// A file attached to a submission or a report.
pub struct AttachmentObj(pub parcours_domain::attachments::Attachment);

#[Object(name = "Attachment")]
impl AttachmentObj {
    /// Global ID; the file is at `GET /attachments/{id}`.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Attachment", self.0.id.0)
    }
    /// The uploaded file's name, as given.
    async fn filename(&self) -> &str {
        &self.0.filename
    }
    /// Its media type, checked against its content at upload.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
}

/// A structure's response to a call.
pub struct SubmissionObj(pub Submission);

#[Object(name = "Submission")]
impl SubmissionObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Submission", self.0.id.0)
    }
    /// The call answered.
    async fn call(&self, ctx: &Context<'_>) -> async_graphql::Result<CallObj> {
        let r = req(ctx);
        // A provider reads the call it answered even when it is closed.
        let call = calls::get(&r.tx, &r.principal, self.0.call_id)
            .await
            .gql(ctx)?;
        Ok(CallObj(call))
    }
    /// The responding structure.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StructureObj>> {
        let loader = ctx.data_unchecked::<super::loaders::Loaded<super::StructureLoader>>();
        Ok(loader
            .load_one(self.0.structure_id)
            .await?
            .map(StructureObj))
    }
    async fn status(&self) -> SubmissionStatusGql {
        match self.0.status {
            SubmissionStatus::Draft => SubmissionStatusGql::Draft,
            SubmissionStatus::Submitted => SubmissionStatusGql::Submitted,
            SubmissionStatus::Withdrawn => SubmissionStatusGql::Withdrawn,
            SubmissionStatus::UnderReview => SubmissionStatusGql::UnderReview,
            SubmissionStatus::Accepted => SubmissionStatusGql::Accepted,
            SubmissionStatus::Rejected => SubmissionStatusGql::Rejected,
        }
    }
    async fn answers(&self) -> Vec<Answer> {
        self.0
            .answers
            .iter()
            .map(|(key, text)| Answer {
                key: key.clone(),
                text: text.clone(),
            })
            .collect()
    }
    async fn requested_amount(&self) -> Money {
        Money(self.0.requested_amount)
    }
    async fn budget_lines(&self) -> Vec<BudgetLine> {
        self.0
            .budget_lines
            .iter()
            .filter_map(|l| {
                Some(BudgetLine {
                    label: l.label.clone(),
                    amount: Money(parcours_domain::money::Money::from_cents(l.amount_cents).ok()?),
                })
            })
            .collect()
    }
    /// The deposit receipt, once submitted.
    async fn receipt(&self) -> Option<SubmissionReceipt> {
        self.0.receipt.map(|r| SubmissionReceipt {
            number: r.number,
            received_at: r.received_at,
        })
    }
    /// Attached files; download them with `GET /attachments/{id}`.
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttachmentObj>> {
        let r = req(ctx);
        let files = submissions::attachments(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(files.into_iter().map(AttachmentObj).collect())
    }
    /// The steering committee's reason.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    async fn committee_date(&self) -> Option<Date> {
        self.0.committee_date.map(Date)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Kind of amendment.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AmendmentKind")]
pub enum AmendmentKindGql {
    /// One more period (at most two renewals).
    Extension,
    /// A new amount.
    BudgetChange,
    /// Any other change.
    Other,
}

impl From<AmendmentKindGql> for AmendmentKind {
    fn from(k: AmendmentKindGql) -> Self {
        match k {
            AmendmentKindGql::Extension => Self::Extension,
            AmendmentKindGql::BudgetChange => Self::BudgetChange,
            AmendmentKindGql::Other => Self::Other,
        }
    }
}

/// A report due under a convention's calendar.
#[derive(SimpleObject)]
pub struct DueReport {
    /// The same kind as `Report.kind`.
    kind: ReportKindGql,
    due: Date,
    /// The report comes with a budget statement (mid-term and final), due the same day.
    with_budget_statement: bool,
}

/// An amendment (avenant).
#[derive(SimpleObject)]
#[graphql(name = "Amendment")]
pub struct AmendmentObj {
    kind: AmendmentKindGql,
    description: String,
    signed_on: Date,
    new_end_date: Option<Date>,
    new_amount: Option<Money>,
}

impl From<Amendment> for AmendmentObj {
    fn from(a: Amendment) -> Self {
        Self {
            kind: match a.kind {
                AmendmentKind::Extension => AmendmentKindGql::Extension,
                AmendmentKind::BudgetChange => AmendmentKindGql::BudgetChange,
                AmendmentKind::Other => AmendmentKindGql::Other,
            },
            description: a.description,
            signed_on: Date(a.signed_on),
            new_end_date: a.new_end_date.map(Date),
            new_amount: a.new_amount.map(Money),
        }
    }
}

/// Where a convention stands today.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ConventionStatus {
    /// Signed, not started.
    Upcoming,
    /// Running.
    Active,
    /// Past its end date.
    Ended,
}

/// A funding agreement with a structure.
pub struct ConventionObj(pub Convention);

#[Object(name = "Convention")]
impl ConventionObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Convention", self.0.id.0)
    }
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn amount(&self) -> Money {
        Money(self.0.amount)
    }
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }
    /// Today against its dates: `UPCOMING`, `ACTIVE` or `ENDED`.
    async fn status(&self, ctx: &Context<'_>) -> ConventionStatus {
        let today = parcours_domain::paris::today(req(ctx).tx.now());
        if today < self.0.start_date {
            ConventionStatus::Upcoming
        } else if today > self.0.end_date {
            ConventionStatus::Ended
        } else {
            ConventionStatus::Active
        }
    }
    /// Renewals so far (at most two).
    async fn renewals(&self) -> i32 {
        self.0.renewals
    }
    /// The structure holding it.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StructureObj>> {
        let loader = ctx.data_unchecked::<super::loaders::Loaded<super::StructureLoader>>();
        Ok(loader
            .load_one(self.0.structure_id)
            .await?
            .map(StructureObj))
    }
    /// The accepted submission it follows.
    async fn submission(&self, ctx: &Context<'_>) -> async_graphql::Result<SubmissionObj> {
        let r = req(ctx);
        let s = submissions::get(&r.tx, &r.principal, self.0.submission_id)
            .await
            .gql(ctx)?;
        Ok(SubmissionObj(s))
    }
    /// The reports due, in calendar order, derived from the dates: the first-quarter report
    /// three months after the start, the mid-term report and budget statement at the middle,
    /// the final report and budget statement one month after the end.
    async fn report_calendar(&self) -> Vec<DueReport> {
        self.0
            .calendar()
            .into_iter()
            .map(|(kind, due)| DueReport {
                kind: super::reports::kind_gql(kind),
                due: Date(due),
                with_budget_statement: kind.has_budget(),
            })
            .collect()
    }
    /// Amendments, in signature order.
    async fn amendments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AmendmentObj>> {
        let r = req(ctx);
        let list = conventions::amendments(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(list.into_iter().map(Into::into).collect())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub(crate) fn call_id(id: &ID) -> Result<CallId, DomainError> {
    ids::decode(id, "CallForProjects", "call for projects").map(CallId)
}

pub(crate) fn submission_id(id: &ID) -> Result<SubmissionId, DomainError> {
    ids::decode(id, "Submission", "submission").map(SubmissionId)
}

pub(crate) fn convention_id(id: &ID) -> Result<ConventionId, DomainError> {
    ids::decode(id, "Convention", "convention").map(ConventionId)
}

#[derive(Default)]
pub struct CallQuery;

#[Object]
impl CallQuery {
    /// Calls for projects, newest first: steering sees drafts too, providers published ones.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn calls_for_projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<CallObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = calls::list(&r.tx, &r.principal, page).await.gql(ctx)?;
        Ok(Some(connection(ctx, page, |c| c.id.0, CallObj)))
    }

    /// Submissions: a provider its own structure's, steering every submitted one.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn submissions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only responses to this call.")] call_id: Option<ID>,
    ) -> async_graphql::Result<Option<Conn<SubmissionObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let call = call_id.as_ref().map(call_id_of).transpose().gql(ctx)?;
        let page = submissions::list(&r.tx, &r.principal, call, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, SubmissionObj)))
    }

    /// Conventions: a provider its own, steering all.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn conventions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Option<Conn<ConventionObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let page = conventions::list(&r.tx, &r.principal, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |c| c.id.0, ConventionObj)))
    }
}

fn call_id_of(id: &ID) -> Result<CallId, DomainError> {
    call_id(id)
}

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

/// The content of a draft response; on update only what is given changes.
#[derive(InputObject, Default)]
pub struct DraftInput {
    answers: Option<Vec<Answer>>,
    requested_amount: Option<Money>,
    /// Must add up to the requested amount.
    budget_lines: Option<Vec<BudgetLine>>,
    /// Files uploaded with `POST /attachments` by your structure.
    attachment_ids: Option<Vec<ID>>,
}

impl DraftInput {
    fn into_domain(self) -> Result<DraftFields, DomainError> {
        Ok(DraftFields {
            attachment_ids: self
                .attachment_ids
                .map(|list| {
                    list.iter()
                        .map(|id| {
                            ids::decode(id, "Attachment", "attachment")
                                .map(parcours_domain::ids::AttachmentId)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            answers: self
                .answers
                .map(|a| a.into_iter().map(|a| (a.key, a.text)).collect()),
            requested_amount: self.requested_amount.map(|m| m.0),
            budget_lines: self
                .budget_lines
                .map(|l| l.into_iter().map(|l| (l.label, l.amount.0)).collect()),
        })
    }
}

/// Input of `createSubmission`.
#[derive(InputObject)]
pub struct CreateSubmissionInput {
    call_id: ID,
    #[graphql(flatten)]
    draft: DraftInput,
}

/// Input of `updateSubmission`.
#[derive(InputObject)]
pub struct UpdateSubmissionInput {
    id: ID,
    version: i32,
    #[graphql(flatten)]
    draft: DraftInput,
}

/// Input of `submitSubmission`, `withdrawSubmission` and `startReview`.
#[derive(InputObject)]
pub struct SubmissionVersionInput {
    id: ID,
    version: i32,
}

/// Input of `recordDecision`.
#[derive(InputObject)]
pub struct RecordDecisionInput {
    id: ID,
    version: i32,
    accepted: bool,
    /// The reason for the decision: 1 to 2,000 characters, one line.
    reason: String,
    committee_date: Date,
}

/// Result of the submission mutations.
#[derive(SimpleObject)]
pub struct SubmissionPayload {
    submission: SubmissionObj,
}

/// Input of `createConvention`.
#[derive(InputObject)]
pub struct CreateConventionInput {
    /// An accepted submission.
    submission_id: ID,
    /// Default `CONV-<year>-<receipt number>`. 1 to 50 characters, one line.
    number: Option<String>,
    /// Default: the requested amount.
    amount: Option<Money>,
    start_date: Date,
    /// Default: one year.
    end_date: Option<Date>,
}

/// Input of `addAmendment`.
#[derive(InputObject)]
pub struct AddAmendmentInput {
    convention_id: ID,
    version: i32,
    kind: AmendmentKindGql,
    /// Description of the amendment: 1 to 2,000 characters, one line.
    description: String,
    signed_on: Date,
    /// For an extension (default: one more year).
    new_end_date: Option<Date>,
    /// For a budget change.
    new_amount: Option<Money>,
}

/// Result of the convention mutations.
#[derive(SimpleObject)]
pub struct ConventionPayload {
    convention: ConventionObj,
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

    /// Provider: start the structure's response to an open call.
    async fn create_submission(
        &self,
        ctx: &Context<'_>,
        input: CreateSubmissionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = call_id(&input.call_id).gql(ctx)?;
        let s = submissions::create(&r.tx, &r.principal, id, input.draft.into_domain().gql(ctx)?)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: edit the draft response.
    async fn update_submission(
        &self,
        ctx: &Context<'_>,
        input: UpdateSubmissionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::update(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.draft.into_domain().gql(ctx)?,
        )
        .await
        .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: submit; issues the deposit receipt. `DEADLINE_PASSED`, `BUDGET_EXCEEDED`, or
    /// `VALIDATION` on a missing required answer.
    async fn submit_submission(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::submit(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Provider: withdraw a submitted response, until the deadline.
    async fn withdraw_submission(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::withdraw(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Steering: start the review (instruction) of a submitted response.
    async fn start_review(
        &self,
        ctx: &Context<'_>,
        input: SubmissionVersionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::start_review(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Steering: record the steering committee's decision.
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        input: RecordDecisionInput,
    ) -> async_graphql::Result<Option<SubmissionPayload>> {
        let r = req(ctx);
        let id = submission_id(&input.id).gql(ctx)?;
        let s = submissions::record_decision(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.accepted,
            &input.reason,
            input.committee_date.0,
        )
        .await
        .gql(ctx)?;
        Ok(Some(SubmissionPayload {
            submission: SubmissionObj(s),
        }))
    }

    /// Steering: sign the convention of an accepted submission.
    async fn create_convention(
        &self,
        ctx: &Context<'_>,
        input: CreateConventionInput,
    ) -> async_graphql::Result<Option<ConventionPayload>> {
        let r = req(ctx);
        let new = conventions::write_input(
            submission_id(&input.submission_id).gql(ctx)?,
            input.number,
            input.amount.map(|m| m.0),
            input.start_date.0,
            input.end_date.map(|d| d.0),
        );
        let c = conventions::create(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(ConventionPayload {
            convention: ConventionObj(c),
        }))
    }

    /// Steering: amend a convention (extension at most twice: `RENEWAL_LIMIT`).
    async fn add_amendment(
        &self,
        ctx: &Context<'_>,
        input: AddAmendmentInput,
    ) -> async_graphql::Result<Option<ConventionPayload>> {
        let r = req(ctx);
        let new = conventions::NewAmendment {
            convention_id: convention_id(&input.convention_id).gql(ctx)?,
            version: input.version,
            kind: input.kind.into(),
            description: input.description,
            signed_on: input.signed_on.0,
            new_end_date: input.new_end_date.map(|d| d.0),
            new_amount: input.new_amount.map(|m| m.0),
        };
        let c = conventions::add_amendment(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(ConventionPayload {
            convention: ConventionObj(c),
        }))
    }
}
