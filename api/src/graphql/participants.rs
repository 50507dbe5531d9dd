//! Participants, their path, episodes and exit.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::scalars::Date;
use parcours_domain::access_log::SensitiveField;
use parcours_domain::ids::{CommuneId, EpisodeId, ParticipantId, StaffId};
use parcours_domain::participants::exit_assessment::{
    self, ContractKind, EpisodeKind, TrainingKind,
};
use parcours_domain::participants::{self as domain, Participant, policy};
use parcours_domain::{DomainError, participants::exit_recording};

use super::loaders::{
    CommuneLoader, EpisodesLoader, ExitLoader, Loaded, PathStepsLoader, StaffLoader,
};
use super::staff::StaffMemberObj;
use super::tenants::CommuneObj;
use super::{GqlResult, ids, req};

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $domain:path { $($(#[$vdoc:meta])* $variant:ident),* $(,)? }) => {
        #[derive(Enum, Copy, Clone, Eq, PartialEq)]
        $(#[$doc])*
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => Self::$variant),* }
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),* }
            }
        }
    };
}

mirror_enum!(
    /// ESF+ gender values.
    Gender => domain::Gender { Woman, Man, NonBinary }
);
mirror_enum!(
    /// Where a participant stands: a candidate until the validation committee decides.
    ParticipantStatus => domain::ParticipantStatus {
        /// Entry not yet decided by the validation committee.
        Candidate,
        /// Admitted: the path runs.
        Active,
        /// Entry refused by the validation committee.
        Refused,
        /// Left the path (see `exit`).
        Exited,
    }
);
mirror_enum!(
    /// Kind of path step.
    PathStepKind => domain::PathStepKind { Diagnostic, Interview, Action, Training, Employment, Other }
);
mirror_enum!(
    /// Why a participant left. For `EMPLOYMENT_OR_TRAINING` the service decides whether the exit
    /// is positive from the recorded episodes; any other kind is non-positive and needs a reason.
    ExitKind => domain::ExitKind { EmploymentOrTraining, MovedAway, DroppedOut, Health, Other }
);
mirror_enum!(
    /// Why an episode ended before its planned end.
    EndReason => domain::EndReason {
        /// The participant resigned (démission).
        Resignation,
        /// The employer dismissed them (licenciement).
        Dismissal,
        /// The trial period was ended (rupture de la période d'essai).
        EndOfTrialPeriod,
        /// A mission or training ended early (fin de mission).
        EndOfMission,
        Other,
    }
);
mirror_enum!(
    /// Kind of employment contract.
    #[graphql(name = "ContractKind")]
    ContractKindGql => ContractKind { Permanent, FixedTerm, TemporaryAgency, Subsidised, IntegrationWorksite }
);
mirror_enum!(
    /// Kind of training.
    #[graphql(name = "TrainingKind")]
    TrainingKindGql => TrainingKind { Qualifying, Other }
);
mirror_enum!(
    /// The positive-exit rule that matched.
    PositiveRule => exit_assessment::PositiveRule {
        /// CDI at least half-time (or less, agreed), after 6 months in the company.
        PermanentContract,
        /// Temporary agency work totalling 183 days within 365.
        TemporaryAgencyWork,
        /// Fixed-term contracts totalling 183 days within 365 (under 17.5 h only if agreed).
        FixedTermContracts,
        /// A qualifying training.
        QualifyingTraining,
        /// Business creation or takeover, after 6 months of follow-up.
        BusinessCreation,
        /// A subsidised contract of more than 6 months (worksites excluded).
        SubsidisedContract,
        /// 55 or more, 6 months in a work-integration worksite, committee agreed.
        SeniorIntegrationWorksite,
    }
);
mirror_enum!(
    /// How to order participants.
    ParticipantSort => domain::ParticipantSort { Name, EntryDate }
);

/// Education level in the 2019 national nomenclature (3 = CAP/BEP, 4 = baccalauréat).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EducationLevel {
    Level1,
    Level2,
    Level3,
    Level4,
    Level5,
    Level6,
    Level7,
    Level8,
}

impl EducationLevel {
    fn number(self) -> i32 {
        self as i32 + 1
    }

    fn from_number(n: u8) -> Self {
        use EducationLevel::*;
        [
            Level1, Level2, Level3, Level4, Level5, Level6, Level7, Level8,
        ][usize::from(n.clamp(1, 8) - 1)]
    }
}

/// Kind of episode.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "EpisodeKind")]
pub enum EpisodeKindGql {
    /// A job; `contractKind` says which.
    Employment,
    /// A training; `trainingKind` says which.
    Training,
    /// Business creation or takeover.
    BusinessCreation,
}

/// A person accompanied by the PLIE. Personal fields are null once anonymised.
pub struct ParticipantObj(pub Participant);

/// A sensitive value, when the caller may read it; the read is noted for the access log (a
/// refused read discloses nothing and notes nothing).
fn sensitive(
    ctx: &Context<'_>,
    p: &Participant,
    field: SensitiveField,
    value: bool,
) -> async_graphql::Result<Option<bool>> {
    if policy::may_read_sensitive(&req(ctx).principal, p) {
        super::access::note(ctx, p.id, field);
        Ok(Some(value))
    } else {
        Err(DomainError::Forbidden(
            "RSA status and disability are readable by steering and the participant's referent only",
        ))
        .gql(ctx)
    }
}

