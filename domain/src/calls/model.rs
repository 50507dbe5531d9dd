//! Read models and inputs of calls for projects.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::CallId;
use crate::money::Money;

/// What is stored; `CLOSED` is derived from the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredCallStatus {
    Draft,
    Published,
    Decided,
}

/// The lifecycle of a call as clients see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallStatus {
    Draft,
    Published,
    Closed,
    Decided,
}

/// A question the response must (or may) answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key of the question within the call (`q1`, `q2`, …).
    pub key: String,
    pub text: String,
    pub required: bool,
}

/// A call for projects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallForProjects {
    pub id: CallId,
    pub reference: String,
    pub title: String,
    pub summary: String,
    pub specification: String,
    pub budget_cap: Money,
    pub target_participants_per_year: i32,
    pub group_size_min: i32,
    pub group_size_max: i32,
    pub cadence_weeks: i32,
    /// The action's part-time frame: a cohort holds at most this many sessions (half-days) in
    /// a calendar week, Monday to Sunday; 1 to 9, 5 (half-time) by default.
    pub max_half_days_per_week: i32,
    pub opens_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub expected_start: Option<NaiveDate>,
    pub questions: Vec<Question>,
    pub stored_status: StoredCallStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl CallForProjects {
    /// The status at `now`: a published call closes by itself at its deadline.
    pub fn status(&self, now: DateTime<Utc>) -> CallStatus {
        match self.stored_status {
            StoredCallStatus::Draft => CallStatus::Draft,
            StoredCallStatus::Decided => CallStatus::Decided,
            StoredCallStatus::Published if now >= self.deadline_at => CallStatus::Closed,
            StoredCallStatus::Published => CallStatus::Published,
        }
    }
}

/// A Paris wall-clock date and time, as calls are published.
#[derive(Clone, Copy, Debug)]
pub struct ParisTime {
    pub date: NaiveDate,
    pub time: NaiveTime,
}

/// A question of a new call.
#[derive(Clone, Debug)]
pub struct NewQuestion {
    pub text: String,
    pub required: bool,
}

/// Input of `create` (all fields) and `update` (only those given).
#[derive(Clone, Debug, Default)]
pub struct CallFields {
    pub reference: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub specification: Option<String>,
    pub budget_cap: Option<Money>,
    pub target_participants_per_year: Option<i32>,
    pub group_size_min: Option<i32>,
    pub group_size_max: Option<i32>,
    pub cadence_weeks: Option<i32>,
    pub max_half_days_per_week: Option<i32>,
    pub opens: Option<ParisTime>,
    pub deadline: Option<ParisTime>,
    pub expected_start: Option<NaiveDate>,
    pub questions: Option<Vec<NewQuestion>>,
}
