//! Follow-up sheets (fiches de suivi): issued by the provider, read by the referent and steering.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::DomainError;
use parcours_domain::follow_up::{
    self, AttendanceSummary, FollowUpSheet, SheetFilter, SheetStatus,
};
use parcours_domain::ids::FollowUpSheetId;

use super::cohorts::{CohortObj, cohort_id};
use super::diagnostics::DiagnosticObj;
use super::loaders::{CohortLoader, DiagnosticLoader, Loaded};
use super::participants::{ParticipantObj, participant_id};
use super::{Conn, GqlResult, connection, ids, page_request, req};

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
        super::loaders::participant(ctx, self.0.participant_id).await
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
        let loader = ctx.data_unchecked::<Loaded<DiagnosticLoader>>();
        Ok(loader
            .load_one((self.0.cohort_id, self.0.participant_id))
            .await?
            .map(|(d, t)| DiagnosticObj(d, t)))
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

pub(crate) fn sheet_id(id: &ID) -> Result<FollowUpSheetId, DomainError> {
    ids::decode(id, "FollowUpSheet", "follow-up sheet").map(FollowUpSheetId)
}

#[derive(Default)]
pub struct FollowUpQuery;

#[Object]
impl FollowUpQuery {
    /// Follow-up sheets: the provider those of its cohorts (drafts included); a referent the
    /// transmitted sheets of their participants; steering every transmitted sheet.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn follow_up_sheets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only the sheets of this cohort.")] cohort_id: Option<ID>,
        #[graphql(
            desc = "Only those not yet read by the caller's side (the referent, or steering)."
        )]
        unread: Option<bool>,
    ) -> async_graphql::Result<Option<Conn<FollowUpSheetObj>>> {
        let r = req(ctx);
        let page = page_request(ctx, first, after).gql(ctx)?;
        let cohort = cohort_id
            .as_ref()
            .map(super::cohorts::cohort_id)
            .transpose()
            .gql(ctx)?;
        let filter = SheetFilter {
            cohort,
            unread: unread.unwrap_or(false),
        };
        let page = follow_up::list(&r.tx, &r.principal, filter, page)
            .await
            .gql(ctx)?;
        Ok(Some(connection(ctx, page, |s| s.id.0, FollowUpSheetObj)))
    }
}

/// Input of `saveFollowUpSheet`.
#[derive(InputObject)]
pub struct SaveFollowUpSheetInput {
    cohort_id: ID,
    participant_id: ID,
    /// The version read; omit to prepare the first draft.
    version: Option<i32>,
    /// Default on the first draft: the diagnostic's recommendations. Several paragraphs (line
    /// breaks kept), at most 5,000 characters.
    recommendations: Option<String>,
}

/// Input of `transmitFollowUpSheet`.
#[derive(InputObject)]
pub struct TransmitFollowUpSheetInput {
    id: ID,
    version: i32,
}

/// Input of `markFollowUpSheetRead`.
#[derive(InputObject)]
pub struct MarkFollowUpSheetReadInput {
    id: ID,
}

/// Result of the follow-up sheet mutations.
#[derive(SimpleObject)]
pub struct FollowUpSheetPayload {
    follow_up_sheet: FollowUpSheetObj,
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// The cohort's provider prepares or revises a member's draft sheet; the attendance
    /// summary is computed from the records.
    async fn save_follow_up_sheet(
        &self,
        ctx: &Context<'_>,
        input: SaveFollowUpSheetInput,
    ) -> async_graphql::Result<Option<FollowUpSheetPayload>> {
        let r = req(ctx);
        let cohort = cohort_id(&input.cohort_id).gql(ctx)?;
        let participant = participant_id(&input.participant_id).gql(ctx)?;
        let sheet = follow_up::save(
            &r.tx,
            &r.principal,
            cohort,
            participant,
            input.version,
            input.recommendations.as_deref(),
        )
        .await
        .gql(ctx)?;
        Ok(Some(FollowUpSheetPayload {
            follow_up_sheet: FollowUpSheetObj(sheet),
        }))
    }

    /// Transmit a draft to the referent and steering: once the cohort is closed (or the member
    /// dropped out), with a final diagnostic for a member who completed it.
    async fn transmit_follow_up_sheet(
        &self,
        ctx: &Context<'_>,
        input: TransmitFollowUpSheetInput,
    ) -> async_graphql::Result<Option<FollowUpSheetPayload>> {
        let r = req(ctx);
        let id = sheet_id(&input.id).gql(ctx)?;
        let sheet = follow_up::transmit(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(FollowUpSheetPayload {
            follow_up_sheet: FollowUpSheetObj(sheet),
        }))
    }

    /// The referent or steering records having read a sheet (the first reading is kept).
    async fn mark_follow_up_sheet_read(
        &self,
        ctx: &Context<'_>,
        input: MarkFollowUpSheetReadInput,
    ) -> async_graphql::Result<Option<FollowUpSheetPayload>> {
        let r = req(ctx);
        let id = sheet_id(&input.id).gql(ctx)?;
        let sheet = follow_up::mark_read(&r.tx, &r.principal, id)
            .await
            .gql(ctx)?;
        Ok(Some(FollowUpSheetPayload {
            follow_up_sheet: FollowUpSheetObj(sheet),
        }))
    }
}
