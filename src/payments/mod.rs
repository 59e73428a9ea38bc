//! Top-ups through a payment provider: a payment is reserved here first, then
//! created at the provider under our key (so a retry finds the same one), and
//! credited exactly once when the provider — re-read, never merely believed —
//! says it succeeded, whatever order and however often notifications come.
//! A payment the payer never finishes expires; one the provider confirms late
//! is still credited, so nothing a subscriber pays is lost.

pub mod autopay;
pub mod cards;
pub mod methods;
pub mod provider;
pub mod receipts;
pub mod refunds;
pub mod sandbox;
mod store;
pub mod terminal;
pub mod yookassa;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

pub use entity::payment::PaymentStatus;
pub use store::{find_many, page};

use self::methods::{AmountError, Method};
use self::provider::{CreateRequest, Provider, ProviderError, ProviderPayment, ProviderStatus};
use crate::accounts::{self, AccountStatus};
use crate::billing::ledger::EntryKind;
use crate::billing::{self, BillingError, Movement};
use crate::events::{AccountEvent, Events};
use crate::idempotency::IdempotencyKey;
use crate::money::Kopecks;

/// How long a payment may take at the provider before we give up waiting.
const PROVIDER_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// A reservation the provider never saw is forgotten after this long.
const STALE_RESERVATION: Duration = Duration::minutes(10);
/// Longest return URL accepted.
pub const MAX_RETURN_URL: usize = 2048;

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Internal id.
    pub id: i64,
    /// The account credited.
    pub account_id: i64,
    /// What is credited.
    pub amount: Kopecks,
    /// What the payer pays on top.
    pub commission: Kopecks,
    /// How.
    pub method: Method,
    /// Where it stands.
    pub status: PaymentStatus,
    /// Which provider.
    pub provider: String,
    /// Our key at the provider.
    pub provider_key: String,
    /// The provider's id.
    pub provider_payment_id: Option<String>,
    /// Where the payer confirms it, while pending.
    pub confirmation_url: Option<String>,
    /// Hash of the request that created it (to tell a retry from a reuse).
    pub request_hash: String,
    /// The ledger entry that credited it.
    pub ledger_entry_id: Option<i64>,
    /// Why it was cancelled (the provider's code).
    pub cancel_reason: Option<String>,
    /// Paid by account number without signing in.
    pub anonymous: bool,
    /// Keep the card the payer pays with.
    pub save_card: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it expires unless confirmed.
    pub expires_at: DateTime<Utc>,
    /// When it succeeded, was cancelled or expired.
    pub finished_at: Option<DateTime<Utc>>,
}

/// Why a payment was refused or failed. Codes only; `graphql` says them.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// Outside the limits of one payment.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// This way of paying does not start online.
    #[error("this method cannot be paid online")]
    MethodNotOnline,
    /// The return URL is not an http(s) URL of a sane length.
    #[error("the return URL is not acceptable")]
    ReturnUrlInvalid,
    /// No such account.
    #[error("no such account")]
    NoAccount,
    /// The contract is terminated: nothing can be paid into it.
    #[error("the account is closed")]
    AccountClosed,
    /// The idempotency key was used before with another request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The provider is down or slow; nothing was kept.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// No such payment.
    #[error("no such payment")]
    PaymentNotFound,
    /// The payment was not paid, so nothing can be returned.
    #[error("the payment is not paid")]
    NotPaid,
    /// A refund of zero or less.
    #[error("a refund must be positive")]
    RefundNotPositive,
    /// More than is left to return.
    #[error("only {available} can be returned")]
    RefundTooLarge {
        /// What can still be returned.
        available: Kopecks,
    },
    /// A refund without a reason.
    #[error("a reason is required")]
    ReasonMissing,
    /// A reason longer than [`refunds::MAX_REASON`].
    #[error("the reason is too long")]
    ReasonTooLong,
    /// No such saved card of the account.
    #[error("no such saved card")]
    CardNotFound,
    /// A threshold autopayment without a threshold.
    #[error("a threshold is required")]
    ThresholdMissing,
    /// A threshold below zero or above the largest payment.
    #[error("the threshold is out of range")]
    ThresholdOutOfRange,
    /// A day of the month outside 1–31 (or missing).
    #[error("the day of the month is out of range")]
    DayOfMonthOutOfRange,
    /// A movement of money failed.
    #[error(transparent)]
    Billing(#[from] BillingError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A top-up to start.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The account to credit.
    pub account_id: i64,
    /// What to credit.
    pub amount: Kopecks,
    /// How.
    pub method: Method,
    /// Where the provider sends the payer back.
    pub return_url: String,
    /// Keep the card for later.
    pub save_card: bool,
    /// Paid by account number without signing in.
    pub anonymous: bool,
    /// The client's idempotency key.
    pub key: Option<IdempotencyKey>,
}

