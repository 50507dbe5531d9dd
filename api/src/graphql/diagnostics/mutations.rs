//! The cohort's provider saves a member's diagnostic (`saveDiagnostic`); steering sets the
//! tenant's CléA threshold and retention (`setCleaThreshold`, `setRetention`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::diagnostics::{self, Acquisition, DiagnosticContent, Fle, Mobility};
use parcours_domain::tenants;

use super::DiagnosticObj;
use super::diagnostic::{CleaAcquisition, FleGql, MobilityGql};
use crate::graphql::participants::participant_id;
use crate::graphql::tenants::TenantObj;
use crate::graphql::{GqlResult, ids, req};

/// Input of `saveDiagnostic`.
#[derive(InputObject)]
pub struct SaveDiagnosticInput {
    cohort_id: ID,
    participant_id: ID,
    /// The version the change is based on; omit for a new diagnostic.
    version: Option<i32>,
    fle: FleGql,
    mobility: MobilityGql,
    /// The 7 CléA domains, in the certificate's order.
    clea_domains: Vec<CleaAcquisition>,
    #[graphql(default)]
    daq_orientation: bool,
    /// Recommendations: several paragraphs (line breaks kept), at most 5,000 characters; may be
    /// empty (the default).
    #[graphql(default)]
    recommendations: String,
    /// Make it final: it no longer changes.
    #[graphql(default)]
    finalise: bool,
}

/// Result of `saveDiagnostic`.
#[derive(SimpleObject)]
pub struct SaveDiagnosticPayload {
    diagnostic: DiagnosticObj,
}

/// Input of `setCleaThreshold`.
#[derive(InputObject)]
pub struct SetCleaThresholdInput {
    /// 50 to 100.
    percent: i32,
    /// The tenant's version.
    version: i32,
}

/// Input of `setRetention`.
#[derive(InputObject)]
pub struct SetRetentionInput {
    /// 1 to 120 months after the end of a path.
    months: i32,
    /// The tenant's version.
    version: i32,
}

/// Result of `setRetention`.
#[derive(SimpleObject)]
pub struct SetRetentionPayload {
    tenant: TenantObj,
}

/// Result of `setCleaThreshold`.
#[derive(SimpleObject)]
pub struct SetCleaThresholdPayload {
    tenant: TenantObj,
}

#[derive(Default)]
pub struct DiagnosticMutation;

#[Object]
impl DiagnosticMutation {
    /// The cohort's provider writes (or finalises) a member's diagnostic.
    async fn save_diagnostic(
        &self,
        ctx: &Context<'_>,
        input: SaveDiagnosticInput,
    ) -> async_graphql::Result<Option<SaveDiagnosticPayload>> {
        let r = req(ctx);
        let cohort = ids::decode(&input.cohort_id, "Cohort", "cohort")
            .map(parcours_domain::ids::CohortId)
            .gql(ctx)?;
        let participant = participant_id(&input.participant_id).gql(ctx)?;
        let content = DiagnosticContent {
            fle: Fle {
                listening: input.fle.listening.0.into(),
                reading: input.fle.reading.0.into(),
                speaking: input.fle.speaking.0.into(),
                writing: input.fle.writing.0.into(),
                training_needed: input.fle.training_needed,
            },
            mobility: Mobility {
                driving_licence: input.mobility.driving_licence,
                vehicle_access: input.mobility.vehicle_access,
                public_transport_autonomy: input.mobility.public_transport_autonomy,
                acceptable_commute_minutes: input.mobility.acceptable_commute_minutes,
                psychological_barriers: input.mobility.psychological_barriers,
                platform_referral: input.mobility.platform_referral,
            },
            clea: input
                .clea_domains
                .iter()
                .map(|a| match a {
                    CleaAcquisition::Acquired => Acquisition::Acquired,
                    CleaAcquisition::PartlyAcquired => Acquisition::PartlyAcquired,
                    CleaAcquisition::NotAcquired => Acquisition::NotAcquired,
                })
                .collect(),
            daq_orientation: input.daq_orientation,
            recommendations: input.recommendations,
        };
        let saved = diagnostics::save(
            &r.tx,
            &r.principal,
            cohort,
            participant,
            input.version,
            content,
            input.finalise,
        )
        .await
        .gql(ctx)?;
        let (_, threshold) =
            diagnostics::load_many::<diagnostics::DiagnosticSummary>(&r.tx, &r.principal, &[])
                .await
                .gql(ctx)?;
        Ok(Some(SaveDiagnosticPayload {
            diagnostic: DiagnosticObj::whole(saved, threshold),
        }))
    }

    /// Steering sets the share of CléA points (percent) a positioning must reach.
    async fn set_clea_threshold(
        &self,
        ctx: &Context<'_>,
        input: SetCleaThresholdInput,
    ) -> async_graphql::Result<Option<SetCleaThresholdPayload>> {
        let r = req(ctx);
        let tenant = tenants::set_clea_threshold(&r.tx, &r.principal, input.percent, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SetCleaThresholdPayload {
            tenant: TenantObj(tenant),
        }))
    }

    /// Steering sets how long personal data is kept after the end of a path.
    async fn set_retention(
        &self,
        ctx: &Context<'_>,
        input: SetRetentionInput,
    ) -> async_graphql::Result<Option<SetRetentionPayload>> {
        let r = req(ctx);
        let tenant = tenants::set_retention(&r.tx, &r.principal, input.months, input.version)
            .await
            .gql(ctx)?;
        Ok(Some(SetRetentionPayload {
            tenant: TenantObj(tenant),
        }))
    }
}
