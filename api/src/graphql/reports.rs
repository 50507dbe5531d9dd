//! Reports (bilans) of conventions: writing, submitting, reviewing, and what is overdue.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::DomainError;
use parcours_domain::ids::{AttachmentId, ReportId};
use parcours_domain::money::Money as Cents;
use parcours_domain::reports::{
    self, Budget, BudgetLine, Overdue, Quantities, Report, ReportContent, ReportKind, ReportStatus,
    Resource,
};

use super::conventions::convention_id;
use super::scalars::{Date, Money};
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// Which report of a convention.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ReportKind")]
pub enum ReportKindGql {
    /// Three months after the start.
    FirstQuarter,
    /// At the middle of the convention, with a budget statement.
    MidTerm,
    /// One month after the end, with a budget statement.
    Final,
}

impl From<ReportKindGql> for ReportKind {
    fn from(k: ReportKindGql) -> Self {
        match k {
            ReportKindGql::FirstQuarter => ReportKind::FirstQuarter,
            ReportKindGql::MidTerm => ReportKind::MidTerm,
            ReportKindGql::Final => ReportKind::Final,
        }
    }
}

pub(crate) fn kind_gql(k: ReportKind) -> ReportKindGql {
    match k {
        ReportKind::FirstQuarter => ReportKindGql::FirstQuarter,
        ReportKind::MidTerm => ReportKindGql::MidTerm,
        ReportKind::Final => ReportKindGql::Final,
    }
}

/// Where a report stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ReportStatus")]
pub enum ReportStatusGql {
    Draft,
    Submitted,
    ChangesRequested,
    Accepted,
}

fn money(cents: i64) -> Money {
    Money(Cents::from_cents(cents).unwrap_or_default())
}

/// A budget line of a report's budget statement.
#[derive(SimpleObject)]
#[graphql(name = "ReportBudgetLine")]
pub struct BudgetLineGql {
    label: String,
    planned: Money,
    spent: Money,
}

/// A resource (co-financing) of a report's budget statement.
#[derive(SimpleObject)]
#[graphql(name = "ReportResource")]
pub struct ResourceGql {
    label: String,
    amount: Money,
}

/// A budget statement: planned and spent per line, resources.
#[derive(SimpleObject)]
pub struct BudgetStatement {
    lines: Vec<BudgetLineGql>,
    resources: Vec<ResourceGql>,
    total_planned: Money,
    total_spent: Money,
    total_resources: Money,
}

impl From<&Budget> for BudgetStatement {
    fn from(b: &Budget) -> Self {
        Self {
            lines: b
                .lines
                .iter()
                .map(|l| BudgetLineGql {
                    label: l.label.clone(),
                    planned: money(l.planned_cents),
                    spent: money(l.spent_cents),
                })
                .collect(),
            resources: b
                .resources
                .iter()
                .map(|r| ResourceGql {
                    label: r.label.clone(),
                    amount: money(r.amount_cents),
                })
                .collect(),
            total_planned: money(b.lines.iter().map(|l| l.planned_cents).sum()),
            total_spent: money(b.lines.iter().map(|l| l.spent_cents).sum()),
            total_resources: money(b.resources.iter().map(|r| r.amount_cents).sum()),
        }
    }
}

/// A count per level or domain.
#[derive(SimpleObject)]
#[graphql(name = "KeyCount")]
pub struct Count {
    key: String,
    count: i64,
}

/// How many final diagnostics have a CléA domain to train.
#[derive(SimpleObject)]
pub struct CleaDomainCount {
    domain: super::diagnostics::CleaDomain,
    count: i64,
}

/// The quantitative part of a report, from the records of the convention's cohorts.
pub struct QuantitiesObj(Quantities);