/// The whole record is for steering and the participant's referent; a provider reads the
/// action's few fields only (name, contact, commune, referent, status).
fn whole(ctx: &Context<'_>, p: &Participant) -> async_graphql::Result<()> {
    if policy::reads_whole_record(&req(ctx).principal, p) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "this field is readable by steering and the participant's referent only",
        ))
        .gql(ctx)
    }
}

#[Object(name = "Participant")]
impl ParticipantObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Participant", self.0.id.0)
    }
    /// First name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    /// Last name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// Birth date.
    async fn birth_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.0)?;
        Ok(self.0.birth_date.map(Date))
    }
    /// Birth year, kept after anonymisation for age statistics.
    async fn birth_year(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        whole(ctx, &self.0)?;
        Ok(self
            .0
            .birth_date
            .map(|d| chrono::Datelike::year(&d))
            .or(self.0.birth_year))
    }
    /// Gender (ESF+ values).
    async fn gender(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Gender>> {
        whole(ctx, &self.0)?;
        Ok(Some(self.0.gender.into()))
    }
    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Postal address.
    async fn postal_address(&self) -> Option<&str> {
        self.0.postal_address.as_deref()
    }
    /// Commune of residence (in the tenant's perimeter).
    async fn commune(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CommuneObj>> {
        let loader = ctx.data_unchecked::<Loaded<CommuneLoader>>();
        Ok(loader
            .load_one(self.0.commune_id)
            .await?
            .map(CommuneObj::from))
    }
    /// Long-term job seeker (DELD) at entry.
    async fn long_term_job_seeker(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.0)?;
        Ok(Some(self.0.long_term_job_seeker))
    }
    /// RSA (minimum income) beneficiary at entry. Steering and the participant's referent only.
    async fn rsa_beneficiary(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        sensitive(
            ctx,
            &self.0,
            SensitiveField::RsaBeneficiary,
            self.0.rsa_beneficiary,
        )
    }
    /// Lives in a priority neighbourhood (QPV).
    async fn priority_neighbourhood(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.0)?;
        Ok(Some(self.0.priority_neighbourhood))
    }
    /// Education level (2019 nomenclature).
    async fn education_level(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<EducationLevel>> {
        whole(ctx, &self.0)?;
        Ok(Some(EducationLevel::from_number(
            self.0.education_level.get(),
        )))
    }
    /// Recognised disabled worker (RQTH). Steering and the participant's referent only.
    async fn recognised_disability(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<bool>> {
        sensitive(
            ctx,
            &self.0,
            SensitiveField::RecognisedDisability,
            self.0.recognised_disability,
        )
    }
    /// Allowed to work in France.
    async fn authorised_to_work(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.0)?;
        Ok(Some(self.0.authorised_to_work))
    }
    /// Other integration difficulties recorded at entry (mobility, housing, …).
    async fn difficulties(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<String>>> {
        whole(ctx, &self.0)?;
        Ok(Some(self.0.difficulties.clone()))
    }
    /// When the participant gave consent.
    async fn consent_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.0)?;
        Ok(self.0.consent_date.map(Date))
    }
    /// What the participant agreed to.
    async fn consent_scope(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        whole(ctx, &self.0)?;
        Ok(self.0.consent_scope.clone())
    }
    /// The single referent following this participant.
    async fn referent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMemberObj>> {
        let loader = ctx.data_unchecked::<Loaded<StaffLoader>>();
        Ok(loader
            .load_one(self.0.referent_id)
            .await?
            .map(StaffMemberObj))
    }
    /// Status.
    async fn status(&self) -> ParticipantStatus {
        self.0.status.into()
    }
    /// The day the participant entered the path.
    async fn entry_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.0)?;
        Ok(self.0.entry_date.map(Date))
    }
    /// The validation committee's date (entry admitted or refused).
    async fn committee_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.0)?;
        Ok(self.0.committee_date.map(Date))
    }
    /// Why the committee refused the entry.
    async fn refusal_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        whole(ctx, &self.0)?;
        Ok(self.0.refusal_reason.clone())
    }
    /// When the participant's personal data was erased, if it was.
    async fn anonymised_at(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DateTime<Utc>>> {
        whole(ctx, &self.0)?;
        Ok(self.0.anonymised_at)
    }
    /// The path: its steps in date order.
    async fn path(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<PathStepObj>>> {
        whole(ctx, &self.0)?;
        let loader = ctx.data_unchecked::<Loaded<PathStepsLoader>>();
        let steps = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(Some(steps.into_iter().map(PathStepObj).collect()))
    }
    /// The path step under way: of the steps not closed and started by today (Paris time),
    /// the one started last; null when there is none, and for whoever may not read the path.
    async fn current_step(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PathStepObj>> {
        if !policy::reads_whole_record(&req(ctx).principal, &self.0) {
            return Ok(None);
        }
        let today = parcours_domain::paris::wall_clock(req(ctx).tx.now()).date();
        let loader = ctx.data_unchecked::<Loaded<PathStepsLoader>>();
        let steps = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(steps
            .into_iter()
            .filter(|s| !s.closed && s.start_date <= today)
            .max_by_key(|s| (s.start_date, s.id.0))
            .map(PathStepObj))
    }
    /// Cohort memberships (prescriptions, enrolments, declines, drop-outs), by cohort start
    /// date: steering all, the referent all of their participant's, a provider those of its own
    /// cohorts.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::cohorts::MemberObj>> {
        let loader = ctx.data_unchecked::<Loaded<super::loaders::MembershipsLoader>>();
        let list = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(super::cohorts::MemberObj).collect())
    }
    /// Employment, training and business-creation episodes, in date order.
    async fn episodes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<EpisodeObj>>> {
        whole(ctx, &self.0)?;
        let loader = ctx.data_unchecked::<Loaded<EpisodesLoader>>();
        let episodes = loader.load_one(self.0.id).await?.unwrap_or_default();
        Ok(Some(episodes.into_iter().map(EpisodeObj).collect()))
    }
    /// The recorded exit, if any.
    async fn exit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ExitObj>> {
        whole(ctx, &self.0)?;
        let loader = ctx.data_unchecked::<Loaded<ExitLoader>>();
        Ok(loader.load_one(self.0.id).await?.flatten().map(ExitObj))
    }
    /// Whether an exit on `on` (default: the recorded exit's date, else today) would be
    /// positive, which rule matched and on which evidence, or why none did.
    async fn exit_assessment(
        &self,
        ctx: &Context<'_>,
        on: Option<Date>,
    ) -> async_graphql::Result<Option<ExitAssessment>> {
        whole(ctx, &self.0)?;
        // From the request's loaders: a page of assessments costs no query per participant.
        let episodes = ctx
            .data_unchecked::<Loaded<EpisodesLoader>>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let recorded = ctx
            .data_unchecked::<Loaded<ExitLoader>>()
            .load_one(self.0.id)
            .await?
            .flatten();
        let today = parcours_domain::paris::today(req(ctx).tx.now());
        let assessment = exit_recording::assess_loaded(
            &self.0,
            &episodes,
            recorded.as_ref(),
            on.map(|d| d.0),
            today,
        );
        Ok(Some(ExitAssessment::from(assessment)))
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version: pass it back when changing the participant.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A step of a participant's path.
pub struct PathStepObj(pub domain::PathStep);

#[Object(name = "PathStep")]
impl PathStepObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("PathStep", self.0.id.0)
    }
    /// Kind.
    async fn kind(&self) -> PathStepKind {
        self.0.kind.into()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Start date.
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    /// End date.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
    /// Outcome.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    /// A closed step no longer changes.
    async fn closed(&self) -> bool {
        self.0.closed
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An employment, training or business-creation episode.
pub struct EpisodeObj(pub domain::Episode);

#[Object(name = "Episode")]
impl EpisodeObj {
    /// Global ID.
    pub(crate) async fn id(&self) -> ID {
        ids::encode("Episode", self.0.id.0)
    }
    /// Employment, training or business creation.
    async fn kind(&self) -> EpisodeKindGql {
        match self.0.kind {
            EpisodeKind::Employment(_) => EpisodeKindGql::Employment,
            EpisodeKind::Training(_) => EpisodeKindGql::Training,
            EpisodeKind::BusinessCreation => EpisodeKindGql::BusinessCreation,
        }
    }
    /// For employment: the contract.
    async fn contract_kind(&self) -> Option<ContractKindGql> {
        match self.0.kind {
            EpisodeKind::Employment(c) => Some(c.into()),
            _ => None,
        }
    }
    /// For training: its kind.
    async fn training_kind(&self) -> Option<TrainingKindGql> {
        match self.0.kind {
            EpisodeKind::Training(t) => Some(t.into()),
            _ => None,
        }
    }
    /// First day.
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    /// Last day (planned or actual); null while open-ended.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
    /// Weekly working time in hours.
    async fn hours_per_week(&self) -> Option<f64> {
        self.0.minutes_per_week.map(|m| f64::from(m) / 60.0)
    }
    /// The participant agreed to a working time under half-time.
    async fn participant_agreement(&self) -> bool {
        self.0.participant_agreement
    }
    /// Employer or training body.
    async fn employer(&self) -> Option<&str> {
        self.0.employer.as_deref()
    }
    /// Why it ended before its planned end (`endEpisode`); null otherwise.
    async fn end_reason(&self) -> Option<EndReason> {
        self.0.end_reason.map(Into::into)
    }
    /// Its version, for `endEpisode`, `correctEpisode` and `cancelEpisode`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A recorded exit.
pub struct ExitObj(pub domain::Exit);

#[Object(name = "Exit")]
impl ExitObj {
    /// Exit date.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
    /// Kind.
    async fn kind(&self) -> ExitKind {
        self.0.kind.into()
    }
    /// Decided by the service from the episodes (or by the committee's validation).
    async fn positive(&self) -> bool {
        self.0.positive
    }
    /// The rule that made it positive.
    async fn rule(&self) -> Option<PositiveRule> {
        self.0.rule.map(Into::into)
    }
    /// Why it is not positive, or the reason given.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The senior worksite exception applies once the validation committee agrees.
    async fn needs_committee_validation(&self) -> bool {
        self.0.needs_committee_validation
    }
    /// When the committee validated the exception.
    async fn committee_validated_on(&self) -> Option<Date> {
        self.0.committee_validated_on.map(Date)
    }
}

/// The evidence behind a positive assessment.
#[derive(SimpleObject)]
pub struct ExitEvidence {
    /// The episodes that count (global IDs).
    episode_ids: Vec<ID>,
    /// Days counted.
    days: i64,
    /// For cumulated rules: the 365-day window.
    /// First day of the window.
    window_start: Option<Date>,
    /// Last day of the window.
    window_end: Option<Date>,
}

/// What the positive-exit rules say.
#[derive(SimpleObject)]
pub struct ExitAssessment {
    /// Whether the exit counts as positive.
    positive: bool,
    /// The rule that matched.
    rule: Option<PositiveRule>,
    /// What it matched on.
    evidence: Option<ExitEvidence>,
    /// Positive once the validation committee agrees (the 55+ worksite exception).
    needs_committee_validation: bool,
    /// Why no rule matched.
    reasons: Vec<String>,
}

impl From<exit_assessment::Assessment> for ExitAssessment {
    fn from(a: exit_assessment::Assessment) -> Self {
        Self {
            positive: a.positive,
            rule: a.rule.map(Into::into),
            evidence: a.evidence.map(|e| ExitEvidence {
                episode_ids: e
                    .episodes
                    .iter()
                    .map(|id: &EpisodeId| ids::encode("Episode", id.0))
                    .collect(),
                days: e.days,
                window_start: e.window_start.map(Date),
                window_end: e.window_end.map(Date),
            }),
            needs_committee_validation: a.needs_committee_validation,
            reasons: a.reasons,
        }
    }
}

pub(crate) fn participant_id(id: &ID) -> Result<ParticipantId, DomainError> {
    ids::decode(id, "Participant", "participant").map(ParticipantId)
}

fn staff_id(id: &ID) -> Result<StaffId, DomainError> {
    ids::decode(id, "StaffMember", "referent").map(StaffId)
}

fn commune_id(id: &ID) -> Result<CommuneId, DomainError> {
    // An ID that is not a commune of this tenant is outside the perimeter.
    ids::decode(id, "Commune", "commune")
        .map(CommuneId)
        .map_err(|_| {
            DomainError::validation("communeId", "is not a commune of this PLIE's perimeter")
        })
}

#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// The participants the caller may see: steering the whole tenant, a referent their own
    /// portfolio.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "one GraphQL argument each")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only this status.")] status: Option<ParticipantStatus>,
        #[graphql(desc = "Only this referent's participants.")] referent_id: Option<ID>,
        #[graphql(desc = "Only residents of this commune.")] commune_id: Option<ID>,
        #[graphql(
            desc = "Only residents (true) or non-residents (false) of priority neighbourhoods."
        )]
        priority_neighbourhood: Option<bool>,
        #[graphql(
            desc = "Only RSA beneficiaries (true) or not (false). Steering and referents only; each participant listed is recorded in the access log, `totalCount` is null and `first` at least 1."
        )]
        rsa_beneficiary: Option<bool>,
        #[graphql(desc = "Entered on or after this date.")] entered_from: Option<Date>,
        #[graphql(desc = "Entered on or before this date.")] entered_to: Option<Date>,
        #[graphql(
            desc = "Text in the last or first name, compared as names are keyed: case, accents, ligatures, apostrophes, hyphens and spaces ignored (\"laetitia\" finds Lætitia, \"ndiaye\" finds N’Diaye); at least one letter or digit, at most 200 characters."
        )]
        search: Option<String>,
        #[graphql(desc = "Order (default NAME).")] sort: Option<ParticipantSort>,
    ) -> async_graphql::Result<
        Option<Connection<String, ParticipantObj, ParticipantConnectionFields>>,
    > {
        let r = req(ctx);
        let filter = domain::ParticipantFilter {
            status: status.map(Into::into),
            referent_id: referent_id
                .map(|id| ids::decode(&id, "StaffMember", "referent").map(StaffId))
                .transpose()
                .gql(ctx)?,
            commune_id: commune_id
                .map(|id| ids::decode(&id, "Commune", "commune").map(CommuneId))
                .transpose()
                .gql(ctx)?,
            priority_neighbourhood,
            rsa_beneficiary,
            entered_from: entered_from.map(|d| d.0),
            entered_to: entered_to.map(|d| d.0),
            search,
        };
        // The domain's cursor (a sort key and an ID) travels inside the list's tagged one.
        let tag = ids::ListTag::of(ctx);
        let after = after
            .map(|c| {
                tag.position(&c).and_then(|p| {
                    String::from_utf8(p).map_err(|_| {
                        DomainError::validation("after", "is not a cursor of this list")
                    })
                })
            })
            .transpose()
            .gql(ctx)?;
        let page = domain::list(
            &r.tx,
            &r.principal,
            &filter,
            sort.unwrap_or(ParticipantSort::Name).into(),
            first,
            after.as_deref(),
            super::counts(ctx),
        )
        .await
        .gql(ctx)?;
        let shown: Vec<Participant> = page.items.iter().map(|(_, p)| p.clone()).collect();
        if rsa_beneficiary.is_some() {
            // Listed under the filter, each one's RSA status is disclosed, selected or not.
            for p in &shown {
                super::access::note(ctx, p.id, SensitiveField::RsaBeneficiary);
            }
        }
        super::loaders::prime_participants(ctx, &shown).await?;
        let mut conn = async_graphql::connection::Connection::with_additional_fields(
            page.has_previous_page,
            page.has_next_page,
            ParticipantConnectionFields {
                total_count: page
                    .total_count
                    .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            },
        );
        conn.edges.extend(page.items.into_iter().map(|(cursor, p)| {
            async_graphql::connection::Edge::new(tag.cursor(cursor.as_bytes()), ParticipantObj(p))
        }));
        Ok(Some(conn))
    }

    /// One participant.
    async fn participant(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        let r = req(ctx);
        let id = participant_id(&id).gql(ctx)?;
        let p = domain::get(&r.tx, &r.principal, id).await.gql(ctx)?;
        Ok(Some(ParticipantObj(p)))
    }
}

