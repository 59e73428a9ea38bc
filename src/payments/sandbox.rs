//! The built-in sandbox provider, used when no real provider is configured: it
//! keeps its payments in its own table (as a provider keeps them on its side),
//! shows a checkout page where the payer presses "pay" or "decline", and then
//! notifies the gateway the way a provider does. The whole card flow runs
//! offline, in a browser and in tests.

use chrono::{DateTime, Duration, Utc};
use entity::{sandbox_payment, sandbox_refund};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::provider::{
    CreateRequest, Provider, ProviderError, ProviderPayment, ProviderRefund, ProviderStatus,
    RefundRequest, RefundStatus, SavedCharge, SavedMethod,
};
use crate::clock::SharedClock;
use crate::money::Kopecks;

/// The sandbox provider.
#[derive(Clone)]
pub struct Sandbox {
    db: DatabaseConnection,
    clock: SharedClock,
    /// `http://host:port` the checkout page is reached at.
    public_url: String,
    /// How long the payer has on the page.
    expiry: Duration,
}

/// A sandbox payment as its checkout page shows it.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The sandbox's id.
    pub id: String,
    /// What to pay.
    pub amount: Kopecks,
    /// What for.
    pub description: String,
    /// Where the payer goes afterwards.
    pub return_url: String,
    /// pending, succeeded or canceled.
    pub status: String,
    /// Until when it can be paid.
    pub expires_at: DateTime<Utc>,
}

/// The payer's choice on the checkout page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Pay.
    Pay,
    /// Decline.
    Decline,
}

/// The last digits of the card the sandbox "keeps".
const SANDBOX_CARD_LAST4: &str = "4242";

const PENDING: &str = "pending";
const SUCCEEDED: &str = "succeeded";
const CANCELED: &str = "canceled";

fn to_checkout(row: sandbox_payment::Model) -> Checkout {
    Checkout {
        id: row.id,
        amount: Kopecks::new(row.amount),
        description: row.description,
        return_url: row.return_url,
        status: row.status,
        expires_at: row.expires_at,
    }
}

impl Sandbox {
    /// The sandbox over `db`, its pages under `public_url`.
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        public_url: String,
        expiry: Duration,
    ) -> Self {
        Sandbox {
            db,
            clock,
            public_url: public_url.trim_end_matches('/').to_owned(),
            expiry,
        }
    }

    fn to_payment(&self, row: sandbox_payment::Model) -> ProviderPayment {
        let status = match row.status.as_str() {
            SUCCEEDED => ProviderStatus::Succeeded,
            CANCELED => ProviderStatus::Canceled,
            _ => ProviderStatus::Pending,
        };
        ProviderPayment {
            confirmation_url: (status == ProviderStatus::Pending)
                .then(|| format!("{}/sandbox/checkout/{}", self.public_url, row.id)),
            cancel_reason: (status == ProviderStatus::Canceled).then(|| {
                if row.expires_at <= self.clock.now() {
                    "expired_on_confirmation".to_owned()
                } else {
                    "canceled_by_payer".to_owned()
                }
            }),
            saved_method: row.saved_method_id.map(|id| SavedMethod {
                id,
                last4: SANDBOX_CARD_LAST4.to_owned(),
                expiry_month: 12,
                expiry_year: 2030,
                card_type: "Mir".to_owned(),
            }),
            id: row.id,
            status,
            amount: Kopecks::new(row.amount),
            key: Some(row.reference),
        }
    }

    async fn insert(
        &self,
        row: sandbox_payment::ActiveModel,
        key: &str,
    ) -> Result<sandbox_payment::Model, ProviderError> {
        // As a real provider: the same idempotence key gives the same payment.
        sandbox_payment::Entity::insert(row)
            .on_conflict_do_nothing_on([sandbox_payment::Column::IdempotenceKey])
            .exec(&self.db)
            .await
            .map_err(unavailable)?;
        sandbox_payment::Entity::find()
            .filter(sandbox_payment::Column::IdempotenceKey.eq(key))
            .one(&self.db)
            .await
            .map_err(unavailable)?
            .ok_or(ProviderError::NotFound)
    }

    async fn find(&self, id: &str) -> Result<Option<sandbox_payment::Model>, DbErr> {
        // Ids are UUIDs; anything longer is not one of ours.
        if id.len() > 36 {
            return Ok(None);
        }
        sandbox_payment::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await
    }

    /// The checkout page's payment.
    pub async fn checkout(&self, id: &str) -> Result<Option<Checkout>, DbErr> {
        Ok(self.find(id).await?.map(to_checkout))
    }

    /// The payer pressed a button: a pending, unexpired payment becomes paid or
    /// declined (an expired one is cancelled). Returns the payment as it now
    /// stands; pressing again changes nothing.
    pub async fn choose(&self, id: &str, choice: Choice) -> Result<Option<Checkout>, DbErr> {
        let now = self.clock.now();
        let Some(row) = self.find(id).await? else {
            return Ok(None);
        };
        if row.status == PENDING {
            let next = match choice {
                _ if row.expires_at <= now => CANCELED,
                Choice::Pay => SUCCEEDED,
                Choice::Decline => CANCELED,
            };
            let saved = (next == SUCCEEDED && row.save_payment_method)
                .then(|| format!("sbx-card-{}", row.id));
            sandbox_payment::Entity::update_many()
                .col_expr(
                    sandbox_payment::Column::Status,
                    sea_orm::sea_query::Expr::value(next),
                )
                .col_expr(
                    sandbox_payment::Column::SavedMethodId,
                    sea_orm::sea_query::Expr::value(saved),
                )
                .filter(sandbox_payment::Column::Id.eq(id))
                .filter(sandbox_payment::Column::Status.eq(PENDING))
                .exec(&self.db)
                .await?;
        }
        self.checkout(id).await
    }
}

