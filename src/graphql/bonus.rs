//! GraphQL face of the bonus program: `Account.bonus`, `Query.bonusCatalog`,
//! `enrollInBonusProgram`, `redeemBonusItem` and the operators' tools.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::billing::{Transaction, parse_key};
use super::catalog::ServiceKind;
use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::payments::PublicUrl;
use super::scalars::{Date, DateTime};
use crate::accounts::{self, AccountNumber};
use crate::bonus::{self, BonusError, catalog, earn, points, redeem};

/// A catalog section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "bonus::BonusCategory")]
pub enum BonusCategory {
    /// Discounts on services (50 % of the internet fee for a month).
    ServiceDiscount,
    /// Goods, handed over at an office or by a technician.
    Goods,
    /// Digital products: redeeming gives a code.
    Digital,
}

/// What redeeming an item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "bonus::BonusEffect")]
pub enum BonusEffect {
    /// 50 % off the internet fee for the whole next Moscow calendar month.
    InternetDiscount50,
    /// Goods, handed over by staff.
    Goods,
    /// A code for a digital product, shown in the redemption.
    DigitalCode,
}

/// Why points changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "bonus::BonusReason")]
pub enum BonusReason {
    /// Joining the program.
    Enrolment,
    /// A share of a month's paid charges.
    MonthlyCharges,
    /// A payment of at least the configured size.
    LargePayment,
    /// A friend connected with the referral code.
    Referral,
    /// Spent on a catalog item.
    Redemption,
    /// Granted or taken by an operator, with a reason.
    Staff,
    /// Points whose time was up.
    Expiry,
}

/// Why an item cannot be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum BonusUnavailableReason {
    /// Join the bonus program first.
    NotEnrolled,
    /// Fewer points than the price.
    InsufficientPoints,
    /// None left.
    OutOfStock,
    /// The item needs a service the subscriber does not have.
    NotAvailableForTariff,
    /// Next month's discount is taken already.
    AlreadyActive,
}

/// Every bonus refusal as a person reads it: the input field at fault (if one
/// is), its code and the sentence. The one place bonus errors are said.
fn refusal(err: &BonusError) -> Option<(Option<&'static str>, UserErrorCode, &'static str)> {
    use BonusError as E;
    use UserErrorCode as C;
    Some(match err {
        E::AlreadyEnrolled => (
            None,
            C::AlreadyEnrolled,
            "Вы уже участвуете в бонусной программе",
        ),
        E::NotEnrolled => (
            None,
            C::NotEnrolled,
            "Сначала вступите в бонусную программу",
        ),
        E::InsufficientPoints => (None, C::InsufficientPoints, "Недостаточно баллов"),
        E::OutOfStock => (
            Some("itemId"),
            C::OutOfStock,
            "Закончилось: этого больше нет в наличии",
        ),
        E::NotAvailableForTariff => (
            Some("itemId"),
            C::NotAvailableForTariff,
            "Недоступно для ваших услуг: нужна подключённая услуга, к которой относится предложение",
        ),
        E::DiscountTaken => (
            Some("itemId"),
            C::AlreadyActive,
            "Скидка на следующий месяц уже оформлена",
        ),
        E::NoItem => (Some("itemId"), C::NotFound, "Такого предложения нет"),
        E::NoAccount => (
            Some("accountNumber"),
            C::NotFound,
            messages::NO_SUCH_ACCOUNT,
        ),
        E::Zero => (
            Some("points"),
            C::InvalidValue,
            "Число баллов не может быть нулевым",
        ),
        E::Required(_) => (None, C::Required, "Заполните поле"),
        E::TooLong(_) => (None, C::TooLong, "Слишком длинный текст"),
        E::OutOfRange(_) => (None, C::InvalidValue, "Значение вне допустимых пределов"),
        E::IdempotencyKeyReused => (
            Some("idempotencyKey"),
            C::IdempotencyKeyReused,
            messages::KEY_REUSED,
        ),
        E::Db(_) => return None,
    })
}