/// Fields of the participants connection beside edges and page info.
#[derive(SimpleObject)]
pub struct ParticipantConnectionFields {
    /// How many participants match the filters, over all pages; null under the
    /// `rsaBeneficiary` filter (a count would disclose the status of people it does not list).
    pub total_count: Option<i64>,
}

/// Identity, contact and situation fields; on update only those given change.
#[derive(InputObject, Default)]
pub struct ParticipantFieldsInput {
    /// First name: 1 to 200 characters, one line.
    first_name: Option<String>,
    /// Last name: 1 to 200 characters, one line.
    last_name: Option<String>,
    birth_date: Option<Date>,
    gender: Option<Gender>,
    /// E-mail address: at most 254 characters, one line, stored lowercased; an empty one
    /// removes it.
    email: Option<String>,
    /// Phone number: 1 to 30 characters, one line, of digits, spaces and `+ . - ( )`.
    phone: Option<String>,
    /// Postal address: 1 to 500 characters, one line.
    postal_address: Option<String>,
    /// A commune of the tenant's perimeter (see `tenant.communes`).
    commune_id: Option<ID>,
    long_term_job_seeker: Option<bool>,
    rsa_beneficiary: Option<bool>,
    priority_neighbourhood: Option<bool>,
    education_level: Option<EducationLevel>,
    recognised_disability: Option<bool>,
    authorised_to_work: Option<bool>,
    /// Other integration difficulties (at most 20, 100 characters each).
    difficulties: Option<Vec<String>>,
    consent_date: Option<Date>,
    /// What the participant agreed to: 1 to 1,000 characters, one line.
    consent_scope: Option<String>,
}

