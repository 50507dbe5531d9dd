//! Creating and planning a cohort: its calendar of sessions (generated from weekdays and
//! half-days, within the call's weekly frame), its place and hours, its status, and sessions
//! added, moved or removed until attendance is recorded on them.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::action;
use super::model::*;
use super::policy::{self, runner};
use super::store::{self, has_attendance};
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{CohortId, SessionId};
use crate::principal::Principal;
use crate::text::{Name, clean};
use crate::{calls, conventions, submissions};

/// The longest place, in characters.
pub const MAX_PLACE: usize = 300;

/// A session's hours, or the half-day's default: daytime sessions (DESIGN.md §4: "part-time
/// daytime sessions") start at 07:00 or later and end by 20:00, a morning ends by 14:00 and an
/// afternoon starts at 12:00 or later, and a session lasts at least a quarter of an hour.
pub(crate) fn check_hours(field: &str, half_day: HalfDay, hours: Option<Hours>) -> Result<Hours> {
    let Some(h) = hours else {
        return Ok(Hours::default_for(half_day));
    };
    let at = |hour| chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    let fail = |why: &str| Err(DomainError::validation(field, why));
    if h.end - h.start < Duration::minutes(15) {
        return fail("a session ends at least 15 minutes after it starts");
    }
    if h.start < at(7) || h.end > at(20) {
        return fail("a session takes place between 07:00 and 20:00");
    }
    match half_day {
        HalfDay::Morning if h.end > at(14) => fail("a morning session ends by 14:00"),
        HalfDay::Afternoon if h.start < at(12) => {
            fail("an afternoon session starts at 12:00 or later")
        }
        _ => Ok(h),
    }
}

