//! GraphQL subscriptions over WebSocket, on the same `/graphql` URL: the `graphql-transport-ws`
//! protocol only (the `Sec-WebSocket-Protocol` must offer it).
//!
//! The client authenticates in `connection_init` with the same JWT as over HTTP:
//! `{"type":"connection_init","payload":{"Authorization":"Bearer <jwt>"}}` (the key is
//! case-insensitive). A refused token closes the socket with 4403, a spent rate budget or an
//! unreachable database with 1013, no message within 10 s with 4408. Each `subscribe` spends
//! from the caller's rate budget like a request. Only subscription operations run here
//! (queries and mutations go through `POST /graphql`, with its limits and logs); the query
//! length, bracket nesting and field count limits apply to each `subscribe`; at most
//! [`MAX_SUBSCRIPTIONS`] run at once on one connection, and one user holds at most
//! [`MAX_CONNECTIONS_PER_SUBJECT`](crate::connections::MAX_CONNECTIONS_PER_SUBJECT) connections on an instance.
//!
//! The protocol's close codes: 4400 for a message that is not one of the protocol's, 4401 for a
//! `subscribe` before the connection is acknowledged, 4403 for a refused token, 4408 for a
//! missing `connection_init`, 4409 for a `subscribe` whose id is already running, 4429 for a
//! second `connection_init`. Every `subscribe`, accepted or refused, spends rate budget. The
//! instance holds at most `PARCOURS_WS_MAX_CONNECTIONS` sockets (a handshake beyond is a 503
//! with `Retry-After`); the server pings every `PARCOURS_WS_PING_MS` and closes a peer silent
//! for two of them (3008); on shutdown each socket finishes the delivery it is sending and is
//! closed with 1001.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::futures_util::stream::{self, BoxStream};
use async_graphql::futures_util::{SinkExt, StreamExt};
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};

use parcours_domain::access_log::{self, Channel};
use parcours_domain::db::Mode;

use crate::connections::{Counted, MAX_CONNECTIONS_PER_SUBJECT, Socket};
use crate::errors;
use crate::graphql::notifications::Session;
use crate::graphql::{AccessRecorder, ParcoursSchema};
use crate::guard::{BadDocument, fields_within, parse_within, texts_within};
use crate::http::{
    Bearer, MAX_FIELDS, MAX_NESTING, MAX_QUERY_BYTES, MediaType, Refusal, error_response, refuse,
};
use crate::state::GraphqlState;

/// Set once the server stops: each socket then closes with 1001 (see `serve_on`).
#[derive(Clone, Debug)]
pub struct Stopping(pub tokio::sync::watch::Receiver<bool>);

/// The only subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";
/// Subscriptions running at once on one connection.
pub const MAX_SUBSCRIPTIONS: usize = 10;
/// The largest message a client may send.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
const ONLY_SUBSCRIPTIONS: &str =
    "only subscriptions run over WebSocket; send queries and mutations to POST /graphql";
/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `headers` ask for a WebSocket upgrade.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether the client offers `graphql-transport-ws`.
pub fn offers_protocol(headers: &HeaderMap) -> bool {
    headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL)
}

/// Answer an upgrade request on `/graphql`: 400 unless it offers `graphql-transport-ws`.
pub async fn handshake(
    state: Arc<GraphqlState>,
    request: axum::extract::Request,
    request_id: String,
) -> HttpResponse {
    if !offers_protocol(request.headers()) {
        return error_response(
            refuse(
                StatusCode::BAD_REQUEST,
                errors::BAD_REQUEST,
                format!("subscriptions speak the {PROTOCOL} subprotocol"),
            ),
            MediaType::Json,
        );
    }
    let (mut parts, _body) = request.into_parts();
    let Some(place) = state.connections.socket() else {
        return error_response(
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                errors::UNAVAILABLE,
                "this instance holds all the subscription connections it can; retry later",
            )
            .with_retry_after_if_unavailable(),
            MediaType::Json,
        );
    };
    let stopping = parts.extensions.get::<Stopping>().cloned();
    match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws
            .protocols([PROTOCOL])
            .max_message_size(MAX_MESSAGE_BYTES)
            .max_frame_size(MAX_MESSAGE_BYTES)
            .on_upgrade(move |socket| serve(state, socket, request_id, place, stopping))
            .into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