#[Object(name = "ReportQuantities")]
impl QuantitiesObj {
    async fn cohorts(&self) -> i64 {
        self.0.cohorts
    }
    /// Every prescription, whatever became of it.
    async fn prescribed(&self) -> i64 {
        self.0.prescribed
    }
    /// Enrolled, including those who dropped out later.
    async fn enrolled(&self) -> i64 {
        self.0.enrolled
    }
    async fn declined(&self) -> i64 {
        self.0.declined
    }
    async fn dropped_out(&self) -> i64 {
        self.0.dropped_out
    }
    /// Still enrolled when their cohort closed.
    async fn completed(&self) -> i64 {
        self.0.completed
    }
    async fn attendance_records(&self) -> i64 {
        self.0.attendance_records
    }
    /// Present or late.
    async fn attended(&self) -> i64 {
        self.0.attended
    }
    /// `attended` over `attendanceRecords`, in percent, one decimal.
    async fn attendance_rate_percent(&self) -> Option<f64> {
        self.0.attendance_rate_percent()
    }
    async fn diagnostics_final(&self) -> i64 {
        self.0.diagnostics_final
    }
    async fn fle_training_needed(&self) -> i64 {
        self.0.fle_training_needed
    }
    /// Final diagnostics by their lowest CEFR level over the four skills (`pre-A1`, `A1.1`…).
    async fn fle_lowest_levels(&self) -> Vec<Count> {
        self.0
            .fle_lowest_levels
            .iter()
            .map(|(key, count)| Count {
                key: key.clone(),
                count: *count,
            })
            .collect()
    }
    /// Final diagnostics meeting the tenant's CléA threshold.
    async fn clea_meeting_threshold(&self) -> i64 {
        self.0.clea_meeting_threshold
    }
    /// For each CléA domain (all 7, in the certificate's order), how many have it to train.
    async fn clea_modules_to_train(&self) -> Vec<CleaDomainCount> {
        parcours_domain::diagnostics::CLEA_DOMAINS
            .iter()
            .zip(&self.0.clea_modules_to_train)
            .map(|(domain, count)| CleaDomainCount {
                domain: (*domain).into(),
                count: *count,
            })
            .collect()
    }
    async fn daq_orientations(&self) -> i64 {
        self.0.daq_orientations
    }
    async fn mobility_platform_referrals(&self) -> i64 {
        self.0.mobility_platform_referrals
    }
    /// Exits recorded for the enrolled participants.
    async fn exits(&self) -> i64 {
        self.0.exits
    }
    async fn positive_exits(&self) -> i64 {
        self.0.positive_exits
    }
}

/// A report (bilan) of a convention.
pub struct ReportObj(pub Report);

#[Object(name = "Report")]
impl ReportObj {
    /// Global ID.
    pub async fn id(&self) -> ID {
        ids::encode("Report", self.0.id.0)
    }
    async fn convention_id(&self) -> ID {
        ids::encode("Convention", self.0.convention_id.0)
    }
    async fn kind(&self) -> ReportKindGql {
        kind_gql(self.0.kind)
    }
    /// From the convention's calendar.
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    async fn status(&self) -> ReportStatusGql {
        match self.0.status {
            ReportStatus::Draft => ReportStatusGql::Draft,
            ReportStatus::Submitted => ReportStatusGql::Submitted,
            ReportStatus::ChangesRequested => ReportStatusGql::ChangesRequested,
            ReportStatus::Accepted => ReportStatusGql::Accepted,
        }
    }
    async fn qualitative(&self) -> &str {
        &self.0.qualitative
    }
    /// Mid-term and final reports only.
    async fn budget(&self) -> Option<BudgetStatement> {
        self.0.budget.as_ref().map(Into::into)
    }
    /// Supporting documents (the structure's uploaded files).
    async fn attachment_ids(&self) -> Vec<ID> {
        self.0
            .attachments
            .iter()
            .map(|a| ids::encode("Attachment", a.0))
            .collect()
    }
    /// As submitted (frozen) once submitted and under review or accepted; computed now while
    /// the report is being written.
    async fn quantities(&self, ctx: &Context<'_>) -> async_graphql::Result<QuantitiesObj> {
        match (&self.0.submitted_quantities, self.0.status.editable()) {
            (Some(q), false) => Ok(QuantitiesObj(q.clone())),
            _ => {
                let r = req(ctx);
                let q = reports::live_quantities(&r.tx, &r.principal, self.0.id)
                    .await
                    .gql(ctx)?;
                Ok(QuantitiesObj(q))
            }
        }
    }
    async fn review_comment(&self) -> Option<&str> {
        self.0.review_comment.as_deref()
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A report due and not submitted (or waiting for changes).
pub struct OverdueObj(Overdue);

#[Object(name = "OverdueReport")]
impl OverdueObj {
    async fn convention_id(&self) -> ID {
        ids::encode("Convention", self.0.convention_id.0)
    }
    async fn convention_number(&self) -> &str {
        &self.0.convention_number
    }
    async fn kind(&self) -> ReportKindGql {
        kind_gql(self.0.kind)
    }
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    /// The report, when it was started.
    async fn report(&self) -> Option<ReportObj> {
        self.0.report.clone().map(ReportObj)
    }
}

fn report_id(id: &ID) -> Result<ReportId, DomainError> {
    ids::decode(id, "Report", "report").map(ReportId)
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Reports: steering all, a provider its conventions'.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        convention_id: Option<ID>,
    ) -> async_graphql::Result<Option<Conn<ReportObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let convention = convention_id
            .as_ref()
            .map(super::conventions::convention_id)
            .transpose()
            .gql(ctx)?;
        let page = reports::list(&r.tx, &r.principal, convention, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |x| x.id.0, ReportObj)))
    }

    /// Reports past their due date and not submitted, started or not, by due date.
    async fn overdue_reports(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<OverdueObj>>> {
        let r = req(ctx);
        let list = reports::overdue(&r.tx, &r.principal).await.gql(ctx)?;
        Ok(Some(list.into_iter().map(OverdueObj).collect()))
    }
}

