//! Read models and inputs of cohorts.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};

use crate::ids::{CohortId, ConventionId, ParticipantId, SessionId, StructureId};
pub use crate::membership::MemberStatus;

text_enum!(
    /// Where a cohort stands.
    CohortStatus { Planned = "planned", Running = "running", Closed = "closed" }
);
text_enum!(
    /// Morning or afternoon.
    HalfDay { Morning = "morning", Afternoon = "afternoon" }
);
text_enum!(
    /// Attendance at one session.
    Presence { Present = "present", Absent = "absent", Excused = "excused", Late = "late" }
);

/// A cohort (groupe) of an action under a convention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cohort {
    pub id: CohortId,
    pub convention_id: ConventionId,
    pub structure_id: StructureId,
    pub label: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub size_min: i32,
    pub size_max: i32,
    pub status: CohortStatus,
    /// Where the sessions take place, one line (an address, a room), once recorded.
    pub place: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A session (séance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub cohort_id: CohortId,
    pub day: NaiveDate,
    pub half_day: HalfDay,
    /// When it starts and ends, Paris local time.
    pub hours: Hours,
}

/// A session's start and end, Paris local time, to the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Hours {
    /// The hours of a half-day when none are given: 09:00–12:00 and 13:30–16:30.
    pub fn default_for(half_day: HalfDay) -> Self {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        match half_day {
            HalfDay::Morning => Self {
                start: at(9, 0),
                end: at(12, 0),
            },
            HalfDay::Afternoon => Self {
                start: at(13, 30),
                end: at(16, 30),
            },
        }
    }

    /// `HH:MM` of a time.
    pub fn format(t: NaiveTime) -> String {
        t.format("%H:%M").to_string()
    }
}

/// A participant's membership of a cohort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub status: MemberStatus,
    pub reason: Option<String>,
    /// The day the member left the cohort (a drop-out): their last day, on which a presence
    /// may still be recorded; none after it.
    pub dropped_out_on: Option<NaiveDate>,
    pub version: i32,
}

/// One attendance record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendance {
    pub session_id: SessionId,
    pub participant_id: ParticipantId,
    pub presence: Presence,
    pub signed: bool,
    pub signed_on_paper: bool,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// Input of `create`.
#[derive(Clone, Debug)]
pub struct NewCohort {
    pub convention_id: ConventionId,
    pub label: String,
    pub start_date: NaiveDate,
    /// Three weeks by default.
    pub weeks: Option<u32>,
    pub weekdays: Vec<Weekday>,
    pub half_days: Vec<HalfDay>,
    /// Default: the call's group size range.
    pub size_min: Option<i32>,
    pub size_max: Option<i32>,
    /// Where the sessions take place, one line of 1 to 300 characters.
    pub place: Option<String>,
    /// Default: [`Hours::default_for`] each half-day.
    pub morning_hours: Option<Hours>,
    pub afternoon_hours: Option<Hours>,
}

/// One line of an attendance submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AttendanceLine {
    pub participant_id: uuid::Uuid,
    pub presence: &'static str,
    /// A small PNG or JPEG of the signature, captured by the mobile client.
    #[serde(skip)]
    pub signature: Option<Vec<u8>>,
    pub signature_digest: Option<String>,
    pub signed_on_paper: bool,
}

/// Filters of the cohorts list; each given filter narrows it.
#[derive(Clone, Debug, Default)]
pub struct CohortFilter {
    /// Only the cohorts of this convention.
    pub convention: Option<ConventionId>,
    /// Only the cohorts in one of these statuses (none given: all).
    pub statuses: Vec<CohortStatus>,
    /// Only the cohorts whose dates meet this period, both days included: a cohort from 5 to
    /// 23 March meets a period that ends on the 5th or starts on the 23rd.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}