impl ParticipantFieldsInput {
    fn into_domain(self) -> Result<domain::ParticipantFields, DomainError> {
        Ok(domain::ParticipantFields {
            first_name: self.first_name,
            last_name: self.last_name,
            birth_date: self.birth_date.map(|d| d.0),
            gender: self.gender.map(Into::into),
            email: self.email,
            phone: self.phone,
            postal_address: self.postal_address,
            commune_id: self.commune_id.as_ref().map(commune_id).transpose()?,
            long_term_job_seeker: self.long_term_job_seeker,
            rsa_beneficiary: self.rsa_beneficiary,
            priority_neighbourhood: self.priority_neighbourhood,
            education_level: self.education_level.map(EducationLevel::number),
            recognised_disability: self.recognised_disability,
            authorised_to_work: self.authorised_to_work,
            difficulties: self.difficulties,
            consent_date: self.consent_date.map(|d| d.0),
            consent_scope: self.consent_scope,
        })
    }
}

/// Input of `createParticipant`: first and last name, birth date, gender, commune, education
/// level, consent date and scope are required; `authorisedToWork` must be true.
#[derive(InputObject)]
pub struct CreateParticipantInput {
    #[graphql(flatten)]
    fields: ParticipantFieldsInput,
    /// The referent (required for steering; a referent creates in their own portfolio).
    referent_id: Option<ID>,
    /// The day the participant entered the path (default today).
    entry_date: Option<Date>,
    /// Create even though a participant of this PLIE has the same name and birth date (names
    /// compared as search compares them: case, accents, ligatures, apostrophes and hyphens
    /// ignored). Without it such a create is refused with `POSSIBLE_DUPLICATE`. Default false.
    #[graphql(default = false)]
    allow_duplicate: bool,
    /// A key (1 to 200 characters) the client makes for this create: sent again with the
    /// same input (a retry after a lost answer), it returns the participant the first one
    /// created and writes nothing; with another input it is `CONFLICT`.
    idempotency_key: Option<String>,
}