/// What the payment flow needs: the database, the provider and how long a
/// payer has.
#[derive(Clone)]
pub struct Payments {
    /// The database.
    pub db: DatabaseConnection,
    /// The provider in use.
    pub provider: std::sync::Arc<dyn Provider>,
    /// How long a pending payment waits for its payer.
    pub expiry: Duration,
    /// Where status and balance changes are told.
    pub events: Events,
    /// Points for large payments.
    pub bonus: crate::bonus::BonusRules,
}

fn check_return_url(url: &str) -> Result<(), PaymentError> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    if !scheme_ok
        || url.len() > MAX_RETURN_URL
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(PaymentError::ReturnUrlInvalid);
    }
    Ok(())
}

fn request_hash(p: &NewPayment) -> String {
    let input = serde_json::json!({
        "amount": p.amount,
        "method": p.method.code(),
        "returnUrl": p.return_url,
        "saveCard": p.save_card,
        "anonymous": p.anonymous,
    });
    crate::digest::sha256_hex(input.to_string())
}

/// The description the payer sees at the provider.
fn description(number: &str) -> String {
    format!("Пополнение лицевого счёта {number}")
}

/// What a ledger entry of a payment says.
fn entry_description(method: Method) -> &'static str {
    match method {
        Method::BankCard => "Пополнение банковской картой",
        Method::Sbp => "Пополнение через СБП",
        Method::Terminal => "Пополнение через терминал",
    }
}

impl Payments {
    /// Starts a top-up: checks it, reserves it here, creates it at the
    /// provider and returns it with its confirmation URL. The same idempotency
    /// key with the same input returns the first payment; if the provider
    /// fails, nothing is kept.
    pub async fn create(
        &self,
        now: DateTime<Utc>,
        new: NewPayment,
    ) -> Result<Payment, PaymentError> {
        methods::check_amount(new.amount)?;
        if !new.method.online() {
            return Err(PaymentError::MethodNotOnline);
        }
        check_return_url(&new.return_url)?;
        let account = accounts::find_many(&self.db, &[new.account_id])
            .await?
            .pop()
            .ok_or(PaymentError::NoAccount)?;
        if account.status == AccountStatus::Closed {
            return Err(PaymentError::AccountClosed);
        }
        let payment = self
            .reserve(now, &new, new.method.commission_on(new.amount))
            .await?;
        if payment.status != PaymentStatus::New {
            return Ok(payment);
        }
        let request = CreateRequest {
            key: payment.provider_key.clone(),
            amount: payment.amount + payment.commission,
            method: payment.method,
            description: description(account.number.as_str()),
            return_url: new.return_url.clone(),
            save_method: new.save_card,
        };
        let created =
            match tokio::time::timeout(PROVIDER_TIMEOUT, self.provider.create(&request)).await {
                Ok(result) => result,
                Err(_) => Err(ProviderError::Unavailable("timed out".into())),
            };
        match created {
            Ok(at_provider) => {
                store::mark_pending(
                    &self.db,
                    payment.id,
                    &at_provider.id,
                    at_provider.confirmation_url.as_deref(),
                )
                .await?;
                // Paid or declined already (a provider may decide at once).
                self.apply(now, &at_provider).await?;
                Ok(store::find(&self.db, payment.id)
                    .await?
                    .ok_or_else(|| DbErr::RecordNotFound("payment".into()))?)
            }
            Err(err) => {
                tracing::warn!(provider = self.provider.name(), error = %err, "payment not created");
                store::forget_reservation(&self.db, payment.id).await?;
                Err(err.into())
            }
        }
    }

