//! Diagnostics of cohort members, and the tenant's CléA threshold.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::diagnostics::{
    self, Acquisition, CLEA_DOMAINS, Cefr, Diagnostic, DiagnosticContent, Fle, Mobility,
};
use parcours_domain::tenants;

use super::participants::participant_id;
use super::tenants::TenantObj;
use super::{GqlResult, ids, req};

/// A CEFR level.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CefrLevel {
    PreA1,
    #[graphql(name = "A1_1")]
    A1_1,
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
}

impl From<CefrLevel> for Cefr {
    fn from(l: CefrLevel) -> Self {
        match l {
            CefrLevel::PreA1 => Cefr::PreA1,
            CefrLevel::A1_1 => Cefr::A1_1,
            CefrLevel::A1 => Cefr::A1,
            CefrLevel::A2 => Cefr::A2,
            CefrLevel::B1 => Cefr::B1,
            CefrLevel::B2 => Cefr::B2,
            CefrLevel::C1 => Cefr::C1,
            CefrLevel::C2 => Cefr::C2,
        }
    }
}

impl From<Cefr> for CefrLevel {
    fn from(l: Cefr) -> Self {
        match l {
            Cefr::PreA1 => CefrLevel::PreA1,
            Cefr::A1_1 => CefrLevel::A1_1,
            Cefr::A1 => CefrLevel::A1,
            Cefr::A2 => CefrLevel::A2,
            Cefr::B1 => CefrLevel::B1,
            Cefr::B2 => CefrLevel::B2,
            Cefr::C1 => CefrLevel::C1,
            Cefr::C2 => CefrLevel::C2,
        }
    }
}

/// Positioning on a CléA domain.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CleaAcquisition {
    Acquired,
    PartlyAcquired,
    NotAcquired,
}

/// The French-language diagnostic.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "FleInput", name = "FleAssessment")]
pub struct FleGql {
    listening: CefrLevel,
    reading: CefrLevel,
    speaking: CefrLevel,
    writing: CefrLevel,
    training_needed: bool,
}

/// The mobility diagnostic.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "MobilityInput", name = "MobilityAssessment")]
pub struct MobilityGql {
    driving_licence: bool,
    vehicle_access: bool,
    public_transport_autonomy: bool,
    /// One way, in minutes (0 to 240).
    acceptable_commute_minutes: i32,
    psychological_barriers: bool,
    /// Referred to the Mission locale's mobility platform.
    platform_referral: bool,
}

/// A domain of the CléA certificate (socle de connaissances et de compétences
/// professionnelles), in the certificate's order; `CleaDomainResult.name` gives its French name.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CleaDomain {
    /// Domain 1: Communiquer en français.
    CommunicatingInFrench,
    /// Domain 2: Utiliser les règles de base de calcul et du raisonnement mathématique.
    CalculationAndReasoning,
    /// Domain 3: Utiliser les techniques usuelles de l'information et de la communication numérique.
    DigitalCommunication,
    /// Domain 4: Travailler dans le cadre de règles définies d'un travail en équipe.
    RulesAndTeamwork,
    /// Domain 5: Travailler en autonomie et réaliser un objectif individuel.
    AutonomousWork,
    /// Domain 6: Apprendre à apprendre tout au long de la vie.
    LearningToLearn,
    /// Domain 7: Maîtriser les gestes et postures, et respecter des règles d'hygiène, de sécurité et
    /// environnementales.
    SafetyAndEnvironmentRules,
}

impl From<diagnostics::CleaDomain> for CleaDomain {
    fn from(d: diagnostics::CleaDomain) -> Self {
        use diagnostics::CleaDomain as D;
        match d {
            D::CommunicatingInFrench => Self::CommunicatingInFrench,
            D::CalculationAndReasoning => Self::CalculationAndReasoning,
            D::DigitalCommunication => Self::DigitalCommunication,
            D::RulesAndTeamwork => Self::RulesAndTeamwork,
            D::AutonomousWork => Self::AutonomousWork,
            D::LearningToLearn => Self::LearningToLearn,
            D::SafetyAndEnvironmentRules => Self::SafetyAndEnvironmentRules,
        }
    }
}

/// One CléA domain's positioning.
#[derive(SimpleObject)]
pub struct CleaDomainResult {
    domain: CleaDomain,
    /// The domain's French name on the certificate, e.g. `Communiquer en français`.
    name: &'static str,
    acquisition: CleaAcquisition,
}

/// The CléA positioning and what follows from it.
#[derive(SimpleObject)]
pub struct CleaPositioning {
    domains: Vec<CleaDomainResult>,
    /// Percent of the points (acquired 2, partly 1, not 0).
    share_percent: i32,
    /// The tenant's threshold (75% by default).
    threshold_percent: i32,
    meets_threshold: bool,
    /// The domains to train (not acquired or partly acquired), in the certificate's order.
    modules_to_train: Vec<CleaDomain>,
}

/// A cohort member's diagnostic.
pub struct DiagnosticObj(pub Diagnostic, pub i32);

#[Object(name = "Diagnostic")]
impl DiagnosticObj {
    /// A final diagnostic no longer changes.
    async fn is_final(&self) -> bool {
        self.0.is_final
    }
    async fn fle(&self) -> FleGql {
        let f = &self.0.content.fle;
        FleGql {
            listening: f.listening.into(),
            reading: f.reading.into(),
            speaking: f.speaking.into(),
            writing: f.writing.into(),
            training_needed: f.training_needed,
        }
    }
    async fn mobility(&self) -> MobilityGql {
        let m = &self.0.content.mobility;
        MobilityGql {
            driving_licence: m.driving_licence,
            vehicle_access: m.vehicle_access,
            public_transport_autonomy: m.public_transport_autonomy,
            acceptable_commute_minutes: m.acceptable_commute_minutes,
            psychological_barriers: m.psychological_barriers,
            platform_referral: m.platform_referral,
        }
    }
    async fn clea(&self) -> CleaPositioning {
        let summary = diagnostics::clea_summary(&self.0.content.clea, self.1);
        CleaPositioning {
            domains: self
                .0
                .content
                .clea
                .iter()
                .zip(CLEA_DOMAINS)
                .map(|(a, d)| CleaDomainResult {
                    domain: d.into(),
                    name: d.french_name(),
                    acquisition: match a {
                        Acquisition::Acquired => CleaAcquisition::Acquired,
                        Acquisition::PartlyAcquired => CleaAcquisition::PartlyAcquired,
                        Acquisition::NotAcquired => CleaAcquisition::NotAcquired,
                    },
                })
                .collect(),
            share_percent: summary.share_percent,
            threshold_percent: summary.threshold_percent,
            meets_threshold: summary.meets_threshold,
            modules_to_train: summary
                .modules_to_train
                .iter()
                .map(|d| CleaDomain::from(*d))
                .collect(),
        }
    }
    /// Oriented towards the regional qualification access scheme (DAQ).
    async fn daq_orientation(&self) -> bool {
        self.0.content.daq_orientation
    }
    async fn recommendations(&self) -> &str {
        &self.0.content.recommendations
    }
    async fn written_by(&self) -> &str {
        &self.0.written_by
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

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
                listening: input.fle.listening.into(),
                reading: input.fle.reading.into(),
                speaking: input.fle.speaking.into(),
                writing: input.fle.writing.into(),
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
        let (_, threshold) = diagnostics::load_many(&r.tx, &r.principal, &[])
            .await
            .gql(ctx)?;
        Ok(Some(SaveDiagnosticPayload {
            diagnostic: DiagnosticObj(saved, threshold),
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
