//! The path: the `PathStep` object, its inputs and payload, and the mutations that add, change
//! and close a step.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use parcours_domain::participants as domain;

use super::participant_id;
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};

mirror_enum!(
    /// Kind of path step.
    PathStepKind => domain::PathStepKind { Diagnostic, Interview, Action, Training, Employment, Other }
);

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

#[derive(Default)]
pub struct PathStepMutation;

#[Object]
impl PathStepMutation {
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
