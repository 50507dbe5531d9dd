//! Membership: the `CohortMember` object (a participant's place in a cohort) and the mutations
//! of its life: prescribe, enrol, decline, record a drop-out.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use parcours_domain::cohorts::{self, Member, MemberStatus};

use super::{AttendanceObj, CohortObj, cohort_id, cohort_of};
use crate::graphql::diagnostics::DiagnosticObj;
use crate::graphql::inline::Inline;
use crate::graphql::loaders::{self, Loaded};
use crate::graphql::participants::{ParticipantObj, participant_id};
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, req};

/// A participant's place in a cohort.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MemberStatus")]
pub enum MemberStatusGql {
    Prescribed,
    Enrolled,
    Declined,
    DroppedOut,
}

/// A participant's place in a cohort, with its participant and diagnostic when the list that
/// holds it read them for all its members at once ([`MemberObj::list`]).
pub struct MemberObj {
    pub(crate) member: Member,
    /// Its participant, when read with its list's.
    participant: Option<ParticipantObj>,
    /// Its diagnostic, when read with its list's.
    diagnostic: Option<DiagnosticObj>,
}

impl From<Member> for MemberObj {
    fn from(member: Member) -> Self {
        Self {
            member,
            participant: None,
            diagnostic: None,
        }
    }
}

impl MemberObj {
    /// The objects of a cohort's `members` (`field`: that field), with the participant and the
    /// diagnostic each member's selection asks for taken from the request's loaders in one
    /// call per relation for the whole list, rather than one call per member (a lock, two
    /// maps and a copy each). A member whose relation that call did not answer (a
    /// participant the caller may not see, no diagnostic yet) asks the loader itself, which
    /// answers from its cache. The loaders are primed with these members already
    /// ([`loaders::prime_members`]).
    pub(crate) async fn list(
        ctx: &Context<'_>,
        field: async_graphql::Lookahead<'_>,
        members: Vec<Member>,
    ) -> async_graphql::Result<Vec<Inline<Self>>> {
        let participant = field.field("participant");
        let mut people = if participant.exists() {
            let ids: Vec<_> = members.iter().map(|m| m.participant_id).collect();
            loaders::participants(ctx, participant, &ids).await?
        } else {
            Vec::new()
        }
        .into_iter();
        let diagnostic = field.field("diagnostic");
        let mut diagnostics = if diagnostic.exists() {
            let keys: Vec<_> = members
                .iter()
                .map(|m| (m.cohort_id, m.participant_id))
                .collect();
            loaders::diagnostics(ctx, diagnostic, &keys).await?
        } else {
            Vec::new()
        }
        .into_iter();
        Ok(members
            .into_iter()
            .map(|member| {
                Inline(Self {
                    member,
                    participant: people.next().flatten(),
                    diagnostic: diagnostics.next().flatten(),
                })
            })
            .collect())
    }
}

