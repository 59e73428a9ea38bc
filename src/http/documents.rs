//! `GET /documents/receipts/{id}.pdf` (a payment slip) and
//! `GET /documents/statements/{YYYY-MM}.pdf` (a monthly statement) and
//! `GET /documents/contract.pdf` (the contract with its obligations), for their
//! owner only (signed in with the bearer token); anyone else gets 404, as if
//! they did not exist.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::bearer::Bearer;
use crate::auth;
use crate::documents::receipt::Slip;
use crate::payments::receipts;

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// The signed-in subscriber's account, or the response to give instead.
async fn owner(state: &AppState, token: Option<String>) -> Result<i64, Response> {
    let Some(token) = token else {
        return Err(not_found());
    };
    match auth::authenticate(&state.db, state.clock.now(), &token).await {
        Ok(Some(session)) => auth::Viewer::from_session(&session)
            .account_id()
            .ok_or_else(not_found),
        Ok(None) => Err(not_found()),
        Err(err) => Err(failed(err)),
    }
}

/// The owner's account record, or the response to give instead.
async fn account(state: &AppState, account_id: i64) -> Result<crate::accounts::Account, Response> {
    match crate::accounts::find_many(&state.db, &[account_id]).await {
        Ok(mut accounts) => accounts.pop().ok_or_else(not_found),
        Err(err) => Err(failed(err)),
    }
}

fn pdf_response(pdf: Vec<u8>, name: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

/// The statement `{YYYY-MM}.pdf` of the signed-in subscriber.
pub(super) async fn statement(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    Path(file): Path<String>,
) -> Response {
    let Some(first) = file
        .strip_suffix(".pdf")
        .and_then(crate::billing::statement::parse_month)
    else {
        return not_found();
    };
    if first > crate::time::moscow_date(state.clock.now()) {
        return not_found();
    }
    let account_id = match owner(&state, token).await {
        Ok(account_id) => account_id,
        Err(response) => return response,
    };
    let account = match account(&state, account_id).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let statement = match crate::billing::statement::for_month(&state.db, account_id, first).await {
        Ok(statement) => statement,
        Err(err) => return failed(err),
    };
    match crate::documents::statement::render(
        &statement,
        account.number.as_str(),
        &account.holder_name,
    ) {
        Ok(pdf) => pdf_response(
            pdf,
            format!(
                "statement-{}-{}.pdf",
                account.number.as_str(),
                first.format("%Y-%m")
            ),
        ),
        Err(err) => failed(err),
    }
}

/// The contract of the signed-in subscriber, with its obligations and the
/// cost of leaving today.
pub(super) async fn contract(State(state): State<AppState>, Bearer(token): Bearer) -> Response {
    let account_id = match owner(&state, token).await {
        Ok(account_id) => account_id,
        Err(response) => return response,
    };
    let now = state.clock.now();
    let view =
        match crate::services::contract::of(&state.db, now, account_id, state.settings.trial_days)
            .await
        {
            Ok(Some(view)) => view,
            Ok(None) => return not_found(),
            Err(err) => return failed(err),
        };
    let doc = crate::graphql::contract::document(&view, state.settings.promised_payment_days);
    match crate::documents::contract::render(&doc) {
        Ok(pdf) => pdf_response(
            pdf,
            format!("contract-{}.pdf", view.account.number.as_str()),
        ),
        Err(err) => failed(err),
    }
}

/// The slip `{id}.pdf` of the signed-in subscriber.
pub(super) async fn receipt(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    Path(file): Path<String>,
) -> Response {
    let Some(id) = file.strip_suffix(".pdf") else {
        return not_found();
    };
    let account_id = match owner(&state, token).await {
        Ok(account_id) => account_id,
        Err(response) => return response,
    };
    let found = match receipts::find(&state.db, account_id, id).await {
        Ok(Some(receipt)) => receipt,
        Ok(None) => return not_found(),
        Err(err) => return failed(err),
    };
    let account = match account(&state, account_id).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let payee = state.settings.payee();
    let slip = Slip {
        payee: &payee,
        account_number: account.number.as_str(),
        holder_name: &account.holder_name,
        address: &account.address,
        amount: found.amount,
    };
    match slip.render() {
        Ok(pdf) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "inline; filename=\"receipt-{}.pdf\"",
                        account.number.as_str()
                    ),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(err) => failed(err),
    }
}

fn failed(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "a document could not be made");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
