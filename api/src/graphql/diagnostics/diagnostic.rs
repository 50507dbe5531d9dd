//! The `Diagnostic` object: its French-language (`FleAssessment`) and mobility parts, which
//! are inputs too, and its CléA positioning by domain.

use async_graphql::{Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::diagnostics::{self, Acquisition, CLEA_DOMAINS, Cefr, Diagnostic};

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
    pub(super) listening: CefrLevel,
    pub(super) reading: CefrLevel,
    pub(super) speaking: CefrLevel,
    pub(super) writing: CefrLevel,
    pub(super) training_needed: bool,
}

/// The mobility diagnostic.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "MobilityInput", name = "MobilityAssessment")]
pub struct MobilityGql {
    pub(super) driving_licence: bool,
    pub(super) vehicle_access: bool,
    pub(super) public_transport_autonomy: bool,
    /// One way, in minutes (0 to 240).
    pub(super) acceptable_commute_minutes: i32,
    pub(super) psychological_barriers: bool,
    /// Referred to the Mission locale's mobility platform.
    pub(super) platform_referral: bool,
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