/// Input of `startReport`.
#[derive(InputObject)]
pub struct StartReportInput {
    convention_id: ID,
    kind: ReportKindGql,
}

/// A budget line.
#[derive(InputObject)]
#[graphql(name = "ReportBudgetLineInput")]
pub struct BudgetLineInput {
    /// Label of the line: 1 to 200 characters, one line.
    label: String,
    planned: Money,
    spent: Money,
}

/// A resource.
#[derive(InputObject)]
#[graphql(name = "ReportResourceInput")]
pub struct ResourceInput {
    /// Label of the resource: 1 to 200 characters, one line.
    label: String,
    amount: Money,
}

/// A budget statement.
#[derive(InputObject)]
#[graphql(name = "BudgetStatementInput")]
pub struct BudgetInput {
    lines: Vec<BudgetLineInput>,
    #[graphql(default)]
    resources: Vec<ResourceInput>,
}

/// Input of `saveReport`: what is given replaces what was there.
#[derive(InputObject)]
pub struct SaveReportInput {
    id: ID,
    version: i32,
    /// The report's qualitative part: several paragraphs (line breaks kept), at most 20,000
    /// characters; an empty one clears it.
    qualitative: Option<String>,
    /// Mid-term and final reports only.
    budget: Option<BudgetInput>,
    /// Supporting documents: files uploaded by the convention's structure (`POST /attachments`).
    attachment_ids: Option<Vec<ID>>,
}

/// Input of `submitReport`.
#[derive(InputObject)]
pub struct SubmitReportInput {
    id: ID,
    version: i32,
}

/// Input of `reviewReport`.
#[derive(InputObject)]
pub struct ReviewReportInput {
    id: ID,
    version: i32,
    accepted: bool,
    /// Required when changes are requested. Several paragraphs (line breaks kept), at most
    /// 5,000 characters.
    comment: Option<String>,
}

/// Result of the report mutations.
#[derive(SimpleObject)]
pub struct ReportPayload {
    report: ReportObj,
}

fn payload(r: Report) -> Option<ReportPayload> {
    Some(ReportPayload {
        report: ReportObj(r),
    })
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Start a report of a convention (its provider, or steering); its due date follows from
    /// the convention's calendar.
    async fn start_report(
        &self,
        ctx: &Context<'_>,
        input: StartReportInput,
    ) -> async_graphql::Result<Option<ReportPayload>> {
        let r = req(ctx);
        let c = convention_id(&input.convention_id).gql(ctx)?;
        let report = reports::start(&r.tx, &r.principal, c, input.kind.into())
            .await
            .gql(ctx)?;
        Ok(payload(report))
    }

    /// Write a draft, or revise a report whose changes were requested.
    async fn save_report(
        &self,
        ctx: &Context<'_>,
        input: SaveReportInput,
    ) -> async_graphql::Result<Option<ReportPayload>> {
        let r = req(ctx);
        let id = report_id(&input.id).gql(ctx)?;
        let attachments = match input.attachment_ids {
            Some(list) => Some(
                list.iter()
                    .map(|a| {
                        ids::decode(a, "Attachment", "attachment")
                            .map(AttachmentId)
                            .map_err(|_| {
                                DomainError::validation(
                                    "attachmentIds",
                                    "name files uploaded by the convention's structure",
                                )
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .gql(ctx)?,
            ),
            None => None,
        };
        let content = ReportContent {
            qualitative: input.qualitative,
            budget: input.budget.map(|b| Budget {
                lines: b
                    .lines
                    .into_iter()
                    .map(|l| BudgetLine {
                        label: l.label,
                        planned_cents: l.planned.0.cents(),
                        spent_cents: l.spent.0.cents(),
                    })
                    .collect(),
                resources: b
                    .resources
                    .into_iter()
                    .map(|x| Resource {
                        label: x.label,
                        amount_cents: x.amount.0.cents(),
                    })
                    .collect(),
            }),
            attachments,
        };
        let report = reports::save(&r.tx, &r.principal, id, input.version, content)
            .await
            .gql(ctx)?;
        Ok(payload(report))
    }

    /// Submit (or resubmit) a report; its quantitative part is frozen.
    async fn submit_report(
        &self,
        ctx: &Context<'_>,
        input: SubmitReportInput,
    ) -> async_graphql::Result<Option<ReportPayload>> {
        let r = req(ctx);
        let id = report_id(&input.id).gql(ctx)?;
        let report = reports::submit(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(payload(report))
    }

    /// Steering accepts a submitted report or requests changes with a comment.
    async fn review_report(
        &self,
        ctx: &Context<'_>,
        input: ReviewReportInput,
    ) -> async_graphql::Result<Option<ReportPayload>> {
        let r = req(ctx);
        let id = report_id(&input.id).gql(ctx)?;
        let report = reports::review(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.accepted,
            input.comment.as_deref(),
        )
        .await
        .gql(ctx)?;
        Ok(payload(report))
    }
}
