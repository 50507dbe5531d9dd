//! The `OverdueReport` object: a report due and not submitted, started or not.

use async_graphql::{ID, Object};
use parcours_domain::reports::Overdue;

use super::{ReportKindGql, ReportObj, kind_gql};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

/// A report due and not submitted (or waiting for changes).
pub struct OverdueObj(pub(super) Overdue);

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
