//! Read models, enums and inputs of participants, paths, episodes and exits.

use chrono::{DateTime, NaiveDate, Utc};

use super::exit_assessment::{ContractKind, EpisodeKind, PositiveRule, TrainingKind};
use crate::error::DomainError;
use crate::ids::{CommuneId, EpisodeId, ParticipantId, PathStepId, StaffId};

macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub(crate) fn parse(s: &str) -> Result<Self, DomainError> {
                match s {
                    $($text => Ok(Self::$variant),)*
                    other => Err(DomainError::Internal(format!(
                        concat!("unknown stored ", stringify!($name), " {}"), other
                    ))),
                }
            }
        }
    };
}

stored_enum!(
    /// ESF+ gender values.
    Gender { Woman = "woman", Man = "man", NonBinary = "non_binary" }
);

stored_enum!(
    /// Where the participant stands.
    ParticipantStatus {
        Candidate = "candidate",
        Active = "active",
        Refused = "refused",
        Exited = "exited",
    }
);

stored_enum!(
    /// Kind of path step.
    PathStepKind {
        Diagnostic = "diagnostic",
        Interview = "interview",
        Action = "action",
        Training = "training",
        Employment = "employment",
        Other = "other",
    }
);

stored_enum!(
    /// Why a participant left the path.
    ExitKind {
        EmploymentOrTraining = "employment_or_training",
        MovedAway = "moved_away",
        DroppedOut = "dropped_out",
        Health = "health",
        Other = "other",
    }
);

/// Education level in the 2019 national nomenclature (1 to 8; 3 = CAP/BEP, 4 = baccalauréat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EducationLevel(u8);

impl EducationLevel {
    /// Parse a level number.
    pub fn new(level: i32) -> Result<Self, DomainError> {
        match u8::try_from(level) {
            Ok(l @ 1..=8) => Ok(Self(l)),
            _ => Err(DomainError::validation(
                "educationLevel",
                "must be a level of the 2019 nomenclature, 1 to 8",
            )),
        }
    }

    /// The level number.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Low qualification: level 3 or below (formerly "level V").
    pub fn is_low(self) -> bool {
        self.0 <= 3
    }
}

pub(crate) fn episode_kind_str(kind: EpisodeKind) -> &'static str {
    match kind {
        EpisodeKind::Employment(ContractKind::Permanent) => "permanent",
        EpisodeKind::Employment(ContractKind::FixedTerm) => "fixed_term",
        EpisodeKind::Employment(ContractKind::TemporaryAgency) => "temporary_agency",
        EpisodeKind::Employment(ContractKind::Subsidised) => "subsidised",
        EpisodeKind::Employment(ContractKind::IntegrationWorksite) => "integration_worksite",
        EpisodeKind::Training(TrainingKind::Qualifying) => "qualifying_training",
        EpisodeKind::Training(TrainingKind::Other) => "other_training",
        EpisodeKind::BusinessCreation => "business_creation",
    }
}

pub(crate) fn parse_episode_kind(s: &str) -> Result<EpisodeKind, DomainError> {
    Ok(match s {
        "permanent" => EpisodeKind::Employment(ContractKind::Permanent),
        "fixed_term" => EpisodeKind::Employment(ContractKind::FixedTerm),
        "temporary_agency" => EpisodeKind::Employment(ContractKind::TemporaryAgency),
        "subsidised" => EpisodeKind::Employment(ContractKind::Subsidised),
        "integration_worksite" => EpisodeKind::Employment(ContractKind::IntegrationWorksite),
        "qualifying_training" => EpisodeKind::Training(TrainingKind::Qualifying),
        "other_training" => EpisodeKind::Training(TrainingKind::Other),
        "business_creation" => EpisodeKind::BusinessCreation,
        other => {
            return Err(DomainError::Internal(format!(
                "unknown episode kind {other}"
            )));
        }
    })
}

