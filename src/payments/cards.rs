//! Cards a payment saved at the provider: listed to their owner, used by
//! autopayment, forgotten on request (and an autopayment on a forgotten card
//! stops, saying why).

use chrono::{DateTime, Utc};
use entity::saved_card::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};

use super::provider::SavedMethod;

/// A saved card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCard {
    /// Internal id.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// Which provider keeps it.
    pub provider: String,
    /// The provider's method id.
    pub method_id: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub expiry_month: i32,
    /// Expiry year.
    pub expiry_year: i32,
    /// Network.
    pub card_type: String,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// Why autopayment stopped when its card was forgotten.
pub const CARD_REMOVED: &str = "card_removed";

fn from_row(row: saved_card::Model) -> SavedCard {
    SavedCard {
        id: row.id,
        account_id: row.account_id,
        provider: row.provider,
        method_id: row.method_id,
        last4: row.last4,
        expiry_month: row.expiry_month,
        expiry_year: row.expiry_year,
        card_type: row.card_type,
        created_at: row.created_at,
    }
}

/// The account's cards, newest first.
pub async fn list(db: &impl ConnectionTrait, account_id: i64) -> Result<Vec<SavedCard>, DbErr> {
    Ok(saved_card::Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::RemovedAt.is_null())
        .order_by_desc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// One of the account's cards (not forgotten).
pub async fn find(
    db: &impl ConnectionTrait,
    account_id: i64,
    card_id: i64,
) -> Result<Option<SavedCard>, DbErr> {
    Ok(saved_card::Entity::find_by_id(card_id)
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::RemovedAt.is_null())
        .one(db)
        .await?
        .map(from_row))
}

/// Keeps a card the provider saved (once per provider method).
pub(super) async fn save(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    provider: &str,
    method: &SavedMethod,
) -> Result<(), DbErr> {
    let row = saved_card::ActiveModel {
        account_id: Set(account_id),
        provider: Set(provider.to_owned()),
        method_id: Set(method.id.chars().take(64).collect()),
        last4: Set(method.last4.chars().take(4).collect()),
        expiry_month: Set(i32::try_from(method.expiry_month).unwrap_or(0)),
        expiry_year: Set(method.expiry_year),
        card_type: Set(method.card_type.chars().take(32).collect()),
        created_at: Set(now),
        removed_at: Set(None),
        ..Default::default()
    };
    saved_card::Entity::insert(row)
        .on_conflict_do_nothing_on([Column::Provider, Column::MethodId])
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets one of the account's cards; an autopayment charging it stops.
/// `false` when there is no such card.
pub async fn remove(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    card_id: i64,
) -> Result<bool, DbErr> {
    let tx = db.begin().await?;
    let removed = saved_card::Entity::update_many()
        .col_expr(Column::RemovedAt, Expr::value(now))
        .filter(Column::Id.eq(card_id))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::RemovedAt.is_null())
        .exec(&tx)
        .await?
        .rows_affected
        == 1;
    if removed {
        use entity::autopayment::{self, Column as A};
        autopayment::Entity::update_many()
            .col_expr(A::Enabled, Expr::value(false))
            .col_expr(A::DisabledReason, Expr::value(CARD_REMOVED))
            .col_expr(A::UpdatedAt, Expr::value(now))
            .filter(A::AccountId.eq(account_id))
            .filter(A::CardId.eq(card_id))
            .filter(A::Enabled.eq(true))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(removed)
}
