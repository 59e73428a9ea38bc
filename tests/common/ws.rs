//! A GraphQL WebSocket client for tests (`graphql-transport-ws` and legacy `graphql-ws`).

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A connected, initialised WebSocket.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol in use.
    pub protocol: String,
    /// The `connection_ack` message the server sent.
    pub ack: Value,
}

impl WsClient {
    /// Connects with `protocol`, sends `connection_init` and waits for the ack.
    pub async fn connect(address: SocketAddr, protocol: &str, init_payload: Value) -> WsClient {
        let mut request = format!("ws://{address}/graphql")
            .into_client_request()
            .expect("a WebSocket request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            protocol.parse().expect("a header value"),
        );
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the WebSocket opens");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol),
            "the server agrees on the subprotocol"
        );
        let mut client = WsClient {
            stream,
            protocol: protocol.to_owned(),
            ack: Value::Null,
        };
        client
            .send(json!({ "type": "connection_init", "payload": init_payload }))
            .await;
        let ack = client.next().await;
        assert_eq!(ack["type"], "connection_ack", "got {ack}");
        client.ack = ack;
        client
    }

    /// Sends one JSON message.
    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::text(message.to_string()))
            .await
            .expect("the message is sent");
    }

    /// The next JSON message (keep-alives skipped); fails after 10 seconds.
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("a message within 10 s")
                .expect("the socket stays open")
                .expect("a valid frame");
            if let Message::Text(text) = frame {
                let message: Value = serde_json::from_str(&text).expect("JSON");
                if !matches!(message["type"].as_str(), Some("ka" | "ping" | "pong")) {
                    return message;
                }
            }
        }
    }

    /// Starts operation `id` (`subscribe` or legacy `start`).
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        let kind = if self.protocol == "graphql-ws" {
            "start"
        } else {
            "subscribe"
        };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query } }))
            .await;
    }

    /// Sends one text frame as it is (for oversized or malformed messages).
    pub async fn send_text(&mut self, text: String) -> bool {
        self.stream.send(Message::text(text)).await.is_ok()
    }

    /// Waits up to `within` for the server to close the socket; the close code
    /// it sent (None if it ended without one, or stayed open).
    pub async fn closed_with(&mut self, within: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next()).await;
            match frame {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code.into()),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return None,
                Err(_) => panic!("the socket is still open after {within:?}"),
            }
        }
    }

    /// The next message, or None when the socket closes first (keep-alives skipped).
    pub async fn next_or_closed(&mut self) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("a message or a close within 10 s");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(&text).expect("JSON");
                    if !matches!(message["type"].as_str(), Some("ka" | "ping" | "pong")) {
                        return Some(message);
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => continue,
            }
        }
    }
}
