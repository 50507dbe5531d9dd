//! A sheet's life: the provider saves and transmits it (`saveFollowUpSheet`,
//! `transmitFollowUpSheet`); the referent or steering marks it read
//! (`markFollowUpSheetRead`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::follow_up;

use super::{FollowUpSheetObj, sheet_id};
use crate::graphql::cohorts::cohort_id;
use crate::graphql::participants::participant_id;
use crate::graphql::{GqlResult, req};

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
