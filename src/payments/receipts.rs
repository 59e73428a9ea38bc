//! Payment slips a subscriber asks for: the facts are kept (whose, how much,
//! when); the PDF is made from them on each request by `documents::receipt`.

use chrono::{DateTime, Utc};
use entity::payment_receipt::{self, Column};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::PaymentError;
use super::methods;
use crate::money::Kopecks;

/// A payment slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Random id (names the PDF).
    pub id: String,
    /// Whose.
    pub account_id: i64,
    /// The sum to pay.
    pub amount: Kopecks,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Makes a slip for `amount` (within the limits of one payment).
pub async fn create(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    amount: Kopecks,
) -> Result<Receipt, PaymentError> {
    methods::check_amount(amount)?;
    let receipt = Receipt {
        id: uuid::Uuid::new_v4().to_string(),
        account_id,
        amount,
        created_at: now,
    };
    payment_receipt::Entity::insert(payment_receipt::ActiveModel {
        id: Set(receipt.id.clone()),
        account_id: Set(account_id),
        amount: Set(amount.get()),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(receipt)
}

/// One of the account's slips; `None` for anyone else's.
pub async fn find(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: &str,
) -> Result<Option<Receipt>, DbErr> {
    if id.len() > 36 {
        return Ok(None);
    }
    Ok(payment_receipt::Entity::find_by_id(id.to_owned())
        .filter(Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .map(|row| Receipt {
            id: row.id,
            account_id: row.account_id,
            amount: Kopecks::new(row.amount),
            created_at: row.created_at,
        }))
}
