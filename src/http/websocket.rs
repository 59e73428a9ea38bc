//! GraphQL over WebSocket (`graphql-transport-ws`, legacy `graphql-ws`) on
//! `/graphql`.
//!
//! A connection signs in once, in `connection_init`; the session is then
//! re-checked before every operation (see `graphql::extensions::SocketSessionCheck`)
//! and watched while the socket is open: when it ends on any replica (logout,
//! revocation, a password change, a credentials request) or expires, the
//! socket is closed with code 4401 within one worker poll. Messages are held
//! to the same size limit as HTTP bodies.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, FromRequestParts, Request, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};

use super::AppState;
use super::bearer::token_of;
use super::graphql::client_info;
use super::request_id;
use crate::auth::{self, ClientInfo, Viewer};
use crate::graphql::context::RequestId;
use crate::graphql::extensions::SocketSession;
use crate::graphql::messages;

/// Operations one connection may have running at once (a subscription runs
/// until it is stopped), so one socket cannot pile up unbounded work.
pub const MAX_OPERATIONS: usize = 100;

/// The ids of the operations a connection has running.
#[derive(Debug, Clone, Default)]
struct Running(Arc<std::sync::Mutex<HashSet<String>>>);

/// The parts of a client or server message that say which operation it starts or ends.
#[derive(Debug, serde::Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

impl Running {
    fn ids(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes a client message; the operation's id when it would start one too many.
    fn admit(&self, text: &str) -> Result<(), String> {
        let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_str::<Envelope>(text) else {
            return Ok(());
        };
        let mut ids = self.ids();
        match kind.as_str() {
            "subscribe" | "start" if !ids.contains(&id) && ids.len() >= MAX_OPERATIONS => Err(id),
            "subscribe" | "start" => {
                ids.insert(id);
                Ok(())
            }
            "complete" | "stop" => {
                ids.remove(&id);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Notes a server message: an operation that completed or failed is over.
    fn observe(&self, message: &Message) {
        // Data messages can be large; the ones that end an operation are small.
        if let Message::Text(text) = message
            && text.len() < 4096
            && let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_str::<Envelope>(text)
            && matches!(kind.as_str(), "complete" | "error")
        {
            self.ids().remove(&id);
        }
    }
}

/// The refusal of an operation past [`MAX_OPERATIONS`], in the connection's protocol.
fn too_many_operations(legacy: bool, id: &str) -> Message {
    let error = serde_json::json!({
        "message": format!(
            "Слишком много операций на одном соединении: не больше {MAX_OPERATIONS} одновременно"
        ),
        "extensions": { "code": "QUERY_TOO_COMPLEX" },
    });
    let payload = if legacy {
        error
    } else {
        serde_json::json!([error])
    };
    Message::Text(
        serde_json::json!({ "id": id, "type": "error", "payload": payload })
            .to_string()
            .into(),
    )
}

/// The close code of a socket whose session ended ("unauthorized", as
/// graphql-transport-ws uses it).
pub const SESSION_ENDED: u16 = 4401;

/// Upgrades `GET /graphql` to a GraphQL WebSocket.
pub async fn upgrade(
    state: AppState,
    request: Request,
    handshake_token: Option<String>,
) -> Response {
    let (mut parts, _body) = request.into_parts();
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
        Ok(p) => p,
        Err(rejection) => return rejection.into_response(),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let connection_id = request_id::of(&parts.headers);
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let client = client_info(&state, &parts.headers, peer);
    // The subprotocol agreed on: the first the client offers that we speak
    // (as `GraphQLProtocol` chose it); only the legacy one shapes errors differently.
    let legacy = parts
        .headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| matches!(*p, "graphql-ws" | "graphql-transport-ws"))
        == Some("graphql-ws");
    // One message may be as large as an HTTP body, and no larger.
    let limit = state.settings.body_limit;
    // Subscribers mostly sit idle, a few small frames a minute: small buffers
    // (tungstenite's default is 128 KiB each way) keep a thousand of them
    // cheap; a client that stops reading is cut off at the write ceiling
    // instead of growing our memory.
    upgrade
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(limit.max(state.settings.max_response_bytes) * 2)
        .max_message_size(limit)
        .max_frame_size(limit)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            serve(
                state,
                socket,
                protocol,
                legacy,
                client,
                connection_id,
                handshake_token,
            )
        })
}

/// What the connection signed in with.
#[derive(Debug, Clone, Copy)]
struct SignedIn {
    session_id: i64,
    expires_at: DateTime<Utc>,
}

/// Reads `connection_init`: `{ "authorization": "Bearer <token>" }` (or,
/// without one, the handshake's `Authorization` header); a bad token refuses
/// the connection.
async fn init(
    state: &AppState,
    payload: &serde_json::Value,
    handshake_token: Option<String>,
) -> async_graphql::Result<(Viewer, Option<SignedIn>)> {
    let authorization = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|v| v.as_str());
    let token = match (authorization, &handshake_token) {
        (Some(value), _) => token_of(value).unwrap_or_default(),
        (None, Some(token)) => token.as_str(),
        (None, None) => return Ok((Viewer::anonymous(), None)),
    };
    let session = auth::authenticate(&state.db, state.clock.now(), token)
        .await
        .map_err(|_| async_graphql::Error::new(messages::INTERNAL))?;
    match session {
        Some(session) => Ok((
            Viewer::from_session(&session),
            Some(SignedIn {
                session_id: session.id,
                expires_at: session.expires_at,
            }),
        )),
        None => Err(async_graphql::Error::new(
            "Сессия недействительна или истекла: войдите снова",
        )),
    }
}