#[Object(name = "CohortMember")]
impl MemberObj {
    /// The cohort (for a participant's memberships).
    async fn cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CohortObj>> {
        cohort_of(ctx, self.member.cohort_id).await
    }
    /// The participant (a provider reads only the action's fields).
    async fn participant(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Inline<ParticipantObj>>> {
        let participant = match &self.participant {
            Some(read) => Some(read.clone()),
            None => loaders::participant(ctx, self.member.participant_id).await?,
        };
        Ok(participant.map(Inline))
    }
    async fn status(&self) -> MemberStatusGql {
        match self.member.status {
            MemberStatus::Prescribed => MemberStatusGql::Prescribed,
            MemberStatus::Enrolled => MemberStatusGql::Enrolled,
            MemberStatus::Declined => MemberStatusGql::Declined,
            MemberStatus::DroppedOut => MemberStatusGql::DroppedOut,
        }
    }
    /// The diagnostic, once written.
    async fn diagnostic(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Inline<crate::graphql::diagnostics::DiagnosticObj>>> {
        let diagnostic = match &self.diagnostic {
            Some(read) => Some(read.clone()),
            None => {
                let key = (self.member.cohort_id, self.member.participant_id);
                loaders::diagnostic(ctx, key).await?
            }
        };
        Ok(diagnostic.map(Inline))
    }
    /// Why declined or dropped out.
    async fn reason(&self) -> Option<&str> {
        self.member.reason.as_deref()
    }
    /// For a drop-out, the member's last day in the cohort (a presence may be recorded that
    /// day, none after it; the attendance sheets stop there).
    async fn dropped_out_on(&self) -> Option<Date> {
        self.member.dropped_out_on.map(Date)
    }
    /// Its version, for the membership changes.
    async fn version(&self) -> i32 {
        self.member.version
    }
    /// This member's attendance records, in calendar order (steering, the provider, and the
    /// participant's referent).
    async fn attendance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttendanceObj>> {
        let loader =
            ctx.data_unchecked::<Loaded<crate::graphql::loaders::MemberAttendanceLoader>>();
        Ok(loader
            .load_one((self.member.cohort_id, self.member.participant_id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AttendanceObj)
            .collect())
    }
    /// The follow-up sheet, once prepared (a draft only for the provider).
    async fn follow_up_sheet(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::follow_up::FollowUpSheetObj>> {
        let loader = ctx.data_unchecked::<Loaded<crate::graphql::loaders::FollowUpSheetLoader>>();
        Ok(loader
            .load_one((self.member.cohort_id, self.member.participant_id))
            .await?
            .map(crate::graphql::follow_up::FollowUpSheetObj))
    }
}

/// Input of the membership mutations.
#[derive(InputObject)]
pub struct MembershipInput {
    cohort_id: ID,
    participant_id: ID,
    /// Required to decline or record a drop-out. 1 to 1,000 characters, one line.
    reason: Option<String>,
    /// For `recordDropOut` only: the member's last day in the cohort, within the cohort's
    /// dates, not after today (Paris time) except the cohort's first day (a member who leaves
    /// before it starts), not before a recorded presence (`VALIDATION` on `droppedOutOn`).
    /// Default: today, or the cohort's last day when recorded after it ended. Presences after
    /// it are refused; the attendance sheets print the member up to it.
    dropped_out_on: Option<Date>,
}

/// Result of the membership mutations.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    member: MemberObj,
}

#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// A referent prescribes an active participant of their portfolio.
    async fn prescribe(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::prescribe(&r.tx, &r.principal, c, p)
            .await
            .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj::from(m),
        }))
    }

    /// The provider enrols a prescribed participant (`CAPACITY_REACHED` when full).
    async fn enrol(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::enrol(&r.tx, &r.principal, c, p).await.gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj::from(m),
        }))
    }

    /// The provider declines a prescription, with a reason.
    async fn decline_prescription(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::decline(
            &r.tx,
            &r.principal,
            c,
            p,
            input.reason.as_deref().unwrap_or(""),
        )
        .await
        .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj::from(m),
        }))
    }

    /// Record that an enrolled participant dropped out, with a reason and their last day
    /// (`droppedOutOn`, default today).
    async fn record_drop_out(
        &self,
        ctx: &Context<'_>,
        input: MembershipInput,
    ) -> async_graphql::Result<Option<MembershipPayload>> {
        let (r, c, p) = (
            req(ctx),
            cohort_id(&input.cohort_id).gql(ctx)?,
            participant_id(&input.participant_id).gql(ctx)?,
        );
        let m = cohorts::drop_out(
            &r.tx,
            &r.principal,
            c,
            p,
            input.reason.as_deref().unwrap_or(""),
            input.dropped_out_on.map(|d| d.0),
        )
        .await
        .gql(ctx)?;
        Ok(Some(MembershipPayload {
            member: MemberObj::from(m),
        }))
    }
}
