//! The `Report` object, with which report of its convention it is (`ReportKind`) and where it
//! stands (`ReportStatus`).

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::reports::{self, Report, ReportKind, ReportStatus};

use super::budget::BudgetStatement;
use super::quantities::QuantitiesObj;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

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
