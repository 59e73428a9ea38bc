//! Refunds by an operator: reserved here under the payment's lock (so two at
//! once can never return more than was paid), sent to the provider under our
//! key, and written to the ledger (kind `REFUND`) once the provider confirms.

use chrono::{DateTime, Utc};
use entity::refund::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait, sea_query::Expr,
};

use super::provider::{ProviderError, ProviderRefund, RefundRequest, RefundStatus};
use super::{PaymentError, PaymentStatus, Payments, store};
use crate::billing::ledger::EntryKind;
use crate::billing::{self, Movement};
use crate::events::AccountEvent;
use crate::money::Kopecks;

/// Longest reason, in characters.
pub const MAX_REASON: usize = 300;

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Internal id.
    pub id: i64,
    /// The payment refunded.
    pub payment_id: i64,
    /// Whose.
    pub account_id: i64,
    /// What is returned.
    pub amount: Kopecks,
    /// Why.
    pub reason: String,
    /// pending, succeeded or canceled.
    pub status: String,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When the provider confirmed or refused it.
    pub finished_at: Option<DateTime<Utc>>,
}

const PENDING: &str = "pending";
const SUCCEEDED: &str = "succeeded";
const CANCELED: &str = "canceled";

fn from_row(row: refund::Model) -> Refund {
    Refund {
        id: row.id,
        payment_id: row.payment_id,
        account_id: row.account_id,
        amount: Kopecks::new(row.amount),
        reason: row.reason,
        status: row.status,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

/// A payment's refunds, oldest first.
pub async fn for_payment(db: &impl ConnectionTrait, payment_id: i64) -> Result<Vec<Refund>, DbErr> {
    for_payments(db, &[payment_id]).await
}

/// The refunds of these payments, oldest first.
pub async fn for_payments(
    db: &impl ConnectionTrait,
    payment_ids: &[i64],
) -> Result<Vec<Refund>, DbErr> {
    Ok(refund::Entity::find()
        .filter(Column::PaymentId.is_in(payment_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

async fn find_row(db: &impl ConnectionTrait, id: i64) -> Result<Option<refund::Model>, DbErr> {
    refund::Entity::find_by_id(id).one(db).await
}

impl Payments {
    /// Returns `amount` of a paid payment to the payer, with a reason, on an
    /// operator's word: never more than was paid less what was returned
    /// already. The ledger moves once the provider confirms (at once for the
    /// sandbox; by notification for a provider that takes time).
    pub async fn refund(
        &self,
        now: DateTime<Utc>,
        staff_credential_id: i64,
        payment_id: i64,
        amount: Kopecks,
        reason: &str,
    ) -> Result<Refund, PaymentError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(PaymentError::ReasonMissing);
        }
        if reason.chars().count() > MAX_REASON {
            return Err(PaymentError::ReasonTooLong);
        }
        if amount <= Kopecks::ZERO {
            return Err(PaymentError::RefundNotPositive);
        }
        // Reserve under the account's lock: two refunds at once see each other.
        let tx = crate::db::begin_write(&self.db).await?;
        let payment = store::find(&tx, payment_id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?;
        crate::accounts::lock(&tx, payment.account_id).await?;
        let (Some(provider_payment_id), PaymentStatus::Succeeded) =
            (payment.provider_payment_id.clone(), payment.status)
        else {
            return Err(PaymentError::NotPaid);
        };
        let taken: Kopecks = for_payment(&tx, payment_id)
            .await?
            .iter()
            .filter(|r| r.status != CANCELED)
            .map(|r| r.amount)
            .sum();
        let available = payment.amount - taken;
        if amount > available {
            return Err(PaymentError::RefundTooLarge { available });
        }
        let key = uuid::Uuid::new_v4().to_string();
        let row = refund::ActiveModel {
            payment_id: Set(payment_id),
            account_id: Set(payment.account_id),
            amount: Set(amount.get()),
            reason: Set(reason.to_owned()),
            status: Set(PENDING.to_owned()),
            provider: Set(self.provider.name().to_owned()),
            provider_key: Set(key.clone()),
            provider_refund_id: Set(None),
            staff_credential_id: Set(staff_credential_id),
            ledger_entry_id: Set(None),
            created_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        };
        let id = refund::Entity::insert(row).exec(&tx).await?.last_insert_id;
        tx.commit().await?;

        let request = RefundRequest {
            key,
            payment_id: provider_payment_id,
            amount,
            description: format!("Возврат: {reason}"),
        };
        match self.provider.refund(&request).await {
            Ok(at_provider) => self.apply_refund(now, id, &at_provider).await?,
            Err(ProviderError::Unavailable(err)) => {
                // Kept pending: sent again under the same key, it cannot double.
                tracing::warn!(refund = id, error = %err, "refund not confirmed yet");
            }
            Err(err) => {
                tracing::warn!(refund = id, error = %err, "the provider refused a refund");
                mark(&self.db, id, CANCELED, None, now).await?;
                return Err(err.into());
            }
        }
        Ok(find_row(&self.db, id)
            .await?
            .map(from_row)
            .ok_or_else(|| DbErr::RecordNotFound("refund".into()))?)
    }

    /// A provider says something happened to its refund `id`: reads it back
    /// and acts on what it says.
    pub async fn refund_notified(&self, now: DateTime<Utc>, id: &str) -> Result<(), PaymentError> {
        let at_provider = match self.provider.fetch_refund(id).await {
            Ok(refund) => refund,
            Err(ProviderError::NotFound) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        let ours = refund::Entity::find()
            .filter(Column::Provider.eq(self.provider.name()))
            .filter(Column::ProviderRefundId.eq(at_provider.id.as_str()))
            .one(&self.db)
            .await?;
        match ours {
            Some(row) => self.apply_refund(now, row.id, &at_provider).await,
            None => {
                tracing::warn!("a notification for an unknown refund");
                Ok(())
            }
        }
    }

    /// Sends again refunds the provider has not answered (same key: it
    /// cannot return twice).
    pub async fn retry_pending_refunds(&self, now: DateTime<Utc>) -> Result<(), PaymentError> {
        let pending = refund::Entity::find()
            .filter(Column::Status.eq(PENDING))
            .filter(Column::ProviderRefundId.is_null())
            .filter(Column::CreatedAt.lt(now - chrono::Duration::minutes(1)))
            .all(&self.db)
            .await?;
        for row in pending {
            let Some(payment) = store::find(&self.db, row.payment_id).await? else {
                continue;
            };
            let Some(provider_payment_id) = payment.provider_payment_id else {
                continue;
            };
            let request = RefundRequest {
                key: row.provider_key.clone(),
                payment_id: provider_payment_id,
                amount: Kopecks::new(row.amount),
                description: format!("Возврат: {}", row.reason),
            };
            match self.provider.refund(&request).await {
                Ok(at_provider) => self.apply_refund(now, row.id, &at_provider).await?,
                Err(ProviderError::Unavailable(_)) => {}
                Err(_) => mark(&self.db, row.id, CANCELED, None, now).await?,
            }
        }
        Ok(())
    }

    /// Brings our refund in line with the provider's: a success moves the
    /// ledger once; a refusal frees the amount.
    async fn apply_refund(
        &self,
        now: DateTime<Utc>,
        id: i64,
        at_provider: &ProviderRefund,
    ) -> Result<(), PaymentError> {
        refund::Entity::update_many()
            .col_expr(
                Column::ProviderRefundId,
                Expr::value(at_provider.id.chars().take(64).collect::<String>()),
            )
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        match at_provider.status {
            RefundStatus::Pending => Ok(()),
            RefundStatus::Canceled => {
                mark(&self.db, id, CANCELED, None, now).await?;
                Ok(())
            }
            RefundStatus::Succeeded => {
                let Some(row) = find_row(&self.db, id).await? else {
                    return Ok(());
                };
                let tx = self.db.begin().await?;
                let done = refund::Entity::update_many()
                    .col_expr(Column::Status, Expr::value(SUCCEEDED))
                    .col_expr(Column::FinishedAt, Expr::value(now))
                    .filter(Column::Id.eq(id))
                    .filter(Column::Status.eq(PENDING))
                    .exec(&tx)
                    .await?
                    .rows_affected
                    == 1;
                if !done {
                    tx.rollback().await?;
                    return Ok(());
                }
                let appended = billing::post_in(
                    &tx,
                    now,
                    Movement {
                        account_id: row.account_id,
                        kind: EntryKind::Refund,
                        amount: -Kopecks::new(row.amount),
                        description: format!("Возврат платежа: {}", row.reason),
                        staff_credential_id: Some(row.staff_credential_id),
                    },
                )
                .await?;
                refund::Entity::update_many()
                    .col_expr(Column::LedgerEntryId, Expr::value(appended.entry_id))
                    .filter(Column::Id.eq(id))
                    .exec(&tx)
                    .await?;
                tx.commit().await?;
                self.events
                    .publish(AccountEvent::BalanceChanged {
                        account_id: row.account_id,
                        balance: appended.balance,
                        at: now,
                    })
                    .await;
                Ok(())
            }
        }
    }
}

async fn mark(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    entry: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refund::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::LedgerEntryId, Expr::value(entry))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(())
}
