//! The `FollowUpSheet` object: a cohort member's sheet, where it stands, and the
//! `AttendanceSummary` it carries.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::follow_up::{AttendanceSummary, FollowUpSheet, SheetStatus};

use crate::graphql::cohorts::CohortObj;
use crate::graphql::diagnostics::DiagnosticObj;
use crate::graphql::ids;
use crate::graphql::loaders::{CohortLoader, Loaded};
use crate::graphql::participants::ParticipantObj;

/// Where a follow-up sheet stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum FollowUpSheetStatus {
    /// Being prepared by the provider; only the provider sees it.
    Draft,
    /// Sent to the referent and steering; it no longer changes.
    Transmitted,
}

/// A member's attendance over the cohort, computed from the attendance records (and frozen
/// when the sheet is transmitted).
pub struct AttendanceSummaryObj(AttendanceSummary);

#[Object(name = "AttendanceSummary")]
impl AttendanceSummaryObj {
    /// Sessions in the cohort's calendar.
    async fn planned(&self) -> i32 {
        self.0.planned
    }
    async fn present(&self) -> i32 {
        self.0.present
    }
    async fn late(&self) -> i32 {
        self.0.late
    }
    async fn excused(&self) -> i32 {
        self.0.excused
    }
    async fn absent(&self) -> i32 {
        self.0.absent
    }
    /// Sessions with no record for the participant.
    async fn unrecorded(&self) -> i32 {
        self.0.unrecorded()
    }
    /// Sessions attended (present or late) in percent of the planned ones, rounded down;
    /// null for a cohort without sessions.
    async fn rate_percent(&self) -> Option<i32> {
        self.0.rate_percent()
    }
}

/// A follow-up sheet of a cohort member.
pub struct FollowUpSheetObj(pub FollowUpSheet);

#[Object(name = "FollowUpSheet")]
impl FollowUpSheetObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("FollowUpSheet", self.0.id.0)
    }
    async fn cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CohortObj>> {
        let loader = ctx.data_unchecked::<Loaded<CohortLoader>>();
        Ok(loader.load_one(self.0.cohort_id).await?.map(CohortObj))
    }
    /// The participant (a provider reads only the action's fields).
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        crate::graphql::loaders::participant(ctx, self.0.participant_id).await
    }
    async fn status(&self) -> FollowUpSheetStatus {
        match self.0.status {
            SheetStatus::Draft => FollowUpSheetStatus::Draft,
            SheetStatus::Transmitted => FollowUpSheetStatus::Transmitted,
        }
    }
    async fn attendance(&self) -> AttendanceSummaryObj {
        AttendanceSummaryObj(self.0.attendance)
    }
    /// The participant's diagnostic in this cohort.
    async fn diagnostic(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DiagnosticObj>> {
        crate::graphql::loaders::diagnostic(ctx, (self.0.cohort_id, self.0.participant_id)).await
    }
    async fn recommendations(&self) -> &str {
        &self.0.recommendations
    }
    /// Who last wrote it.
    async fn written_by(&self) -> &str {
        &self.0.written_by
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn transmitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.transmitted_at
    }
    async fn transmitted_by(&self) -> Option<&str> {
        self.0.transmitted_by.as_deref()
    }
    /// When the participant's referent first read it.
    async fn referent_read_at(&self) -> Option<DateTime<Utc>> {
        self.0.referent_read_at
    }
    /// When steering first read it.
    async fn steering_read_at(&self) -> Option<DateTime<Utc>> {
        self.0.steering_read_at
    }
    /// The PDF, at this path of the service (`GET`, with the same bearer token).
    async fn pdf_path(&self) -> String {
        format!(
            "/follow-up-sheets/{}",
            ids::encode("FollowUpSheet", self.0.id.0).0
        )
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
