//! The `Participant` object: who may read which of its fields (the whole record, the sensitive
//! ones) is the domain's policy; this file only maps.

use std::borrow::Cow;

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use parcours_domain::access_log::SensitiveField;
use parcours_domain::participants::{
    self as domain, Participant, ParticipantBrief, ParticipantSummary, policy,
};
use parcours_domain::tenants::CommuneSummary;
use parcours_domain::{DomainError, participants::exit_recording};

use super::{EpisodeObj, ExitAssessment, ExitObj, PathStepObj};
use crate::graphql::inline::Inline;
use crate::graphql::loaders::{
    EpisodesLoader, ExitLoader, Loaded, ParticipantLoader, PathStepsLoader, StaffLoader,
};
use crate::graphql::scalars::Date;
use crate::graphql::staff::StaffMemberObj;
use crate::graphql::tenants::CommuneObj;
use crate::graphql::{GqlResult, ids, req};

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
    pub(super) fn number(self) -> i32 {
        self as i32 + 1
    }

    pub(super) fn from_number(n: u8) -> Self {
        use EducationLevel::*;
        [
            Level1, Level2, Level3, Level4, Level5, Level6, Level7, Level8,
        ][usize::from(n.clamp(1, 8) - 1)]
    }
}

/// A person accompanied by the PLIE. Personal fields are null once anonymised.
///
/// Lists and relations read participants in the shape their selection needs
/// ([`shape_of`]): the brief's fields are served from it, the summary's and the record's
/// from what the read brought, or else from the whole record, read for every participant of
/// the request at once by [`ParticipantLoader`] (same snapshot).
#[derive(Clone)]
pub struct ParticipantObj {
    /// What every shape reads: identity, commune and referent (the reading rules' input).
    pub(crate) shown: ParticipantBrief,
    /// What the read brought beyond the brief.
    more: More,
    /// Its commune's summary, when the statement that read it read that too: `commune` then
    /// answers from it without going through the request's loader.
    commune: Option<CommuneSummary>,
}

/// What a read brought beyond a participant's brief.
#[derive(Clone)]
enum More {
    /// Nothing: a brief.
    Nothing,
    /// A summary's own fields.
    Summary(SummaryFields),
    /// The whole record.
    Whole(Box<Participant>),
}

/// A summary's fields beyond the brief.
#[derive(Clone, Copy)]
struct SummaryFields {
    birth_year: Option<i32>,
    status: domain::ParticipantStatus,
    entry_date: Option<chrono::NaiveDate>,
    version: i32,
}

impl From<&Participant> for SummaryFields {
    fn from(p: &Participant) -> Self {
        Self {
            birth_year: p.birth_year,
            status: p.status,
            entry_date: p.entry_date,
            version: p.version,
        }
    }
}

impl From<Participant> for ParticipantObj {
    fn from(p: Participant) -> Self {
        Self {
            shown: ParticipantBrief::from(&p),
            more: More::Whole(Box::new(p)),
            commune: None,
        }
    }
}

impl From<ParticipantSummary> for ParticipantObj {
    fn from(s: ParticipantSummary) -> Self {
        Self {
            shown: s.brief,
            more: More::Summary(SummaryFields {
                birth_year: s.birth_year,
                status: s.status,
                entry_date: s.entry_date,
                version: s.version,
            }),
            commune: None,
        }
    }
}

impl From<ParticipantBrief> for ParticipantObj {
    fn from(shown: ParticipantBrief) -> Self {
        Self {
            shown,
            more: More::Nothing,
            commune: None,
        }
    }
}

