//! The `CallForProjects` object, its status and the Paris wall-clock time it is published in.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::calls::{self, CallForProjects};
use parcours_domain::paris;

use crate::graphql::scalars::{Date, Money};
use crate::graphql::{ids, req};

/// The lifecycle of a call; `CLOSED` comes by itself at the deadline.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CallStatus {
    Draft,
    Published,
    Closed,
    Decided,
}

/// A Paris wall-clock date and time, as calls are published ("21/12/2017 à 17h00").
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "ParisDateTimeInput")]
pub struct ParisDateTime {
    /// The date in Paris.
    pub(super) date: Date,
    /// The time in Paris, exactly `HH:MM` (5 characters, 00:00 to 23:59).
    pub(super) time: String,
}

/// A question the response answers.
#[derive(SimpleObject)]
pub struct Question {
    /// The key answers refer to (`q1`, `q2`, …).
    key: String,
    text: String,
    required: bool,
}

/// A call for projects.
pub struct CallObj(pub CallForProjects);

#[Object(name = "CallForProjects")]
impl CallObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("CallForProjects", self.0.id.0)
    }
    /// Reference, unique within the tenant (e.g. `AAP-2017-REMOB`).
    async fn reference(&self) -> &str {
        &self.0.reference
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The specification (cahier des charges), Markdown.
    async fn specification(&self) -> &str {
        &self.0.specification
    }
    /// The most a response may request.
    async fn budget_cap(&self) -> Money {
        Money(self.0.budget_cap)
    }
    async fn target_participants_per_year(&self) -> i32 {
        self.0.target_participants_per_year
    }
    async fn group_size_min(&self) -> i32 {
        self.0.group_size_min
    }
    async fn group_size_max(&self) -> i32 {
        self.0.group_size_max
    }
    /// A new group every this many weeks.
    async fn cadence_weeks(&self) -> i32 {
        self.0.cadence_weeks
    }
    /// The action's part-time frame: a cohort holds at most this many sessions (half-days)
    /// in a calendar week, Monday to Sunday.
    async fn max_half_days_per_week(&self) -> i32 {
        self.0.max_half_days_per_week
    }
    /// Opening, as an instant.
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }
    /// Deadline, as an instant.
    async fn deadline_at(&self) -> DateTime<Utc> {
        self.0.deadline_at
    }
    /// Deadline in Paris wall-clock time, as published.
    async fn deadline_paris(&self) -> ParisDateTime {
        let t = paris::wall_clock(self.0.deadline_at);
        ParisDateTime {
            date: Date(t.date()),
            time: t.format("%H:%M").to_string(),
        }
    }
    async fn expected_start(&self) -> Option<Date> {
        self.0.expected_start.map(Date)
    }
    async fn questions(&self) -> Vec<Question> {
        self.0
            .questions
            .iter()
            .map(|q| Question {
                key: q.key.clone(),
                text: q.text.clone(),
                required: q.required,
            })
            .collect()
    }
    /// Status now.
    async fn status(&self, ctx: &Context<'_>) -> CallStatus {
        match self.0.status(req(ctx).tx.now()) {
            calls::CallStatus::Draft => CallStatus::Draft,
            calls::CallStatus::Published => CallStatus::Published,
            calls::CallStatus::Closed => CallStatus::Closed,
            calls::CallStatus::Decided => CallStatus::Decided,
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
