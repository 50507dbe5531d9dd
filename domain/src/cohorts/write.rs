//! Creating cohorts, prescribing, enrolling, and recording attendance, each in one audited
//! transaction.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use super::model::*;
use super::{find_in, members_in};
use crate::audit::Action;
use crate::db::{Change, TenantTx, Tx};
use crate::entities::{attendance, cohort, cohort_member, cohort_session};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CohortId, ParticipantId, SessionId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::participants::{self, ParticipantStatus};
use crate::principal::{Principal, Role};
use crate::text::{Name, clean};
use crate::{calls, conventions, submissions};

/// The largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 64 * 1024;

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

fn action(name: &'static str, object_type: &'static str, id: uuid::Uuid) -> Action {
    Action {
        name,
        object_type,
        object_id: id,
    }
}

/// Create a cohort of a convention with its generated session calendar.
pub async fn create(
    tx: &Tx,
    principal: &Principal,
    input: NewCohort,
) -> Result<(Cohort, Vec<Session>)> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "steering or the action's provider creates cohorts",
    )?;
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
    let scope = match principal.role() {
        Role::Provider => principal.structure(),
        _ => None,
    };
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
    tx.insert(cohort::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(c.id.0),
        convention_id: Set(c.convention_id.0),
        structure_id: Set(c.structure_id.0),
        label: Set(c.label.clone()),
        start_date: Set(c.start_date),
        end_date: Set(c.end_date),
        size_min: Set(c.size_min),
        size_max: Set(c.size_max),
        status: Set(c.status.as_str().to_owned()),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        version: Set(1),
        place: Set(c.place.clone()),
    })
    .await?;
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
    if !sessions.is_empty() {
        tx.insert_many(sessions.iter().map(|s| cohort_session::ActiveModel {
            tenant_id: Set(tx.tenant().0),
            id: Set(s.id.0),
            cohort_id: Set(c.id.0),
            day: Set(s.day),
            half_day: Set(s.half_day.as_str().to_owned()),
            start_time: Set(Hours::format(s.hours.start)),
            end_time: Set(Hours::format(s.hours.end)),
        }))
        .await?;
    }
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
    let result = tx
        .update_many::<cohort::Entity>()
        .col_expr(cohort::Column::Status, status.as_str().into())
        .col_expr(cohort::Column::UpdatedAt, tx.now().into())
        .col_expr(cohort::Column::Version, (version + 1).into())
        .filter(cohort::Column::Id.eq(id.0))
        .filter(cohort::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("cohort"));
    }
    let updated_at = tx.now();
    tx.commit(action("cohort.status", "Cohort", id.0)).await?;
    Ok(Cohort {
        updated_at,
        status,
        version: version + 1,
        ..current
    })
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
    let label = label.unwrap_or_else(|| current.label.clone());
    let place = place.or_else(|| current.place.clone());
    let result = tx
        .update_many::<cohort::Entity>()
        .col_expr(cohort::Column::Label, label.clone().into())
        .col_expr(cohort::Column::Place, place.clone().into())
        .col_expr(cohort::Column::UpdatedAt, tx.now().into())
        .col_expr(cohort::Column::Version, (version + 1).into())
        .filter(cohort::Column::Id.eq(id.0))
        .filter(cohort::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("cohort"));
    }
    let updated_at = tx.now();
    tx.commit(action("cohort.update", "Cohort", id.0)).await?;
    Ok(Cohort {
        label,
        place,
        updated_at,
        version: version + 1,
        ..current
    })
}

/// The cohort, run by the principal: its provider, or steering.
async fn runner(tx: &TenantTx, principal: &Principal, id: CohortId) -> Result<Cohort> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "the cohort's provider or steering does this",
    )?;
    find_in(tx, principal, id).await
}