pub(crate) fn rule_str(rule: PositiveRule) -> &'static str {
    match rule {
        PositiveRule::PermanentContract => "permanent_contract",
        PositiveRule::TemporaryAgencyWork => "temporary_agency_work",
        PositiveRule::FixedTermContracts => "fixed_term_contracts",
        PositiveRule::QualifyingTraining => "qualifying_training",
        PositiveRule::BusinessCreation => "business_creation",
        PositiveRule::SubsidisedContract => "subsidised_contract",
        PositiveRule::SeniorIntegrationWorksite => "senior_integration_worksite",
    }
}

pub(crate) fn parse_rule(s: &str) -> Option<PositiveRule> {
    [
        PositiveRule::PermanentContract,
        PositiveRule::TemporaryAgencyWork,
        PositiveRule::FixedTermContracts,
        PositiveRule::QualifyingTraining,
        PositiveRule::BusinessCreation,
        PositiveRule::SubsidisedContract,
        PositiveRule::SeniorIntegrationWorksite,
    ]
    .into_iter()
    .find(|r| rule_str(*r) == s)
}

/// A participant. Personal fields are `None` once anonymised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: ParticipantId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i32>,
    pub gender: Gender,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub commune_id: CommuneId,
    pub long_term_job_seeker: bool,
    pub rsa_beneficiary: bool,
    pub priority_neighbourhood: bool,
    pub education_level: EducationLevel,
    pub recognised_disability: bool,
    pub authorised_to_work: bool,
    pub difficulties: Vec<String>,
    pub consent_date: Option<NaiveDate>,
    pub consent_scope: Option<String>,
    pub referent_id: StaffId,
    pub status: ParticipantStatus,
    pub entry_date: Option<NaiveDate>,
    pub committee_date: Option<NaiveDate>,
    pub refusal_reason: Option<String>,
    pub anonymised_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Who a participant is, as a list of names shows them: identity, commune and referent, read
/// from 7 of the record's columns. The smallest of the three shapes: a page or a batch whose
/// selection asks nothing else reads only these (and the reading rules need no more: they
/// depend on the referent). Personal fields are `None` once anonymised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantBrief {
    pub id: ParticipantId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Gender,
    pub commune_id: CommuneId,
    pub referent_id: StaffId,
}

impl From<&Participant> for ParticipantBrief {
    fn from(p: &Participant) -> Self {
        Self {
            id: p.id,
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            birth_date: p.birth_date,
            gender: p.gender,
            commune_id: p.commune_id,
            referent_id: p.referent_id,
        }
    }
}

/// What lists show of a participant: its [`ParticipantBrief`], with its status, entry date,
/// birth year and version, read from 11 of the record's 28 columns. A list or a batch read in
/// this shape decodes (and has PostgreSQL send) less than half of each row; the rest of the
/// record is read, when asked, as a whole [`Participant`]. Personal fields are `None` once
/// anonymised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantSummary {
    pub brief: ParticipantBrief,
    pub birth_year: Option<i32>,
    pub status: ParticipantStatus,
    pub entry_date: Option<NaiveDate>,
    pub version: i32,
}

impl From<&Participant> for ParticipantSummary {
    fn from(p: &Participant) -> Self {
        Self {
            brief: ParticipantBrief::from(p),
            birth_year: p.birth_year,
            status: p.status,
            entry_date: p.entry_date,
            version: p.version,
        }
    }
}

/// The shape a read brings participants back in: the whole record ([`Participant`]), what
/// lists show ([`ParticipantSummary`]) or who they are ([`ParticipantBrief`]); implemented
/// for those three only. All are read through the same query with the same visibility rules,
/// only the selected columns differ.
pub trait Shape:
    crate::db::rows::Shaped<Entity = crate::entities::participant::Entity> + Clone + 'static
{
    /// The participant's ID.
    fn id(&self) -> ParticipantId;
    /// The referent following the participant, on whom the reading rules depend.
    fn referent_id(&self) -> StaffId;
}

impl Shape for Participant {
    fn id(&self) -> ParticipantId {
        self.id
    }
    fn referent_id(&self) -> StaffId {
        self.referent_id
    }
}

