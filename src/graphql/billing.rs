//! GraphQL face of money: the info block, subscriptions and their costs, the
//! transaction history, the promised payment, and staff balance adjustments.

use crate::idempotency::{IdempotencyKey, KeyError};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Duration;
use std::sync::Arc;

use super::catalog::ServiceKind;
use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::scalars::{Date, DateTime, Decimal, Money};
use crate::accounts;
use crate::billing::ledger::{self, EntryFilter, EntryKind};
use crate::billing::promised;
use crate::billing::subscriptions::{Ownership, Subscription as Item};
use crate::billing::{self, BillingError, Movement};
use crate::catalog::CatalogItem;
use crate::events::{AccountEvent, Events};
use crate::money::Kopecks;
use crate::time::moscow_date;

/// How long a promised payment lasts (schema data).
#[derive(Debug, Clone, Copy)]
pub struct PromisedPeriod(pub Duration);

/// Why money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "EntryKind")]
pub enum TransactionKind {
    /// A top-up.
    Payment,
    /// A daily charge for a service.
    Charge,
    /// Money returned.
    Refund,
    /// A discount paid with bonus points.
    BonusDiscount,
    /// A correction by an operator, with a reason.
    Adjustment,
    /// An instalment for equipment.
    Instalment,
}

/// One entry of the account's money history.
#[derive(Debug, Clone)]
pub struct Transaction(ledger::Entry);

impl From<ledger::Entry> for Transaction {
    fn from(entry: ledger::Entry) -> Self {
        Transaction(entry)
    }
}

/// One entry of the account's money history.
#[Object]
impl Transaction {
    /// Opaque id.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Transaction, self.0.id)
    }

    /// Why money moved.
    async fn kind(&self) -> TransactionKind {
        self.0.kind.into()
    }

    /// Positive: credited; negative: charged.
    async fn amount(&self) -> Money {
        self.0.amount.into()
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The Moscow day it belongs to.
    async fn day(&self) -> Date {
        Date(self.0.moscow_day)
    }

    /// Why it exists, in Russian.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

connection!(
    TransactionConnection,
    TransactionEdge,
    Transaction,
    "transactions"
);

/// How equipment is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Ownership")]
pub enum EquipmentOwnership {
    /// Rented monthly.
    Rent,
    /// Bought in instalments.
    Instalment,
    /// Owned outright.
    Owned,
}

/// The catalog entry of an item: the one it was listed with, else by id.
async fn item_of(
    ctx: &Context<'_>,
    item: &Item,
    entry: Option<&Arc<CatalogItem>>,
) -> Result<Arc<CatalogItem>, ApiError> {
    if let Some(entry) = entry {
        return Ok(entry.clone());
    }
    ctx.loaders()
        .catalog
        .load_one(item.item_id)
        .await?
        .map(Arc::new)
        .ok_or_else(|| ApiError::internal(sea_orm::DbErr::RecordNotFound("catalog item".into())))
}

/// The name of a recurring item, shared by subscribed services and
/// equipment (flattened into both; never a type of its own in the schema).
pub struct ItemIdentity<'a>(&'a Item, Option<&'a Arc<CatalogItem>>);

/// The name of a recurring item.
#[Object]
impl ItemIdentity<'_> {
    /// Name, in Russian.
    async fn name(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        Ok(item_of(ctx, self.0, self.1).await?.name.clone())
    }
}

/// What a recurring item costs and for how long, shared by subscribed services
/// and equipment.
pub struct ChargeTerms<'a>(&'a Item);

/// What a recurring item costs and for how long.
#[Object]
impl ChargeTerms<'_> {
    /// The monthly fee in force today: the promo fee while a promo lasts (zero
    /// for equipment that is free for a while).
    async fn monthly_fee(&self, ctx: &Context<'_>) -> Money {
        self.0.fee_on(moscow_date(ctx.clock().now())).into()
    }

    /// Last day of the promo fee; null when there is no promo.
    async fn promo_until(&self) -> Option<Date> {
        self.0.promo.map(|p| Date(p.until))
    }

    /// The monthly fee once the promo ends (for equipment: what it stops being
    /// free for).
    async fn fee_after_promo(&self) -> Money {
        self.0.monthly_fee.into()
    }

    /// First day charged.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }

    /// Last day charged (for equipment in instalments, the last instalment);
    /// null while it goes on.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
}

