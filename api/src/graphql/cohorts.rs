//! Cohorts, sessions, prescriptions and enrolments, attendance.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Utc, Weekday};
use parcours_domain::DomainError;
use parcours_domain::cohorts::{
    self, AttendanceLine, Cohort, CohortFilter, HalfDay, Hours, Member, MemberStatus, NewCohort,
    Presence, Session,
};
use parcours_domain::ids::{CohortId, ParticipantId, SessionId};

use super::conventions::convention_id;
use super::loaders::Loaded;
use super::participants::{ParticipantObj, participant_id};
use super::scalars::Date;
use super::{Conn, GqlResult, connection, ids, page_request, req};

/// Where a cohort stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CohortStatus {
    Planned,
    Running,
    Closed,
}

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

/// A participant's place in a cohort.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MemberStatus")]
pub enum MemberStatusGql {
    Prescribed,
    Enrolled,
    Declined,
    DroppedOut,
}

/// Attendance at a session.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Presence")]
pub enum PresenceGql {
    Present,
    Absent,
    Excused,
    Late,
}

fn presence_str(p: PresenceGql) -> &'static str {
    match p {
        PresenceGql::Present => "present",
        PresenceGql::Absent => "absent",
        PresenceGql::Excused => "excused",
        PresenceGql::Late => "late",
    }
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
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SessionObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::SessionsLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(SessionObj).collect())
    }
    /// Prescriptions and enrolments (a referent sees only their own participants').
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MemberObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::MembersLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        // Primed already when this cohort came in a page; otherwise, for its own members.
        super::loaders::prime_members(ctx, ctx.look_ahead(), &list).await?;
        Ok(list.into_iter().map(MemberObj).collect())
    }
    /// Attendance records, by session then participant (steering and the provider).
    async fn attendance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttendanceObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::CohortAttendanceLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(AttendanceObj).collect())
    }
    /// The next session: today's (Paris time) or the first after it; null once all are past.
    async fn next_session(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SessionObj>> {
        let today = parcours_domain::paris::wall_clock(req(ctx).tx.now()).date();
        let loader = ctx.data_unchecked::<Loaded<super::loaders::SessionsLoader>>();
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
    ) -> async_graphql::Result<Option<super::conventions::ConventionObj>> {
        let r = req(ctx);
        match parcours_domain::conventions::get(&r.tx, &r.principal, self.0.convention_id).await {
            Ok(c) => Ok(Some(super::conventions::ConventionObj(c))),
            Err(DomainError::Forbidden(_) | DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    /// The provider running the action.
    async fn provider(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::structures::StructureObj>> {
        let r = req(ctx);
        match parcours_domain::structures::get(&r.tx, &r.principal, self.0.structure_id).await {
            Ok(s) => Ok(Some(super::structures::StructureObj(s))),
            Err(DomainError::Forbidden(_) | DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
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
        let loader = ctx.data_unchecked::<Loaded<super::loaders::CohortAttendanceLoader>>();
        let list = loader.load_one(self.0.cohort_id).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .filter(|a| a.session_id == self.0.id)
            .map(AttendanceObj)
            .collect())
    }
}

/// The cohort `id` through the request's loader; null when the caller may not read it.
async fn cohort_of(ctx: &Context<'_>, id: CohortId) -> async_graphql::Result<Option<CohortObj>> {
    let loader = ctx.data_unchecked::<Loaded<super::loaders::CohortLoader>>();
    Ok(loader.load_one(id).await?.map(CohortObj))
}

/// A participant's place in a cohort.
pub struct MemberObj(pub Member);

#[Object(name = "CohortMember")]
impl MemberObj {
    /// The cohort (for a participant's memberships).
    async fn cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CohortObj>> {
        cohort_of(ctx, self.0.cohort_id).await
    }
    /// The participant (a provider reads only the action's fields).
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        super::loaders::participant(ctx, self.0.participant_id).await
    }
    async fn status(&self) -> MemberStatusGql {
        match self.0.status {
            MemberStatus::Prescribed => MemberStatusGql::Prescribed,
            MemberStatus::Enrolled => MemberStatusGql::Enrolled,
            MemberStatus::Declined => MemberStatusGql::Declined,
            MemberStatus::DroppedOut => MemberStatusGql::DroppedOut,
        }
    }
    /// The diagnostic, once written.
    async fn diagnostic(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::diagnostics::DiagnosticObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::DiagnosticLoader>>();
        Ok(loader
            .load_one((self.0.cohort_id, self.0.participant_id))
            .await?
            .map(|(d, t)| super::diagnostics::DiagnosticObj(d, t)))
    }
    /// Why declined or dropped out.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// For a drop-out, the member's last day in the cohort (a presence may be recorded that
    /// day, none after it; the attendance sheets stop there).
    async fn dropped_out_on(&self) -> Option<Date> {
        self.0.dropped_out_on.map(Date)
    }
    /// Its version, for the membership changes.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// This member's attendance records, in calendar order (steering, the provider, and the
    /// participant's referent).
    async fn attendance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttendanceObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::MemberAttendanceLoader>>();
        Ok(loader
            .load_one((self.0.cohort_id, self.0.participant_id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AttendanceObj)
            .collect())
    }
    /// The follow-up sheet, once prepared (a draft only for the provider).
    async fn follow_up_sheet(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::follow_up::FollowUpSheetObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::FollowUpSheetLoader>>();
        Ok(loader
            .load_one((self.0.cohort_id, self.0.participant_id))
            .await?
            .map(super::follow_up::FollowUpSheetObj))
    }
}

/// One attendance record.
pub struct AttendanceObj(pub cohorts::Attendance);

#[Object(name = "Attendance")]
impl AttendanceObj {
    /// Global ID of this record (one per session and participant).
    pub(crate) async fn id(&self) -> ID {
        ids::encode_pair("Attendance", self.0.session_id.0, self.0.participant_id.0)
    }
    /// The session, as a `CohortSession` global ID.
    async fn session_id(&self) -> ID {
        ids::encode("CohortSession", self.0.session_id.0)
    }
    async fn participant_id(&self) -> ID {
        ids::encode("Participant", self.0.participant_id.0)
    }
    async fn presence(&self) -> PresenceGql {
        match self.0.presence {
            Presence::Present => PresenceGql::Present,
            Presence::Absent => PresenceGql::Absent,
            Presence::Excused => PresenceGql::Excused,
            Presence::Late => PresenceGql::Late,
        }
    }
    /// A signature image was captured.
    async fn signed(&self) -> bool {
        self.0.signed
    }
    async fn signed_on_paper(&self) -> bool {
        self.0.signed_on_paper
    }
    /// Who recorded it.
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

pub(crate) fn cohort_id(id: &ID) -> Result<CohortId, DomainError> {
    ids::decode(id, "Cohort", "cohort").map(CohortId)
}

#[derive(Default)]
pub struct CohortQuery;

#[Object]
impl CohortQuery {
    /// Cohorts: steering and referents all, a provider its own.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "one GraphQL argument each")]
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only the cohorts of this convention.")] convention_id: Option<ID>,
        #[graphql(
            desc = "Only the cohorts in one of these statuses (each at most once; omitted or empty: all)."
        )]
        status: Option<Vec<CohortStatus>>,
        #[graphql(
            desc = "Only the cohorts whose dates meet the period from `from` to `to`, both days included (either bound may be omitted; `VALIDATION` on `to` when it precedes `from`): `from` alone gives the cohorts not ended before it, `to` alone those started by it."
        )]
        from: Option<Date>,
        to: Option<Date>,
    ) -> async_graphql::Result<Option<Conn<CohortObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let filter = CohortFilter {
            convention: convention_id
                .as_ref()
                .map(super::conventions::convention_id)
                .transpose()
                .gql(ctx)?,
            statuses: status
                .unwrap_or_default()
                .into_iter()
                .map(domain_status)
                .collect(),
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
        };
        let page = cohorts::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        let node = ctx.look_ahead().field("edges").field("node");
        super::loaders::prime_cohorts(ctx, node, &page.items).await?;
        Ok(Some(connection(ctx, page, |c| c.id.0, CohortObj)))
    }
}

