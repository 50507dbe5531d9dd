//! Who is asking: authentication as an argument.
//!
//! Two steps, in this order (README "One request, one transaction"): [`Bearer`] verifies the
//! `Authorization: Bearer <jwt>` header — signature and standard claims, then one request
//! spent from the caller's rate budget, no database yet; [`Bearer::open`] begins the request's
//! one transaction and checks the claims against the data inside it (suspended tenant,
//! deactivated account…), which gives a [`Caller`].
//!
//! Every HTTP route that needs a caller takes them as an argument, so a new route cannot forget
//! to authenticate: a plain route takes `Caller<Read>` or `Caller<Write>` (both steps, before
//! its body runs), or `Bearer` when its transaction's mode depends on the request (`imports`);
//! their refusals are JSON. The GraphQL endpoint takes `Result<Bearer, Unauthorized>` (axum's
//! extractor of a result), because it serves GraphiQL without a token, refuses tokens in the
//! query string first, and writes its refusals in the negotiated media type. Every 401 carries
//! `WWW-Authenticate: Bearer` ([`error_response`]). The WebSocket transport, whose token
//! arrives in the `connection_init` message rather than in a header, calls
//! [`Bearer::verify`] there.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use parcours_domain::auth::Claims;
use parcours_domain::db::{Mode, Tx};
use parcours_domain::{DomainError, Principal};

use super::negotiate::MediaType;
use super::refusal::{Refusal, refuse, unavailable};
use super::response::error_response;
use crate::errors;
use crate::state::{GraphqlState, request_id};

/// A verified bearer token: the claims to check against the data, and when it expires. Its
/// rate budget is spent.
pub(crate) struct Bearer {
    pub(crate) claims: Claims,
    pub(crate) expires_at: chrono::DateTime<chrono::Utc>,
    pub(crate) request_id: String,
}

/// An authenticated caller: the request's one transaction, and the principal checked inside
/// it (carrying the request id). `M` is the transaction's mode when it is taken as an
/// extractor ([`Read`], [`Write`]); [`Chosen`] when the route chose it (`Bearer::open`).
pub(crate) struct Caller<M = Chosen> {
    pub(crate) tx: Tx,
    pub(crate) principal: Principal,
    pub(crate) request_id: String,
    mode: PhantomData<M>,
}

/// The mode of a caller's transaction, known from the route.
pub(crate) trait TxMode {
    const MODE: Mode;
}

/// A read transaction, from one snapshot.
pub(crate) struct Read;

/// A write transaction: one change, or a batch that stands or falls as a whole.
pub(crate) struct Write;

/// A mode the route chose from the request.
pub(crate) struct Chosen;

impl TxMode for Read {
    const MODE: Mode = Mode::Read;
}

impl TxMode for Write {
    const MODE: Mode = Mode::Write { isolated: false };
}

impl Bearer {
    /// Check an `Authorization` value (`Bearer <jwt>`): the signature and standard claims,
    /// then the caller's rate budget. No database yet.
    pub(crate) fn verify(
        state: &GraphqlState,
        authorization: Option<&str>,
        request_id: &str,
    ) -> Result<Self, Refusal> {
        let token = authorization
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthenticated(request_id, "no bearer token"))?;
        let (claims, expires_at) = state
            .verifier
            .verify_until(token)
            .map_err(|e| unauthenticated(request_id, &e.0))?;
        if let Err(wait) = state
            .limiter
            .take(claims.tenant.as_deref(), &claims.subject)
        {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::info!(request_id, retry_after = seconds, "rate limited");
            let mut refusal = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                errors::RATE_LIMITED,
                format!("too many requests; retry in {seconds} s"),
            );
            refusal.retry_after = Some(seconds.max(1));
            return Err(refusal);
        }
        Ok(Self {
            claims,
            expires_at,
            request_id: request_id.to_owned(),
        })
    }

    /// Begin the request's one transaction in `mode` and check the claims against the data
    /// inside it.
    pub(crate) async fn open(&self, state: &GraphqlState, mode: Mode) -> Result<Caller, Refusal> {
        self.open_as(state, mode).await
    }

    async fn open_as<M>(&self, state: &GraphqlState, mode: Mode) -> Result<Caller<M>, Refusal> {
        let request_id = self.request_id.as_str();
        let opened = parcours_domain::auth::begin(&state.db, self.claims.clone(), mode);
        let (tx, principal) = opened.await.map_err(|err| match err {
            DomainError::Unauthenticated(why) => unauthenticated(request_id, why),
            DomainError::Unavailable(detail) => {
                tracing::warn!(request_id, detail, "database unavailable");
                unavailable(request_id)
            }
            other => {
                tracing::error!(request_id, error = %other, detail = ?other, "authentication failed");
                refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    errors::INTERNAL,
                    format!("internal error; request id {request_id}"),
                )
            }
        })?;
        Ok(Caller {
            tx,
            principal: principal.with_request_id(request_id),
            request_id: self.request_id.clone(),
            mode: PhantomData,
        })
    }
}

impl<M> Caller<M> {
    /// Commit the transaction before the route answers: 503 when that fails.
    pub(crate) async fn finish(&self) -> Result<(), Refusal> {
        self.tx.commit().await.map_err(|err| {
            let request_id = self.request_id.as_str();
            tracing::warn!(request_id, error = %err, detail = ?err, "not committed; response withheld");
            unavailable(request_id)
        })
    }
}

fn unauthenticated(request_id: &str, why: &str) -> Refusal {
    tracing::info!(request_id, why, "authentication refused");
    refuse(
        StatusCode::UNAUTHORIZED,
        errors::UNAUTHENTICATED,
        "a valid bearer token is required",
    )
}

/// Why a request's bearer token was refused (401, or 429 when the caller's rate budget is
/// spent): a JSON error response, unless the route writes it in another media type
/// (`Result<Bearer, Unauthorized>`).
pub(crate) struct Unauthorized(pub(crate) Refusal);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        error_response(self.0, MediaType::Json)
    }
}

impl FromRequestParts<Arc<GraphqlState>> for Bearer {
    type Rejection = Unauthorized;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<GraphqlState>,
    ) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Self::verify(state, authorization, &request_id(&parts.headers)).map_err(Unauthorized)
    }
}

impl<M: TxMode> FromRequestParts<Arc<GraphqlState>> for Caller<M> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<GraphqlState>,
    ) -> Result<Self, Self::Rejection> {
        let bearer = Bearer::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        bearer
            .open_as(state, M::MODE)
            .await
            .map_err(|refusal| error_response(refusal, MediaType::Json))
    }
}