impl Shape for ParticipantSummary {
    fn id(&self) -> ParticipantId {
        self.brief.id
    }
    fn referent_id(&self) -> StaffId {
        self.brief.referent_id
    }
}

impl Shape for ParticipantBrief {
    fn id(&self) -> ParticipantId {
        self.id
    }
    fn referent_id(&self) -> StaffId {
        self.referent_id
    }
}

/// Identity, contact and situation fields of a participant (create and update).
#[derive(Clone, Debug, Default)]
pub struct ParticipantFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub commune_id: Option<CommuneId>,
    pub long_term_job_seeker: Option<bool>,
    pub rsa_beneficiary: Option<bool>,
    pub priority_neighbourhood: Option<bool>,
    pub education_level: Option<i32>,
    pub recognised_disability: Option<bool>,
    pub authorised_to_work: Option<bool>,
    pub difficulties: Option<Vec<String>>,
    pub consent_date: Option<NaiveDate>,
    pub consent_scope: Option<String>,
}

/// Input of `create`.
#[derive(Clone, Debug)]
pub struct NewParticipant {
    pub fields: ParticipantFields,
    /// Required for steering; a referent creates in their own portfolio.
    pub referent_id: Option<StaffId>,
    /// The day the person entered the PLIE's path (default: today).
    pub entry_date: Option<NaiveDate>,
    /// Create even though a participant of this PLIE has the same folded name and birth date
    /// (otherwise `POSSIBLE_DUPLICATE`).
    pub allow_duplicate: bool,
    /// A retried create with the same key returns the first one's participant.
    pub idempotency_key: Option<String>,
}

/// Input of `update`.
#[derive(Clone, Debug)]
pub struct ParticipantChanges {
    pub id: ParticipantId,
    pub version: i32,
    pub fields: ParticipantFields,
}

/// How to order the participant list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParticipantSort {
    #[default]
    Name,
    EntryDate,
}

/// Filters of the participant list; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct ParticipantFilter {
    pub status: Option<ParticipantStatus>,
    pub referent_id: Option<StaffId>,
    pub commune_id: Option<CommuneId>,
    pub priority_neighbourhood: Option<bool>,
    pub rsa_beneficiary: Option<bool>,
    pub entered_from: Option<NaiveDate>,
    pub entered_to: Option<NaiveDate>,
    /// Matched against first and last names, accents and case ignored; `%` and `_` are text.
    pub search: Option<String>,
}

/// A step of a participant's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathStep {
    pub id: PathStepId,
    pub participant_id: ParticipantId,
    pub kind: PathStepKind,
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub closed: bool,
    pub version: i32,
}

/// An employment, training or business-creation episode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    pub id: EpisodeId,
    pub participant_id: ParticipantId,
    pub kind: EpisodeKind,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub minutes_per_week: Option<i32>,
    pub participant_agreement: bool,
    pub employer: Option<String>,
    /// Why it ended before its planned end, when it did.
    pub end_reason: Option<EndReason>,
    pub version: i32,
}

/// Why an employment or training episode ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndReason {
    Resignation,
    Dismissal,
    EndOfTrialPeriod,
    EndOfMission,
    Other,
}

impl EndReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resignation => "resignation",
            Self::Dismissal => "dismissal",
            Self::EndOfTrialPeriod => "end_of_trial_period",
            Self::EndOfMission => "end_of_mission",
            Self::Other => "other",
        }
    }

    /// The reason named by [`EndReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Resignation,
            Self::Dismissal,
            Self::EndOfTrialPeriod,
            Self::EndOfMission,
            Self::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A recorded exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit {
    pub participant_id: ParticipantId,
    pub date: NaiveDate,
    pub kind: ExitKind,
    pub positive: bool,
    pub rule: Option<PositiveRule>,
    pub reason: Option<String>,
    pub needs_committee_validation: bool,
    pub committee_validated_on: Option<NaiveDate>,
}