/// What the reading side tells the writing side: the client was heard (its first message
/// stops the init deadline; any frame, pongs included, proves it alive), or broke the
/// protocol in a way the writing side must close for.
#[derive(Default)]
struct Peer {
    spoke: AtomicBool,
    heard: Mutex<Option<tokio::time::Instant>>,
    violation: Mutex<Option<(u16, String)>>,
    broke: tokio::sync::Notify,
    /// The ids of the subscriptions running, to refuse a second `subscribe` with one (4409).
    ids: Mutex<std::collections::HashSet<String>>,
}

impl Peer {
    fn heard(&self) {
        *self.heard.lock().unwrap_or_else(|e| e.into_inner()) = Some(tokio::time::Instant::now());
    }

    fn silent_since(&self) -> Option<tokio::time::Instant> {
        *self.heard.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn violated(&self) -> bool {
        self.violation
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Look at a client message before the protocol does: `false` when it breaks the
    /// protocol (the connection is then closed).
    fn admit(&self, data: &[u8]) -> bool {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(data) else {
            return true; // the protocol answers 4400 itself
        };
        let id = message["id"].as_str().map(str::to_owned);
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        match (message["type"].as_str(), id) {
            (Some("subscribe"), Some(id)) if !ids.insert(id.clone()) => {
                drop(ids);
                *self.violation.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((4409, format!("Subscriber for {id} already exists")));
                self.broke.notify_one();
                return false;
            }
            (Some("complete"), Some(id)) => {
                ids.remove(&id);
            }
            _ => {}
        }
        true
    }

    /// Note a server message: a subscription that ended frees its id.
    fn sent(&self, text: &str) {
        if let Ok(message) = serde_json::from_str::<serde_json::Value>(text)
            && matches!(message["type"].as_str(), Some("complete" | "error"))
            && let Some(id) = message["id"].as_str()
        {
            self.ids
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(id);
        }
    }
}

async fn serve(
    state: Arc<GraphqlState>,
    socket: WebSocket,
    request_id: String,
    _place: Socket,
    stopping: Option<Stopping>,
) {
    let ping_every = state.connections.ping_every();
    let (mut sink, input) = socket.split();
    let peer = Arc::new(Peer::default());
    peer.heard();
    let input = {
        let peer = Arc::clone(&peer);
        input
            .take_while(|m| std::future::ready(m.is_ok()))
            .filter_map(move |m| {
                peer.heard();
                let data = match m {
                    Ok(Message::Text(text)) => Some(text.as_str().as_bytes().to_vec()),
                    Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                    _ => None,
                };
                // After a violation nothing more reaches the protocol: the socket is closing.
                let data = data.filter(|d| !peer.violated() && peer.admit(d));
                if data.is_some() {
                    peer.spoke.store(true, Ordering::SeqCst);
                }
                std::future::ready(data)
            })
    };
    let executor = SubscriptionsOnly {
        schema: state.schema.clone(),
        limiter: Arc::clone(&state.limiter),
        running: Arc::default(),
    };
    // Holds this connection's place in the per-subject count until the socket closes.
    let place: Arc<Mutex<Option<Counted>>> = Arc::default();
    let on_init = {
        let place = Arc::clone(&place);
        move |payload: serde_json::Value| async move {
            init(&state, &payload, &request_id, &place).await
        }
    };
    let output =
        async_graphql::http::WebSocket::new(executor, input, WebSocketProtocols::GraphQLWS)
            .on_connection_init(on_init)
            .map({
                let peer = Arc::clone(&peer);
                move |m| match m {
                    WsMessage::Text(text) => {
                        peer.sent(&text);
                        Message::Text(text.into())
                    }
                    WsMessage::Close(code, reason) => close(code, reason),
                }
            });
    forward(output, &mut sink, &peer, ping_every, stopping).await;
    let _ = sink.close().await;
}

/// Forward the protocol's messages, one whole message at a time; close with 4408 when
/// `connection_init` does not come, with the violation's code when the client breaks the
/// protocol, with 3008 when it stays silent for two pings, and with 1001 when the server stops.
async fn forward<S>(
    output: S,
    sink: &mut (impl async_graphql::futures_util::Sink<Message> + Unpin),
    peer: &Peer,
    ping_every: Duration,
    stopping: Option<Stopping>,
) where
    S: async_graphql::futures_util::Stream<Item = Message>,
{
    let mut output = std::pin::pin!(output);
    let deadline = tokio::time::sleep(INIT_TIMEOUT);
    let mut deadline = std::pin::pin!(deadline);
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut stopping = stopping.map(|s| s.0);
    loop {
        let stop = async {
            match stopping.as_mut() {
                Some(rx) => {
                    if *rx.borrow() || rx.changed().await.is_err() {
                        return;
                    }
                    if !*rx.borrow() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            message = output.next() => match message {
                Some(message) => {
                    if sink.send(message).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            () = peer.broke.notified() => {
                let (code, reason) = peer
                    .violation
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone()
                    .unwrap_or((4400, "protocol error".into()));
                let _ = sink.send(close(code, reason)).await;
                return;
            }
            () = &mut deadline, if !peer.spoke.load(Ordering::SeqCst) => {
                let _ = sink
                    .send(close(4408, "Connection initialisation timeout".into()))
                    .await;
                return;
            }
            _ = pings.tick() => {
                let silent = peer
                    .silent_since()
                    .is_some_and(|t| t.elapsed() >= ping_every * 2);
                if silent {
                    let _ = sink.send(close(3008, "keepalive timeout".into())).await;
                    return;
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            () = stop => {
                let _ = sink.send(close(1001, "server shutting down".into())).await;
                return;
            }
        }
    }
}

/// Refusals at `connection_init` come back from async-graphql as 1002 with our message: a
/// refused token is 4403 (forbidden: do not retry with it); a spent rate budget or an
/// unreachable database is 1013 (try again later); a bug is 1011. The reason is cut to the
/// 123 bytes a close frame holds.
fn close(code: u16, reason: String) -> Message {
    let code = match (code, reason.split_once(':').map(|(c, _)| c)) {
        (1002, Some(errors::UNAUTHENTICATED)) => 4403,
        (1002, Some(errors::RATE_LIMITED | errors::UNAVAILABLE)) => 1013,
        (1002, Some(errors::INTERNAL)) => 1011,
        // async-graphql's other 1002s are messages it could not read: graphql-transport-ws
        // says 4400; a `subscribe` before the acknowledgement is 4401.
        (1002, _) => 4400,
        (1011, _) if reason.contains("handshake is not completed") => 4401,
        _ => code,
    };
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].into(),
    }))
}

/// `connection_init`: the token in the payload, checked like a request's.
async fn init(
    state: &GraphqlState,
    payload: &serde_json::Value,
    request_id: &str,
    place: &Mutex<Option<Counted>>,
) -> async_graphql::Result<Data> {
    let authorization = payload.as_object().and_then(|fields| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.as_str())
    });
    let as_init_error =
        |r: Refusal| async_graphql::Error::new(format!("{}: {}", r.code(), r.message()));
    // The same verification as an HTTP request's (`http::caller`).
    let token = Bearer::verify(state, authorization, request_id).map_err(as_init_error)?;
    // The account is checked at `connection_init` in a read transaction of its own, and again
    // before each delivery (see `graphql::notifications`).
    let caller = token.open(state, Mode::Read).await.map_err(as_init_error)?;
    caller.finish().await.map_err(as_init_error)?;
    let principal = caller.principal;
    let key = (
        principal.tenant().map(|t| t.slug.clone()),
        principal.subject().to_owned(),
    );
    let counted = state.connections.open(key).ok_or_else(|| {
        async_graphql::Error::new(format!(
            "{}: at most {MAX_CONNECTIONS_PER_SUBJECT} connections per user",
            errors::RATE_LIMITED
        ))
    })?;
    *place.lock().unwrap_or_else(|e| e.into_inner()) = Some(counted);
    tracing::info!(
        request_id,
        role = principal.role().as_str(),
        "subscription connection"
    );
    let mut data = Data::default();
    data.insert(Session {
        db: state.db.clone(),
        principal,
        request_id: request_id.to_owned(),
        claims: token.claims,
        expires_at: token.expires_at,
    });
    data.insert(AccessRecorder::default());
    Ok(data)
}

/// The schema, for subscriptions only, under the HTTP endpoint's document limits.
#[derive(Clone)]
struct SubscriptionsOnly {
    schema: ParcoursSchema,
    limiter: Arc<crate::limits::Limiter>,
    running: Arc<AtomicUsize>,
}

/// Counts a running subscription until its stream is dropped.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A GraphQL response of one error with `code`.
fn coded_response(code: &str, message: impl Into<String>) -> Response {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    Response::from_errors(vec![error])
}

impl SubscriptionsOnly {
    fn check(&self, request: &mut Request) -> Result<(), BadDocument> {
        let selected = parse_within(request, MAX_QUERY_BYTES, MAX_NESTING)?;
        if selected.is_none_or(|s| s.ty != OperationType::Subscription) {
            return Err(BadDocument {
                code: errors::BAD_REQUEST,
                message: ONLY_SUBSCRIPTIONS.to_owned(),
                field: None,
            });
        }
        fields_within(request, MAX_FIELDS)?;
        texts_within(request)
    }
}

/// A delivery that carries sensitive values leaves only with its access entries, as over HTTP
/// (no subscription field exposes one today; this keeps it so if one ever does). A delivery
/// has no request transaction: the entries are written in a transaction of their own.
async fn with_access_recorded(
    ctx: Option<(Session, AccessRecorder)>,
    response: Response,
) -> Response {
    let Some((ctx, access)) = ctx else {
        return response;
    };
    let reads = access.take();
    if reads.is_empty() {
        return response;
    }
    let principal = ctx.principal.clone();
    #[expect(
        clippy::disallowed_methods,
        reason = "a delivery has no request transaction"
    )]
    let recorded = ctx
        .db
        .run(Mode::write(), async |tx| {
            access_log::record(tx, &principal, Channel::Graphql, reads).await
        })
        .await;
    match recorded {
        Ok(_) => response,
        Err(e) => {
            tracing::warn!(request_id = ctx.request_id, error = %e, "access log not written; delivery withheld");
            coded_response(
                errors::UNAVAILABLE,
                format!(
                    "service temporarily unavailable; request id {}",
                    ctx.request_id
                ),
            )
        }
    }
}