/// The action's part-time frame: at most `max` sessions (half-days) in any calendar week,
/// Monday to Sunday (the call's `max_half_days_per_week`).
fn within_frame(field: &str, days: impl Iterator<Item = NaiveDate>, max: i32) -> Result<()> {
    let mut per_week: std::collections::HashMap<chrono::IsoWeek, i32> = Default::default();
    for day in days {
        *per_week.entry(day.iso_week()).or_default() += 1;
    }
    match per_week.into_iter().max_by_key(|(week, n)| (*n, *week)) {
        Some((week, n)) if n > max => Err(DomainError::validation(
            field,
            format!(
                "{n} half-days in the week of {}: the action is part-time, at most {max} \
                 half-days a week (the call's maxHalfDaysPerWeek)",
                NaiveDate::from_isoywd_opt(week.year(), week.week(), Weekday::Mon)
                    .unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// The part-time frame of the call `c`'s convention answers.
async fn frame_of(tx: &TenantTx, c: &Cohort) -> Result<i32> {
    let convention = conventions::find_in(tx, None, c.convention_id).await?;
    let submission = submissions::find_in(tx, None, convention.submission_id).await?;
    Ok(calls::get_in(tx, submission.call_id)
        .await?
        .max_half_days_per_week)
}

/// Create a cohort of a convention with its generated session calendar.
pub async fn create(
    tx: &Tx,
    principal: &Principal,
    input: NewCohort,
) -> Result<(Cohort, Vec<Session>)> {
    policy::require_planner(principal)?;
    let label = Name::parse("label", &input.label)?.into_inner();
    let weeks = input.weeks.unwrap_or(3);
    if !(1..=12).contains(&weeks) {
        return Err(DomainError::validation("weeks", "must be 1 to 12"));
    }
    if input.weekdays.is_empty() || input.half_days.is_empty() {
        return Err(DomainError::validation(
            "weekdays",
            "name at least one weekday and one half-day",
        ));
    }
    crate::batch::distinct("weekdays", None, &input.weekdays, |d| *d)?;
    crate::batch::distinct("halfDays", None, &input.half_days, |h| *h)?;
    let place = input
        .place
        .as_deref()
        .map(|p| clean("place", p, MAX_PLACE))
        .transpose()?;
    let morning = check_hours("morningHours", HalfDay::Morning, input.morning_hours)?;
    let afternoon = check_hours("afternoonHours", HalfDay::Afternoon, input.afternoon_hours)?;
    let tx = tx.change(principal).await?;
    let scope = policy::convention_scope(principal);
    let convention = conventions::find_in(&tx, scope, input.convention_id).await?;
    let submission = submissions::find_in(&tx, None, convention.submission_id).await?;
    let call = calls::get_in(&tx, submission.call_id).await?;
    let size_min = input.size_min.unwrap_or(call.group_size_min);
    let size_max = input.size_max.unwrap_or(call.group_size_max);
    if size_min < 1 || size_max < size_min || size_max > 100 {
        return Err(DomainError::validation(
            "sizeMax",
            "the size range must be 1 <= min <= max <= 100",
        ));
    }
    let end_date = input.start_date + Duration::days(i64::from(weeks) * 7 - 1);
    if input.start_date < convention.start_date || end_date > convention.end_date {
        return Err(DomainError::validation(
            "startDate",
            "the cohort must fit in the convention's dates",
        ));
    }
    let c = Cohort {
        id: CohortId::generate(),
        convention_id: convention.id,
        structure_id: convention.structure_id,
        label,
        start_date: input.start_date,
        end_date,
        size_min,
        size_max,
        status: CohortStatus::Planned,
        place,
        created_at: tx.now(),
        updated_at: tx.now(),
        version: 1,
    };
    store::insert(&tx, &c).await?;
    let sessions = calendar(
        c.id,
        (c.start_date, c.end_date),
        &input.weekdays,
        &input.half_days,
        (morning, afternoon),
    );
    within_frame(
        "weekdays",
        sessions.iter().map(|s| s.day),
        call.max_half_days_per_week,
    )?;
    store::insert_sessions(&tx, &sessions).await?;
    tx.commit(action("cohort.create", "Cohort", c.id.0)).await?;
    Ok((c, sessions))
}

/// The sessions on `weekdays` × `half_days` between `start` and `end`, both included, at the
/// morning's and the afternoon's `hours`.
fn calendar(
    cohort: CohortId,
    (start, end): (NaiveDate, NaiveDate),
    weekdays: &[Weekday],
    half_days: &[HalfDay],
    (morning, afternoon): (Hours, Hours),
) -> Vec<Session> {
    let mut out = Vec::new();
    let mut day = start;
    while day <= end {
        if weekdays.contains(&day.weekday()) {
            for half in [HalfDay::Morning, HalfDay::Afternoon] {
                if half_days.contains(&half) {
                    out.push(Session {
                        id: SessionId::generate(),
                        cohort_id: cohort,
                        day,
                        half_day: half,
                        hours: match half {
                            HalfDay::Morning => morning,
                            HalfDay::Afternoon => afternoon,
                        },
                    });
                }
            }
        }
        day += Duration::days(1);
    }
    out
}

/// Start (`RUNNING`) or close (`CLOSED`) a cohort.
pub async fn set_status(
    tx: &Tx,
    principal: &Principal,
    id: CohortId,
    version: i32,
    status: CohortStatus,
) -> Result<Cohort> {
    let tx = tx.change(principal).await?;
    let current = runner(&tx, principal, id).await?;
    if current.version != version {
        return Err(DomainError::stale("cohort"));
    }
    let allowed = matches!(
        (current.status, status),
        (CohortStatus::Planned, CohortStatus::Running)
            | (CohortStatus::Running, CohortStatus::Closed)
    );
    if !allowed {
        return Err(DomainError::Conflict(format!(
            "a {} cohort cannot become {}",
            current.status.as_str(),
            status.as_str()
        )));
    }
    let next = Cohort {
        updated_at: tx.now(),
        status,
        version: version + 1,
        ..current
    };
    store::save(&tx, &next).await?;
    tx.commit(action("cohort.status", "Cohort", id.0)).await?;
    Ok(next)
}

/// Change a cohort's label or place (those given), at `version`; not once closed.
pub async fn update(
    tx: &Tx,
    principal: &Principal,
    id: CohortId,
    version: i32,
    label: Option<&str>,
    place: Option<&str>,
) -> Result<Cohort> {
    let label = label
        .map(|l| Name::parse("label", l).map(Name::into_inner))
        .transpose()?;
    let place = place.map(|p| clean("place", p, MAX_PLACE)).transpose()?;
    let tx = tx.change(principal).await?;
    let current = runner(&tx, principal, id).await?;
    if current.version != version {
        return Err(DomainError::stale("cohort"));
    }
    if current.status == CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a closed cohort no longer changes".into(),
        ));
    }
    let next = Cohort {
        label: label.unwrap_or_else(|| current.label.clone()),
        place: place.or_else(|| current.place.clone()),
        updated_at: tx.now(),
        version: version + 1,
        ..current
    };
    store::save(&tx, &next).await?;
    tx.commit(action("cohort.update", "Cohort", id.0)).await?;
    Ok(next)
}

/// The cohort of a session, run by the principal, refusing a closed cohort.
async fn editable_session(tx: &TenantTx, principal: &Principal, id: SessionId) -> Result<Cohort> {
    let cohort = store::session_cohort(tx, id)
        .await?
        .ok_or(DomainError::NotFound { entity: "session" })?;
    let c = runner(tx, principal, cohort).await.map_err(|e| match e {
        DomainError::NotFound { .. } => DomainError::NotFound { entity: "session" },
        other => other,
    })?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a closed cohort's calendar no longer changes".into(),
        ));
    }
    Ok(c)
}

