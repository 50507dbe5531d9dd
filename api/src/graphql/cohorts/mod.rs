//! Cohorts (`parcours_domain::cohorts`) as the schema shows them: the `Cohort` with its
//! calendar of `CohortSession`s, its `CohortMember`s (prescriptions, enrolments, declines,
//! drop-outs) and their `Attendance`, the `cohorts` list, and the mutations of each. Who runs,
//! plans, prescribes and reads attendance is the domain's policy; resolvers only map.

use async_graphql::ID;
use parcours_domain::DomainError;
use parcours_domain::ids::CohortId;

use crate::graphql::ids;

mod attendance;
mod cohort;
mod member;
mod queries;
mod session;

pub use attendance::AttendanceObj;
pub use cohort::CohortObj;
use cohort::{CohortStatus, cohort_of};
pub use member::MemberObj;
pub use queries::CohortQuery;
pub use session::SessionObj;
use session::{HalfDayGql, SessionHoursInput, WeekdayGql, half_day, hours, session_id};

pub(crate) fn cohort_id(id: &ID) -> Result<CohortId, DomainError> {
    ids::decode(id, "Cohort", "cohort").map(CohortId)
}

/// The cohorts' mutations, in the order the schema lists them.
#[derive(async_graphql::MergedObject, Default)]
pub struct CohortMutation(
    cohort::CohortPlanMutation,
    member::MembershipMutation,
    session::SessionMutation,
    attendance::AttendanceMutation,
);