fn unavailable(err: DbErr) -> ProviderError {
    ProviderError::Unavailable(err.to_string())
}

#[async_trait::async_trait]
impl Provider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, request: &CreateRequest) -> Result<ProviderPayment, ProviderError> {
        let now = self.clock.now();
        let row = sandbox_payment::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            amount: Set(request.amount.get()),
            description: Set(request.description.chars().take(128).collect()),
            return_url: Set(request.return_url.clone()),
            reference: Set(request.key.clone()),
            save_payment_method: Set(request.save_method),
            status: Set(PENDING.to_owned()),
            created_at: Set(now),
            expires_at: Set(now + self.expiry),
            idempotence_key: Set(request.key.clone()),
            saved_method_id: Set(None),
        };
        let row = self.insert(row, &request.key).await?;
        Ok(self.to_payment(row))
    }

    async fn fetch(&self, id: &str) -> Result<ProviderPayment, ProviderError> {
        let row = self
            .find(id)
            .await
            .map_err(unavailable)?
            .ok_or(ProviderError::NotFound)?;
        Ok(self.to_payment(row))
    }

    async fn charge_saved(&self, charge: &SavedCharge) -> Result<ProviderPayment, ProviderError> {
        let known = sandbox_payment::Entity::find()
            .filter(sandbox_payment::Column::SavedMethodId.eq(charge.method_id.as_str()))
            .one(&self.db)
            .await
            .map_err(unavailable)?;
        if known.is_none() {
            return Err(ProviderError::Refused("unknown payment method".into()));
        }
        let now = self.clock.now();
        // A saved card is charged at once: no page, no payer.
        let row = sandbox_payment::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            amount: Set(charge.amount.get()),
            description: Set(charge.description.chars().take(128).collect()),
            return_url: Set(String::new()),
            reference: Set(charge.key.clone()),
            save_payment_method: Set(false),
            status: Set(SUCCEEDED.to_owned()),
            created_at: Set(now),
            expires_at: Set(now),
            idempotence_key: Set(charge.key.clone()),
            saved_method_id: Set(None),
        };
        let row = self.insert(row, &charge.key).await?;
        Ok(self.to_payment(row))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, ProviderError> {
        let payment = self
            .find(&request.payment_id)
            .await
            .map_err(unavailable)?
            .ok_or(ProviderError::NotFound)?;
        if payment.status != SUCCEEDED {
            return Err(ProviderError::Refused("the payment is not paid".into()));
        }
        let existing = sandbox_refund::Entity::find()
            .filter(sandbox_refund::Column::IdempotenceKey.eq(request.key.as_str()))
            .one(&self.db)
            .await
            .map_err(unavailable)?;
        let row = match existing {
            Some(row) => row,
            None => {
                let refunded: i64 = sandbox_refund::Entity::find()
                    .filter(sandbox_refund::Column::PaymentId.eq(payment.id.as_str()))
                    .all(&self.db)
                    .await
                    .map_err(unavailable)?
                    .iter()
                    .map(|r| r.amount)
                    .sum();
                if refunded + request.amount.get() > payment.amount {
                    return Err(ProviderError::Refused("more than was paid".into()));
                }
                let row = sandbox_refund::ActiveModel {
                    id: Set(uuid::Uuid::new_v4().to_string()),
                    payment_id: Set(payment.id.clone()),
                    amount: Set(request.amount.get()),
                    idempotence_key: Set(request.key.clone()),
                    created_at: Set(self.clock.now()),
                };
                sandbox_refund::Entity::insert(row)
                    .exec_with_returning(&self.db)
                    .await
                    .map_err(unavailable)?
            }
        };
        Ok(ProviderRefund {
            id: row.id,
            payment_id: row.payment_id,
            status: RefundStatus::Succeeded,
            amount: Kopecks::new(row.amount),
        })
    }

    async fn fetch_refund(&self, id: &str) -> Result<ProviderRefund, ProviderError> {
        if id.len() > 36 {
            return Err(ProviderError::NotFound);
        }
        let row = sandbox_refund::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await
            .map_err(unavailable)?
            .ok_or(ProviderError::NotFound)?;
        Ok(ProviderRefund {
            id: row.id,
            payment_id: row.payment_id,
            status: RefundStatus::Succeeded,
            amount: Kopecks::new(row.amount),
        })
    }
}