/// Input of `updateParticipant`.
#[derive(InputObject)]
pub struct UpdateParticipantInput {
    /// The participant.
    id: ID,
    /// The version the change is based on; a stale one is a `CONFLICT`.
    version: i32,
    #[graphql(flatten)]
    fields: ParticipantFieldsInput,
}

/// Input of `validateEntry`.
#[derive(InputObject)]
pub struct ValidateEntryInput {
    id: ID,
    version: i32,
    /// The validation committee's date.
    committee_date: Date,
}

/// Input of `refuseEntry`.
#[derive(InputObject)]
pub struct RefuseEntryInput {
    id: ID,
    version: i32,
    /// The validation committee's date.
    committee_date: Date,
    /// Why the committee refused: 1 to 1,000 characters, one line.
    reason: String,
}

/// Input of `reassignReferent`.
#[derive(InputObject)]
pub struct ReassignReferentInput {
    id: ID,
    version: i32,
    /// An active referent of the tenant.
    referent_id: ID,
}

/// Input of `anonymiseParticipant`.
#[derive(InputObject)]
pub struct AnonymiseParticipantInput {
    id: ID,
    version: i32,
}

/// Result of the participant mutations.
#[derive(SimpleObject)]
pub struct ParticipantPayload {
    /// The participant after the change.
    participant: ParticipantObj,
}