/// A bonus error for a mutation payload, or an `ApiError` when it was not the
/// user's to fix. Errors about a field without one of their own name it.
fn user_error(err: BonusError) -> Result<UserError, ApiError> {
    let field = match &err {
        BonusError::TooLong(field)
        | BonusError::OutOfRange(field)
        | BonusError::Required(field) => Some(*field),
        _ => None,
    };
    match refusal(&err) {
        Some((own, code, message)) => Ok(match own.or(field) {
            Some(field) => UserError::at(&["input", field], code, message),
            None => UserError::general(code, message),
        }),
        None => match err {
            BonusError::Db(e) => Err(e.into()),
            other => Err(ApiError::internal(other)),
        },
    }
}

fn unavailable(err: &BonusError) -> Option<BonusUnavailableReason> {
    Some(match err {
        BonusError::NotEnrolled => BonusUnavailableReason::NotEnrolled,
        BonusError::InsufficientPoints => BonusUnavailableReason::InsufficientPoints,
        BonusError::OutOfStock => BonusUnavailableReason::OutOfStock,
        BonusError::NotAvailableForTariff => BonusUnavailableReason::NotAvailableForTariff,
        BonusError::DiscountTaken => BonusUnavailableReason::AlreadyActive,
        _ => return None,
    })
}

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// Something points buy.
#[derive(Debug, Clone)]
pub struct BonusItem(pub catalog::Item);

impl From<catalog::Item> for BonusItem {
    fn from(item: catalog::Item) -> Self {
        BonusItem(item)
    }
}

/// Something points buy.
#[Object]
impl BonusItem {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::BonusItem, self.0.id)
    }

    /// Catalog section.
    async fn category(&self) -> BonusCategory {
        self.0.category.into()
    }

    /// Name, in Russian.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is, in Russian.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Price in points.
    async fn price(&self) -> i32 {
        int(self.0.price)
    }

    /// Left in stock; null when unlimited.
    async fn stock(&self) -> Option<i32> {
        self.0.stock.map(int)
    }

    /// What redeeming it does.
    async fn effect(&self) -> BonusEffect {
        self.0.effect.into()
    }

    /// A service the subscriber must have for it, if any.
    async fn requires_kind(&self) -> Option<ServiceKind> {
        self.0.requires_kind.map(Into::into)
    }

    /// Whether the signed-in subscriber can take it now; null when anonymous.
    async fn available(&self, ctx: &Context<'_>) -> Result<Option<bool>, ApiError> {
        Ok(self.refusal(ctx).await?.map(|r| r.is_none()))
    }

    /// Why the signed-in subscriber cannot take it now; null when they can or
    /// when anonymous.
    async fn unavailable_reason(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<BonusUnavailableReason>, ApiError> {
        Ok(self
            .refusal(ctx)
            .await?
            .flatten()
            .as_ref()
            .and_then(unavailable))
    }

    /// The same, as a sentence in Russian.
    async fn unavailable_message(&self, ctx: &Context<'_>) -> Result<Option<String>, ApiError> {
        Ok(self
            .refusal(ctx)
            .await?
            .flatten()
            .as_ref()
            .and_then(refusal)
            .map(|(_, _, message)| message.to_owned()))
    }
}

impl BonusItem {
    /// `None` when anonymous, else why the subscriber cannot take it (or not).
    async fn refusal(&self, ctx: &Context<'_>) -> Result<Option<Option<BonusError>>, ApiError> {
        let Some(account_id) = ctx.viewer().account_id() else {
            return Ok(None);
        };
        let viewer = ctx
            .loaders()
            .bonus_viewers
            .load_one(account_id)
            .await?
            .unwrap_or_default();
        Ok(Some(catalog::refusal(&self.0, &viewer)))
    }
}

connection!(
    BonusItemConnection,
    BonusItemEdge,
    BonusItem,
    "bonus catalog items"
);

/// One change of points.
#[derive(Debug, Clone)]
pub struct BonusHistoryEntry(points::Entry);

impl From<points::Entry> for BonusHistoryEntry {
    fn from(entry: points::Entry) -> Self {
        BonusHistoryEntry(entry)
    }
}

/// One change of points.
#[Object]
impl BonusHistoryEntry {
    /// Points: positive earned, negative spent or expired.
    async fn points(&self) -> i32 {
        int(self.0.points)
    }

    /// Why.
    async fn reason(&self) -> BonusReason {
        self.0.reason.into()
    }