impl Executor for SubscriptionsOnly {
    async fn execute(&self, _request: Request) -> Response {
        coded_response(errors::BAD_REQUEST, ONLY_SUBSCRIPTIONS)
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let session_data = session_data.unwrap_or_default();
        let session = session_data
            .get(&std::any::TypeId::of::<Session>())
            .and_then(|d| d.downcast_ref::<Session>())
            .cloned();
        let access = session_data
            .get(&std::any::TypeId::of::<AccessRecorder>())
            .and_then(|d| d.downcast_ref::<AccessRecorder>())
            .cloned();
        let ctx = session.zip(access);
        // Each `subscribe` spends from the caller's budget, like a request, whether it is
        // then accepted or refused.
        if let Some((ctx, _)) = &ctx {
            let tenant = ctx.principal.tenant().map(|t| t.slug.as_str());
            if self.limiter.take(tenant, ctx.principal.subject()).is_err() {
                return stream::once(async {
                    coded_response(errors::RATE_LIMITED, "too many requests; retry later")
                })
                .boxed();
            }
        }
        if let Err(r) = self.check(&mut request) {
            return stream::once(async move {
                let mut response = coded_response(r.code, r.message);
                if let (Some(field), Some(error)) = (r.field, response.errors.first_mut())
                    && let Some(extensions) = error.extensions.as_mut()
                {
                    extensions.set("field", field);
                }
                response
            })
            .boxed();
        }
        if self.running.fetch_add(1, Ordering::SeqCst) >= MAX_SUBSCRIPTIONS {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return stream::once(async {
                coded_response(
                    errors::RATE_LIMITED,
                    format!("at most {MAX_SUBSCRIPTIONS} subscriptions per connection"),
                )
            })
            .boxed();
        }
        let running = Running(Arc::clone(&self.running));
        self.schema
            .execute_stream_with_session_data(request, session_data)
            .then(move |mut response| {
                let _counted = &running;
                let ctx = ctx.clone();
                crate::http::give_codes(&mut response);
                async move { with_access_recorded(ctx, response).await }
            })
            .boxed()
    }
}
