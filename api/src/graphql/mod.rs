//! The GraphQL schema. Each area maps domain read models and inputs; authorization and rules
//! stay in the domain. Roots are merged from the areas.

mod access;
mod attachments;
mod audit;
mod calls;
mod cohorts;
mod conventions;
mod diagnostics;
pub mod error;
mod esf;
mod follow_up;
pub mod ids;
mod indicators;
pub(crate) mod inline;
pub(crate) mod interned;
mod loaders;
mod me;
mod node;
pub mod notifications;
mod participants;
mod reports;
mod scalars;
mod staff;
mod structures;
mod submissions;
mod tenants;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, MergedObject, Schema, SchemaBuilder};
use parcours_domain::db::Tx;
use parcours_domain::page::{Page, PageRequest};
use parcours_domain::{DomainError, Principal};
use uuid::Uuid;

pub use access::AccessRecorder;
pub use esf::operation as esf_operation;
pub use loaders::StructureLoader;

/// Limits of the executor (the transport adds its own before parsing).
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 2_500;
pub const MAX_DIRECTIVES_PER_FIELD: usize = 4;

/// The schema type.
pub type ParcoursSchema = Schema<QueryRoot, MutationRoot, notifications::SubscriptionRoot>;

/// All queries.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    me::MeQuery,
    node::NodeQuery,
    tenants::TenantQuery,
    structures::StructureQuery,
    staff::StaffQuery,
    audit::AuditQuery,
    access::AccessQuery,
    participants::ParticipantQuery,
    calls::CallQuery,
    submissions::SubmissionQuery,
    conventions::ConventionQuery,
    cohorts::CohortQuery,
    follow_up::FollowUpQuery,
    indicators::IndicatorQuery,
    esf::EsfQuery,
    reports::ReportQuery,
    notifications::NotificationQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    tenants::TenantMutation,
    structures::StructureMutation,
    staff::StaffMutation,
    participants::ParticipantMutation,
    calls::CallMutation,
    submissions::SubmissionMutation,
    conventions::ConventionMutation,
    cohorts::CohortMutation,
    diagnostics::DiagnosticMutation,
    follow_up::FollowUpMutation,
    esf::EsfMutation,
    reports::ReportMutation,
    notifications::NotificationMutation,
);

/// The depth an introspection-only query may reach: graphql-js's `getIntrospectionQuery()`
/// with every option on nests 13 levels (its `TypeRef` fragment follows `ofType` eight times).
pub const MAX_INTROSPECTION_DEPTH: usize = 16;

/// The schema with its limits; introspection and suggestions only when `open`.
pub fn build(open: bool) -> ParcoursSchema {
    build_with_depth(open, MAX_DEPTH)
}

/// The schema that answers introspection-only queries (every root field `__schema`, `__type`
/// or `__typename`) in development: the same schema, deeper, so that the standard introspection
/// queries every tool sends are answered whole, while every other query keeps [`MAX_DEPTH`].
pub fn build_for_introspection() -> ParcoursSchema {
    build_with_depth(true, MAX_INTROSPECTION_DEPTH)
}

fn build_with_depth(open: bool, depth: usize) -> ParcoursSchema {
    let builder: SchemaBuilder<_, _, _> = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        notifications::SubscriptionRoot,
    )
    .limit_depth(depth)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(MAX_DIRECTIVES_PER_FIELD);
    let builder = if open {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    };
    builder.finish()
}

/// What a request's resolvers share: the request's one transaction (see
/// `parcours_domain::db`; resolvers and loaders running at once share it), the caller, the
/// request id, and the recorder of the sensitive values the response will carry.
#[derive(Clone)]
pub struct RequestCtx {
    pub tx: Tx,
    pub principal: Principal,
    pub request_id: String,
    pub access: AccessRecorder,
}

impl RequestCtx {
    /// The per-request data to attach to an async-graphql request.
    pub fn into_request(self, request: async_graphql::Request) -> async_graphql::Request {
        let request = loaders::register(request, &self);
        request
            .data(loaders::Primed::default())
            .data(self.access.clone())
            .data(self)
    }
}

/// The request's context.
pub(crate) fn req<'a>(ctx: &'a Context<'_>) -> &'a RequestCtx {
    ctx.data_unchecked::<RequestCtx>()
}

/// Map a domain result for the client.
pub(crate) trait GqlResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, DomainError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| error::to_graphql(e, &req(ctx).request_id))
    }
}

/// Fields every connection has beside edges and page info.
pub struct ConnectionFields {
    total_count: Option<u64>,
}

#[async_graphql::Object]
impl ConnectionFields {
    /// How many items match the filters, over all pages. Counted only when selected.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        // `page_request` counts whenever the field is selected, so `None` here is a bug.
        let counted = self
            .total_count
            .ok_or_else(|| async_graphql::Error::new("the count was not taken"))?;
        Ok(i64::try_from(counted).unwrap_or(i64::MAX))
    }
}

/// A Relay connection of `N` from a domain page, its edges and nodes resolved in turn.
pub(crate) type Conn<N> =
    inline::InlineConnection<ids::EdgeCursor, inline::Inline<N>, ConnectionFields>;

/// The page a connection field asks for; the matching rows are counted only when the query
/// selects `totalCount` (a count reads every matching row).
pub(crate) fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, DomainError> {
    tagged_page_request(ctx, ids::ListTag::of(ctx), first, after)
}

/// [`page_request`] for a list tagged otherwise (see [`ids::ListTag::of_child`]).
pub(crate) fn tagged_page_request(
    ctx: &Context<'_>,
    tag: ids::ListTag,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, DomainError> {
    let after = tag.row(after.as_deref())?;
    Ok(PageRequest::new(first, after)?.counting(counts(ctx)))
}

/// Whether the connection field being resolved selects `totalCount`.
pub(crate) fn counts(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Whether every field `selection` asks of its object is one of the lists of `fields`
/// (fragments flattened; a field under `@skip` or `@include` counts as asked).
pub(crate) fn selects_only(selection: &async_graphql::Lookahead<'_>, fields: &[&[&str]]) -> bool {
    selection.selection_fields().iter().all(|field| {
        field
            .selection_set()
            .all(|f| fields.iter().any(|list| list.contains(&f.name())))
    })
}

/// The connection of the field being resolved, from a domain page; each edge's cursor
/// carries the list's tag ([`ids::ListTag`]).
pub(crate) fn connection<T, N>(
    ctx: &Context<'_>,
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> Conn<N>
where
    N: async_graphql::ContainerType,
{
    tagged_connection(ids::ListTag::of(ctx), page, id, node)
}

/// [`connection`] for a list tagged otherwise (see [`ids::ListTag::of_child`]).
pub(crate) fn tagged_connection<T, N>(
    tag: ids::ListTag,
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> Conn<N>
where
    N: async_graphql::ContainerType,
{
    let mut conn = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionFields {
            total_count: page.total_count,
        },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(ids::EdgeCursor::Row(tag, id(&item)), node(item).into())),
    );
    inline::InlineConnection(conn)
}