    /// Why, in Russian.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When earned points expire (null for spending).
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }

    /// Of earned points: how many of them are still held (not spent or expired).
    async fn remaining(&self) -> i32 {
        int(self.0.remaining)
    }

    /// The money movement they came from (a large payment).
    async fn transaction(&self, ctx: &Context<'_>) -> Result<Option<Transaction>, ApiError> {
        let Some(id) = self.0.ledger_entry_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .ledger_entries
            .load_one(id)
            .await?
            .map(Into::into))
    }

    /// The redemption they paid for.
    async fn redemption(&self, ctx: &Context<'_>) -> Result<Option<BonusRedemption>, ApiError> {
        let Some(id) = self.0.redemption_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .bonus_redemptions
            .load_one(id)
            .await?
            .map(BonusRedemption))
    }
}

connection!(
    BonusHistoryConnection,
    BonusHistoryEntryEdge,
    BonusHistoryEntry,
    "bonus history entries"
);

/// An item taken for points.
#[derive(Debug, Clone)]
pub struct BonusRedemption(pub redeem::Redemption);

/// An item taken for points.
#[Object]
impl BonusRedemption {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::BonusRedemption, self.0.id)
    }

    /// The item.
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<BonusItem>, ApiError> {
        Ok(ctx
            .loaders()
            .bonus_items
            .load_one(self.0.item_id)
            .await?
            .map(BonusItem))
    }

    /// Points paid.
    async fn points(&self) -> i32 {
        int(self.0.points)
    }

    /// A digital product's code.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The month a discount covers (its first day).
    async fn discount_month(&self) -> Option<Date> {
        self.0.discount_month.map(Date)
    }

    /// The discount, percent of the internet fee.
    async fn discount_percent(&self) -> Option<i32> {
        self.0.discount_percent
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

impl From<redeem::Redemption> for BonusRedemption {
    fn from(r: redeem::Redemption) -> Self {
        BonusRedemption(r)
    }
}

connection!(
    BonusRedemptionConnection,
    BonusRedemptionEdge,
    BonusRedemption,
    "bonus redemptions"
);

/// Points that expire next.
#[derive(Debug, Clone, SimpleObject)]
pub struct PointsExpiry {
    /// How many points expire on that day.
    pub points: i32,
    /// When the first of them expire.
    pub expires_at: DateTime,
}

/// A subscriber's place in the bonus program.
pub struct BonusAccount {
    account_id: i64,
    member: Option<bonus::Member>,
}

impl BonusAccount {
    pub(super) async fn load(ctx: &Context<'_>, account_id: i64) -> Result<Self, ApiError> {
        Ok(BonusAccount {
            account_id,
            member: bonus::member(ctx.db(), account_id).await?,
        })
    }
}

/// A subscriber's place in the bonus program.
#[Object]
impl BonusAccount {
    /// Whether they joined (only by their own act: `enrollInBonusProgram`).
    async fn enrolled(&self) -> bool {
        self.member.is_some()
    }

    /// Points held (0 when not enrolled); never below zero.
    async fn points(&self) -> i32 {
        self.member.as_ref().map_or(0, |m| int(m.points))
    }

    /// When they joined.
    async fn enrolled_at(&self) -> Option<DateTime> {
        self.member.as_ref().map(|m| DateTime(m.enrolled_at))
    }

    /// The code a friend gives in their connection application.
    async fn referral_code(&self) -> Option<&str> {
        self.member.as_ref().map(|m| m.referral_code.as_str())
    }

    /// A link to share: the connection application with the code filled in.
    async fn referral_link(&self, ctx: &Context<'_>) -> Option<String> {
        let base = &ctx.data_unchecked::<PublicUrl>().0;
        self.member
            .as_ref()
            .map(|m| format!("{base}/connect?ref={}", m.referral_code))
    }

    /// The points that expire next (null when none will).
    async fn next_expiry(&self, ctx: &Context<'_>) -> Result<Option<PointsExpiry>, ApiError> {
        if self.member.is_none() {
            return Ok(None);
        }
        Ok(earn::next_expiry(ctx.db(), self.account_id)
            .await?
            .map(|(at, points)| PointsExpiry {
                points: int(points),
                expires_at: DateTime(at),
            }))
    }

    /// Every change of points, newest first; they add up to `points`.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<BonusHistoryConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        Ok(points::history(ctx.db(), self.account_id, &request)
            .await?
            .into())
    }

    /// What was taken for points, newest first (with codes of digital products).
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<BonusRedemptionConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        Ok(redeem::page(ctx.db(), self.account_id, &request)
            .await?
            .into())
    }
}

