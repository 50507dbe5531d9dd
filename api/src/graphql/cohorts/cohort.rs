//! The `Cohort` object, and the mutations that create it, change it and move it through its
//! statuses.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Weekday;
use parcours_domain::DomainError;
use parcours_domain::cohorts::{self, Cohort, HalfDay, NewCohort};
use parcours_domain::ids::CohortId;

use super::{
    AttendanceObj, HalfDayGql, MemberObj, SessionHoursInput, SessionObj, WeekdayGql, cohort_id,
    half_day, hours,
};
use crate::graphql::conventions::convention_id;
use crate::graphql::inline::Inline;
use crate::graphql::loaders::Loaded;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

/// Where a cohort stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CohortStatus {
    Planned,
    Running,
    Closed,
}

/// A cohort (groupe) of an action under a convention.
pub struct CohortObj(pub Cohort);

#[Object(name = "Cohort")]
impl CohortObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Cohort", self.0.id.0)
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }
    async fn size_min(&self) -> i32 {
        self.0.size_min
    }
    /// Capacity: a hard limit.
    async fn size_max(&self) -> i32 {
        self.0.size_max
    }
    async fn status(&self) -> CohortStatus {
        match self.0.status {
            cohorts::CohortStatus::Planned => CohortStatus::Planned,
            cohorts::CohortStatus::Running => CohortStatus::Running,
            cohorts::CohortStatus::Closed => CohortStatus::Closed,
        }
    }
    /// Where the sessions take place (an address, a room), as printed on the attendance sheet;
    /// null until recorded.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// The session calendar, in calendar order.
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Inline<SessionObj>>> {
        let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::SessionsLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(|s| Inline(SessionObj(s))).collect())
    }
    /// Prescriptions and enrolments (a referent sees only their own participants').
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Inline<MemberObj>>> {
        let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::MembersLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        // Primed already when this cohort came in a page; otherwise, for its own members.
        crate::graphql::loaders::prime_members(ctx, ctx.look_ahead(), &list).await?;
        MemberObj::list(ctx, ctx.look_ahead(), list).await
    }
    /// Attendance records, by session then participant (steering and the provider).
    async fn attendance(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Inline<AttendanceObj>>> {
        let loader =
            ctx.data_unchecked::<Loaded<crate::graphql::loaders::CohortAttendanceLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(|a| Inline(AttendanceObj(a))).collect())
    }
    /// The next session: today's (Paris time) or the first after it; null once all are past.
    async fn next_session(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SessionObj>> {
        let today = parcours_domain::paris::wall_clock(req(ctx).tx.now()).date();
        let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::SessionsLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .filter(|s| s.day >= today)
            .min_by_key(|s| (s.day, s.half_day != HalfDay::Morning))
            .map(SessionObj))
    }
    /// How many members are enrolled, all referents' participants counted (one statement per
    /// cohort when selected).
    async fn enrolled_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let r = req(ctx);
        let n = cohorts::enrolled_count(&r.tx, &r.principal, self.0.id)
            .await
            .gql(ctx)?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
    /// Places left: `sizeMax` minus the enrolled members, never below 0.
    async fn seats_left(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let enrolled = self.enrolled_count(ctx).await?;
        Ok((self.0.size_max - enrolled).max(0))
    }
    /// The convention the action runs under; null for whoever may not read conventions (a
    /// referent).
    async fn convention(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::conventions::ConventionObj>> {
        let r = req(ctx);
        match parcours_domain::conventions::get(&r.tx, &r.principal, self.0.convention_id).await {
            Ok(c) => Ok(Some(crate::graphql::conventions::ConventionObj(c))),
            Err(DomainError::Forbidden(_) | DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    /// The provider running the action.
    async fn provider(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::structures::StructureObj>> {
        let r = req(ctx);
        match parcours_domain::structures::get(&r.tx, &r.principal, self.0.structure_id).await {
            Ok(s) => Ok(Some(crate::graphql::structures::StructureObj(s))),
            Err(DomainError::Forbidden(_) | DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The cohort `id` through the request's loader; null when the caller may not read it.
pub(super) async fn cohort_of(
    ctx: &Context<'_>,
    id: CohortId,
) -> async_graphql::Result<Option<CohortObj>> {
    let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::CohortLoader>>();
    Ok(loader.load_one(id).await?.map(CohortObj))
}

pub(super) fn domain_status(s: CohortStatus) -> cohorts::CohortStatus {
    match s {
        CohortStatus::Planned => cohorts::CohortStatus::Planned,
        CohortStatus::Running => cohorts::CohortStatus::Running,
        CohortStatus::Closed => cohorts::CohortStatus::Closed,
    }
}

/// Input of `createCohort`.
#[derive(InputObject)]
pub struct CreateCohortInput {
    convention_id: ID,
    /// The cohort's label: 1 to 200 characters, one line.
    label: String,
    start_date: Date,
    /// Default 3.
    weeks: Option<i32>,
    /// The session days, e.g. Monday, Tuesday, Thursday.
    weekdays: Vec<WeekdayGql>,
    /// Morning and/or afternoon.
    half_days: Vec<HalfDayGql>,
    /// Default: the call's group size range.
    size_min: Option<i32>,
    size_max: Option<i32>,
    /// Where the sessions take place (an address, a room): one line, 1 to 300 characters.
    /// Printed on the attendance sheets, which an ESF+ audit reads.
    place: Option<String>,
    /// The morning sessions' hours; default 09:00–12:00.
    morning_hours: Option<SessionHoursInput>,
    /// The afternoon sessions' hours; default 13:30–16:30.
    afternoon_hours: Option<SessionHoursInput>,
}

/// Input of `updateCohort`: the fields given change.
#[derive(InputObject)]
pub struct UpdateCohortInput {
    id: ID,
    version: i32,
    /// 1 to 200 characters, one line.
    label: Option<String>,
    /// One line, 1 to 300 characters.
    place: Option<String>,
}

/// Result of `createCohort` and `setCohortStatus`.
#[derive(SimpleObject)]
pub struct CohortPayload {
    cohort: CohortObj,
}

/// Input of `setCohortStatus`.
#[derive(InputObject)]
pub struct SetCohortStatusInput {
    id: ID,
    version: i32,
    /// `RUNNING` from `PLANNED`, `CLOSED` from `RUNNING`.
    status: CohortStatus,
}

#[derive(Default)]
pub struct CohortPlanMutation;

#[Object]
impl CohortPlanMutation {
    /// Create a cohort with its session calendar (the convention's provider, or steering).
    async fn create_cohort(
        &self,
        ctx: &Context<'_>,
        input: CreateCohortInput,
    ) -> async_graphql::Result<Option<CohortPayload>> {
        let r = req(ctx);
        let weekdays = input
            .weekdays
            .iter()
            .map(|d| match d {
                WeekdayGql::Monday => Weekday::Mon,
                WeekdayGql::Tuesday => Weekday::Tue,
                WeekdayGql::Wednesday => Weekday::Wed,
                WeekdayGql::Thursday => Weekday::Thu,
                WeekdayGql::Friday => Weekday::Fri,
                WeekdayGql::Saturday => Weekday::Sat,
            })
            .collect();
        let half_days = input.half_days.iter().copied().map(half_day).collect();
        let weeks = match input.weeks {
            Some(w) => Some(
                u32::try_from(w)
                    .map_err(|_| DomainError::validation("weeks", "must be 1 to 12"))
                    .gql(ctx)?,
            ),
            None => None,
        };
        let new = NewCohort {
            convention_id: convention_id(&input.convention_id).gql(ctx)?,
            label: input.label,
            start_date: input.start_date.0,
            weeks,
            weekdays,
            half_days,
            size_min: input.size_min,
            size_max: input.size_max,
            place: input.place,
            morning_hours: hours("morningHours", input.morning_hours.as_ref()).gql(ctx)?,
            afternoon_hours: hours("afternoonHours", input.afternoon_hours.as_ref()).gql(ctx)?,
        };
        let (cohort, _) = cohorts::create(&r.tx, &r.principal, new).await.gql(ctx)?;
        Ok(Some(CohortPayload {
            cohort: CohortObj(cohort),
        }))
    }

    /// Change a cohort's label or place (its provider or steering; not once closed;
    /// `STALE_VERSION` when `version` is not the current one).
    async fn update_cohort(
        &self,
        ctx: &Context<'_>,
        input: UpdateCohortInput,
    ) -> async_graphql::Result<Option<CohortPayload>> {
        let r = req(ctx);
        let id = cohort_id(&input.id).gql(ctx)?;
        let cohort = cohorts::update(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.label.as_deref(),
            input.place.as_deref(),
        )
        .await
        .gql(ctx)?;
        Ok(Some(CohortPayload {
            cohort: CohortObj(cohort),
        }))
    }

    /// Start or close a cohort.
    async fn set_cohort_status(
        &self,
        ctx: &Context<'_>,
        input: SetCohortStatusInput,
    ) -> async_graphql::Result<Option<CohortPayload>> {
        let r = req(ctx);
        let status = domain_status(input.status);
        let id = cohort_id(&input.id).gql(ctx)?;
        let cohort = cohorts::set_status(&r.tx, &r.principal, id, input.version, status)
            .await
            .gql(ctx)?;
        Ok(Some(CohortPayload {
            cohort: CohortObj(cohort),
        }))
    }
}