fn within(c: &Cohort, day: NaiveDate) -> Result<()> {
    if day < c.start_date || day > c.end_date {
        return Err(DomainError::validation(
            "day",
            format!(
                "must be within the cohort's dates ({} to {})",
                c.start_date, c.end_date
            ),
        ));
    }
    Ok(())
}

fn taken(e: impl Into<DomainError>) -> DomainError {
    match e.into() {
        DomainError::Conflict(_) => {
            DomainError::Conflict("the cohort already has a session on that half-day".into())
        }
        other => other,
    }
}

/// Add a session to a cohort's calendar, within its dates, at `hours` (default: the
/// half-day's).
pub async fn add_session(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    day: NaiveDate,
    half_day: HalfDay,
    hours: Option<Hours>,
) -> Result<Session> {
    let hours = check_hours("hours", half_day, hours)?;
    let tx = tx.change(principal).await?;
    let c = runner(&tx, principal, cohort_id).await?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a closed cohort's calendar no longer changes".into(),
        ));
    }
    within(&c, day)?;
    let days = super::sessions_in(&tx, cohort_id)
        .await?
        .into_iter()
        .map(|s| s.day);
    within_frame(
        "day",
        days.chain(std::iter::once(day)),
        frame_of(&tx, &c).await?,
    )?;
    let session = Session {
        id: SessionId::generate(),
        cohort_id,
        day,
        half_day,
        hours,
    };
    store::insert_session(&tx, &session).await.map_err(taken)?;
    tx.commit(action("cohort.session.add", "CohortSession", session.id.0))
        .await?;
    Ok(session)
}

/// Move a session to another day, half-day or hours (default: the half-day's), within the
/// cohort's dates. A session with attendance recorded keeps its date and hours: what was
/// signed stays true.
pub async fn move_session(
    tx: &Tx,
    principal: &Principal,
    id: SessionId,
    day: NaiveDate,
    half_day: HalfDay,
    hours: Option<Hours>,
) -> Result<Session> {
    let hours = check_hours("hours", half_day, hours)?;
    let tx = tx.change(principal).await?;
    let c = editable_session(&tx, principal, id).await?;
    within(&c, day)?;
    if has_attendance(&tx, id).await? {
        return Err(DomainError::Conflict(
            "attendance was recorded for this session: it keeps its date".into(),
        ));
    }
    let others = super::sessions_in(&tx, c.id)
        .await?
        .into_iter()
        .filter(|s| s.id != id)
        .map(|s| s.day);
    within_frame(
        "day",
        others.chain(std::iter::once(day)),
        frame_of(&tx, &c).await?,
    )?;
    let session = Session {
        id,
        cohort_id: c.id,
        day,
        half_day,
        hours,
    };
    store::update_session(&tx, &session).await.map_err(taken)?;
    tx.commit(action("cohort.session.move", "CohortSession", id.0))
        .await?;
    Ok(session)
}

/// Remove a session without attendance from the calendar.
pub async fn remove_session(tx: &Tx, principal: &Principal, id: SessionId) -> Result<CohortId> {
    let tx = tx.change(principal).await?;
    let c = editable_session(&tx, principal, id).await?;
    if has_attendance(&tx, id).await? {
        return Err(DomainError::Conflict(
            "attendance was recorded for this session: it cannot be removed".into(),
        ));
    }
    store::delete_session(&tx, id).await?;
    tx.commit(action("cohort.session.remove", "CohortSession", id.0))
        .await?;
    Ok(c.id)
}