/// A referent prescribes an active participant of their portfolio to a cohort.
pub async fn prescribe(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    principal.require(
        &[Role::Referent, Role::Steering],
        "referents prescribe their participants",
    )?;
    let tx = tx.change(principal).await?;
    let c = find_in(&tx, principal, cohort_id).await?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict("the cohort is closed".into()));
    }
    let p = participants::find_visible_in(&tx, principal, participant).await?;
    if p.status != ParticipantStatus::Active {
        return Err(DomainError::validation(
            "participantId",
            "only an active participant is prescribed",
        ));
    }
    let member = Member {
        cohort_id,
        participant_id: participant,
        status: MemberStatus::Prescribed,
        reason: None,
        dropped_out_on: None,
        version: 1,
    };
    tx.insert(cohort_member::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        cohort_id: Set(cohort_id.0),
        participant_id: Set(participant.0),
        status: Set(member.status.as_str().to_owned()),
        reason: Set(None),
        prescribed_by: Set(principal.subject().to_owned()),
        updated_at: Set(tx.now()),
        version: Set(1),
        dropped_out_on: Set(None),
    })
    .await
    .map_err(|e| match e {
        DomainError::Conflict(_) => {
            DomainError::Conflict("already prescribed to this cohort".into())
        }
        other => other,
    })?;
    tx.commit(action("cohort.prescribe", "Participant", participant.0))
        .await?;
    Ok(member)
}

async fn member(tx: &TenantTx, cohort_id: CohortId, participant: ParticipantId) -> Result<Member> {
    tx.select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.eq(cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(participant.0))
        .one(tx.conn())
        .await?
        .map(super::to_member)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "prescription",
        })
}

async fn set_member(
    tx: &Change,
    m: &Member,
    status: MemberStatus,
    reason: Option<String>,
    dropped_out_on: Option<NaiveDate>,
) -> Result<Member> {
    let result = tx
        .update_many::<cohort_member::Entity>()
        .col_expr(cohort_member::Column::Status, status.as_str().into())
        .col_expr(cohort_member::Column::Reason, reason.clone().into())
        .col_expr(cohort_member::Column::DroppedOutOn, dropped_out_on.into())
        .col_expr(cohort_member::Column::UpdatedAt, tx.now().into())
        .col_expr(cohort_member::Column::Version, (m.version + 1).into())
        .filter(cohort_member::Column::CohortId.eq(m.cohort_id.0))
        .filter(cohort_member::Column::ParticipantId.eq(m.participant_id.0))
        .filter(cohort_member::Column::Version.eq(m.version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("membership"));
    }
    Ok(Member {
        status,
        reason,
        dropped_out_on,
        version: m.version + 1,
        ..m.clone()
    })
}

/// The provider enrols a prescribed participant: capacity is a hard limit, and a participant is
/// in at most one cohort that is not closed.
pub async fn enrol(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
) -> Result<Member> {
    let tx = tx.change(principal).await?;
    principal.require(
        &[Role::Steering, Role::Provider],
        "the cohort's provider or steering does this",
    )?;
    // Serialise enrolments of this cohort: a row lock on PostgreSQL (SQLite's IMMEDIATE
    // transactions already serialise writers).
    let c = super::find_locked(&tx, principal, cohort_id).await?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict("the cohort is closed".into()));
    }
    let m = member(&tx, cohort_id, participant).await?;
    if m.status != MemberStatus::Prescribed {
        return Err(DomainError::Conflict(format!(
            "the participant is {}, not prescribed",
            m.status.as_str()
        )));
    }
    let enrolled = members_in(&tx, cohort_id)
        .await?
        .iter()
        .filter(|m| m.status == MemberStatus::Enrolled)
        .count();
    if enrolled >= c.size_max as usize {
        return Err(DomainError::rule(
            RuleCode::CapacityReached,
            format!("the cohort is full ({} places)", c.size_max),
        ));
    }
    // At most one cohort that is not closed per participant: the participant's row is locked
    // (PostgreSQL; SQLite's IMMEDIATE transactions are serialised already), so that two
    // enrolments of one person into two cohorts run one after the other, and the second sees
    // the first (READ COMMITTED reads anew after the lock).
    participants::lock(&tx, participant).await?;
    if super::enrolled_elsewhere(&tx, participant, cohort_id).await? {
        return Err(DomainError::Conflict(
            "the participant is already in another running cohort".into(),
        ));
    }
    let m = set_member(&tx, &m, MemberStatus::Enrolled, None, None).await?;
    answer_prescription(&tx, principal, Kind::PrescriptionAccepted, &m).await?;
    tx.commit(action("cohort.enrol", "Participant", participant.0))
        .await?;
    Ok(m)
}

/// The provider declines a prescription, with a reason.
pub async fn decline(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
) -> Result<Member> {
    let change = Transition {
        from: MemberStatus::Prescribed,
        to: MemberStatus::Declined,
        refused: "only a prescription is declined",
        action: "cohort.decline",
        notice: Some(Kind::PrescriptionDeclined),
        last_day: None,
    };
    transition(tx, principal, cohort_id, participant, reason, change).await
}

