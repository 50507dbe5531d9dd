//! Employment, training and business-creation episodes: the `Episode` object, its kinds, its
//! inputs and payloads, and the mutations that record, end, correct and cancel one.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::participants as domain;
use parcours_domain::participants::exit_assessment::{ContractKind, EpisodeKind, TrainingKind};

use super::participant_id;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

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
pub struct EpisodeMutation;

#[Object]
impl EpisodeMutation {
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
}
