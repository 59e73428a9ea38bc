//! GraphQL face of saved cards and autopayment: `Account.savedCards`,
//! `Account.autopayment`, `removeSavedCard`, `setAutopayment`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::node::{GlobalId, NodeKind};
use super::payments::{Payment, refusal};
use super::scalars::{DateTime, Decimal, Money};
use crate::payments::Payments;
use crate::payments::autopay::{self, Mode};
use crate::payments::cards;

/// A card kept by the payment provider after a payment with `saveCard`.
#[derive(Debug, Clone)]
pub struct SavedCard(pub cards::SavedCard);

/// A card kept by the payment provider after a payment with `saveCard`.
#[Object]
impl SavedCard {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::SavedCard, self.0.id)
    }

    /// The number as it may be shown: `•••• 4242`.
    async fn masked_number(&self) -> String {
        format!("•••• {}", self.0.last4)
    }

    /// Expiry as printed on the card: `12/30`.
    async fn expiry(&self) -> String {
        format!(
            "{:02}/{:02}",
            self.0.expiry_month,
            self.0.expiry_year.rem_euclid(100)
        )
    }

    /// Network: Mir, Visa, MasterCard…
    async fn card_type(&self) -> &str {
        &self.0.card_type
    }

    /// The payment provider that keeps it.
    async fn provider(&self) -> &str {
        &self.0.provider
    }

    /// When it was saved.
    async fn saved_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// When autopayment tops up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Mode")]
pub enum AutopaymentMode {
    /// When the balance (with any promised credit) falls below `threshold`.
    BelowThreshold,
    /// On `dayOfMonth` every month (the last day of a shorter month); an SMS
    /// names the sum the day before.
    DayOfMonth,
    /// When days until blocking reach one.
    BeforeBlocking,
}

/// How the last attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AutopaymentAttemptStatus {
    /// Being charged now.
    Pending,
    /// Charged and credited.
    Succeeded,
    /// Declined or unanswered; see `nextRetryAt`.
    Failed,
}

/// The last attempt of an autopayment.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AutopaymentAttempt {
    /// When.
    pub at: DateTime,
    /// How it went.
    pub status: AutopaymentAttemptStatus,
    /// Attempts made for this occasion (at most 3: the first and two retries).
    pub number: i32,
    /// When it is tried again; null when it will not be.
    pub next_retry_at: Option<DateTime>,
    #[graphql(skip)]
    payment_id: Option<i64>,
    #[graphql(skip)]
    account_id: i64,
}

#[async_graphql::ComplexObject]
impl AutopaymentAttempt {
    /// The payment the attempt made.
    async fn payment(&self, ctx: &Context<'_>) -> Result<Option<Payment>, ApiError> {
        let Some(id) = self.payment_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .payments
            .load_one(id)
            .await?
            .filter(|p| p.account_id == self.account_id)
            .map(Payment::from))
    }
}

/// The account's automatic top-up with a saved card.
#[derive(Debug, Clone)]
pub struct Autopayment(pub autopay::Autopayment);

/// The account's automatic top-up with a saved card.
#[Object]
impl Autopayment {
    /// Whether it runs.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// When it tops up.
    async fn mode(&self) -> AutopaymentMode {
        self.0.mode.into()
    }

    /// By how much.
    async fn amount(&self) -> Money {
        self.0.amount.into()
    }

    /// The balance it keeps above (for `BELOW_THRESHOLD`).
    async fn threshold(&self) -> Option<Money> {
        self.0.threshold.map(Into::into)
    }

    /// The day of the month (for `DAY_OF_MONTH`).
    async fn day_of_month(&self) -> Option<i32> {
        self.0.day_of_month.and_then(|d| i32::try_from(d).ok())
    }

    /// The card it charges; null once the card was removed.
    async fn card(&self, ctx: &Context<'_>) -> Result<Option<SavedCard>, ApiError> {
        Ok(cards::find(ctx.db(), self.0.account_id, self.0.card_id)
            .await?
            .map(SavedCard))
    }

    /// Why it stopped by itself, in Russian (the card was removed).
    async fn disabled_reason(&self) -> Option<&'static str> {
        self.0
            .disabled_reason
            .as_deref()
            .map(|_| "Карта удалена: автоплатёж отключён. Выберите другую карту, чтобы включить его снова")
    }

    /// The last attempt to charge.
    async fn last_attempt(&self) -> Option<AutopaymentAttempt> {
        self.0.last_attempt.as_ref().map(|a| AutopaymentAttempt {
            at: DateTime(a.at),
            status: match a.status.as_str() {
                "succeeded" => AutopaymentAttemptStatus::Succeeded,
                "failed" => AutopaymentAttemptStatus::Failed,
                _ => AutopaymentAttemptStatus::Pending,
            },
            number: a.number,
            next_retry_at: a.next_retry_at.map(DateTime),
            payment_id: a.payment_id,
            account_id: self.0.account_id,
        })
    }
}