/// A recurring item of the account: the tariff or a service. (Named so because
/// `Subscription` is GraphQL's root type for live updates.)
/// The catalog entry comes along when the item was listed with it.
#[derive(Debug, Clone)]
pub struct Subscription(pub Item, pub Option<Arc<CatalogItem>>);

/// A recurring item of the account: the tariff or a service. (Named so because
/// `Subscription` is GraphQL's root type for live updates.)
#[Object(name = "SubscribedService")]
impl Subscription {
    /// Opaque global ID (for `disconnectService` and `node`).
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::SubscribedService, self.0.id)
    }

    #[graphql(flatten)]
    async fn identity(&self) -> ItemIdentity<'_> {
        ItemIdentity(&self.0, self.1.as_ref())
    }

    /// Kind of service.
    async fn kind(&self, ctx: &Context<'_>) -> Result<ServiceKind, ApiError> {
        Ok(item_of(ctx, &self.0, self.1.as_ref()).await?.kind.into())
    }

    /// Whether this is the tariff plan.
    async fn is_tariff(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        Ok(item_of(ctx, &self.0, self.1.as_ref()).await?.is_tariff)
    }

    #[graphql(flatten)]
    async fn terms(&self) -> ChargeTerms<'_> {
        ChargeTerms(&self.0)
    }

    /// For equipment: rent, instalment or owned.
    async fn ownership(&self) -> Option<EquipmentOwnership> {
        self.0.ownership.map(Into::into)
    }

    /// The licence key of a product bought (antivirus); null otherwise.
    async fn licence_key(&self) -> Option<&str> {
        self.0.licence_key.as_deref()
    }
}

/// A piece of equipment of the account: rented, in instalments or owned.
/// The catalog entry comes along when the item was listed with it.
#[derive(Debug, Clone)]
pub struct Equipment(pub Item, pub Option<Arc<CatalogItem>>);

/// A piece of equipment of the account: rented, in instalments or owned.
#[Object]
impl Equipment {
    /// Opaque global ID (for `disconnectService` and `node`).
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Equipment, self.0.id)
    }

    #[graphql(flatten)]
    async fn identity(&self) -> ItemIdentity<'_> {
        ItemIdentity(&self.0, self.1.as_ref())
    }

    /// Rent, instalment or owned.
    async fn ownership(&self) -> Option<EquipmentOwnership> {
        self.0.ownership.map(Into::into)
    }

    #[graphql(flatten)]
    async fn terms(&self) -> ChargeTerms<'_> {
        ChargeTerms(&self.0)
    }

    /// The last day of a minimum term it was given for, if any: returning it
    /// earlier costs `exitCost`.
    async fn min_term_until(&self) -> Option<Date> {
        self.0.min_term.map(|t| Date(t.until))
    }

    /// What ending the contract today would cost for it: instalments left, the
    /// compensation under a minimum term (falling evenly to zero); zero in the
    /// trial period.
    async fn exit_cost(&self, ctx: &Context<'_>) -> Money {
        let trial = ctx.data_unchecked::<super::services::TrialDays>().0;
        let leaving = moscow_date(ctx.clock().now()) + Duration::days(1);
        crate::services::exit::lines_for(&self.0, leaving, trial)
            .iter()
            .map(|l| l.amount)
            .sum::<Kopecks>()
            .into()
    }

    /// For instalments: what is still to pay after today (null otherwise).
    async fn instalments_left(&self, ctx: &Context<'_>) -> Option<Money> {
        let leaving = moscow_date(ctx.clock().now()) + Duration::days(1);
        crate::services::exit::lines_for(&self.0, leaving, 0)
            .iter()
            .find(|l| l.kind == crate::services::exit::ExitKind::Instalments)
            .map(|l| l.full_amount.into())
    }
}

/// One recurring charge in the monthly cost.
#[derive(Debug, Clone, SimpleObject)]
pub struct CostLine {
    /// What is charged, in Russian.
    pub name: String,
    /// Kind of service.
    pub kind: ServiceKind,
    /// The monthly fee in force today.
    pub monthly_fee: Money,
    /// When a promo price ends; null without a promo.
    pub promo_until: Option<Date>,
    /// What the fee becomes after the promo (equal to `monthlyFee` without one).
    pub after_promo: Money,
}

