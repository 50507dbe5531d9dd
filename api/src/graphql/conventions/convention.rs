//! The `Convention` object: its status today and its report calendar.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use parcours_domain::conventions::{self, Convention};
use parcours_domain::submissions;

use super::AmendmentObj;
use crate::graphql::reports::ReportKindGql;
use crate::graphql::scalars::{Date, Money};
use crate::graphql::structures::StructureObj;
use crate::graphql::submissions::SubmissionObj;
use crate::graphql::{GqlResult, ids, req};

/// A report due under a convention's calendar.
#[derive(SimpleObject)]
pub struct DueReport {
    /// The same kind as `Report.kind`.
    kind: ReportKindGql,
    due: Date,
    /// The report comes with a budget statement (mid-term and final), due the same day.
    with_budget_statement: bool,
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
        let loader = ctx
            .data_unchecked::<crate::graphql::loaders::Loaded<crate::graphql::StructureLoader>>();
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
                kind: crate::graphql::reports::kind_gql(kind),
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