/// Resolves when the signed-in session has ended or expired; never for an
/// anonymous connection.
async fn session_end(state: &AppState, mut signed_in: watch::Receiver<Option<SignedIn>>) {
    let session = loop {
        if let Some(session) = *signed_in.borrow_and_update() {
            break session;
        }
        if signed_in.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    // Watch only once signed in: while no socket watches, the worker skips its look.
    let mut ends = state.session_ends.subscribe();
    let tick = Duration::from_millis(state.settings.worker_poll_ms.max(10));
    loop {
        if ends.borrow_and_update().contains(&session.session_id)
            || state.clock.now() >= session.expires_at
        {
            return;
        }
        tokio::select! {
            changed = ends.changed() => if changed.is_err() {
                std::future::pending::<()>().await;
            },
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    legacy: bool,
    client: ClientInfo,
    connection_id: String,
    handshake_token: Option<String>,
) {
    let (mut sink, stream) = socket.split();
    // The GraphQL side writes into a channel; this task owns the socket's
    // sink, so it can also close the socket when the session ends.
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(16);
    let out_tx_for_refusals = out_tx.clone();
    let out = futures_util::sink::unfold(out_tx, |tx, message: Message| async move {
        tx.send(message).await.map(|()| tx).map_err(|_| ())
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let (signed_in_tx, signed_in_rx) = watch::channel(None);
    let running = Running::default();
    let input = {
        let (running, refusals) = (running.clone(), out_tx_for_refusals);
        stream.take_until(stopped).filter_map(move |message| {
            let (running, refusals) = (running.clone(), refusals.clone());
            let refused = match &message {
                Ok(Message::Text(text)) => running.admit(text).err(),
                _ => None,
            };
            async move {
                match refused {
                    Some(id) => {
                        let _ = refusals.send(too_many_operations(legacy, &id)).await;
                        None
                    }
                    None => Some(message),
                }
            }
        })
    };
    let graphql = {
        let state = state.clone();
        GraphQLWebSocket::new_with_pair(out, input, state.schema.clone(), protocol)
            .on_connection_init(move |payload| async move {
                let (viewer, signed_in) = init(&state, &payload, handshake_token).await?;
                let mut data = Data::default();
                data.insert(viewer);
                data.insert(client);
                data.insert(RequestId(connection_id));
                if let Some(signed_in) = signed_in {
                    data.insert(SocketSession(signed_in.session_id));
                    let _ = signed_in_tx.send(Some(signed_in));
                }
                Ok(data)
            })
            .serve()
    };
    // The connection's operations are polled within this one future: their
    // loader waves wait until none of them has anything left to run.
    let graphql = crate::graphql::waves::in_whole_polls(graphql);
    let ended = session_end(&state, signed_in_rx);
    tokio::pin!(graphql, ended);
    let mut graphql_done = false;
    loop {
        tokio::select! {
            message = out_rx.recv() => match message {
                Some(message) => {
                    running.observe(&message);
                    if sink.send(message).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            () = &mut graphql, if !graphql_done => graphql_done = true,
            () = &mut ended => {
                let _ = stop.send(());
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code: SESSION_ENDED,
                        reason: messages::SESSION_ENDED.into(),
                    })))
                    .await;
                break;
            }
        }
    }
}