/// The lines of a cost breakdown with their catalog names and kinds (from
/// `catalog`, by item id).
pub(super) fn cost_lines(
    lines: &[billing::subscriptions::CostLine],
    catalog: &std::collections::HashMap<i64, CatalogItem>,
) -> Vec<CostLine> {
    lines
        .iter()
        .filter_map(|line| {
            let entry = catalog.get(&line.item_id)?;
            Some(CostLine {
                name: entry.name.clone(),
                kind: entry.kind.into(),
                monthly_fee: line.fee.into(),
                promo_until: line.promo_until.map(Date),
                after_promo: line.fee_after_promo.into(),
            })
        })
        .collect()
}

/// Every recurring charge of the account, with promo end dates and what they
/// become: the sums a subscriber must never discover only on the bill.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct CostBreakdown {
    /// Whose (for the fields resolved on demand).
    #[graphql(skip)]
    pub account_id: i64,
    /// The monthly total today.
    pub total: Money,
    /// The monthly total once every promo has ended.
    pub total_after_promos: Money,
    /// Each recurring charge.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    pub lines: Vec<CostLine>,
    /// Discounts paid with bonus points for this month and the next.
    pub bonus_discounts: Vec<BonusDiscountLine>,
    /// The monthly total today less this month's bonus discount.
    pub total_after_bonus_discount: Money,
}

