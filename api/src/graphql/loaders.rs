//! Dataloaders, built per request and bound to the request's principal (hence its tenant).
//! Each batches the keys of one execution tick into one domain batch read, and caches for the
//! request. A page of participants also primes them up front ([`prime_participants`]) from
//! the fields the query asks for, so its statement count does not depend on how the
//! executor's polling falls into the loaders' batching windows.

use std::collections::HashMap;

/// A set with the request's [`Hasher`].
type HashSet<T> = std::collections::HashSet<T, Hasher>;

use async_graphql::Context;
use async_graphql::Lookahead;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use parcours_domain::ids::{CohortId, CommuneId, ParticipantId, StaffId, StructureId};
use parcours_domain::participants::{self, Episode, Exit, PathStep};
use parcours_domain::staff::{self, StaffMember};
use parcours_domain::structures::{self, Structure};
use parcours_domain::tenants::{self, Commune, CommuneSummary};
use parcours_domain::{DomainError, Result, cohorts, diagnostics, follow_up};

use super::RequestCtx;
use super::diagnostics::{DiagnosticObj, DiagnosticShape, diagnostic_shape_of};
use super::error::to_graphql;
use super::participants::{ParticipantObj, ParticipantShape, shape_of};
use super::tenants::{CommuneObj, summary_suffices};

