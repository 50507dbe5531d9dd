//! The calendar: the `CohortSession` object, session hours, and the mutations that add, move
//! and remove a session.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::cohorts::{self, HalfDay, Hours, Session};
use parcours_domain::ids::SessionId;

use super::{AttendanceObj, CohortObj, cohort_id, cohort_of};
use crate::graphql::loaders::Loaded;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

/// Morning or afternoon.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "HalfDay")]
pub enum HalfDayGql {
    Morning,
    Afternoon,
}

/// A weekday.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Weekday")]
pub enum WeekdayGql {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

/// A session (séance).
pub struct SessionObj(pub Session);

#[Object(name = "CohortSession")]
impl SessionObj {
    /// Global ID (what `recordAttendance` takes).
    pub(crate) async fn id(&self) -> ID {
        ids::encode("CohortSession", self.0.id.0)
    }
    async fn day(&self) -> Date {
        Date(self.0.day)
    }
    async fn half_day(&self) -> HalfDayGql {
        match self.0.half_day {
            HalfDay::Morning => HalfDayGql::Morning,
            HalfDay::Afternoon => HalfDayGql::Afternoon,
        }
    }
    /// When it starts, Paris local time, `HH:MM`.
    async fn start_time(&self) -> String {
        Hours::format(self.0.hours.start)
    }
    /// When it ends, Paris local time, `HH:MM`.
    async fn end_time(&self) -> String {
        Hours::format(self.0.hours.end)
    }
    /// The cohort it belongs to.
    async fn cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CohortObj>> {
        cohort_of(ctx, self.0.cohort_id).await
    }
    /// Its attendance records, by participant (steering and the provider; a referent reads
    /// their participants' through `CohortMember.attendance`).
    async fn attendance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttendanceObj>> {
        let loader =
            ctx.data_unchecked::<Loaded<crate::graphql::loaders::CohortAttendanceLoader>>();
        let list = loader.load_one(self.0.cohort_id).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .filter(|a| a.session_id == self.0.id)
            .map(AttendanceObj)
            .collect())
    }
}

/// A session's hours, Paris local time, each exactly `HH:MM`. Daytime sessions: from 07:00 to
/// 20:00, at least 15 minutes, a morning ending by 14:00, an afternoon starting at 12:00 or
/// later (`VALIDATION` naming the field otherwise).
#[derive(InputObject)]
pub struct SessionHoursInput {
    start: String,
    end: String,
}

pub(super) fn hours(
    field: &str,
    h: Option<&SessionHoursInput>,
) -> Result<Option<Hours>, DomainError> {
    h.map(|h| {
        Ok(Hours {
            start: parcours_domain::paris::parse_time(&format!("{field}.start"), &h.start)?,
            end: parcours_domain::paris::parse_time(&format!("{field}.end"), &h.end)?,
        })
    })
    .transpose()
}

/// Input of `addCohortSession`.
#[derive(InputObject)]
pub struct AddCohortSessionInput {
    cohort_id: ID,
    /// Within the cohort's dates.
    day: Date,
    half_day: HalfDayGql,
    /// Default: the half-day's (09:00–12:00, 13:30–16:30).
    hours: Option<SessionHoursInput>,
}

/// Input of `moveCohortSession`.
#[derive(InputObject)]
pub struct MoveCohortSessionInput {
    id: ID,
    /// Within the cohort's dates.
    day: Date,
    half_day: HalfDayGql,
    /// Default: the half-day's (09:00–12:00, 13:30–16:30).
    hours: Option<SessionHoursInput>,
}

/// Input of `removeCohortSession`.
#[derive(InputObject)]
pub struct RemoveCohortSessionInput {
    id: ID,
}

/// Result of `addCohortSession` and `moveCohortSession`.
#[derive(SimpleObject)]
pub struct CohortSessionPayload {
    session: SessionObj,
}

/// Result of `removeCohortSession`.
#[derive(SimpleObject)]
pub struct RemoveCohortSessionPayload {
    removed_session_id: ID,
}

pub(super) fn half_day(h: HalfDayGql) -> HalfDay {
    match h {
        HalfDayGql::Morning => HalfDay::Morning,
        HalfDayGql::Afternoon => HalfDay::Afternoon,
    }
}

pub(crate) fn session_id(id: &ID) -> Result<SessionId, DomainError> {
    ids::decode(id, "CohortSession", "session").map(SessionId)
}

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Add a session to a cohort's calendar (not once closed).
    async fn add_cohort_session(
        &self,
        ctx: &Context<'_>,
        input: AddCohortSessionInput,
    ) -> async_graphql::Result<Option<CohortSessionPayload>> {
        let r = req(ctx);
        let c = cohort_id(&input.cohort_id).gql(ctx)?;
        let session = cohorts::add_session(
            &r.tx,
            &r.principal,
            c,
            input.day.0,
            half_day(input.half_day),
            hours("hours", input.hours.as_ref()).gql(ctx)?,
        )
        .await
        .gql(ctx)?;
        Ok(Some(CohortSessionPayload {
            session: SessionObj(session),
        }))
    }

    /// Move a session without attendance to another day, half-day or hours.
    async fn move_cohort_session(
        &self,
        ctx: &Context<'_>,
        input: MoveCohortSessionInput,
    ) -> async_graphql::Result<Option<CohortSessionPayload>> {
        let r = req(ctx);
        let id = session_id(&input.id).gql(ctx)?;
        let session = cohorts::move_session(
            &r.tx,
            &r.principal,
            id,
            input.day.0,
            half_day(input.half_day),
            hours("hours", input.hours.as_ref()).gql(ctx)?,
        )
        .await
        .gql(ctx)?;
        Ok(Some(CohortSessionPayload {
            session: SessionObj(session),
        }))
    }

    /// Remove a session without attendance from the calendar.
    async fn remove_cohort_session(
        &self,
        ctx: &Context<'_>,
        input: RemoveCohortSessionInput,
    ) -> async_graphql::Result<Option<RemoveCohortSessionPayload>> {
        let r = req(ctx);
        let id = session_id(&input.id).gql(ctx)?;
        cohorts::remove_session(&r.tx, &r.principal, id)
            .await
            .gql(ctx)?;
        Ok(Some(RemoveCohortSessionPayload {
            removed_session_id: input.id,
        }))
    }
}