    /// Charges a saved card without the payer (autopayment) under `key`: the
    /// same key again re-sends the same payment (the provider answers it
    /// once), so an unknown outcome can be asked again without charging twice.
    /// A payment the provider could not be asked about stays pending: a late
    /// notification still credits it, or it expires.
    pub async fn charge_saved(
        &self,
        now: DateTime<Utc>,
        card: &cards::SavedCard,
        amount: Kopecks,
        key: &IdempotencyKey,
    ) -> Result<Payment, PaymentError> {
        methods::check_amount(amount)?;
        let account = accounts::find_many(&self.db, &[card.account_id])
            .await?
            .pop()
            .ok_or(PaymentError::NoAccount)?;
        let new = NewPayment {
            account_id: card.account_id,
            amount,
            method: Method::BankCard,
            return_url: String::new(),
            save_card: false,
            anonymous: false,
            key: Some(key.clone()),
        };
        let payment = self.reserve(now, &new, Kopecks::ZERO).await?;
        if !matches!(payment.status, PaymentStatus::New | PaymentStatus::Pending) {
            return Ok(payment);
        }
        let charge = provider::SavedCharge {
            key: payment.provider_key.clone(),
            amount,
            method_id: card.method_id.clone(),
            description: format!("Автоплатёж: {}", description(account.number.as_str())),
        };
        let charged =
            match tokio::time::timeout(PROVIDER_TIMEOUT, self.provider.charge_saved(&charge)).await
            {
                Ok(result) => result,
                Err(_) => Err(ProviderError::Unavailable("timed out".into())),
            };
        match charged {
            Ok(at_provider) => {
                store::mark_pending(&self.db, payment.id, &at_provider.id, None).await?;
                self.apply(now, &at_provider).await?;
            }
            Err(ProviderError::Unavailable(err)) => {
                // The outcome is unknown: kept (pending) so the same key asks again.
                tracing::warn!(payment = payment.id, error = %err, "a saved card charge is unanswered");
                store::mark_unanswered(&self.db, payment.id).await?;
                return Err(ProviderError::Unavailable(err).into());
            }
            Err(err) => {
                store::mark_canceled(&self.db, payment.id, Some("refused_by_provider"), now)
                    .await?;
                return Err(err.into());
            }
        }
        Ok(store::find(&self.db, payment.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("payment".into()))?)
    }

    /// Reserves `new` (status `new`) or finds the payment its idempotency key
    /// reserved before; the same key with another request is refused.
    async fn reserve(
        &self,
        now: DateTime<Utc>,
        new: &NewPayment,
        commission: Kopecks,
    ) -> Result<Payment, PaymentError> {
        let hash = request_hash(new);
        let key = new.key.as_ref().map(IdempotencyKey::as_str);
        let reserved = store::reserve(
            &self.db,
            store::Reservation {
                account_id: new.account_id,
                amount: new.amount,
                commission,
                method: new.method,
                provider: self.provider.name(),
                return_url: &new.return_url,
                save_card: new.save_card,
                anonymous: new.anonymous,
                idempotency_key: key,
                request_hash: &hash,
                now,
                expires_at: now + self.expiry,
            },
        )
        .await?;
        let payment = match (reserved, key) {
            (Some(id), _) => store::find(&self.db, id).await?,
            (None, Some(key)) => store::find_by_key(&self.db, new.account_id, key).await?,
            (None, None) => None,
        }
        .ok_or_else(|| DbErr::RecordNotFound("payment just reserved".into()))?;
        if payment.request_hash != hash {
            return Err(PaymentError::IdempotencyKeyReused);
        }
        Ok(payment)
    }

    /// A provider says something happened to its payment `id`: re-reads the
    /// payment from the provider and acts on what it says there.
    pub async fn notified(&self, now: DateTime<Utc>, id: &str) -> Result<Settlement, PaymentError> {
        let at_provider = match self.provider.fetch(id).await {
            Ok(payment) => payment,
            Err(ProviderError::NotFound) => return Ok(Settlement::Unknown),
            Err(err) => return Err(err.into()),
        };
        self.apply(now, &at_provider).await
    }

    /// Brings our payment in line with the provider's and tells subscribers
    /// what changed.
    async fn apply(
        &self,
        now: DateTime<Utc>,
        at_provider: &ProviderPayment,
    ) -> Result<Settlement, PaymentError> {
        let settlement = self.settle(now, at_provider).await?;
        match settlement {
            Settlement::Credited {
                account_id,
                payment_id,
                balance,
            } => {
                self.events
                    .publish_all(vec![
                        AccountEvent::PaymentStatusChanged {
                            account_id,
                            payment_id,
                            status: PaymentStatus::Succeeded,
                            at: now,
                        },
                        AccountEvent::BalanceChanged {
                            account_id,
                            balance,
                            at: now,
                        },
                    ])
                    .await;
            }
            Settlement::Canceled {
                account_id,
                payment_id,
            } => {
                self.events
                    .publish(AccountEvent::PaymentStatusChanged {
                        account_id,
                        payment_id,
                        status: PaymentStatus::Canceled,
                        at: now,
                    })
                    .await;
            }
            Settlement::Unchanged | Settlement::Unknown | Settlement::AmountMismatch => {}
        }
        Ok(settlement)
    }

