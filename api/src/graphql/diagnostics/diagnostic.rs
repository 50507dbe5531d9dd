//! The `Diagnostic` object: its French-language (`FleAssessment`) and mobility parts, which
//! are inputs too, and its CléA positioning by domain.

use std::borrow::Cow;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use parcours_domain::DomainError;
use parcours_domain::diagnostics::{
    self, Acquisition, CLEA_DOMAINS, Cefr, Diagnostic, DiagnosticSummary,
};

use crate::graphql::GqlResult;
use crate::graphql::inline::{InTurn, Inline};
use crate::graphql::interned::{Interned, interned_names};
use crate::graphql::loaders::{DiagnosticLoader, Loaded};

/// The shapes of [`shape_of`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Summary,
    Whole,
}

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

interned_names!(CefrLevel, CleaAcquisition, CleaDomain);

/// The French-language diagnostic.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "FleInput", name = "FleAssessment")]
pub struct FleGql {
    pub(super) listening: Interned<CefrLevel>,
    pub(super) reading: Interned<CefrLevel>,
    pub(super) speaking: Interned<CefrLevel>,
    pub(super) writing: Interned<CefrLevel>,
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
    domain: Interned<CleaDomain>,
    /// The domain's French name on the certificate, e.g. `Communiquer en français`.
    name: &'static str,
    acquisition: Interned<CleaAcquisition>,
}

/// The CléA positioning and what follows from it.
#[derive(SimpleObject)]
pub struct CleaPositioning {
    domains: InTurn<CleaDomainResult>,
    /// Percent of the points (acquired 2, partly 1, not 0).
    share_percent: i32,
    /// The tenant's threshold (75% by default).
    threshold_percent: i32,
    meets_threshold: bool,
    /// The domains to train (not acquired or partly acquired), in the certificate's order.
    modules_to_train: Vec<CleaDomain>,
}

/// A cohort member's diagnostic, with the tenant's CléA threshold.
///
/// Read in the shape its selection needs ([`shape_of`]): the summary's fields are served from
/// it, the others (mobility, recommendations, author) from the whole diagnostic, which the
/// read brought when the selection asked for it and is otherwise read, for all the request's
/// diagnostics at once, by [`DiagnosticLoader`].
#[derive(Clone)]
pub struct DiagnosticObj {
    shown: DiagnosticSummary,
    whole: Option<Diagnostic>,
    threshold: i32,
}

impl DiagnosticObj {
    /// A whole diagnostic (a mutation's payload, a selection that needs it).
    pub(crate) fn whole(d: Diagnostic, threshold: i32) -> Self {
        Self {
            shown: DiagnosticSummary::from(&d),
            whole: Some(d),
            threshold,
        }
    }

    /// A diagnostic as screens show it.
    pub(crate) fn summary(shown: DiagnosticSummary, threshold: i32) -> Self {
        Self {
            shown,
            whole: None,
            threshold,
        }
    }

    /// The whole diagnostic: as read, or through the request's loader.
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Cow<'_, Diagnostic>> {
        if let Some(d) = &self.whole {
            return Ok(Cow::Borrowed(d));
        }
        let loader = ctx.data_unchecked::<Loaded<DiagnosticLoader>>();
        match loader
            .load_one((self.shown.cohort_id, self.shown.participant_id))
            .await?
        {
            Some((d, _)) => Ok(Cow::Owned(d)),
            // Read in the same snapshot as its summary.
            None => Err(DomainError::NotFound {
                entity: "diagnostic",
            })
            .gql(ctx),
        }
    }
}

/// The `Diagnostic` fields answered from a [`DiagnosticSummary`].
const SERVED_FROM_SUMMARY: &[&str] = &[
    "__typename",
    "isFinal",
    "fle",
    "clea",
    "daqOrientation",
    "updatedAt",
    "version",
];

/// The shape a selection of `Diagnostic` fields needs (`selection`: the field whose value is
/// a `Diagnostic`): its summary when every selected field is served from it, else the whole
/// diagnostic. Guessing wrong costs one batched statement, never a wrong answer.
pub(crate) fn shape_of(selection: async_graphql::Lookahead<'_>) -> Shape {
    if crate::graphql::selects_only(&selection, &[SERVED_FROM_SUMMARY]) {
        Shape::Summary
    } else {
        Shape::Whole
    }
}

#[Object(name = "Diagnostic")]
impl DiagnosticObj {
    /// A final diagnostic no longer changes.
    async fn is_final(&self) -> bool {
        self.shown.is_final
    }
    async fn fle(&self) -> Inline<FleGql> {
        let f = &self.shown.fle;
        Inline(FleGql {
            listening: Interned(f.listening.into()),
            reading: Interned(f.reading.into()),
            speaking: Interned(f.speaking.into()),
            writing: Interned(f.writing.into()),
            training_needed: f.training_needed,
        })
    }
    async fn mobility(&self, ctx: &Context<'_>) -> async_graphql::Result<MobilityGql> {
        let record = self.record(ctx).await?;
        let m = &record.content.mobility;
        Ok(MobilityGql {
            driving_licence: m.driving_licence,
            vehicle_access: m.vehicle_access,
            public_transport_autonomy: m.public_transport_autonomy,
            acceptable_commute_minutes: m.acceptable_commute_minutes,
            psychological_barriers: m.psychological_barriers,
            platform_referral: m.platform_referral,
        })
    }
    async fn clea(&self) -> Inline<CleaPositioning> {
        let summary = diagnostics::clea_summary(&self.shown.clea, self.threshold);
        Inline(CleaPositioning {
            domains: InTurn(
                self.shown
                    .clea
                    .iter()
                    .zip(CLEA_DOMAINS)
                    .map(|(a, d)| CleaDomainResult {
                        domain: Interned(d.into()),
                        name: d.french_name(),
                        acquisition: Interned(match a {
                            Acquisition::Acquired => CleaAcquisition::Acquired,
                            Acquisition::PartlyAcquired => CleaAcquisition::PartlyAcquired,
                            Acquisition::NotAcquired => CleaAcquisition::NotAcquired,
                        }),
                    })
                    .collect(),
            ),
            share_percent: summary.share_percent,
            threshold_percent: summary.threshold_percent,
            meets_threshold: summary.meets_threshold,
            modules_to_train: summary
                .modules_to_train
                .iter()
                .map(|d| CleaDomain::from(*d))
                .collect(),
        })
    }
    /// Oriented towards the regional qualification access scheme (DAQ).
    async fn daq_orientation(&self) -> bool {
        self.shown.daq_orientation
    }
    async fn recommendations(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.record(ctx).await?.content.recommendations.clone())
    }
    async fn written_by(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.record(ctx).await?.written_by.clone())
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.shown.updated_at
    }
    async fn version(&self) -> i32 {
        self.shown.version
    }
}