fn payload(p: Participant) -> Option<ParticipantPayload> {
    Some(ParticipantPayload {
        participant: ParticipantObj(p),
    })
}

/// Input of `addPathStep`.
#[derive(InputObject)]
pub struct AddPathStepInput {
    participant_id: ID,
    kind: PathStepKind,
    /// Title: 1 to 200 characters, one line.
    title: String,
    start_date: Date,
    end_date: Option<Date>,
}

/// Input of `updatePathStep` and `closePathStep` (closing needs an end date).
#[derive(InputObject)]
pub struct UpdatePathStepInput {
    id: ID,
    version: i32,
    /// Title: 1 to 200 characters, one line.
    title: Option<String>,
    start_date: Option<Date>,
    end_date: Option<Date>,
    /// Outcome: 1 to 2,000 characters, one line.
    outcome: Option<String>,
}

/// Result of the path-step mutations.
#[derive(SimpleObject)]
pub struct PathStepPayload {
    /// The step after the change.
    path_step: PathStepObj,
}

/// Input of `recordEpisode`.
#[derive(InputObject)]
pub struct RecordEpisodeInput {
    participant_id: ID,
    kind: EpisodeKindGql,
    /// Required for `EMPLOYMENT`.
    contract_kind: Option<ContractKindGql>,
    /// Required for `TRAINING`.
    training_kind: Option<TrainingKindGql>,
    start_date: Date,
    /// Planned or actual last day; omit for an open-ended contract.
    end_date: Option<Date>,
    /// Weekly working time (required for employment), at most 48.
    hours_per_week: Option<f64>,
    /// The participant agreed to a working time under half-time.
    #[graphql(default)]
    participant_agreement: bool,
    /// Employer or training body: 1 to 200 characters, one line.
    employer: Option<String>,
}

/// Input of `endEpisode`.
#[derive(InputObject)]
pub struct EndEpisodeInput {
    id: ID,
    version: i32,
    /// The last worked day: not before the start, not after today (Paris time), not after the
    /// planned end (`VALIDATION` on `endDate`).
    end_date: Date,
    reason: EndReason,
}

/// Input of `correctEpisode`: the episode's fields as they should have been recorded (its
/// kind stays; cancel it and record another to change it). The same checks as
/// `recordEpisode`.
#[derive(InputObject)]
pub struct CorrectEpisodeInput {
    id: ID,
    version: i32,
    start_date: Date,
    /// Planned or actual last day; omit for an open-ended contract.
    end_date: Option<Date>,
    /// Weekly working time (required for employment), at most 48.
    hours_per_week: Option<f64>,
    #[graphql(default)]
    participant_agreement: bool,
    /// Employer or training body: 1 to 200 characters, one line.
    employer: Option<String>,
}

/// Input of `cancelEpisode`.
#[derive(InputObject)]
pub struct CancelEpisodeInput {
    id: ID,
    version: i32,
    /// Why it was recorded by mistake: 1 to 1,000 characters, one line.
    reason: String,
}

/// Result of `cancelEpisode`.
#[derive(SimpleObject)]
pub struct CancelEpisodePayload {
    cancelled_episode_id: ID,
}

fn episode_id(id: &ID) -> Result<parcours_domain::ids::EpisodeId, DomainError> {
    ids::decode(id, "Episode", "episode").map(parcours_domain::ids::EpisodeId)
}

/// Result of `recordEpisode`, `endEpisode` and `correctEpisode`.
#[derive(SimpleObject)]
pub struct EpisodePayload {
    /// The recorded episode.
    episode: EpisodeObj,
}

/// Input of `recordExit`.
#[derive(InputObject)]
pub struct RecordExitInput {
    participant_id: ID,
    version: i32,
    date: Date,
    kind: ExitKind,
    /// Required for any kind but `EMPLOYMENT_OR_TRAINING`. 1 to 1,000 characters, one line.
    reason: Option<String>,
}

