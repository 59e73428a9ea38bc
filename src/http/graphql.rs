//! `/graphql`: `POST` with a JSON body (single or batched), `GET` for queries
//! only, and WebSocket subscriptions on the same path.

use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse};
use axum::Json;
use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::bearer::Bearer;
use super::{error_response, metrics, request_id};
use crate::auth::{self, ClientInfo, Viewer};
use crate::graphql::context::SessionAccount;
use crate::graphql::extensions;
use crate::graphql::messages;

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// Who is calling. A missing, unknown, expired or ended token makes an anonymous
/// caller: public fields keep working and `me` is null, which tells a frontend
/// to sign in again.
/// A subscriber's account comes with the session, read in the same statement.
async fn viewer(
    state: &AppState,
    token: Option<&str>,
) -> Result<(Viewer, Option<SessionAccount>), sea_orm::DbErr> {
    let Some(token) = token else {
        return Ok((Viewer::anonymous(), None));
    };
    let found = auth::authenticate_with_account(&state.db, state.clock.now(), token).await?;
    Ok(match found {
        Some((session, account)) => (Viewer::from_session(&session), account.map(SessionAccount)),
        None => (Viewer::default(), None),
    })
}

/// Address and device of the caller, for sessions and rate limits.
pub(super) fn client_info(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> ClientInfo {
    let forwarded = state
        .settings
        .trust_forwarded_for
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .split(',')
                .next()
                .map(|ip| ip.trim().to_owned())
        })
        .flatten()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
    ClientInfo {
        ip: forwarded.or_else(|| peer.map(|p| p.ip().to_string())),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
    }
}

fn internal(headers: &HeaderMap, err: &sea_orm::DbErr) -> Response {
    tracing::error!(error = %err, "cannot read the session");
    let message = messages::internal_with_id(&request_id::of(headers));
    error_response(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &message)
}

/// Runs one operation. `account`, read with the session, saves `me` a read;
/// it is given only to the first operation of a request, so nothing that
/// runs after a mutation of the same request sees it.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    caller: (Viewer, ClientInfo),
    account: Option<SessionAccount>,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let started = Instant::now();
    let name = request.operation_name.clone();
    let mut request = request.data(caller.0).data(caller.1);
    if let Some(account) = account {
        request = request.data(account);
    }
    let mut response = crate::graphql::waves::in_whole_polls(state.schema.execute(request)).await;
    extensions::attach_request_id(&mut response, &request_id::of(headers));
    metrics::record_operation(
        name.as_deref(),
        response.errors.is_empty(),
        started.elapsed(),
    );
    response
}

/// A response to one operation: 400 when the request itself was refused
/// before anything ran (it does not parse, breaks the schema or a limit, or
/// its variables do not fit), 200 otherwise, as GraphQL over HTTP advises.
fn single(response: async_graphql::Response) -> Response {
    let refused = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| {
            error.path.is_empty()
                && error
                    .extensions
                    .as_ref()
                    .and_then(|e| e.get("code"))
                    .is_some_and(|code| {
                        matches!(code, async_graphql::Value::String(code) if extensions::is_request_error(code))
                    })
        });
    let status = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, Json(response)).into_response()
}