/// Input of `setAutopayment`.
#[derive(Debug, InputObject)]
pub struct SetAutopaymentInput {
    /// On or off (off keeps the rest).
    pub enabled: bool,
    /// When to top up.
    #[graphql(default_with = "AutopaymentMode::BelowThreshold")]
    pub mode: AutopaymentMode,
    /// By how much, 1.00 … 100000.00.
    pub amount: Option<Decimal>,
    /// The saved card to charge.
    pub card_id: Option<ID>,
    /// The saved card to charge, by the name shared/API.md first gave it.
    #[graphql(deprecation = "Use `cardId`.")]
    pub payment_method_id: Option<ID>,
    /// For `BELOW_THRESHOLD`: top up when the balance falls below this.
    pub threshold: Option<Decimal>,
    /// For `DAY_OF_MONTH`: 1–31.
    pub day_of_month: Option<i32>,
}

/// Result of `setAutopayment`.
#[derive(Debug, SimpleObject)]
pub struct SetAutopaymentPayload {
    /// The autopayment as it now stands.
    pub autopayment: Option<Autopayment>,
    /// `NOT_FOUND`, `REQUIRED`, `INVALID_VALUE`, `AMOUNT_TOO_SMALL`,
    /// `AMOUNT_TOO_LARGE`.
    pub user_errors: Vec<UserError>,
}

/// Input of `removeSavedCard`.
#[derive(Debug, InputObject)]
pub struct RemoveSavedCardInput {
    /// The card's ID.
    pub card_id: ID,
}

/// Result of `removeSavedCard`.
#[derive(Debug, SimpleObject)]
pub struct RemoveSavedCardPayload {
    /// The ID of the card forgotten.
    pub removed_card_id: Option<ID>,
    /// The autopayment after it (disabled if it charged that card).
    pub autopayment: Option<Autopayment>,
    /// `NOT_FOUND`.
    pub user_errors: Vec<UserError>,
}

fn card_key(id: &ID) -> Option<i64> {
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: NodeKind::SavedCard,
            key,
        }) => Some(key),
        _ => None,
    }
}

/// Saved cards and autopayment mutations.
#[derive(Default)]
pub struct AutopayMutation;

#[Object]
impl AutopayMutation {
    /// Sets the automatic top-up: below a threshold, on a day of the month, or
    /// before blocking, with a saved card.
    async fn set_autopayment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Mode, amount, card and its condition.")] input: SetAutopaymentInput,
    ) -> Result<SetAutopaymentPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let now = ctx.clock().now();
        let current = autopay::get(ctx.db(), account_id).await?;
        let refused = |error| SetAutopaymentPayload {
            autopayment: None,
            user_errors: vec![error],
        };
        let card_id = match (
            input.card_id.as_ref().or(input.payment_method_id.as_ref()),
            &current,
        ) {
            (Some(id), _) => match card_key(id) {
                Some(key) => key,
                None => return Ok(refused(no_card())),
            },
            (None, Some(current)) => current.card_id,
            (None, None) => {
                return Ok(refused(UserError::at(
                    &["input", "cardId"],
                    UserErrorCode::Required,
                    "Выберите сохранённую карту",
                )));
            }
        };
        let amount = match (input.amount, &current) {
            (Some(amount), _) => amount.0,
            (None, Some(current)) => current.amount,
            (None, None) => {
                return Ok(refused(UserError::at(
                    &["input", "amount"],
                    UserErrorCode::Required,
                    "Укажите сумму автоплатежа",
                )));
            }
        };
        let setting = autopay::Setting {
            enabled: input.enabled,
            mode: input.mode.into(),
            amount,
            card_id,
            threshold: input.threshold.map(|t| t.0),
            // Out of range (negative included) is refused by the rule.
            day_of_month: input.day_of_month.map(|d| u32::try_from(d).unwrap_or(0)),
        };
        match ctx
            .data_unchecked::<Payments>()
            .set_autopayment(now, account_id, setting)
            .await
        {
            Ok(autopayment) => Ok(SetAutopaymentPayload {
                autopayment: Some(Autopayment(autopayment)),
                user_errors: Vec::new(),
            }),
            Err(err) => match refusal(&err) {
                Some(error) => Ok(refused(error)),
                None => Err(ApiError::internal(err)),
            },
        }
    }

    /// Forgets a saved card; an autopayment charging it is switched off, and
    /// says why.
    async fn remove_saved_card(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The card.")] input: RemoveSavedCardInput,
    ) -> Result<RemoveSavedCardPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let removed = match card_key(&input.card_id) {
            Some(key) => cards::remove(ctx.db(), ctx.clock().now(), account_id, key).await?,
            None => false,
        };
        if !removed {
            return Ok(RemoveSavedCardPayload {
                removed_card_id: None,
                autopayment: None,
                user_errors: vec![no_card()],
            });
        }
        Ok(RemoveSavedCardPayload {
            removed_card_id: Some(input.card_id),
            autopayment: autopay::get(ctx.db(), account_id).await?.map(Autopayment),
            user_errors: Vec::new(),
        })
    }
}

fn no_card() -> UserError {
    UserError::at(
        &["input", "cardId"],
        UserErrorCode::NotFound,
        "Такой сохранённой карты нет",
    )
}

/// The account's saved cards (for `Account.savedCards`).
pub(super) async fn saved_cards(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<Vec<SavedCard>, ApiError> {
    Ok(cards::list(ctx.db(), account_id)
        .await?
        .into_iter()
        .map(SavedCard)
        .collect())
}

/// The account's autopayment (for `Account.autopayment`).
pub(super) async fn autopayment(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<Option<Autopayment>, ApiError> {
    Ok(autopay::get(ctx.db(), account_id).await?.map(Autopayment))
}
