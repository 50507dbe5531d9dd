//! Read models and inputs of diagnostics: FLE levels (CEFR), mobility, the CléA domains and
//! their acquisition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CohortId, ParticipantId};

/// A unit-only enum stored by its variants' names, as serde's derive writes them, with a
/// `Deserialize` that reads a name from its bytes: serde_json hands a string's bytes over as
/// they are, where the derive would check their UTF-8 and go through its enum access (a page
/// of cohorts reads 2,200 of these values: W2 of `README.md`). Other names are refused with
/// serde's `unknown variant` error.
macro_rules! stored_by_name {
    ($(#[$meta:meta])* pub enum $enum:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Serialize)]
        pub enum $enum {
            $($variant),+
        }

        impl<'de> Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$(stringify!($variant)),+];
                struct Name;
                impl serde::de::Visitor<'_> for Name {
                    type Value = $enum;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "one of {NAMES:?}")
                    }
                    fn visit_bytes<E: serde::de::Error>(self, name: &[u8]) -> Result<$enum, E> {
                        $(if name == stringify!($variant).as_bytes() {
                            return Ok($enum::$variant);
                        })+
                        Err(E::unknown_variant(&String::from_utf8_lossy(name), NAMES))
                    }
                    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<$enum, E> {
                        self.visit_bytes(name.as_bytes())
                    }
                }
                deserializer.deserialize_bytes(Name)
            }
        }
    };
}

stored_by_name! {
    /// CEFR levels, from pre-A1 to C2.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Cefr {
        PreA1,
        A1_1,
        A1,
        A2,
        B1,
        B2,
        C1,
        C2,
    }
}

/// A CEFR level as written in reports: `pre-A1`, `A1.1`, `A1` … `C2`.
pub fn cefr_label(level: Cefr) -> &'static str {
    match level {
        Cefr::PreA1 => "pre-A1",
        Cefr::A1_1 => "A1.1",
        Cefr::A1 => "A1",
        Cefr::A2 => "A2",
        Cefr::B1 => "B1",
        Cefr::B2 => "B2",
        Cefr::C1 => "C1",
        Cefr::C2 => "C2",
    }
}

/// The French-language diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fle {
    pub listening: Cefr,
    pub reading: Cefr,
    pub speaking: Cefr,
    pub writing: Cefr,
    pub training_needed: bool,
}

/// The mobility diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mobility {
    pub driving_licence: bool,
    pub vehicle_access: bool,
    pub public_transport_autonomy: bool,
    /// Acceptable one-way commute, in minutes (0 to 240).
    pub acceptable_commute_minutes: i32,
    pub psychological_barriers: bool,
    pub platform_referral: bool,
}

stored_by_name! {
    /// Positioning on one CléA domain.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Acquisition {
        Acquired,
        PartlyAcquired,
        NotAcquired,
    }
}

/// A domain of the CléA certificate (socle de connaissances et de compétences
/// professionnelles, décret n° 2015-172), in the certificate's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CleaDomain {
    CommunicatingInFrench,
    CalculationAndReasoning,
    DigitalCommunication,
    RulesAndTeamwork,
    AutonomousWork,
    LearningToLearn,
    SafetyAndEnvironmentRules,
}

impl CleaDomain {
    /// Its number on the certificate, from 1.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// Its name on the certificate.
    pub fn french_name(self) -> &'static str {
        match self {
            Self::CommunicatingInFrench => "Communiquer en français",
            Self::CalculationAndReasoning => {
                "Utiliser les règles de base de calcul et du raisonnement mathématique"
            }
            Self::DigitalCommunication => {
                "Utiliser les techniques usuelles de l'information et de la communication numérique"
            }
            Self::RulesAndTeamwork => {
                "Travailler dans le cadre de règles définies d'un travail en équipe"
            }
            Self::AutonomousWork => "Travailler en autonomie et réaliser un objectif individuel",
            Self::LearningToLearn => "Apprendre à apprendre tout au long de la vie",
            Self::SafetyAndEnvironmentRules => {
                "Maîtriser les gestes et postures, et respecter des règles d'hygiène, de sécurité et environnementales"
            }
        }
    }
}

/// The 7 CléA domains, in the certificate's order.
pub const CLEA_DOMAINS: [CleaDomain; 7] = [
    CleaDomain::CommunicatingInFrench,
    CleaDomain::CalculationAndReasoning,
    CleaDomain::DigitalCommunication,
    CleaDomain::RulesAndTeamwork,
    CleaDomain::AutonomousWork,
    CleaDomain::LearningToLearn,
    CleaDomain::SafetyAndEnvironmentRules,
];

/// A diagnostic's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticContent {
    pub fle: Fle,
    pub mobility: Mobility,
    /// One per domain of [`CLEA_DOMAINS`].
    pub clea: Vec<Acquisition>,
    pub daq_orientation: bool,
    pub recommendations: String,
}

/// A diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub is_final: bool,
    pub content: DiagnosticContent,
    pub written_by: String,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// What a cohort's screens show of a diagnostic: all but the mobility part, the
/// recommendations and the author, whose columns (a JSON document and two texts) a page of
/// cohorts does not read unless a field asks for them (see [`Shape`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticSummary {
    pub cohort_id: CohortId,
    pub participant_id: ParticipantId,
    pub is_final: bool,
    pub fle: Fle,
    /// One per domain of [`CLEA_DOMAINS`].
    pub clea: Vec<Acquisition>,
    pub daq_orientation: bool,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<&Diagnostic> for DiagnosticSummary {
    fn from(d: &Diagnostic) -> Self {
        Self {
            cohort_id: d.cohort_id,
            participant_id: d.participant_id,
            is_final: d.is_final,
            fle: d.content.fle.clone(),
            clea: d.content.clea.clone(),
            daq_orientation: d.content.daq_orientation,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// The shape a batch read brings diagnostics back in: whole ([`Diagnostic`]) or as screens
/// show them ([`DiagnosticSummary`]); implemented for those two only, read by the same query
/// with the same rules, only the selected columns differ.
pub trait Shape:
    crate::db::rows::Shaped<Entity = crate::entities::diagnostic::Entity> + Clone + 'static
{
    /// The membership the diagnostic is of.
    fn key(&self) -> (CohortId, ParticipantId);
}

impl Shape for Diagnostic {
    fn key(&self) -> (CohortId, ParticipantId) {
        (self.cohort_id, self.participant_id)
    }
}

impl Shape for DiagnosticSummary {
    fn key(&self) -> (CohortId, ParticipantId) {
        (self.cohort_id, self.participant_id)
    }
}

/// The CléA summary of a positioning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleaSummary {
    /// Percent of the points (acquired 2, partly 1, not 0), rounded down.
    pub share_percent: i32,
    pub threshold_percent: i32,
    pub meets_threshold: bool,
    /// The domains to train (not acquired or partly), in the certificate's order.
    pub modules_to_train: Vec<CleaDomain>,
}
