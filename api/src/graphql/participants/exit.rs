//! A participant's exit: the `Exit` object, what the positive-exit rules say of it
//! (`ExitAssessment`), and the mutations that record and validate one.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::ids::EpisodeId;
use parcours_domain::participants as domain;
use parcours_domain::participants::exit_assessment::{self};
use parcours_domain::participants::exit_recording;

use super::participant_id;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

mirror_enum!(
    /// Why a participant left. For `EMPLOYMENT_OR_TRAINING` the service decides whether the exit
    /// is positive from the recorded episodes; any other kind is non-positive and needs a reason.
    ExitKind => domain::ExitKind { EmploymentOrTraining, MovedAway, DroppedOut, Health, Other }
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

#[derive(Default)]
pub struct ExitMutation;

#[Object]
impl ExitMutation {
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
