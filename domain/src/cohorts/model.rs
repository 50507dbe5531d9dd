//! Read models and inputs of cohorts.

use chrono::{DateTime, NaiveDate, Utc, Weekday};

use crate::ids::{CohortId, ConventionId, ParticipantId, SessionId, StructureId};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub(crate) fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

text_enum!(
    /// Where a cohort stands.
    CohortStatus { Planned = "planned", Running = "running", Closed = "closed" }
);
text_enum!(
    /// Morning or afternoon.
    HalfDay { Morning = "morning", Afternoon = "afternoon" }
);
text_enum!(
    /// A participant's place in a cohort.
    MemberStatus {
        Prescribed = "prescribed",
        Enrolled = "enrolled",
        Declined = "declined",
        DroppedOut = "dropped_out",
    }
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
}

/// A participant's membership of a cohort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub status: MemberStatus,
    pub reason: Option<String>,
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