/// Public bonus reads.
#[derive(Default)]
pub struct BonusQuery;

#[Object]
impl BonusQuery {
    /// What points buy, for anyone; signed in, each item says whether it can be
    /// taken now and why not.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn bonus_catalog(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this section.")] category: Option<BonusCategory>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<BonusItemConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        Ok(catalog::page(ctx.db(), category.map(Into::into), &request)
            .await?
            .into())
    }
}

/// Result of `enrollInBonusProgram`.
#[derive(SimpleObject)]
pub struct EnrollInBonusProgramPayload {
    /// The membership (also when already enrolled).
    pub bonus: Option<BonusAccount>,
    /// `ALREADY_ENROLLED`.
    pub user_errors: Vec<UserError>,
}

/// Input of `redeemBonusItem`.
#[derive(Debug, InputObject)]
pub struct RedeemBonusItemInput {
    /// The catalog item's ID.
    pub item_id: ID,
    /// Repeating a request with the same key returns the first result and spends nothing again.
    pub idempotency_key: Option<String>,
}

/// Result of `redeemBonusItem`.
#[derive(SimpleObject)]
pub struct RedeemBonusItemPayload {
    /// What was taken (or what the same key took before).
    pub redemption: Option<BonusRedemption>,
    /// The membership after it.
    pub bonus: Option<BonusAccount>,
    /// `NOT_ENROLLED`, `INSUFFICIENT_POINTS`, `OUT_OF_STOCK`,
    /// `NOT_AVAILABLE_FOR_TARIFF`, `ALREADY_ACTIVE`, `NOT_FOUND`,
    /// `IDEMPOTENCY_KEY_REUSED`.
    pub user_errors: Vec<UserError>,
}

/// A subscriber's bonus mutations.
#[derive(Default)]
pub struct BonusMutation;

#[Object]
impl BonusMutation {
    /// Joins the bonus program (only ever by the subscriber's own act) and
    /// credits the points for joining.
    async fn enroll_in_bonus_program(
        &self,
        ctx: &Context<'_>,
    ) -> Result<EnrollInBonusProgramPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let rules = ctx.data_unchecked::<bonus::BonusRules>();
        let result = bonus::enroll(ctx.db(), ctx.clock().now(), rules, account_id).await;
        let user_errors = match result {
            Ok(_) => Vec::new(),
            Err(err) => vec![user_error(err)?],
        };
        Ok(EnrollInBonusProgramPayload {
            bonus: Some(BonusAccount::load(ctx, account_id).await?),
            user_errors,
        })
    }

    /// Takes a catalog item for points. A discount covers the whole next Moscow
    /// calendar month; a digital product gives a code.
    async fn redeem_bonus_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item and an idempotency key.")] input: RedeemBonusItemInput,
    ) -> Result<RedeemBonusItemPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let key = parse_key(input.idempotency_key.as_deref())?;
        let item = GlobalId::parse("input.itemId", &input.item_id)?;
        let now = ctx.clock().now();
        let result = if item.kind == NodeKind::BonusItem {
            redeem::redeem(ctx.db(), now, account_id, item.key, key.as_ref()).await
        } else {
            Err(BonusError::NoItem)
        };
        let (redemption, user_errors) = match result {
            Ok(redemption) => (Some(BonusRedemption(redemption)), Vec::new()),
            Err(err) => (None, vec![user_error(err)?]),
        };
        Ok(RedeemBonusItemPayload {
            redemption,
            bonus: Some(BonusAccount::load(ctx, account_id).await?),
            user_errors,
        })
    }
}

/// Input of `staff.grantBonusPoints`.
#[derive(Debug, InputObject)]
pub struct GrantBonusPointsInput {
    /// Account number, 12 digits.
    pub account_number: String,
    /// Points: positive grants, negative takes (never below zero); not zero.
    pub points: i32,
    /// Why, in Russian; shown to the subscriber in the history.
    pub reason: String,
}

/// Result of `staff.grantBonusPoints`.
#[derive(Debug, SimpleObject)]
pub struct GrantBonusPointsPayload {
    /// Points the member holds after.
    pub points: Option<i32>,
    /// `NOT_FOUND`, `NOT_ENROLLED`, `INSUFFICIENT_POINTS`, `INVALID_VALUE`,
    /// `REQUIRED`, `TOO_LONG`.
    pub user_errors: Vec<UserError>,
}