/// Input of `validateExit`.
#[derive(InputObject)]
pub struct ValidateExitInput {
    participant_id: ID,
    version: i32,
    /// The validation committee's date.
    committee_date: Date,
}

/// Result of `recordExit` and `validateExit`.
#[derive(SimpleObject)]
pub struct ExitPayload {
    /// The exit as recorded.
    exit: ExitObj,
}

fn episode_kind(input: &RecordEpisodeInput) -> Result<EpisodeKind, DomainError> {
    match input.kind {
        EpisodeKindGql::Employment => input
            .contract_kind
            .map(|c| EpisodeKind::Employment(c.into()))
            .ok_or_else(|| DomainError::validation("contractKind", "is required for employment")),
        EpisodeKindGql::Training => input
            .training_kind
            .map(|t| EpisodeKind::Training(t.into()))
            .ok_or_else(|| DomainError::validation("trainingKind", "is required for a training")),
        EpisodeKindGql::BusinessCreation => Ok(EpisodeKind::BusinessCreation),
    }
}

fn minutes(hours: Option<f64>) -> Result<Option<i32>, DomainError> {
    hours
        .map(|h| {
            if h.is_finite() && h > 0.0 && h <= 48.0 {
                Ok((h * 60.0).round() as i32)
            } else {
                Err(DomainError::validation(
                    "hoursPerWeek",
                    "must be more than 0 and at most 48",
                ))
            }
        })
        .transpose()
}

#[derive(Default)]
pub struct ParticipantMutation;

#[Object]
impl ParticipantMutation {
    /// Create a participant (a `CANDIDATE`): a referent in their own portfolio, or steering.
    /// Eligibility is checked; each violation names its field.
    async fn create_participant(
        &self,
        ctx: &Context<'_>,
        input: CreateParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let new = domain::NewParticipant {
            fields: input.fields.into_domain().gql(ctx)?,
            referent_id: input
                .referent_id
                .as_ref()
                .map(staff_id)
                .transpose()
                .gql(ctx)?,
            entry_date: input.entry_date.map(|d| d.0),
            allow_duplicate: input.allow_duplicate,
            idempotency_key: input.idempotency_key,
        };
        Ok(payload(
            domain::create(&r.tx, &r.principal, new).await.gql(ctx)?,
        ))
    }

    /// Change a participant's fields (their referent or steering).
    async fn update_participant(
        &self,
        ctx: &Context<'_>,
        input: UpdateParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let changes = domain::ParticipantChanges {
            id: participant_id(&input.id).gql(ctx)?,
            version: input.version,
            fields: input.fields.into_domain().gql(ctx)?,
        };
        Ok(payload(
            domain::update(&r.tx, &r.principal, changes)
                .await
                .gql(ctx)?,
        ))
    }

    /// Steering: the validation committee admits a candidate.
    async fn validate_entry(
        &self,
        ctx: &Context<'_>,
        input: ValidateEntryInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::validate_entry(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.committee_date.0,
        )
        .await
        .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: the validation committee refuses a candidate.
    async fn refuse_entry(
        &self,
        ctx: &Context<'_>,
        input: RefuseEntryInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::refuse_entry(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.committee_date.0,
            &input.reason,
        )
        .await
        .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: give the participant another referent.
    async fn reassign_referent(
        &self,
        ctx: &Context<'_>,
        input: ReassignReferentInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let referent = staff_id(&input.referent_id).gql(ctx)?;
        let p = domain::reassign_referent(&r.tx, &r.principal, id, input.version, referent)
            .await
            .gql(ctx)?;
        Ok(payload(p))
    }

    /// Steering: erase the participant's personal data (right to erasure); anonymous facts stay.
    async fn anonymise_participant(
        &self,
        ctx: &Context<'_>,
        input: AnonymiseParticipantInput,
    ) -> async_graphql::Result<Option<ParticipantPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.id).gql(ctx)?;
        let p = domain::anonymise(&r.tx, &r.principal, id, input.version)
            .await
            .gql(ctx)?;
        Ok(payload(p))
    }

    /// Add a step to a participant's path.
    async fn add_path_step(
        &self,
        ctx: &Context<'_>,
        input: AddPathStepInput,
    ) -> async_graphql::Result<Option<PathStepPayload>> {
        let r = req(ctx);
        let new = domain::path::NewPathStep {
            participant_id: participant_id(&input.participant_id).gql(ctx)?,
            kind: input.kind.into(),
            title: input.title,
            start_date: input.start_date.0,
            end_date: input.end_date.map(|d| d.0),
        };
        let step = domain::path::add_step(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(PathStepPayload {
            path_step: PathStepObj(step),
        }))
    }

    /// Change a path step.
    async fn update_path_step(
        &self,
        ctx: &Context<'_>,
        input: UpdatePathStepInput,
    ) -> async_graphql::Result<Option<PathStepPayload>> {
        step_change(ctx, input, false).await
    }

    /// Close a path step with its end date and outcome.
    async fn close_path_step(
        &self,
        ctx: &Context<'_>,
        input: UpdatePathStepInput,
    ) -> async_graphql::Result<Option<PathStepPayload>> {
        step_change(ctx, input, true).await
    }

