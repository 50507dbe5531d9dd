//! Reports (bilans) of conventions (`parcours_domain::reports`) as the schema shows them: the
//! `Report` with its `ReportQuantities` and budget statement, the `OverdueReport`s, the
//! `reports` and `overdueReports` queries, and the mutations that write, submit and review a
//! report. Rules stay in the domain; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::ReportId;

use crate::graphql::ids;

mod budget;
mod mutations;
mod overdue;
mod quantities;
mod queries;
mod report;

pub use mutations::ReportMutation;
pub use queries::ReportQuery;
pub(crate) use report::kind_gql;
pub use report::{ReportKindGql, ReportObj};

fn report_id(id: &ID) -> Result<ReportId, DomainError> {
    ids::decode(id, "Report", "report").map(ReportId)
}