/// The shape a selection of `Participant` fields needs (`selection`: the field whose value is
/// a `Participant`, or a list or connection node of them): the smallest whose fields serve
/// every selected field. Guessing wrong costs one batched statement (a field outside the
/// shape reads the whole record), never a wrong answer.
pub(crate) fn shape_of(selection: async_graphql::Lookahead<'_>) -> ParticipantShape {
    if crate::graphql::selects_only(&selection, &[SERVED_FROM_BRIEF]) {
        ParticipantShape::Brief
    } else if crate::graphql::selects_only(&selection, &[SERVED_FROM_BRIEF, SUMMARY_OWN]) {
        ParticipantShape::Summary
    } else {
        ParticipantShape::Whole
    }
}

/// The shapes of [`shape_of`], the smaller first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ParticipantShape {
    Brief,
    Summary,
    Whole,
}

/// The `Participant` fields answered from a [`ParticipantBrief`] (and the relations, which
/// need only its ID, commune or referent).
const SERVED_FROM_BRIEF: &[&str] = &[
    "__typename",
    "id",
    "firstName",
    "lastName",
    "birthDate",
    "gender",
    "commune",
    "referent",
    "path",
    "currentStep",
    "memberships",
    "episodes",
    "exit",
];

/// The `Participant` fields a [`ParticipantSummary`] answers besides the brief's.
const SUMMARY_OWN: &[&str] = &["birthYear", "status", "entryDate", "version"];

impl ParticipantObj {
    /// With its commune's summary, read by the statement that read it (see
    /// [`CommuneObj::Summary`]: a summary asked for more reads the whole commune).
    pub(crate) fn with_commune(self, commune: Option<CommuneSummary>) -> Self {
        Self { commune, ..self }
    }

    /// Its commune's summary, when the statement that read it read that too.
    pub(crate) fn commune_read(&self) -> Option<&CommuneSummary> {
        self.commune.as_ref()
    }

    /// The whole record: as read, or through the request's loader.
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Cow<'_, Participant>> {
        if let More::Whole(p) = &self.more {
            return Ok(Cow::Borrowed(p));
        }
        let loader = ctx.data_unchecked::<Loaded<ParticipantLoader>>();
        match loader.load_one(self.shown.id).await? {
            Some(p) => Ok(Cow::Owned(p)),
            // Read in the same snapshot as its brief: only a write of this very request (a
            // mutation's payload is whole) could get here.
            None => Err(DomainError::NotFound {
                entity: "participant",
            })
            .gql(ctx),
        }
    }

    /// The summary's own fields: as read, or from the whole record.
    async fn summary_fields(&self, ctx: &Context<'_>) -> async_graphql::Result<SummaryFields> {
        Ok(match &self.more {
            More::Summary(fields) => *fields,
            More::Whole(p) => SummaryFields::from(&**p),
            More::Nothing => SummaryFields::from(&*self.record(ctx).await?),
        })
    }
}

/// A sensitive value of `p`'s record, when the caller may read it. A refused read discloses
/// nothing, notes nothing and reads no record; an allowed one is noted for the access log once
/// the value is in hand, so that no entry records a value that was not returned.
async fn sensitive(
    ctx: &Context<'_>,
    p: &ParticipantObj,
    field: SensitiveField,
    value: impl FnOnce(&Participant) -> bool,
) -> async_graphql::Result<Option<bool>> {
    if !policy::may_read_sensitive(&req(ctx).principal, &p.shown) {
        return Err(DomainError::Forbidden(
            "RSA status and disability are readable by steering and the participant's referent only",
        ))
        .gql(ctx);
    }
    let value = value(&*p.record(ctx).await?);
    crate::graphql::access::note(ctx, p.shown.id, field);
    Ok(Some(value))
}