    /// Record an employment, training or business-creation episode.
    async fn record_episode(
        &self,
        ctx: &Context<'_>,
        input: RecordEpisodeInput,
    ) -> async_graphql::Result<Option<EpisodePayload>> {
        let r = req(ctx);
        let new = domain::path::NewEpisode {
            participant_id: participant_id(&input.participant_id).gql(ctx)?,
            kind: episode_kind(&input).gql(ctx)?,
            start_date: input.start_date.0,
            end_date: input.end_date.map(|d| d.0),
            minutes_per_week: minutes(input.hours_per_week).gql(ctx)?,
            participant_agreement: input.participant_agreement,
            employer: input.employer,
        };
        let episode = domain::path::record_episode(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(EpisodePayload {
            episode: EpisodeObj(episode),
        }))
    }

    /// End an episode early (a contract broken, a mission stopped), with its last day and why;
    /// the referent or steering, while the path is open. `CONFLICT` on a stale `version`.
    async fn end_episode(
        &self,
        ctx: &Context<'_>,
        input: EndEpisodeInput,
    ) -> async_graphql::Result<Option<EpisodePayload>> {
        let r = req(ctx);
        let id = episode_id(&input.id).gql(ctx)?;
        let episode = domain::path::end_episode(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.end_date.0,
            input.reason.into(),
        )
        .await
        .gql(ctx)?;
        Ok(Some(EpisodePayload {
            episode: EpisodeObj(episode),
        }))
    }

    /// Correct an episode recorded with a wrong date or working time.
    async fn correct_episode(
        &self,
        ctx: &Context<'_>,
        input: CorrectEpisodeInput,
    ) -> async_graphql::Result<Option<EpisodePayload>> {
        let r = req(ctx);
        let id = episode_id(&input.id).gql(ctx)?;
        let correction = domain::path::EpisodeCorrection {
            start_date: input.start_date.0,
            end_date: input.end_date.map(|d| d.0),
            minutes_per_week: minutes(input.hours_per_week).gql(ctx)?,
            participant_agreement: input.participant_agreement,
            employer: input.employer,
        };
        let episode =
            domain::path::correct_episode(&r.tx, &r.principal, id, input.version, correction)
                .await
                .gql(ctx)?;
        Ok(Some(EpisodePayload {
            episode: EpisodeObj(episode),
        }))
    }

    /// Cancel an episode recorded by mistake: no rule or list counts it again (it stays in the
    /// audit log).
    async fn cancel_episode(
        &self,
        ctx: &Context<'_>,
        input: CancelEpisodeInput,
    ) -> async_graphql::Result<Option<CancelEpisodePayload>> {
        let r = req(ctx);
        let id = episode_id(&input.id).gql(ctx)?;
        domain::path::cancel_episode(&r.tx, &r.principal, id, input.version, &input.reason)
            .await
            .gql(ctx)?;
        Ok(Some(CancelEpisodePayload {
            cancelled_episode_id: input.id,
        }))
    }

    /// Record an active participant's exit; the service decides whether it is positive.
    async fn record_exit(
        &self,
        ctx: &Context<'_>,
        input: RecordExitInput,
    ) -> async_graphql::Result<Option<ExitPayload>> {
        let r = req(ctx);
        let new = exit_recording::NewExit {
            participant_id: participant_id(&input.participant_id).gql(ctx)?,
            version: input.version,
            date: input.date.0,
            kind: input.kind.into(),
            reason: input.reason,
        };
        let recorded = exit_recording::record_exit(&r.tx, &r.principal, new)
            .await
            .gql(ctx)?;
        Ok(Some(ExitPayload {
            exit: ExitObj(recorded),
        }))
    }

    /// Steering: the validation committee agrees to the 55+ worksite exception.
    async fn validate_exit(
        &self,
        ctx: &Context<'_>,
        input: ValidateExitInput,
    ) -> async_graphql::Result<Option<ExitPayload>> {
        let r = req(ctx);
        let id = participant_id(&input.participant_id).gql(ctx)?;
        let validated = exit_recording::validate_exit(
            &r.tx,
            &r.principal,
            id,
            input.version,
            input.committee_date.0,
        )
        .await
        .gql(ctx)?;
        Ok(Some(ExitPayload {
            exit: ExitObj(validated),
        }))
    }
}

async fn step_change(
    ctx: &Context<'_>,
    input: UpdatePathStepInput,
    close: bool,
) -> async_graphql::Result<Option<PathStepPayload>> {
    let r = req(ctx);
    let changes = domain::path::PathStepChanges {
        id: ids::decode(&input.id, "PathStep", "path step")
            .map(parcours_domain::ids::PathStepId)
            .gql(ctx)?,
        version: input.version,
        title: input.title,
        start_date: input.start_date.map(|d| d.0),
        end_date: input.end_date.map(|d| d.0),
        outcome: input.outcome,
    };
    let step = domain::path::update_step(&r.tx, &r.principal, changes, close)
        .await
        .gql(ctx)?;
    Ok(Some(PathStepPayload {
        path_step: PathStepObj(step),
    }))
}