    /// Credits a success once, records a cancellation of a waiting payment,
    /// ignores the rest.
    async fn settle(
        &self,
        now: DateTime<Utc>,
        at_provider: &ProviderPayment,
    ) -> Result<Settlement, PaymentError> {
        let Some(payment) = store::find_for_provider(
            &self.db,
            self.provider.name(),
            &at_provider.id,
            at_provider.key.as_deref(),
        )
        .await?
        else {
            tracing::warn!(
                provider = self.provider.name(),
                "a notification for an unknown payment"
            );
            return Ok(Settlement::Unknown);
        };
        if at_provider.amount != payment.amount + payment.commission {
            tracing::error!(
                payment = payment.id,
                "the provider's amount differs from ours: not credited"
            );
            return Ok(Settlement::AmountMismatch);
        }
        match at_provider.status {
            ProviderStatus::Pending => Ok(Settlement::Unchanged),
            // Credited already (a repeated notification): nothing to lock.
            ProviderStatus::Succeeded if payment.status == PaymentStatus::Succeeded => {
                Ok(Settlement::Unchanged)
            }
            ProviderStatus::Succeeded => self.credit(now, &payment, at_provider).await,
            ProviderStatus::Canceled => {
                let canceled = store::mark_canceled(
                    &self.db,
                    payment.id,
                    at_provider.cancel_reason.as_deref(),
                    now,
                )
                .await?;
                Ok(if canceled {
                    Settlement::Canceled {
                        account_id: payment.account_id,
                        payment_id: payment.id,
                    }
                } else {
                    Settlement::Unchanged
                })
            }
        }
    }

    /// Credits the payment and marks it paid, in one transaction, once.
    async fn credit(
        &self,
        now: DateTime<Utc>,
        payment: &Payment,
        at_provider: &ProviderPayment,
    ) -> Result<Settlement, PaymentError> {
        let tx = self.db.begin().await?;
        let appended = billing::post_in(
            &tx,
            now,
            Movement {
                account_id: payment.account_id,
                kind: EntryKind::Payment,
                amount: payment.amount,
                description: entry_description(payment.method).to_owned(),
                staff_credential_id: None,
            },
        )
        .await?;
        // The guard comes after the entry so that marking and linking are one
        // statement; a second delivery racing this one waits on the account
        // row, then finds the payment paid and rolls its entry back.
        if !store::mark_succeeded(&tx, payment.id, &at_provider.id, appended.entry_id, now).await? {
            tx.rollback().await?;
            return Ok(Settlement::Unchanged);
        }
        crate::bonus::award_for_payment(
            &tx,
            now,
            &self.bonus,
            payment.account_id,
            payment.amount,
            appended.entry_id,
        )
        .await?;
        if payment.save_card
            && let Some(method) = &at_provider.saved_method
        {
            cards::save(&tx, now, payment.account_id, self.provider.name(), method).await?;
        }
        tx.commit().await?;
        tracing::info!(payment = payment.id, "payment credited");
        Ok(Settlement::Credited {
            account_id: payment.account_id,
            payment_id: payment.id,
            balance: appended.balance,
        })
    }

    /// Expires payments nobody confirmed in time and forgets reservations the
    /// provider never saw. Returns how many expired.
    pub async fn expire_due(&self, now: DateTime<Utc>) -> Result<usize, DbErr> {
        let expired = store::expire_due(&self.db, now).await?;
        store::forget_stale_reservations(&self.db, now - STALE_RESERVATION).await?;
        for (payment_id, account_id) in &expired {
            self.events
                .publish(AccountEvent::PaymentStatusChanged {
                    account_id: *account_id,
                    payment_id: *payment_id,
                    status: PaymentStatus::Expired,
                    at: now,
                })
                .await;
        }
        Ok(expired.len())
    }
}

/// What a notification changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The payment was credited now.
    Credited {
        /// The account.
        account_id: i64,
        /// The payment.
        payment_id: i64,
        /// Its new balance.
        balance: Kopecks,
    },
    /// The payment was cancelled now.
    Canceled {
        /// The account.
        account_id: i64,
        /// The payment.
        payment_id: i64,
    },
    /// Nothing to do (already final, or still waiting).
    Unchanged,
    /// Not one of our payments.
    Unknown,
    /// The provider's amount is not ours: nothing credited, an operator must look.
    AmountMismatch,
}

/// One payment of an account, or `None` when it is someone else's.
pub async fn find_for_account(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<Payment>, DbErr> {
    Ok(store::find(db, id)
        .await?
        .filter(|p| p.account_id == account_id && p.status != PaymentStatus::New))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls_are_http_urls_without_spaces_or_control_characters() {
        assert!(check_return_url("https://kabinet.example/paid").is_ok());
        assert!(check_return_url("HTTP://localhost:3000/").is_ok());
        assert!(check_return_url("javascript:alert(1)").is_err());
        assert!(check_return_url("https://a.example/\u{0}").is_err());
        assert!(check_return_url("https://a.example/ x").is_err());
        assert!(check_return_url(&format!("https://a.example/{}", "a".repeat(2048))).is_err());
    }
}
