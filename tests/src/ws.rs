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

    /// How the server closed the connection, read without answering anything: the raw frames
    /// up to the end of the stream, and the close frame's code and reason among them. A client
    /// that stopped reading answers the pings it finds when it reads again (the WebSocket
    /// library does so by itself), and that answer fails once the server has gone, before the
    /// close frame is read; this reads the socket itself, so it sees the close whatever came
    /// before it. Panics after 30 s.
    pub async fn closed_without_answering(mut self) -> Closed {
        use tokio::io::AsyncReadExt;
        let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = self.socket.get_mut() else {
            panic!("a plain TCP connection");
        };
        let mut bytes = Vec::new();
        let read = tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut bytes)).await;
        assert!(read.is_ok(), "the server closed the connection within 30 s");
        close_frame(&bytes).unwrap_or(Closed {
            code: 1006,
            reason: format!("ended without a close frame after {} bytes", bytes.len()),
        })
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

/// The close frame among a server's unmasked frames `bytes` (RFC 6455 §5.2), if any.
fn close_frame(bytes: &[u8]) -> Option<Closed> {
    let mut at = 0;
    while at + 2 <= bytes.len() {
        let opcode = bytes[at] & 0x0f;
        let (len, header) = match bytes[at + 1] & 0x7f {
            126 => (
                usize::from(u16::from_be_bytes(
                    bytes.get(at + 2..at + 4)?.try_into().ok()?,
                )),
                4,
            ),
            127 => (
                usize::try_from(u64::from_be_bytes(
                    bytes.get(at + 2..at + 10)?.try_into().ok()?,
                ))
                .ok()?,
                10,
            ),
            short => (usize::from(short), 2),
        };
        let payload = bytes.get(at + header..at + header + len)?;
        if opcode == 0x8 {
            return Some(match payload {
                [high, low, reason @ ..] => Closed {
                    code: u16::from_be_bytes([*high, *low]),
                    reason: String::from_utf8_lossy(reason).into_owned(),
                },
                _ => Closed {
                    code: 1005,
                    reason: String::new(),
                },
            });
        }
        at += header + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::close_frame;

    #[test]
    fn the_close_frame_is_found_after_pings_and_text() {
        let mut bytes = vec![0x89, 0x00, 0x81, 0x02, b'h', b'i'];
        bytes.extend([0x88, 0x04, 0x0b, 0xc0, b'o', b'k']);
        let closed = close_frame(&bytes).expect("a close frame");
        assert_eq!((closed.code, closed.reason.as_str()), (3008, "ok"));
        assert!(close_frame(&bytes[..6]).is_none());
        assert!(
            close_frame(&bytes[..9]).is_none(),
            "a cut frame is no frame"
        );
    }
}