/// An enrolled participant drops out, with a reason and the day they left (their last day),
/// recorded by the provider or steering. The day is within the cohort's dates, not after today
/// (Paris time) — except the cohort's first day, for a member who leaves before it starts —
/// and no presence is recorded after it. By default: today, brought within the cohort's dates
/// (its last day when recorded after it ended).
pub async fn drop_out(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
    on: Option<NaiveDate>,
) -> Result<Member> {
    let change = Transition {
        from: MemberStatus::Enrolled,
        to: MemberStatus::DroppedOut,
        refused: "only an enrolled participant drops out",
        action: "cohort.drop_out",
        notice: None,
        last_day: Some(on),
    };
    transition(tx, principal, cohort_id, participant, reason, change).await
}

/// A membership change with a reason, from one status to another.
struct Transition {
    from: MemberStatus,
    to: MemberStatus,
    refused: &'static str,
    action: &'static str,
    /// What the participant's referent is told.
    notice: Option<Kind>,
    /// For a drop-out: the member's last day, if given (default: today, within the
    /// cohort's dates).
    last_day: Option<Option<NaiveDate>>,
}

/// Tell the participant's referent that their prescription was answered.
async fn answer_prescription(
    tx: &Change,
    principal: &Principal,
    kind: Kind,
    m: &Member,
) -> Result<()> {
    let referent = participants::referent_of(tx, m.participant_id).await?;
    let notice =
        Notice::new(kind, "Cohort", m.cohort_id.0).about("Participant", m.participant_id.0);
    notifications::notify(tx, principal.staff(), Audience::Staff(referent), notice).await?;
    Ok(())
}

async fn transition(
    tx: &Tx,
    principal: &Principal,
    cohort_id: CohortId,
    participant: ParticipantId,
    reason: &str,
    change: Transition,
) -> Result<Member> {
    let reason = clean("reason", reason, 1000)?;
    let tx = tx.change(principal).await?;
    let c = runner(&tx, principal, cohort_id).await?;
    let m = member(&tx, cohort_id, participant).await?;
    if m.status != change.from {
        return Err(DomainError::Conflict(change.refused.into()));
    }
    let today = crate::paris::wall_clock(tx.now()).date();
    let on = change
        .last_day
        .map(|given| given.unwrap_or_else(|| today.clamp(c.start_date, c.end_date)));
    if let Some(on) = on {
        check_drop_out_date(&tx, &c, participant, on).await?;
    }
    let m = set_member(&tx, &m, change.to, Some(reason), on).await?;
    if let Some(kind) = change.notice {
        answer_prescription(&tx, principal, kind, &m).await?;
    }
    tx.commit(action(change.action, "Participant", participant.0))
        .await?;
    Ok(m)
}

/// A drop-out date is within the cohort's dates, not after today (Paris time), and not before
/// a presence of the member's (present or late): what was signed stays true.
async fn check_drop_out_date(
    tx: &TenantTx,
    c: &Cohort,
    participant: ParticipantId,
    on: NaiveDate,
) -> Result<()> {
    let field = "droppedOutOn";
    if on < c.start_date || on > c.end_date {
        return Err(DomainError::validation(
            field,
            format!(
                "must be within the cohort's dates ({} to {})",
                c.start_date, c.end_date
            ),
        ));
    }
    if on > c.start_date && on > crate::paris::wall_clock(tx.now()).date() {
        return Err(DomainError::validation(field, "must not be in the future"));
    }
    let later: Vec<NaiveDate> = super::member_attendance_in(tx, c.id, participant)
        .await?
        .into_iter()
        .filter(|(day, a)| *day > on && matches!(a.presence, Presence::Present | Presence::Late))
        .map(|(day, _)| day)
        .collect();
    if let Some(day) = later.first() {
        return Err(DomainError::validation(
            field,
            format!("a presence is recorded on {day}, after that date"),
        ));
    }
    Ok(())
}

