//! SQL of the `payment` table.

use chrono::{DateTime, Utc};
use entity::payment::{self, Column, PaymentStatus};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr,
};

use super::Payment;
use super::methods::Method;
use crate::db::statement;
use crate::money::Kopecks;
use crate::pagination::{self, Page, PageRequest};

fn from_row(row: payment::Model) -> Payment {
    Payment {
        id: row.id,
        account_id: row.account_id,
        amount: Kopecks::new(row.amount),
        commission: Kopecks::new(row.commission),
        method: Method::from_code(&row.method).unwrap_or(Method::BankCard),
        status: row.status,
        provider: row.provider,
        provider_key: row.provider_key,
        provider_payment_id: row.provider_payment_id,
        confirmation_url: row.confirmation_url,
        request_hash: row.request_hash,
        ledger_entry_id: row.ledger_entry_id,
        cancel_reason: row.cancel_reason,
        anonymous: row.anonymous,
        save_card: row.save_card,
        created_at: row.created_at,
        expires_at: row.expires_at,
        finished_at: row.finished_at,
    }
}

/// A payment to reserve before the provider is asked.
pub(super) struct Reservation<'a> {
    pub account_id: i64,
    pub amount: Kopecks,
    pub commission: Kopecks,
    pub method: Method,
    pub provider: &'a str,
    pub return_url: &'a str,
    pub save_card: bool,
    pub anonymous: bool,
    pub idempotency_key: Option<&'a str>,
    pub request_hash: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Reserves a payment in status `new`; `None` when the account already has a
/// payment under this idempotency key.
pub(super) async fn reserve(
    db: &impl ConnectionTrait,
    r: Reservation<'_>,
) -> Result<Option<i64>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "INSERT INTO payment (account_id, amount, commission, method, status, provider, \
             provider_key, provider_payment_id, confirmation_url, return_url, save_card, anonymous, \
             idempotency_key, request_hash, ledger_entry_id, cancel_reason, created_at, expires_at, finished_at) \
             VALUES ($1, $2, $3, $4, 'new', $5, $6, NULL, NULL, $7, $8, $9, $10, $11, NULL, NULL, $12, $13, NULL) \
             ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id",
            vec![
                r.account_id.into(),
                r.amount.get().into(),
                r.commission.get().into(),
                r.method.code().into(),
                r.provider.into(),
                uuid::Uuid::new_v4().to_string().into(),
                r.return_url.into(),
                r.save_card.into(),
                r.anonymous.into(),
                r.idempotency_key.map(str::to_owned).into(),
                r.request_hash.into(),
                r.now.into(),
                r.expires_at.into(),
            ],
        ))
        .await?;
    row.map(|row| row.try_get::<i64>("", "id")).transpose()
}

/// One payment by id.
pub(super) async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Payment>, DbErr> {
    Ok(payment::Entity::find_by_id(id).one(db).await?.map(from_row))
}

/// Payments by id (missing ones absent).
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Payment>, DbErr> {
    Ok(payment::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The account's payment under a client's idempotency key.
pub(super) async fn find_by_key(
    db: &impl ConnectionTrait,
    account_id: i64,
    key: &str,
) -> Result<Option<Payment>, DbErr> {
    Ok(payment::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
        .map(from_row))
}

/// The payment a provider's payment belongs to: by the provider's id, or by our
/// key in its metadata (when the answer to `create` was lost).
pub(super) async fn find_for_provider(
    db: &impl ConnectionTrait,
    provider: &str,
    provider_payment_id: &str,
    key: Option<&str>,
) -> Result<Option<Payment>, DbErr> {
    let mut which = Condition::any().add(Column::ProviderPaymentId.eq(provider_payment_id));
    if let Some(key) = key {
        which = which.add(Column::ProviderKey.eq(key));
    }
    Ok(payment::Entity::find()
        .filter(Column::Provider.eq(provider))
        .filter(which)
        .one(db)
        .await?
        .map(from_row))
}

/// The provider accepted a reserved payment.
pub(super) async fn mark_pending(
    db: &impl ConnectionTrait,
    id: i64,
    provider_payment_id: &str,
    confirmation_url: Option<&str>,
) -> Result<(), DbErr> {
    payment::Entity::update_many()
        .col_expr(Column::Status, Expr::value(PaymentStatus::Pending))
        .col_expr(
            Column::ProviderPaymentId,
            Expr::value(provider_payment_id.to_owned()),
        )
        .col_expr(
            Column::ConfirmationUrl,
            Expr::value(confirmation_url.map(str::to_owned)),
        )
        .filter(Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(Column::Status.eq(PaymentStatus::New))
                .add(
                    Condition::all()
                        .add(Column::Status.eq(PaymentStatus::Pending))
                        .add(Column::ProviderPaymentId.is_null()),
                ),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// A reservation whose provider call went unanswered: pending without the
/// provider's id, so it is neither forgotten nor charged again under a new key.
pub(super) async fn mark_unanswered(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    payment::Entity::update_many()
        .col_expr(Column::Status, Expr::value(PaymentStatus::Pending))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PaymentStatus::New))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a reservation the provider never accepted.
pub(super) async fn forget_reservation(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    payment::Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PaymentStatus::New))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a payment paid and links its ledger entry, unless it is paid
/// already; `true` when this call did it (otherwise the caller rolls its entry
/// back). The row lock makes a concurrent second call wait and then find it
/// paid.
pub(super) async fn mark_succeeded(
    db: &impl ConnectionTrait,
    id: i64,
    provider_payment_id: &str,
    entry_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = payment::Entity::update_many()
        .col_expr(Column::Status, Expr::value(PaymentStatus::Succeeded))
        .col_expr(
            Column::ProviderPaymentId,
            Expr::value(provider_payment_id.to_owned()),
        )
        .col_expr(Column::ConfirmationUrl, Expr::value(None::<String>))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::LedgerEntryId, Expr::value(entry_id))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.ne(PaymentStatus::Succeeded))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks a waiting payment cancelled; `true` when it was waiting.
pub(super) async fn mark_canceled(
    db: &impl ConnectionTrait,
    id: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = payment::Entity::update_many()
        .col_expr(Column::Status, Expr::value(PaymentStatus::Canceled))
        .col_expr(
            Column::CancelReason,
            Expr::value(reason.map(|r| r.chars().take(64).collect::<String>())),
        )
        .col_expr(Column::ConfirmationUrl, Expr::value(None::<String>))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.is_in([PaymentStatus::New, PaymentStatus::Pending]))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Expires payments still waiting at `now`; returns the expired ones' ids and
/// accounts.
pub(super) async fn expire_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "UPDATE payment SET status = 'expired', finished_at = $1, confirmation_url = NULL \
             WHERE status = 'pending' AND expires_at <= $2 RETURNING id, account_id",
            vec![now.into(), now.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "account_id")?)))
        .collect()
}

/// Forgets reservations older than `before` that never reached the provider
/// (the process stopped between the two).
pub(super) async fn forget_stale_reservations(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(payment::Entity::delete_many()
        .filter(Column::Status.eq(PaymentStatus::New))
        .filter(Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// A page of an account's payments, newest first (reservations not shown).
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    request: &PageRequest,
) -> Result<Page<Payment>, DbErr> {
    let list = payment::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Status.ne(PaymentStatus::New));
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}
