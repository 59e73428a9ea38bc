//! `GET /payments/terminal`: the OSMP check/pay protocol for payment terminals
//! and banks. Each operator signs its requests with HTTP Basic; with no
//! operators configured the endpoint does not exist (404).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use quick_xml::escape::escape;

use super::AppState;
use crate::payments::terminal::{self, Answer, Request, ResultCode};

/// The query string of a terminal request.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TerminalQuery {
    command: Option<String>,
    txn_id: Option<String>,
    account: Option<String>,
    sum: Option<String>,
    txn_date: Option<String>,
}

/// The operator whose login and secret the request carries, if any.
fn operator<'a>(operators: &'a [String], headers: &HeaderMap) -> Option<&'a str> {
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (login, secret) = decoded.split_once(':')?;
    operators.iter().find_map(|entry| {
        let (known_login, known_secret) = entry.split_once(':')?;
        (known_login == login && crate::digest::same_secret(secret, known_secret))
            .then_some(known_login)
    })
}

fn xml(txn_id: &str, answer: &Answer) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\
         <osmp_txn_id>{txn}</osmp_txn_id><prv_txn>{prv}</prv_txn><sum>{sum}</sum>\
         <result>{result}</result><comment>{comment}</comment></response>\n",
        txn = escape(txn_id),
        prv = answer.prv_txn.map(|p| p.to_string()).unwrap_or_default(),
        sum = answer
            .sum
            .map(|s| s.to_decimal_string())
            .unwrap_or_default(),
        result = answer.result.code(),
        comment = answer.result.comment(),
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `GET /payments/terminal?command=check|pay&txn_id=&account=&sum=&txn_date=`.
pub(super) async fn terminal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<TerminalQuery>,
) -> Response {
    let operators = &state.settings.terminal_operators;
    if operators.iter().all(|o| o.trim().is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(operator) = operator(operators, &headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"kabinet-terminal\"")],
        )
            .into_response();
    };
    let request = Request {
        txn_id: query.txn_id.unwrap_or_default(),
        account: query.account.unwrap_or_default(),
        sum: query.sum.unwrap_or_default(),
        txn_date: query.txn_date,
    };
    // The operator's id is echoed back; never echo more than a short one.
    let echoed: String = request.txn_id.chars().take(32).collect();
    let answer = match query.command.as_deref() {
        Some("check") => terminal::check(&state.db, &request).await,
        Some("pay") => terminal::pay(&state.payments, state.clock.now(), operator, &request).await,
        _ => Answer {
            result: ResultCode::Other,
            prv_txn: None,
            sum: None,
        },
    };
    xml(&echoed, &answer)
}