/// Record a whole session's attendance under an idempotency key. A replay with the same key
/// and payload returns the first answer without a second effect; another payload is `CONFLICT`.
///
/// Four statements whatever the number of entries: the key is claimed with the answer it
/// will replay (`INSERT … ON CONFLICT DO NOTHING`: a concurrent request with the same key
/// waits on the unique index until this one commits or rolls back, then replays or claims),
/// the session, its cohort and the entries' memberships are read together, the entries are
/// upserted together, and the audit entry is written.
pub async fn record_attendance(
    tx: &Tx,
    principal: &Principal,
    session_id: SessionId,
    lines: Vec<AttendanceLine>,
    idempotency_key: &str,
) -> Result<Vec<Attendance>> {
    principal.require(
        &[Role::Steering, Role::Provider],
        "the cohort's provider or steering does this",
    )?;
    let key = clean("idempotencyKey", idempotency_key, 200)?;
    crate::batch::not_empty("entries", &lines)?;
    crate::batch::distinct("entries", Some("participantId"), &lines, |l| {
        l.participant_id
    })?;
    let fingerprint = serde_json::to_string(&(session_id.0, &lines))
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let at = tx.now();
    let mut rows = Vec::with_capacity(lines.len());
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let presence = check_line(i, line)?;
        rows.push(attendance::ActiveModel {
            session_id: Set(session_id.0),
            participant_id: Set(line.participant_id),
            status: Set(presence.as_str().to_owned()),
            signature: Set(line.signature.clone()),
            signed_on_paper: Set(line.signed_on_paper),
            recorded_by: Set(principal.subject().to_owned()),
            recorded_at: Set(at),
            ..Default::default()
        });
        out.push(Attendance {
            session_id,
            participant_id: ParticipantId(line.participant_id),
            presence,
            signed: line.signature.is_some() || line.signed_on_paper,
            signed_on_paper: line.signed_on_paper,
            recorded_by: principal.subject().to_owned(),
            recorded_at: at,
        });
    }
    let response = serde_json::Value::Array(
        out.iter()
            .map(|a| {
                serde_json::json!({
                    "session": a.session_id.0, "participant": a.participant_id.0,
                    "presence": a.presence.as_str(), "signed": a.signed,
                    "onPaper": a.signed_on_paper, "by": a.recorded_by, "at": a.recorded_at,
                })
            })
            .collect(),
    );

    let tx = tx.change(principal).await?;
    if let Some(response) =
        crate::idempotency::claim(&tx, principal, &key, &fingerprint, response).await?
    {
        // A replay writes nothing: the change ends without an effect to audit.
        tx.unchanged().await?;
        return replay(response);
    }
    let people: Vec<uuid::Uuid> = lines.iter().map(|l| l.participant_id).collect();
    let (day, enrolled) =
        super::session_for_attendance(&tx, principal, session_id, &people).await?;
    if day > crate::paris::wall_clock(tx.now()).date() {
        return Err(DomainError::validation(
            "sessionId",
            "the session has not taken place yet",
        ));
    }
    for (i, line) in lines.iter().enumerate() {
        let field = || format!("entries[{i}].participantId");
        match enrolled.get(&ParticipantId(line.participant_id)) {
            None => {
                return Err(DomainError::validation(
                    field(),
                    "is not enrolled in this session's cohort",
                ));
            }
            Some(Some(left)) if *left < day => {
                return Err(DomainError::validation(
                    field(),
                    format!("dropped out on {left}: no attendance after that date"),
                ));
            }
            Some(_) => {}
        }
    }
    if !rows.is_empty() {
        tx.upsert_many(
            rows,
            OnConflict::columns([
                attendance::Column::TenantId,
                attendance::Column::SessionId,
                attendance::Column::ParticipantId,
            ])
            .update_columns([
                attendance::Column::Status,
                attendance::Column::Signature,
                attendance::Column::SignedOnPaper,
                attendance::Column::RecordedBy,
                attendance::Column::RecordedAt,
            ])
            .to_owned(),
        )
        .await?;
    }
    tx.commit(action("attendance.record", "Session", session_id.0))
        .await?;
    Ok(out)
}

/// The checks of one entry that need no data: its presence, its signature.
fn check_line(i: usize, line: &AttendanceLine) -> Result<Presence> {
    let field = |f: &str| format!("entries[{i}].{f}");
    let presence = Presence::parse(line.presence)
        .ok_or_else(|| DomainError::validation(field("presence"), "unknown presence"))?;
    if let Some(sig) = &line.signature {
        if sig.len() > MAX_SIGNATURE_BYTES {
            return Err(DomainError::validation(
                field("signature"),
                format!("at most {MAX_SIGNATURE_BYTES} bytes"),
            ));
        }
        let image = sig.starts_with(b"\x89PNG\r\n\x1a\n") || sig.starts_with(b"\xff\xd8\xff");
        if !image {
            return Err(DomainError::validation(
                field("signature"),
                "must be a PNG or JPEG image",
            ));
        }
    }
    let signed = line.signature.is_some() || line.signed_on_paper;
    if matches!(presence, Presence::Present | Presence::Late) && !signed {
        return Err(DomainError::validation(
            field("signature"),
            "a presence is signed: capture a signature or mark it signed on paper",
        ));
    }
    Ok(presence)
}