/// `POST /graphql`: JSON only, so that a cross-site form or a `text/plain`
/// post (which browsers send without a preflight) cannot run a mutation.
pub async fn post(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    if !is_json(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Запрос к /graphql отправляется с Content-Type: application/json",
        );
    }
    let (viewer, account) = match viewer(&state, token.as_deref()).await {
        Ok(v) => v,
        Err(err) => return internal(&headers, &err),
    };
    // The session is known before the body is read: operators may send more
    // (an EPG file), anyone else at most the ordinary limit.
    let limit = if viewer.is_staff() {
        state.settings.staff_body_limit
    } else {
        state.settings.body_limit
    };
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("Тело запроса больше {limit} байт"),
        );
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "Тело запроса должно быть JSON-объектом {query, variables, operationName} или их массивом",
            );
        }
    };
    let peer = peer.map(|Extension(ConnectInfo(p))| p);
    let caller = (viewer, client_info(&state, &headers, peer));
    match batch {
        BatchRequest::Single(request) => {
            single(execute(&state, &headers, caller, account, request).await)
        }
        BatchRequest::Batch(requests) => {
            let max = state.settings.max_batch;
            if requests.len() > max {
                let message = if max == 0 {
                    "Пакетные запросы не принимаются: отправляйте операции по одной".to_owned()
                } else {
                    format!(
                        "Слишком много операций в пакете: {}, допустимо {max}",
                        requests.len()
                    )
                };
                return error_response(StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX", &message);
            }
            // The ceiling holds for the batch's body as a whole: once it is
            // reached, the operations left are not run.
            let limit = state.settings.max_response_bytes;
            let mut left = limit;
            let mut responses = Vec::with_capacity(requests.len());
            let mut account = account;
            for request in requests {
                if left == 0 {
                    responses.push(async_graphql::Response::from_errors(vec![
                        extensions::too_large(limit),
                    ]));
                    continue;
                }
                let response =
                    execute(&state, &headers, caller.clone(), account.take(), request).await;
                let size = extensions::json_size(&response.data, left);
                left = left.saturating_sub(size);
                if size > 0 && left == 0 {
                    responses.push(async_graphql::Response::from_errors(vec![
                        extensions::too_large(limit),
                    ]));
                } else {
                    responses.push(response);
                }
            }
            Json(BatchResponse::Batch(responses)).into_response()
        }
    }
}

/// The type of the operation a request would run, when it can be told (the
/// document's nesting is checked before it is parsed; one that is refused or
/// does not parse is left to the engine to answer).
fn operation_type(request: &async_graphql::Request) -> Option<OperationType> {
    let doc = crate::graphql::document::parse(&request.query).ok()?;
    match &doc.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match request.operation_name.as_deref() {
            Some(name) => ops.get(name).map(|op| op.node.ty),
            None if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
            None => None,
        },
    }
}

fn is_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// The parameters of a GraphQL GET request. (async-graphql's own
/// `parse_query_string` expects `operation_name`, not the standard `operationName`.)
#[derive(Debug, serde::Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

fn parse_get(params: GetParams) -> Option<async_graphql::Request> {
    let mut request = async_graphql::Request::new(params.query);
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables.filter(|v| !v.is_empty()) {
        request = request.variables(async_graphql::Variables::from_json(
            serde_json::from_str(&variables).ok()?,
        ));
    }
    if let Some(extensions) = params.extensions.filter(|e| !e.is_empty()) {
        request.extensions = serde_json::from_str(&extensions).ok()?;
    }
    Some(request)
}

/// `GET /graphql`: a query in the query string, or a WebSocket upgrade.
pub async fn get(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    request: Request,
) -> Response {
    if is_websocket(request.headers()) {
        return super::websocket::upgrade(state, request, token).await;
    }
    let params = Query::<GetParams>::try_from_uri(request.uri()).ok();
    let Some(mut graphql_request) = params.map(|Query(p)| p).and_then(parse_get) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "Передайте запрос в параметре query (variables и extensions — строками JSON)",
        );
    };
    // A hash alone names its text: resolve it before telling a query from a mutation.
    if let Err(err) = state.persisted.resolve(&mut graphql_request) {
        let response = async_graphql::Response::from_errors(vec![err.to_server_error()]);
        return no_store(single(response));
    }
    if matches!(
        operation_type(&graphql_request),
        Some(OperationType::Mutation | OperationType::Subscription)
    ) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "По GET выполняются только запросы (query): мутации отправляйте POST, подписки — по WebSocket",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let headers = request.headers();
    let (viewer, account) = match viewer(&state, token.as_deref()).await {
        Ok(v) => v,
        Err(err) => return internal(headers, &err),
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let anonymous = viewer.is_anonymous();
    let caller = (viewer, client_info(&state, headers, peer));
    let response = execute(&state, headers, caller, account, graphql_request).await;
    // An anonymous answer is the same for everyone (the TV guide, the
    // catalog): a CDN may keep it a minute. Anything signed in or failed is not kept.
    let public = anonymous && response.errors.is_empty();
    let mut response = single(response);
    let headers = response.headers_mut();
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Authorization"),
    );
    if public {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=60"),
        );
        response
    } else {
        no_store(response)
    }
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    response
}