/// Input of `staff.addBonusItem`.
#[derive(Debug, InputObject)]
pub struct AddBonusItemInput {
    /// Section.
    pub category: BonusCategory,
    /// Name, in Russian (up to 200 characters).
    pub name: String,
    /// What it is (up to 1000 characters).
    #[graphql(default)]
    pub description: String,
    /// Price in points, above zero.
    pub price: i32,
    /// Stock; null or absent is unlimited.
    pub stock: Option<i32>,
    /// What redeeming it does.
    pub effect: BonusEffect,
    /// A service the subscriber must have for it.
    pub requires_kind: Option<ServiceKind>,
}

/// Input of `staff.setBonusItemStock`.
#[derive(Debug, InputObject)]
pub struct SetBonusItemStockInput {
    /// The item's ID.
    pub item_id: ID,
    /// Stock; null is unlimited.
    pub stock: Option<i32>,
}

/// Result of `staff.addBonusItem` and `staff.setBonusItemStock`.
#[derive(Debug, SimpleObject)]
pub struct BonusItemPayload {
    /// The item as it is now.
    pub item: Option<BonusItem>,
    /// `REQUIRED`, `TOO_LONG`, `INVALID_VALUE`, `NOT_FOUND`.
    pub user_errors: Vec<UserError>,
}

impl BonusItemPayload {
    fn from_result(result: Result<catalog::Item, BonusError>) -> Result<Self, ApiError> {
        Ok(match result {
            Ok(item) => BonusItemPayload {
                item: Some(BonusItem(item)),
                user_errors: Vec::new(),
            },
            Err(err) => BonusItemPayload {
                item: None,
                user_errors: vec![user_error(err)?],
            },
        })
    }
}

/// Operators' bonus mutations (part of `StaffMutation`).
pub struct BonusStaffMutation {
    pub(super) credential_id: i64,
}

/// Operators' bonus mutations.
#[Object]
impl BonusStaffMutation {
    /// Grants or takes a member's points with a reason the subscriber sees.
    async fn grant_bonus_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Account, points and reason.")] input: GrantBonusPointsInput,
    ) -> Result<GrantBonusPointsPayload, ApiError> {
        let refused = |err| -> Result<GrantBonusPointsPayload, ApiError> {
            Ok(GrantBonusPointsPayload {
                points: None,
                user_errors: vec![user_error(err)?],
            })
        };
        let Ok(number) = AccountNumber::parse(&input.account_number) else {
            return refused(BonusError::NoAccount);
        };
        let Some(account) = accounts::find_by_number(ctx.db(), &number).await? else {
            return refused(BonusError::NoAccount);
        };
        let rules = ctx.data_unchecked::<bonus::BonusRules>();
        match points::grant(
            ctx.db(),
            ctx.clock().now(),
            rules,
            account.id,
            i64::from(input.points),
            &input.reason,
            self.credential_id,
        )
        .await
        {
            Ok(held) => Ok(GrantBonusPointsPayload {
                points: Some(int(held)),
                user_errors: Vec::new(),
            }),
            Err(err) => refused(err),
        }
    }

    /// Adds an item to the bonus catalog.
    async fn add_bonus_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] input: AddBonusItemInput,
    ) -> Result<BonusItemPayload, ApiError> {
        let item = catalog::NewItem {
            category: input.category.into(),
            name: input.name,
            description: input.description,
            price: i64::from(input.price),
            stock: input.stock.map(i64::from),
            effect: input.effect.into(),
            requires_kind: input.requires_kind.map(Into::into),
        };
        BonusItemPayload::from_result(catalog::add(ctx.db(), ctx.clock().now(), item).await)
    }

    /// Sets an item's stock.
    async fn set_bonus_item_stock(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item and its stock.")] input: SetBonusItemStockInput,
    ) -> Result<BonusItemPayload, ApiError> {
        let item = GlobalId::parse("input.itemId", &input.item_id)?;
        if item.kind != NodeKind::BonusItem {
            return BonusItemPayload::from_result(Err(BonusError::NoItem));
        }
        BonusItemPayload::from_result(
            catalog::set_stock(ctx.db(), item.key, input.stock.map(i64::from)).await,
        )
    }
}