fn domain_status(s: CohortStatus) -> cohorts::CohortStatus {
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

/// A session's hours, Paris local time, each exactly `HH:MM`. Daytime sessions: from 07:00 to
/// 20:00, at least 15 minutes, a morning ending by 14:00, an afternoon starting at 12:00 or
/// later (`VALIDATION` naming the field otherwise).
#[derive(InputObject)]
pub struct SessionHoursInput {
    start: String,
    end: String,
}

fn hours(field: &str, h: Option<&SessionHoursInput>) -> Result<Option<Hours>, DomainError> {
    h.map(|h| {
        Ok(Hours {
            start: parcours_domain::paris::parse_time(&format!("{field}.start"), &h.start)?,
            end: parcours_domain::paris::parse_time(&format!("{field}.end"), &h.end)?,
        })
    })
    .transpose()
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

/// Input of the membership mutations.
#[derive(InputObject)]
pub struct MembershipInput {
    cohort_id: ID,
    participant_id: ID,
    /// Required to decline or record a drop-out. 1 to 1,000 characters, one line.
    reason: Option<String>,
    /// For `recordDropOut` only: the member's last day in the cohort, within the cohort's
    /// dates, not after today (Paris time) except the cohort's first day (a member who leaves
    /// before it starts), not before a recorded presence (`VALIDATION` on `droppedOutOn`).
    /// Default: today, or the cohort's last day when recorded after it ended. Presences after
    /// it are refused; the attendance sheets print the member up to it.
    dropped_out_on: Option<Date>,
}

/// Result of the membership mutations.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    member: MemberObj,
}

/// One participant's attendance at the session.
#[derive(InputObject)]
pub struct AttendanceEntryInput {
    participant_id: ID,
    presence: PresenceGql,
    /// A PNG or JPEG image, base64 (one line, at most 100,000 characters), at most 64 KiB
    /// decoded.
    signature: Option<String>,
    #[graphql(default)]
    signed_on_paper: bool,
}

/// Input of `recordAttendance`: a whole session at once.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    session_id: ID,
    /// Chosen by the client, reused on retry: a replay has no second effect. 1 to 200
    /// characters, one line.
    idempotency_key: String,
    entries: Vec<AttendanceEntryInput>,
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

fn half_day(h: HalfDayGql) -> HalfDay {
    match h {
        HalfDayGql::Morning => HalfDay::Morning,
        HalfDayGql::Afternoon => HalfDay::Afternoon,
    }
}

pub(crate) fn session_id(id: &ID) -> Result<SessionId, DomainError> {
    ids::decode(id, "CohortSession", "session").map(SessionId)
}

/// Result of `recordAttendance`.
#[derive(SimpleObject)]
pub struct RecordAttendancePayload {
    attendance: Vec<AttendanceObj>,
}

#[derive(Default)]
pub struct CohortMutation;

#[Object]
impl CohortMutation {
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

    /// A referent prescribes an active participant of their portfolio.
    async fn prescribe(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::prescribe(&r.tx, &r.principal, c, p)
            .await
            .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj(m),
        }))
    }

    /// The provider enrols a prescribed participant (`CAPACITY_REACHED` when full).
    async fn enrol(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::enrol(&r.tx, &r.principal, c, p).await.gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj(m),
        }))
    }

    /// The provider declines a prescription, with a reason.
    async fn decline_prescription(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::decline(
            &r.tx,
            &r.principal,
            c,
            p,
            input.reason.as_deref().unwrap_or(""),
        )
        .await
        .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj(m),
        }))
    }

    /// Record that an enrolled participant dropped out, with a reason and their last day
    /// (`droppedOutOn`, default today).
    async fn record_drop_out(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::drop_out(
            &r.tx,
            &r.principal,
            c,
            p,
            input.reason.as_deref().unwrap_or(""),
            input.dropped_out_on.map(|d| d.0),
        )
        .await
        .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj(m),
        }))
    }

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

    /// Record a whole session's attendance (the provider); idempotent by key.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> async_graphql::Result<Option<RecordAttendancePayload>> {
        let r = req(ctx);
        let session = session_id(&input.session_id).gql(ctx)?;
        let mut lines = Vec::with_capacity(input.entries.len());
        for (i, e) in input.entries.into_iter().enumerate() {
            let participant = ids::decode(&e.participant_id, "Participant", "participant")
                .map(|id: uuid::Uuid| ParticipantId(id).0)
                .map_err(|_| {
                    DomainError::validation(
                        format!("entries[{i}].participantId"),
                        "is not enrolled in this session's cohort",
                    )
                })
                .gql(ctx)?;
            let signature = match e.signature {
                Some(text) if text.len() > 100_000 => {
                    return Err(DomainError::validation(
                        format!("entries[{i}].signature"),
                        "at most 64 KiB",
                    ))
                    .gql(ctx);
                }
                Some(text) => Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(text.as_bytes())
                        .map_err(|_| {
                            DomainError::validation(
                                format!("entries[{i}].signature"),
                                "is not base64",
                            )
                        })
                        .gql(ctx)?,
                ),
                None => None,
            };
            let digest = signature
                .as_ref()
                .map(|s| format!("{:016x}-{}", fnv1a(s), s.len()));
            lines.push(AttendanceLine {
                participant_id: participant,
                presence: presence_str(e.presence),
                signature,
                signature_digest: digest,
                signed_on_paper: e.signed_on_paper,
            });
        }
        let recorded =
            cohorts::record_attendance(&r.tx, &r.principal, session, lines, &input.idempotency_key)
                .await
                .gql(ctx)?;
        Ok(Some(RecordAttendancePayload {
            attendance: recorded.into_iter().map(AttendanceObj).collect(),
        }))
    }
}

/// FNV-1a: a fingerprint of a signature image for the idempotency comparison.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