/// The whole record is for steering and the participant's referent; a provider reads the
/// action's few fields only (name, contact, commune, referent, status).
fn whole(ctx: &Context<'_>, p: &ParticipantBrief) -> async_graphql::Result<()> {
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
        ids::encode("Participant", self.shown.id.0)
    }
    /// First name.
    async fn first_name(&self) -> Option<&str> {
        self.shown.first_name.as_deref()
    }
    /// Last name.
    async fn last_name(&self) -> Option<&str> {
        self.shown.last_name.as_deref()
    }
    /// Birth date.
    async fn birth_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.shown)?;
        Ok(self.shown.birth_date.map(Date))
    }
    /// Birth year, kept after anonymisation for age statistics.
    async fn birth_year(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        whole(ctx, &self.shown)?;
        if let Some(date) = self.shown.birth_date {
            return Ok(Some(chrono::Datelike::year(&date)));
        }
        Ok(self.summary_fields(ctx).await?.birth_year)
    }
    /// Gender (ESF+ values).
    async fn gender(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Gender>> {
        whole(ctx, &self.shown)?;
        Ok(Some(self.shown.gender.into()))
    }
    /// E-mail address.
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.record(ctx).await?.email.clone())
    }
    /// Phone number.
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.record(ctx).await?.phone.clone())
    }
    /// Postal address.
    async fn postal_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.record(ctx).await?.postal_address.clone())
    }
    /// Commune of residence (in the tenant's perimeter).
    async fn commune(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Inline<CommuneObj>>> {
        if let Some(summary) = &self.commune {
            return Ok(Some(Inline(CommuneObj::from(summary.clone()))));
        }
        Ok(crate::graphql::loaders::commune(ctx, self.shown.commune_id)
            .await?
            .map(Inline))
    }
    /// Long-term job seeker (DELD) at entry.
    async fn long_term_job_seeker(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.shown)?;
        Ok(Some(self.record(ctx).await?.long_term_job_seeker))
    }
    /// RSA (minimum income) beneficiary at entry. Steering and the participant's referent only.
    async fn rsa_beneficiary(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        sensitive(ctx, self, SensitiveField::RsaBeneficiary, |p| {
            p.rsa_beneficiary
        })
        .await
    }
    /// Lives in a priority neighbourhood (QPV).
    async fn priority_neighbourhood(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.shown)?;
        Ok(Some(self.record(ctx).await?.priority_neighbourhood))
    }
    /// Education level (2019 nomenclature).
    async fn education_level(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<EducationLevel>> {
        whole(ctx, &self.shown)?;
        Ok(Some(EducationLevel::from_number(
            self.record(ctx).await?.education_level.get(),
        )))
    }
    /// Recognised disabled worker (RQTH). Steering and the participant's referent only.
    async fn recognised_disability(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<bool>> {
        sensitive(ctx, self, SensitiveField::RecognisedDisability, |p| {
            p.recognised_disability
        })
        .await
    }
    /// Allowed to work in France.
    async fn authorised_to_work(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        whole(ctx, &self.shown)?;
        Ok(Some(self.record(ctx).await?.authorised_to_work))
    }
    /// Other integration difficulties recorded at entry (mobility, housing, …).
    async fn difficulties(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<String>>> {
        whole(ctx, &self.shown)?;
        Ok(Some(self.record(ctx).await?.difficulties.clone()))
    }
    /// When the participant gave consent.
    async fn consent_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.shown)?;
        Ok(self.record(ctx).await?.consent_date.map(Date))
    }
    /// What the participant agreed to.
    async fn consent_scope(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        whole(ctx, &self.shown)?;
        Ok(self.record(ctx).await?.consent_scope.clone())
    }
    /// The single referent following this participant.
    async fn referent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMemberObj>> {
        let loader = ctx.data_unchecked::<Loaded<StaffLoader>>();
        Ok(loader
            .load_one(self.shown.referent_id)
            .await?
            .map(StaffMemberObj))
    }
    /// Status.
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<ParticipantStatus> {
        Ok(self.summary_fields(ctx).await?.status.into())
    }
    /// The day the participant entered the path.
    async fn entry_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.shown)?;
        Ok(self.summary_fields(ctx).await?.entry_date.map(Date))
    }
    /// The validation committee's date (entry admitted or refused).
    async fn committee_date(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        whole(ctx, &self.shown)?;
        Ok(self.record(ctx).await?.committee_date.map(Date))
    }
    /// Why the committee refused the entry.
    async fn refusal_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        whole(ctx, &self.shown)?;
        Ok(self.record(ctx).await?.refusal_reason.clone())
    }
    /// When the participant's personal data was erased, if it was.
    async fn anonymised_at(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DateTime<Utc>>> {
        whole(ctx, &self.shown)?;
        Ok(self.record(ctx).await?.anonymised_at)
    }
    /// The path: its steps in date order.
    async fn path(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<PathStepObj>>> {
        whole(ctx, &self.shown)?;
        let loader = ctx.data_unchecked::<Loaded<PathStepsLoader>>();
        let steps = loader.load_one(self.shown.id).await?.unwrap_or_default();
        Ok(Some(steps.into_iter().map(PathStepObj).collect()))
    }
    /// The path step under way: of the steps not closed and started by today (Paris time),
    /// the one started last; null when there is none, and for whoever may not read the path.
    async fn current_step(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PathStepObj>> {
        if !policy::reads_whole_record(&req(ctx).principal, &self.shown) {
            return Ok(None);
        }
        let today = parcours_domain::paris::wall_clock(req(ctx).tx.now()).date();
        let loader = ctx.data_unchecked::<Loaded<PathStepsLoader>>();
        let steps = loader.load_one(self.shown.id).await?.unwrap_or_default();
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
    ) -> async_graphql::Result<Vec<crate::graphql::cohorts::MemberObj>> {
        let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::MembershipsLoader>>();
        let list = loader.load_one(self.shown.id).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .map(crate::graphql::cohorts::MemberObj::from)
            .collect())
    }
    /// Employment, training and business-creation episodes, in date order.
    async fn episodes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<EpisodeObj>>> {
        whole(ctx, &self.shown)?;
        let loader = ctx.data_unchecked::<Loaded<EpisodesLoader>>();
        let episodes = loader.load_one(self.shown.id).await?.unwrap_or_default();
        Ok(Some(episodes.into_iter().map(EpisodeObj).collect()))
    }
    /// The recorded exit, if any.
    async fn exit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ExitObj>> {
        whole(ctx, &self.shown)?;
        let loader = ctx.data_unchecked::<Loaded<ExitLoader>>();
        Ok(loader.load_one(self.shown.id).await?.flatten().map(ExitObj))
    }
    /// Whether an exit on `on` (default: the recorded exit's date, else today) would be
    /// positive, which rule matched and on which evidence, or why none did.
    async fn exit_assessment(
        &self,
        ctx: &Context<'_>,
        on: Option<Date>,
    ) -> async_graphql::Result<Option<ExitAssessment>> {
        whole(ctx, &self.shown)?;
        // From the request's loaders: a page of assessments costs no query per participant.
        let episodes = ctx
            .data_unchecked::<Loaded<EpisodesLoader>>()
            .load_one(self.shown.id)
            .await?
            .unwrap_or_default();
        let recorded = ctx
            .data_unchecked::<Loaded<ExitLoader>>()
            .load_one(self.shown.id)
            .await?
            .flatten();
        let today = parcours_domain::paris::today(req(ctx).tx.now());
        let record = self.record(ctx).await?;
        let assessment = exit_recording::assess_loaded(
            &record,
            &episodes,
            recorded.as_ref(),
            on.map(|d| d.0),
            today,
        );
        Ok(Some(ExitAssessment::from(assessment)))
    }
    /// When the record was created.
    async fn created_at(&self, ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
        Ok(self.record(ctx).await?.created_at)
    }
    /// When the record last changed.
    async fn updated_at(&self, ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
        Ok(self.record(ctx).await?.updated_at)
    }
    /// Optimistic-concurrency version: pass it back when changing the participant.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(self.summary_fields(ctx).await?.version)
    }
}
