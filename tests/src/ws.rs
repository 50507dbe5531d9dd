//! A small `graphql-transport-ws` client, to test subscriptions as a web client would.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a message before it fails (a bound against hanging, not a
/// performance assertion).
const PATIENCE: Duration = Duration::from_secs(30);

/// An open connection.
pub struct Subscriber {
    socket: Socket,
}

/// How the server ended a connection: the close code and reason.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

/// Open a WebSocket to `base`'s `/graphql` offering `protocol`, without `connection_init`.
pub async fn open(base: &str, protocol: &str) -> Result<Subscriber, String> {
    let url = format!("{}/graphql", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        protocol.parse().map_err(|_| "protocol header".to_owned())?,
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some(protocol),
        "the server speaks the protocol offered"
    );
    Ok(Subscriber { socket })
}

/// Open and initialise a connection with `Authorization: Bearer <token>` in the payload; the
/// server's close when it refuses.
pub async fn connect(base: &str, token: &str) -> Result<Subscriber, Closed> {
    let mut s = open(base, "graphql-transport-ws")
        .await
        .expect("WebSocket handshake");
    s.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
        .await;
    match s.next().await {
        Ok(ack) if ack["type"] == "connection_ack" => Ok(s),
        Ok(other) => panic!("expected connection_ack, got {other}"),
        Err(closed) => Err(closed),
    }
}

impl Subscriber {
    /// Send one protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// Start subscription `id` with `query`.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query } }))
            .await;
    }

    /// The next protocol message, or how the connection was closed. Panics after 30 s.
    pub async fn next(&mut self) -> Result<Value, Closed> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a message within 30 s");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(text.as_str()).expect("JSON message"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or(
                        Closed {
                            code: 1005,
                            reason: String::new(),
                        },
                        |f| Closed {
                            code: u16::from(f.code),
                            reason: f.reason.to_string(),
                        },
                    ));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    return Err(Closed {
                        code: 1006,
                        reason: e.to_string(),
                    });
                }
                None => {
                    return Err(Closed {
                        code: 1006,
                        reason: "ended".into(),
                    });
                }
            }
        }
    }

    /// Read for `span`, answering the server's pings: `Ok` when nothing closed the connection
    /// meanwhile (protocol messages are skipped), else how it was closed.
    pub async fn quiet_for(&mut self, span: Duration) -> Result<(), Closed> {
        let until = tokio::time::Instant::now() + span;
        loop {
            match tokio::time::timeout_at(until, self.next()).await {
                Err(_) => return Ok(()),
                Ok(Ok(_)) => continue,
                Ok(Err(closed)) => return Err(closed),
            }
        }
    }

    /// The next `next` payload's `data` (or its `errors`) for subscription `id`.
    pub async fn payload(&mut self, id: &str) -> Value {
        let message = self.next().await.expect("an open connection");
        assert_eq!(message["id"], id, "{message}");
        assert_eq!(message["type"], "next", "{message}");
        message["payload"].clone()
    }
}
