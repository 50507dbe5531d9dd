//! A report's life: the provider (or steering) starts, saves and submits it (`startReport`,
//! `saveReport`, `submitReport`); steering reviews it (`reviewReport`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::ids::AttachmentId;
use parcours_domain::reports::{self, Budget, BudgetLine, Report, ReportContent, Resource};

use super::{ReportKindGql, ReportObj, report_id};
use crate::graphql::conventions::convention_id;
use crate::graphql::scalars::Money;
use crate::graphql::{GqlResult, ids, req};

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