/// Declares every loader of a request from one list: each line names the loader, its key, its
/// value and the domain batch read behind it. The same list generates [`register`], so a loader
/// cannot exist without being attached to the request, and the key each one is primed with.
macro_rules! loaders {
    ($($(#[$doc:meta])* $name:ident: $key:ty => $value:ty, $read:path;)*) => {
        $(
            $(#[$doc])*
            pub struct $name {
                pub(crate) ctx: RequestCtx,
            }

            impl Loader<$key> for $name {
                type Value = $value;
                type Error = async_graphql::Error;

                async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Self::Error> {
                    let read: Result<HashMap<$key, $value>, DomainError> =
                        $read(&self.ctx.tx, &self.ctx.principal, keys).await;
                    read.map_err(|e| to_graphql(e, &self.ctx.request_id))
                }
            }

            impl KeyOf for $name {
                type Key = $key;
            }
        )*

        /// Attach every loader, bound to the request's context and with a cache for the
        /// request, to `request`.
        pub(crate) fn register(
            request: async_graphql::Request,
            ctx: &RequestCtx,
        ) -> async_graphql::Request {
            $(
                let request = request.data(DataLoader::with_cache(
                    $name { ctx: ctx.clone() },
                    tokio::spawn,
                    HashMapCache::<Hasher>::new(),
                ));
            )*
            request
        }
    };
}

loaders! {
    /// Structures by ID.
    StructureLoader: StructureId => Structure, structures::load_many;
    /// Staff members (referents) by ID.
    StaffLoader: StaffId => StaffMember, staff::load_many;
    /// Communes by ID, whole.
    CommuneLoader: CommuneId => Commune, tenants::load_communes::<Commune>;
    /// Communes by ID, as summaries (without their priority neighbourhoods).
    CommuneSummaryLoader: CommuneId => CommuneSummary, tenants::load_communes::<CommuneSummary>;
    /// The path steps of each participant (an empty list when none).
    PathStepsLoader: ParticipantId => Vec<PathStep>, path_steps_of;
    /// The episodes of each participant (an empty list when none).
    EpisodesLoader: ParticipantId => Vec<Episode>, episodes_of;
    /// The exit of each participant (`None` when none, cached too).
    ExitLoader: ParticipantId => Option<Exit>, exits_of;
    /// Participants by ID (those the principal may see), whole.
    ParticipantLoader: ParticipantId => participants::Participant,
        participants::load_many::<participants::Participant>;
    /// Participants by ID (those the principal may see), as lists show them.
    ParticipantSummaryLoader: ParticipantId => participants::ParticipantSummary,
        participants::load_many::<participants::ParticipantSummary>;
    /// Participants by ID (those the principal may see), as who they are.
    ParticipantBriefLoader: ParticipantId => participants::ParticipantBrief,
        participants::load_many::<participants::ParticipantBrief>;
    /// Diagnostics by (cohort, participant), whole, each with the tenant's CléA threshold.
    DiagnosticLoader: MemberKey => (diagnostics::Diagnostic, i32),
        diagnostics_of::<diagnostics::Diagnostic>;
    /// Diagnostics by (cohort, participant) as screens show them, each with the tenant's
    /// CléA threshold.
    DiagnosticSummaryLoader: MemberKey => (diagnostics::DiagnosticSummary, i32),
        diagnostics_of::<diagnostics::DiagnosticSummary>;
    /// Cohorts by ID (those the principal may read).
    CohortLoader: CohortId => cohorts::Cohort, cohorts::load_many;
    /// Follow-up sheets by membership (those the principal may read).
    FollowUpSheetLoader: MemberKey => follow_up::FollowUpSheet, follow_up::load_many;
    /// Each membership's attendance records, in calendar order.
    MemberAttendanceLoader: MemberKey => Vec<cohorts::Attendance>, cohorts::member_attendance;
    /// The members of each cohort the principal may see.
    MembersLoader: CohortId => Vec<cohorts::Member>, cohorts::members_of;
    /// The session calendar of each cohort.
    SessionsLoader: CohortId => Vec<cohorts::Session>, cohorts::sessions_of;
    /// The attendance records of each cohort (steering and the provider).
    CohortAttendanceLoader: CohortId => Vec<cohorts::Attendance>, cohorts::attendance_of;
    /// The cohort memberships of each participant that the principal may read.
    MembershipsLoader: ParticipantId => Vec<cohorts::Member>, cohorts::memberships_of;
}

/// A membership: (cohort, participant).
pub type MemberKey = (CohortId, ParticipantId);

/// A per-request loader with its cache.
pub type Loaded<T> = DataLoader<T, HashMapCache<Hasher>>;

/// The hasher of the request's own sets and caches, whose keys are IDs: foldhash rather than
/// SipHash, which was half of the hashing of a page of cohorts (the rest is async-graphql's).
/// Still seeded per process, and the sets hold at most a few pages' keys.
type Hasher = foldhash::fast::RandomState;

/// Every key gets an entry, so that "nothing" is cached too.
fn complete<V: Default>(
    keys: &[ParticipantId],
    mut found: HashMap<ParticipantId, V>,
) -> HashMap<ParticipantId, V> {
    keys.iter()
        .map(|k| (*k, found.remove(k).unwrap_or_default()))
        .collect()
}

async fn path_steps_of(
    tx: &parcours_domain::db::Tx,
    principal: &parcours_domain::Principal,
    keys: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<PathStep>>> {
    Ok(complete(
        keys,
        participants::path_steps_of(tx, principal, keys).await?,
    ))
}

async fn episodes_of(
    tx: &parcours_domain::db::Tx,
    principal: &parcours_domain::Principal,
    keys: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<Episode>>> {
    Ok(complete(
        keys,
        participants::episodes_of(tx, principal, keys).await?,
    ))
}

async fn exits_of(
    tx: &parcours_domain::db::Tx,
    principal: &parcours_domain::Principal,
    keys: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Option<Exit>>> {
    let found = participants::exits_of(tx, principal, keys).await?;
    Ok(complete(
        keys,
        found.into_iter().map(|(k, v)| (k, Some(v))).collect(),
    ))
}

async fn diagnostics_of<S: diagnostics::Shape>(
    tx: &parcours_domain::db::Tx,
    principal: &parcours_domain::Principal,
    keys: &[MemberKey],
) -> Result<HashMap<MemberKey, (S, i32)>> {
    let (found, threshold) = diagnostics::load_many::<S>(tx, principal, keys).await?;
    Ok(found
        .into_iter()
        .map(|(k, d)| (k, (d, threshold)))
        .collect())
}

/// The diagnostic of a membership through the request's loader (batched with its siblings),
/// in the shape its field's selection needs: the relation field of members and sheets.
pub(crate) async fn diagnostic(
    ctx: &Context<'_>,
    key: MemberKey,
) -> async_graphql::Result<Option<DiagnosticObj>> {
    Ok(match diagnostic_shape_of(ctx.look_ahead()) {
        DiagnosticShape::Summary => ctx
            .data_unchecked::<Loaded<DiagnosticSummaryLoader>>()
            .load_one(key)
            .await?
            .map(|(d, t)| DiagnosticObj::summary(d, t)),
        DiagnosticShape::Whole => ctx
            .data_unchecked::<Loaded<DiagnosticLoader>>()
            .load_one(key)
            .await?
            .map(|(d, t)| DiagnosticObj::whole(d, t)),
    })
}

/// One participant through the request's loader (batched with its siblings), in the shape
/// its field's selection needs, as the object that the schema shows: the relation field of
/// sheets, members, ESF+ records and access entries.
pub(crate) async fn participant(
    ctx: &Context<'_>,
    id: ParticipantId,
) -> async_graphql::Result<Option<ParticipantObj>> {
    Ok(match shape_of(ctx.look_ahead()) {
        ParticipantShape::Brief => ctx
            .data_unchecked::<Loaded<ParticipantBriefLoader>>()
            .load_one(id)
            .await?
            .map(ParticipantObj::from),
        ParticipantShape::Summary => ctx
            .data_unchecked::<Loaded<ParticipantSummaryLoader>>()
            .load_one(id)
            .await?
            .map(ParticipantObj::from),
        ParticipantShape::Whole => ctx
            .data_unchecked::<Loaded<ParticipantLoader>>()
            .load_one(id)
            .await?
            .map(ParticipantObj::from),
    })
}

/// The participants of `ids` in the shape `selection` needs, as [`participant`] answers each,
/// from the request's loader in one call for all of them; in the order of `ids`, `None` for
/// an ID not found (a participant the principal may not see) or already answered (an ID
/// given twice).
pub(crate) async fn participants(
    ctx: &Context<'_>,
    selection: Lookahead<'_>,
    ids: &[ParticipantId],
) -> async_graphql::Result<Vec<Option<ParticipantObj>>> {
    async fn read<L>(
        ctx: &Context<'_>,
        ids: &[ParticipantId],
    ) -> async_graphql::Result<Vec<Option<ParticipantObj>>>
    where
        L: Loader<ParticipantId, Error = async_graphql::Error>,
        ParticipantObj: From<L::Value>,
    {
        let loader = ctx.data_unchecked::<Loaded<L>>();
        let mut found = loader.load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .map(|id| found.remove(id).map(ParticipantObj::from))
            .collect())
    }
    match shape_of(selection) {
        ParticipantShape::Brief => read::<ParticipantBriefLoader>(ctx, ids).await,
        ParticipantShape::Summary => read::<ParticipantSummaryLoader>(ctx, ids).await,
        ParticipantShape::Whole => read::<ParticipantLoader>(ctx, ids).await,
    }
}

/// The diagnostics of the memberships `keys` in the shape `selection` needs, as
/// [`diagnostic`] answers each, from the request's loader in one call for all of them; in the
/// order of `keys`, `None` for a membership without one (or a key given twice).
pub(crate) async fn diagnostics(
    ctx: &Context<'_>,
    selection: Lookahead<'_>,
    keys: &[MemberKey],
) -> async_graphql::Result<Vec<Option<DiagnosticObj>>> {
    async fn read<L, S>(
        ctx: &Context<'_>,
        keys: &[MemberKey],
        object: fn(S, i32) -> DiagnosticObj,
    ) -> async_graphql::Result<Vec<Option<DiagnosticObj>>>
    where
        L: Loader<MemberKey, Value = (S, i32), Error = async_graphql::Error>,
    {
        let loader = ctx.data_unchecked::<Loaded<L>>();
        let mut found = loader.load_many(keys.iter().copied()).await?;
        Ok(keys
            .iter()
            .map(|k| found.remove(k).map(|(d, t)| object(d, t)))
            .collect())
    }
    match diagnostic_shape_of(selection) {
        DiagnosticShape::Summary => {
            read::<DiagnosticSummaryLoader, _>(ctx, keys, DiagnosticObj::summary).await
        }
        DiagnosticShape::Whole => {
            read::<DiagnosticLoader, _>(ctx, keys, DiagnosticObj::whole).await
        }
    }
}

/// The commune `id`, in the shape the selection of the field being resolved needs.
pub(crate) async fn commune(
    ctx: &Context<'_>,
    id: CommuneId,
) -> async_graphql::Result<Option<CommuneObj>> {
    Ok(if summary_suffices(ctx.look_ahead()) {
        ctx.data_unchecked::<Loaded<CommuneSummaryLoader>>()
            .load_one(id)
            .await?
            .map(CommuneObj::from)
    } else {
        ctx.data_unchecked::<Loaded<CommuneLoader>>()
            .load_one(id)
            .await?
            .map(CommuneObj::from)
    })
}

/// Load, in one batch each, what the query asks of `shown` participants, and feed the loaders.
pub(crate) async fn prime_participants(
    ctx: &Context<'_>,
    shown: &[&participants::ParticipantBrief],
) -> async_graphql::Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let ids: Vec<ParticipantId> = shown.iter().map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    if node.field("path").exists() || node.field("currentStep").exists() {
        feed::<PathStepsLoader>(ctx, &ids).await?;
    }
    let memberships = node.field("memberships");
    if memberships.exists() {
        feed::<MembershipsLoader>(ctx, &ids).await?;
        let loader = ctx.data_unchecked::<Loaded<MembershipsLoader>>();
        let all: Vec<cohorts::Member> = loader
            .load_many(ids.iter().copied())
            .await?
            .into_values()
            .flatten()
            .collect();
        if memberships.field("cohort").exists() {
            let cohorts: Vec<CohortId> = dedup(all.iter().map(|m| m.cohort_id));
            feed::<CohortLoader>(ctx, &cohorts).await?;
        }
        prime_members(ctx, memberships, &all).await?;
    }
    let assessed = node.field("exitAssessment").exists();
    if node.field("episodes").exists() || assessed {
        feed::<EpisodesLoader>(ctx, &ids).await?;
    }
    if node.field("exit").exists() || assessed {
        feed::<ExitLoader>(ctx, &ids).await?;
    }
    let commune = node.field("commune");
    if commune.exists() {
        let communes: Vec<CommuneId> = dedup(shown.iter().map(|p| p.commune_id));
        if summary_suffices(commune) {
            feed::<CommuneSummaryLoader>(ctx, &communes).await?;
        } else {
            feed::<CommuneLoader>(ctx, &communes).await?;
        }
    }
    if node.field("referent").exists() {
        let referents: Vec<StaffId> = dedup(shown.iter().map(|p| p.referent_id));
        let loader = ctx.data_unchecked::<Loaded<StaffLoader>>();
        let staff = loader.loader().load(&referents).await?;
        if node.field("referent").field("structure").exists() {
            let structures: Vec<StructureId> = dedup(staff.values().map(|s| s.structure_id));
            feed::<StructureLoader>(ctx, &structures).await?;
        }
        loader.feed_many(staff).await;
    }
    Ok(())
}

/// Feed the communes a page of participants read with its own statement: the page's
/// `commune` fields read them from the request's cache, and [`prime_participants`] does not
/// load them again.
pub(crate) async fn prime_communes(ctx: &Context<'_>, communes: Vec<CommuneSummary>) {
    let ids: Vec<CommuneId> = communes.iter().map(|c| c.id).collect();
    ctx.data_unchecked::<Primed>()
        .claim::<CommuneSummaryLoader>(&ids);
    let loader = ctx.data_unchecked::<Loaded<CommuneSummaryLoader>>();
    loader
        .feed_many(communes.into_iter().map(|c| (c.id, c)))
        .await;
}

/// Load, in one batch each, what the query asks of a page of cohorts (`node` looks at one
/// cohort's fields): their members and what is asked of them, their sessions, their
/// attendance. The statement count of a page does not grow with its cohorts or their members.
pub(crate) async fn prime_cohorts(
    ctx: &Context<'_>,
    node: Lookahead<'_>,
    cohorts: &[cohorts::Cohort],
) -> async_graphql::Result<()> {
    let ids: Vec<CohortId> = cohorts.iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    if node.field("sessions").exists() {
        feed::<SessionsLoader>(ctx, &ids).await?;
    }
    if node.field("attendance").exists() {
        feed::<CohortAttendanceLoader>(ctx, &ids).await?;
    }
    let members = node.field("members");
    if members.exists() {
        let loader = ctx.data_unchecked::<Loaded<MembersLoader>>();
        feed::<MembersLoader>(ctx, &ids).await?;
        let all: Vec<cohorts::Member> = loader
            .load_many(ids.iter().copied())
            .await?
            .into_values()
            .flatten()
            .collect();
        prime_members(ctx, members, &all).await?;
    }
    Ok(())
}

/// Load, in one batch each, what the query asks of `members` (its look-ahead `field`), and
/// feed the loaders: the statement count does not grow with the members.
pub(crate) async fn prime_members(
    ctx: &Context<'_>,
    field: Lookahead<'_>,
    members: &[cohorts::Member],
) -> async_graphql::Result<()> {
    let keys: Vec<MemberKey> = members
        .iter()
        .map(|m| (m.cohort_id, m.participant_id))
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let participant = field.field("participant");
    if participant.exists() {
        let people: Vec<ParticipantId> = dedup(keys.iter().map(|k| k.1));
        match shape_of(participant) {
            ParticipantShape::Brief => feed::<ParticipantBriefLoader>(ctx, &people).await?,
            ParticipantShape::Summary => feed::<ParticipantSummaryLoader>(ctx, &people).await?,
            ParticipantShape::Whole => feed::<ParticipantLoader>(ctx, &people).await?,
        }
    }
    let diagnostic = field.field("diagnostic");
    if diagnostic.exists() {
        match diagnostic_shape_of(diagnostic) {
            DiagnosticShape::Summary => feed::<DiagnosticSummaryLoader>(ctx, &keys).await?,
            DiagnosticShape::Whole => feed::<DiagnosticLoader>(ctx, &keys).await?,
        }
    }
    if field.field("attendance").exists() {
        feed::<MemberAttendanceLoader>(ctx, &keys).await?;
    }
    if field.field("followUpSheet").exists() {
        feed::<FollowUpSheetLoader>(ctx, &keys).await?;
    }
    Ok(())
}

/// Load those of `keys` not yet primed in the request's cache of `L`, in one batch right now
/// (not in the loader's next batching window), and put the answers in the cache.
async fn feed<L>(ctx: &Context<'_>, keys: &[L::Key]) -> async_graphql::Result<()>
where
    L: Loader<<L as KeyOf>::Key, Error = async_graphql::Error> + KeyOf,
{
    let missing = ctx.data_unchecked::<Primed>().claim::<L>(keys);
    if missing.is_empty() {
        return Ok(());
    }
    let loader = ctx.data_unchecked::<Loaded<L>>();
    let values = loader.loader().load(&missing).await?;
    loader.feed_many(values).await;
    Ok(())
}

/// The keys each loader has been primed with in this request, so that a cohort primed with
/// its page is not primed again by its own `members` field (and no loader's whole cache is
/// copied to find out).
#[derive(Default)]
pub struct Primed(
    std::sync::Mutex<HashMap<std::any::TypeId, Box<dyn std::any::Any + Send>, Hasher>>,
);

impl Primed {
    /// Mark `keys` primed for `L`; returns those that were not yet.
    fn claim<L: KeyOf + 'static>(&self, keys: &[L::Key]) -> Vec<L::Key> {
        // A poisoned lock only means a resolver panicked; the sets stay usable.
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = all
            .entry(std::any::TypeId::of::<L>())
            .or_insert_with(|| Box::new(HashSet::<L::Key>::default()));
        match entry.downcast_mut::<HashSet<L::Key>>() {
            Some(primed) => keys
                .iter()
                .filter(|k| primed.insert((*k).clone()))
                .cloned()
                .collect(),
            None => keys.to_vec(),
        }
    }
}

/// The key type of a loader (each loader here has one).
pub(crate) trait KeyOf {
    type Key: Send + Sync + Clone + Eq + std::hash::Hash + 'static;
}

fn dedup<T: Eq + std::hash::Hash + Copy>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::<T>::default();
    items.filter(|i| seen.insert(*i)).collect()
}