#[async_graphql::ComplexObject]
impl CostBreakdown {
    /// Purchases paid in monthly instalments, with the next one and what is
    /// left (not part of `total`: they end when paid).
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn instalments(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::antivirus::InstalmentPlan>, ApiError> {
        let items = AccountMoney::items(ctx, self.account_id).await?;
        let catalog = ctx
            .loaders()
            .catalog
            .load_many(items.iter().map(|i| i.item_id))
            .await?;
        super::antivirus::plans_of(ctx, self.account_id, &items, &catalog).await
    }
}

/// A discount on the internet fee paid with bonus points.
#[derive(Debug, Clone, SimpleObject)]
pub struct BonusDiscountLine {
    /// The month it covers (its first day).
    pub month: Date,
    /// Percent of the internet fee.
    pub percent: i32,
    /// What it takes off the month's internet fees in force today.
    pub amount: Money,
}

/// The state of a promised payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::promised_payment::PromiseStatus")]
pub enum PromisedPaymentState {
    /// In force: services go on while the balance stays above minus the credit.
    Active,
    /// Paid back in time.
    Settled,
    /// The period ended unpaid.
    Expired,
}

/// A promised payment (обещанный платёж): the balance may go below zero by at
/// most `credit` until `expiresAt`; paying `settleAmount` in that time settles it.
#[derive(Debug, Clone, SimpleObject)]
pub struct PromisedPayment {
    /// How far below zero the balance may go.
    pub credit: Money,
    /// Payments within the period that settle it (one monthly total).
    pub settle_amount: Money,
    /// Its state.
    pub state: PromisedPaymentState,
    /// When it was taken.
    pub activated_at: DateTime,
    /// When it ends unless settled; an account still below zero is then blocked.
    pub expires_at: DateTime,
}

impl From<promised::Promise> for PromisedPayment {
    fn from(p: promised::Promise) -> Self {
        PromisedPayment {
            credit: p.credit.into(),
            settle_amount: p.settle_amount.into(),
            state: p.status.into(),
            activated_at: DateTime(p.activated_at),
            expires_at: DateTime(p.expires_at),
        }
    }
}

/// Whether a promised payment is in force or can be taken.
#[derive(Debug, Clone, SimpleObject)]
pub struct PromisedPaymentStatus {
    /// The one in force, if any.
    pub active: Option<PromisedPayment>,
    /// Whether one can be taken now.
    pub available: bool,
    /// The credit one would give now.
    pub offered_credit: Option<Money>,
    /// Why one cannot be taken, in Russian.
    pub unavailable_reason: Option<String>,
    /// How many days one lasts.
    pub period_days: i32,
}

/// An `idempotencyKey` input: blank is none; too long or with control
/// characters is `BAD_USER_INPUT`.
/// A client's idempotency key from a mutation's input.
pub(super) fn parse_key(raw: Option<&str>) -> Result<Option<IdempotencyKey>, ApiError> {
    IdempotencyKey::parse(raw).map_err(|e| {
        ApiError::bad_input(
            "input.idempotencyKey",
            match e {
                KeyError::TooLong => "Ключ идемпотентности длиннее 200 символов",
                KeyError::ControlCharacter => "Ключ идемпотентности содержит управляющие символы",
            },
        )
    })
}

/// Every billing refusal as a person reads it: the input field at fault (if
/// one is), its code and the sentence. The one place billing errors are said;
/// `Db` is not a refusal and has no entry.
fn refusal(err: &BillingError) -> Option<(Option<&'static str>, UserErrorCode, &'static str)> {
    use BillingError as E;
    use UserErrorCode as C;
    Some(match err {
        E::Zero => (
            Some("amount"),
            C::InvalidValue,
            "Сумма корректировки не может быть нулевой",
        ),
        E::NoAccount => (
            Some("accountNumber"),
            C::NotFound,
            messages::NO_SUCH_ACCOUNT,
        ),
        E::AlreadyActive => (None, C::AlreadyActive, "Обещанный платёж уже подключён"),
        E::BalanceTooHigh => (
            None,
            C::BalanceTooHigh,
            "Обещанный платёж доступен, когда баланс не покрывает следующий день",
        ),
        E::AccountClosed => (None, C::AccountClosed, "Договор расторгнут"),
        E::AccountSuspended => (
            None,
            C::AccountSuspended,
            "Услуги приостановлены по вашему заявлению: обещанный платёж не нужен",
        ),
        E::NothingCharged => (
            None,
            C::NothingCharged,
            "Нет услуг, за которые идут списания",
        ),
        E::ReasonMissing => (Some("reason"), C::Required, "Укажите причину корректировки"),
        E::ReasonTooLong => (Some("reason"), C::TooLong, "Причина длиннее 300 символов"),
        E::IdempotencyKeyReused => (
            Some("idempotencyKey"),
            C::IdempotencyKeyReused,
            messages::KEY_REUSED,
        ),
        E::Db(_) => return None,
    })
}

/// A billing error for a mutation payload: a user error, or an `ApiError`
/// when it was not the user's to fix.
fn user_error(err: BillingError) -> Result<UserError, ApiError> {
    match refusal(&err) {
        Some((Some(field), code, message)) => Ok(UserError::at(&["input", field], code, message)),
        Some((None, code, message)) => Ok(UserError::general(code, message)),
        None => match err {
            BillingError::Db(e) => Err(e.into()),
            other => Err(ApiError::internal(other)),
        },
    }
}

/// The info block shown on every page.
#[derive(Debug, Clone, SimpleObject)]
pub struct AccountSummary {
    /// Balance: the sum of all payments and charges.
    pub balance: Money,
    /// Bonus points held (0 until the subscriber joins the bonus program).
    pub bonus_points: i32,
    /// Whole days the balance (plus any promised credit) covers at the real daily
    /// charges of the coming days; null when nothing is charged; 0 when blocked.
    pub days_until_block: Option<i32>,
    /// Account status.
    pub status: super::accounts::AccountStatus,
    /// The promised payment in force.
    pub promised_payment: Option<PromisedPayment>,
}

/// The account's money fields, resolved for `Account`.
pub(super) struct AccountMoney;

impl AccountMoney {
    pub(super) async fn items(ctx: &Context<'_>, account_id: i64) -> Result<Vec<Item>, ApiError> {
        Ok(Self::listed(ctx, account_id)
            .await?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    /// The account's items, each with its catalog entry.
    pub(super) async fn listed(
        ctx: &Context<'_>,
        account_id: i64,
    ) -> Result<Vec<super::loaders::Listed>, ApiError> {
        Ok(ctx
            .loaders()
            .subscriptions
            .load_one(account_id)
            .await?
            .unwrap_or_default())
    }

    /// The summary of an account already loaded: its subscriptions through
    /// the loader (shared with `subscriptions` and `monthlyCost` in the same
    /// request), the promised payment and bonus points read side by side.
    pub(super) async fn summary(
        ctx: &Context<'_>,
        account: &accounts::Account,
    ) -> Result<AccountSummary, ApiError> {
        let now = ctx.clock().now();
        let (items, promise, member) = futures_util::try_join!(
            Self::items(ctx, account.id),
            async { Ok(promised::active(ctx.db(), account.id).await?) },
            async { Ok::<_, ApiError>(crate::bonus::member(ctx.db(), account.id).await?) },
        )?;
        let s = billing::summary_of(account, &items, promise, moscow_date(now));
        let points = member.map_or(0, |m| m.points);
        Ok(AccountSummary {
            balance: s.balance.into(),
            bonus_points: i32::try_from(points).unwrap_or(i32::MAX),
            days_until_block: s
                .days_until_block
                .map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
            status: s.status.into(),
            promised_payment: s.promise.map(Into::into),
        })
    }

    pub(super) async fn monthly_cost(
        ctx: &Context<'_>,
        account_id: i64,
    ) -> Result<CostBreakdown, ApiError> {
        let today = moscow_date(ctx.clock().now());
        let items = Self::items(ctx, account_id).await?;
        // One batched load for every item's catalog entry.
        let catalog = ctx
            .loaders()
            .catalog
            .load_many(items.iter().map(|i| i.item_id))
            .await?;
        let cost = billing::subscriptions::breakdown_on(&items, today);
        let internet: Kopecks = cost
            .lines
            .iter()
            .filter(|line| {
                catalog
                    .get(&line.item_id)
                    .is_some_and(|e| e.kind == crate::catalog::ServiceKind::Internet)
            })
            .map(|line| line.fee)
            .sum();
        let discounts = crate::bonus::redeem::discounts_around(ctx.db(), today, account_id).await?;
        let this_month = crate::bonus::redeem::month_of(today);
        let this_month_discount: Kopecks = discounts
            .iter()
            .filter(|(month, _)| *month == this_month)
            .map(|(_, percent)| crate::bonus::redeem::discount_of(internet, *percent))
            .sum();
        let bonus_discounts = discounts
            .into_iter()
            .map(|(month, percent)| BonusDiscountLine {
                month: Date(month),
                percent,
                amount: crate::bonus::redeem::discount_of(internet, percent).into(),
            })
            .collect();
        Ok(CostBreakdown {
            account_id,
            total: cost.total.into(),
            total_after_promos: cost.total_after_promos.into(),
            total_after_bonus_discount: (cost.total - this_month_discount).into(),
            bonus_discounts,
            lines: cost_lines(&cost.lines, &catalog),
        })
    }

    pub(super) async fn promised_status(
        ctx: &Context<'_>,
        account_id: i64,
    ) -> Result<PromisedPaymentStatus, ApiError> {
        let period = ctx.data_unchecked::<PromisedPeriod>().0;
        let active = promised::active(ctx.db(), account_id).await?;
        let check = promised::check(ctx.db(), ctx.clock().now(), account_id).await;
        let (available, offered_credit, unavailable_reason) = match check {
            Ok((_, offer)) => (true, Some(offer.credit.into()), None),
            Err(BillingError::Db(e)) => return Err(e.into()),
            Err(e) => (false, None, refusal(&e).map(|(_, _, m)| m.to_owned())),
        };
        Ok(PromisedPaymentStatus {
            active: active.map(Into::into),
            available,
            offered_credit,
            unavailable_reason,
            period_days: i32::try_from(period.num_days()).unwrap_or(30),
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn transactions(
        ctx: &Context<'_>,
        account_id: i64,
        from: Option<Date>,
        to: Option<Date>,
        kinds: Option<Vec<TransactionKind>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<TransactionConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        if let (Some(from), Some(to)) = (from, to)
            && from.0 > to.0
        {
            return Err(ApiError::bad_input("from", messages::REVERSED_PERIOD));
        }
        let filter = EntryFilter {
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            kinds: kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        Ok(ledger::page(ctx.db(), account_id, &filter, &request)
            .await?
            .into())
    }
}

/// Input of `activatePromisedPayment`.
#[derive(Debug, Default, InputObject)]
pub struct ActivatePromisedPaymentInput {
    /// Repeating a request with the same key returns the first result and changes nothing.
    pub idempotency_key: Option<String>,
}

/// Result of `activatePromisedPayment`.
#[derive(Debug, SimpleObject)]
pub struct ActivatePromisedPaymentPayload {
    /// The promised payment taken (or the one the same key took before).
    pub promised_payment: Option<PromisedPayment>,
    /// `ALREADY_ACTIVE`, `BALANCE_TOO_HIGH`, `ACCOUNT_CLOSED`, `ACCOUNT_SUSPENDED`,
    /// `NOTHING_CHARGED`, `IDEMPOTENCY_KEY_REUSED`.
    pub user_errors: Vec<UserError>,
}

/// Money mutations of a subscriber.
#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Takes a promised payment: credit up to one monthly total for the configured
    /// period, offered when the balance is at or below zero or covers less than a day.
    async fn activate_promised_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Idempotency key.", default)] input: ActivatePromisedPaymentInput,
    ) -> Result<ActivatePromisedPaymentPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let key = parse_key(input.idempotency_key.as_deref())?;
        let period = ctx.data_unchecked::<PromisedPeriod>().0;
        let now = ctx.clock().now();
        match promised::activate(ctx.db(), now, account_id, period, key.as_ref()).await {
            Ok(promise) => Ok(ActivatePromisedPaymentPayload {
                promised_payment: Some(promise.into()),
                user_errors: Vec::new(),
            }),
            Err(e) => Ok(ActivatePromisedPaymentPayload {
                promised_payment: None,
                user_errors: vec![user_error(e)?],
            }),
        }
    }
}

/// Input of `staff.adjustBalance`.
#[derive(Debug, InputObject)]
pub struct AdjustBalanceInput {
    /// Account number, 12 digits.
    pub account_number: String,
    /// Amount: positive credits the account, negative debits it; not zero.
    pub amount: Decimal,
    /// Why, in Russian; shown to the subscriber in the history.
    pub reason: String,
    /// Repeating a request with the same key returns the first result and moves nothing again.
    pub idempotency_key: Option<String>,
}

/// Result of `staff.adjustBalance`.
#[derive(Debug, SimpleObject)]
pub struct AdjustBalancePayload {
    /// The balance after the adjustment.
    pub balance: Option<Money>,
    /// `NOT_FOUND`, `REQUIRED`, `INVALID_VALUE`, `TOO_LONG`, `IDEMPOTENCY_KEY_REUSED`.
    pub user_errors: Vec<UserError>,
}

/// Operators' money mutations (part of `StaffMutation`).
pub struct BillingStaffMutation {
    credential_id: i64,
}

/// Operators' money mutations.
#[Object]
impl BillingStaffMutation {
    /// Credits or debits an account with a reason; the entry carries the operator.
    async fn adjust_balance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Account, amount and reason.")] input: AdjustBalanceInput,
    ) -> Result<AdjustBalancePayload, ApiError> {
        let fail = |field: &str, code, message: &str| AdjustBalancePayload {
            balance: None,
            user_errors: vec![UserError::at(&["input", field], code, message)],
        };
        let refused = |err: BillingError| -> Result<AdjustBalancePayload, ApiError> {
            Ok(AdjustBalancePayload {
                balance: None,
                user_errors: vec![user_error(err)?],
            })
        };
        let reason = match billing::AdjustmentReason::parse(&input.reason) {
            Ok(reason) => reason,
            Err(err) => return refused(err),
        };
        let Ok(number) = accounts::AccountNumber::parse(&input.account_number) else {
            return Ok(fail(
                "accountNumber",
                UserErrorCode::InvalidValue,
                messages::ACCOUNT_NUMBER_FORM,
            ));
        };
        let Some(account) = accounts::find_by_number(ctx.db(), &number).await? else {
            return Ok(fail(
                "accountNumber",
                UserErrorCode::NotFound,
                messages::NO_SUCH_ACCOUNT,
            ));
        };
        let movement = Movement {
            account_id: account.id,
            kind: EntryKind::Adjustment,
            amount: input.amount.0,
            description: reason.description(),
            staff_credential_id: Some(self.credential_id),
        };
        let key = parse_key(input.idempotency_key.as_deref())?;
        let now = ctx.clock().now();
        match billing::post_once(ctx.db(), now, movement, key.as_ref()).await {
            Ok(balance) => {
                ctx.data_unchecked::<Events>()
                    .publish(AccountEvent::BalanceChanged {
                        account_id: account.id,
                        balance,
                        at: now,
                    })
                    .await;
                Ok(AdjustBalancePayload {
                    balance: Some(balance.into()),
                    user_errors: Vec::new(),
                })
            }
            Err(err) => refused(err),
        }
    }
}

/// Operators' mutations. Every field needs a staff session.
#[derive(async_graphql::MergedObject)]
pub struct StaffMutation(
    BillingStaffMutation,
    super::payments::PaymentsStaffMutation,
    super::bonus::BonusStaffMutation,
    super::connections::ConnectionsStaffMutation,
    super::tickets::TicketsStaffMutation,
    super::inbox::InboxStaffMutation,
    super::tv_import::TvStaffMutation,
);

/// The `staff` root mutation field.
#[derive(Default)]
pub struct StaffMutationRoot;

#[Object]
impl StaffMutationRoot {
    /// Operators' mutations: `UNAUTHENTICATED` without a session, `FORBIDDEN` for subscribers.
    async fn staff(&self, ctx: &Context<'_>) -> Result<StaffMutation, ApiError> {
        let credential_id = ctx.staff()?;
        Ok(StaffMutation(
            BillingStaffMutation { credential_id },
            super::payments::PaymentsStaffMutation { credential_id },
            super::bonus::BonusStaffMutation { credential_id },
            super::connections::ConnectionsStaffMutation,
            super::tickets::TicketsStaffMutation { credential_id },
            super::inbox::InboxStaffMutation { credential_id },
            super::tv_import::TvStaffMutation,
        ))
    }
}

/// One line of a monthly statement.
#[derive(Debug, Clone, SimpleObject)]
pub struct StatementLine {
    /// The (first) Moscow day of the line.
    pub day: Date,
    /// Why money moved.
    pub kind: TransactionKind,
    /// What, in Russian.
    pub description: String,
    /// The sum: positive credited, negative charged.
    pub amount: Money,
    /// How many entries it sums (the days of a service's daily charges).
    pub entries: i32,
}

/// A month of the account's money, adding up to the kopeck:
/// `openingBalance + credits + debits = closingBalance`.
#[derive(Debug, Clone, SimpleObject)]
pub struct AccountStatement {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The balance before the month.
    pub opening_balance: Money,
    /// Money in: payments and positive corrections.
    pub credits: Money,
    /// Money out (negative): charges, refunds, negative corrections.
    pub debits: Money,
    /// The balance after the month.
    pub closing_balance: Money,
    /// Every movement of the month; a service's daily charges are one line.
    pub lines: Vec<StatementLine>,
    /// The statement as a PDF (open it with the same bearer token).
    pub url: String,
}

impl AccountMoney {
    pub(super) async fn statement(
        ctx: &Context<'_>,
        account_id: i64,
        month: &str,
    ) -> Result<AccountStatement, ApiError> {
        let Some(first) = billing::statement::parse_month(month) else {
            return Err(ApiError::bad_input(
                "month",
                "Месяц передаётся как ГГГГ-ММ, например \"2026-11\"",
            ));
        };
        let today = moscow_date(ctx.clock().now());
        if first > today {
            return Err(ApiError::bad_input(
                "month",
                "Выписка за будущий месяц ещё не готова",
            ));
        }
        let statement = billing::statement::for_month(ctx.db(), account_id, first).await?;
        let base = &ctx.data_unchecked::<super::payments::PublicUrl>().0;
        Ok(AccountStatement {
            month: first.format("%Y-%m").to_string(),
            opening_balance: statement.opening.into(),
            credits: statement.credits.into(),
            debits: statement.debits.into(),
            closing_balance: statement.closing.into(),
            url: format!("{base}/documents/statements/{}.pdf", first.format("%Y-%m")),
            lines: statement
                .lines
                .into_iter()
                .map(|line| StatementLine {
                    day: Date(line.day),
                    kind: line.kind.into(),
                    description: line.description,
                    amount: line.amount.into(),
                    entries: i32::try_from(line.entries).unwrap_or(i32::MAX),
                })
                .collect(),
        })
    }
}
