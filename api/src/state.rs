//! What the routes share: the schema, the database, the token verifier, the rate limits, the
//! file store, the counters of open sockets and the metrics. Built once by `startup`, held by
//! every route as `State<Arc<GraphqlState>>`.

use std::sync::Arc;

use axum::http::HeaderMap;
use parcours_domain::Db;

use crate::auth::Verifier;
use crate::connections::Connections;
use crate::graphql::ParcoursSchema;
use crate::limits::Limiter;
use crate::metrics::Metrics;

/// What the routes need.
pub struct GraphqlState {
    pub schema: ParcoursSchema,
    pub db: Db,
    pub verifier: Verifier,
    pub graphiql: bool,
    /// In development, the schema that answers introspection-only queries, deeper than
    /// `schema` (see `graphql::build_for_introspection`); `None` in production.
    pub introspection: Option<ParcoursSchema>,
    pub files: parcours_domain::attachments::Files,
    pub limiter: Arc<Limiter>,
    /// Open WebSocket connections per subject.
    pub(crate) connections: Arc<Connections>,
    pub metrics: Arc<Metrics>,
}

/// The request's id (`x-request-id`, set by the router's layer), `-` without one.
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}