fn replay(response: serde_json::Value) -> Result<Vec<Attendance>> {
    let bad = || DomainError::Internal("stored idempotent response unreadable".into());
    response
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| {
            Ok(Attendance {
                session_id: SessionId(
                    serde_json::from_value(v["session"].clone()).map_err(|_| bad())?,
                ),
                participant_id: ParticipantId(
                    serde_json::from_value(v["participant"].clone()).map_err(|_| bad())?,
                ),
                presence: v["presence"]
                    .as_str()
                    .and_then(Presence::parse)
                    .ok_or_else(bad)?,
                signed: v["signed"].as_bool().unwrap_or(false),
                signed_on_paper: v["onPaper"].as_bool().unwrap_or(false),
                recorded_by: v["by"].as_str().unwrap_or_default().to_owned(),
                recorded_at: serde_json::from_value(v["at"].clone()).map_err(|_| bad())?,
            })
        })
        .collect()
}

/// A session of a cohort the principal runs, with its cohort, refusing a closed cohort.
async fn editable_session(
    tx: &TenantTx,
    principal: &Principal,
    id: SessionId,
) -> Result<(Cohort, cohort_session::Model)> {
    let session = tx
        .select::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound { entity: "session" })?;
    let c = runner(tx, principal, CohortId(session.cohort_id))
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => DomainError::NotFound { entity: "session" },
            other => other,
        })?;
    if c.status == CohortStatus::Closed {
        return Err(DomainError::Conflict(
            "a closed cohort's calendar no longer changes".into(),
        ));
    }
    Ok((c, session))
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

async fn has_attendance(tx: &TenantTx, id: SessionId) -> Result<bool> {
    use sea_orm::PaginatorTrait;
    Ok(tx
        .select::<attendance::Entity>()
        .filter(attendance::Column::SessionId.eq(id.0))
        .count(tx.conn())
        .await?
        > 0)
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
    tx.insert(cohort_session::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(session.id.0),
        cohort_id: Set(cohort_id.0),
        day: Set(day),
        half_day: Set(half_day.as_str().to_owned()),
        start_time: Set(Hours::format(hours.start)),
        end_time: Set(Hours::format(hours.end)),
    })
    .await
    .map_err(taken)?;
    tx.commit(action("cohort.session.add", "Session", session.id.0))
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
    let (c, _) = editable_session(&tx, principal, id).await?;
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
    tx.update_many::<cohort_session::Entity>()
        .col_expr(cohort_session::Column::Day, day.into())
        .col_expr(cohort_session::Column::HalfDay, half_day.as_str().into())
        .col_expr(
            cohort_session::Column::StartTime,
            Hours::format(hours.start).into(),
        )
        .col_expr(
            cohort_session::Column::EndTime,
            Hours::format(hours.end).into(),
        )
        .filter(cohort_session::Column::Id.eq(id.0))
        .exec(tx.conn())
        .await
        .map_err(taken)?;
    tx.commit(action("cohort.session.move", "Session", id.0))
        .await?;
    Ok(Session {
        id,
        cohort_id: c.id,
        day,
        half_day,
        hours,
    })
}

/// Remove a session without attendance from the calendar.
pub async fn remove_session(tx: &Tx, principal: &Principal, id: SessionId) -> Result<CohortId> {
    let tx = tx.change(principal).await?;
    let (c, _) = editable_session(&tx, principal, id).await?;
    if has_attendance(&tx, id).await? {
        return Err(DomainError::Conflict(
            "attendance was recorded for this session: it cannot be removed".into(),
        ));
    }
    tx.delete_many::<cohort_session::Entity>()
        .filter(cohort_session::Column::Id.eq(id.0))
        .exec(tx.conn())
        .await?;
    tx.commit(action("cohort.session.remove", "Session", id.0))
        .await?;
    Ok(c.id)
}
