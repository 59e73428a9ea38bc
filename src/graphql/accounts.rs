//! GraphQL face of accounts: `Account` and `Query.me`.

use async_graphql::{Context, Enum, ID, Object};

use super::auth::LoginSession;
use super::billing::{
    AccountMoney, AccountSummary, CostBreakdown, Equipment, PromisedPaymentStatus, Subscription,
    TransactionConnection, TransactionKind,
};
use super::catalog::Tariff;
use super::context::ContextExt;
use super::errors::ApiError;
use super::node::{GlobalId, NodeKind};
use super::notifications::NotificationSettings;
use super::scalars::{Date, DateTime, Money};
use crate::time::moscow_date;
use crate::{accounts, auth, billing};

/// State of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "accounts::AccountStatus")]
pub enum AccountStatus {
    /// Services work and are charged.
    Active,
    /// Blocked for debt: services stop until the balance covers the next day.
    Blocked,
    /// Voluntarily suspended by the subscriber for a period.
    Suspended,
    /// The contract is terminated.
    Closed,
}

/// A subscriber's personal account (лицевой счёт) and its contract. Only its
/// owner can see it.
#[derive(Debug, Clone)]
pub struct Account(accounts::Account);

impl From<accounts::Account> for Account {
    fn from(account: accounts::Account) -> Self {
        Account(account)
    }
}

/// A subscriber's personal account (лицевой счёт) and its contract. Only its
/// owner can see it.
#[Object]
impl Account {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Account, self.0.id)
    }

    /// Account number (лицевой счёт), 12 digits: quote it when paying at a bank or terminal.
    async fn number(&self) -> &str {
        self.0.number.as_str()
    }

    /// Contract number.
    async fn contract_number(&self) -> &str {
        &self.0.contract_number
    }

    /// Date the contract was signed.
    async fn contract_date(&self) -> Date {
        Date(self.0.contract_date)
    }

    /// Contract holder's full name (ФИО).
    async fn holder_name(&self) -> &str {
        &self.0.holder_name
    }

    /// The contract's mobile phone, masked: `+7 999 ***-**-01`.
    async fn phone(&self) -> String {
        self.0.phone.masked()
    }

    /// E-mail for notifications, if given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Service address.
    async fn address(&self) -> &str {
        &self.0.address
    }

    /// Current state of the account.
    async fn status(&self) -> AccountStatus {
        self.0.status.into()
    }

    /// When the account was opened in Kabinet.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// Balance: the sum of all payments and charges.
    async fn balance(&self) -> Money {
        self.0.balance.into()
    }

    /// The info block shown on every page: balance, bonus points, days until
    /// blocking, status, promised payment.
    async fn summary(&self, ctx: &Context<'_>) -> Result<AccountSummary, ApiError> {
        AccountMoney::summary(ctx, &self.0).await
    }

    /// What the personal account has told the subscriber (billing warnings,
    /// news, support), newest first; only the unread ones when asked.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones.", default)] unread_only: bool,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<super::inbox::NotificationConnection, ApiError> {
        let request = super::connection::page_request(first, after, last, before)?;
        super::inbox::of_account(ctx, self.0.id, unread_only, request).await
    }

    /// How many notifications are unread (the bell's number).
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<i32, ApiError> {
        super::inbox::unread(ctx, self.0.id).await
    }

    /// Support tickets, newest first, optionally of one status, each with its
    /// thread and technician visit.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this status.")] status: Option<super::tickets::TicketStatus>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<super::tickets::TicketConnection, ApiError> {
        let request = super::connection::page_request(first, after, last, before)?;
        super::tickets::of_account(ctx, self.0.id, status, request).await
    }

    /// The bonus program: membership, points, referral code, history.
    async fn bonus(&self, ctx: &Context<'_>) -> Result<super::bonus::BonusAccount, ApiError> {
        super::bonus::BonusAccount::load(ctx, self.0.id).await
    }

    /// The tariff plan in force today.
    async fn tariff(&self, ctx: &Context<'_>) -> Result<Option<Tariff>, ApiError> {
        let today = moscow_date(ctx.clock().now());
        let listed = AccountMoney::listed(ctx, self.0.id).await?;
        let catalog = listed
            .iter()
            .map(|(_, entry)| (entry.id, (**entry).clone()))
            .collect();
        let items: Vec<_> = listed.into_iter().map(|(item, _)| item).collect();
        Ok(billing::subscriptions::tariff_on(&items, today, &catalog)
            .cloned()
            .map(Tariff))
    }

    /// Recurring items: the tariff and services (equipment is under `equipment`),
    /// including ones that start later.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn subscriptions(&self, ctx: &Context<'_>) -> Result<Vec<Subscription>, ApiError> {
        Ok(AccountMoney::listed(ctx, self.0.id)
            .await?
            .into_iter()
            .filter(|(s, _)| s.ownership.is_none())
            .map(|(item, entry)| Subscription(item, Some(entry)))
            .collect())
    }

    /// Equipment: rented, in instalments or owned.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn equipment(&self, ctx: &Context<'_>) -> Result<Vec<Equipment>, ApiError> {
        Ok(AccountMoney::listed(ctx, self.0.id)
            .await?
            .into_iter()
            .filter(|(s, _)| s.ownership.is_some())
            .map(|(item, entry)| Equipment(item, Some(entry)))
            .collect())
    }

    /// Internet sessions open some time between `from` and `to` (either may
    /// be omitted), newest reported first: start, end, IP, MAC, bytes, rates.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn internet_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Sessions still open at or after this instant.")] from: Option<DateTime>,
        #[graphql(desc = "Sessions started before this instant.")] to: Option<DateTime>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<super::traffic::InternetSessionConnection, ApiError> {
        let request = super::connection::page_request(first, after, last, before)?;
        super::traffic::sessions(ctx, self.0.id, from, to, request).await
    }

    /// Traffic per Moscow day from `from` to `to` (both included, at most 92
    /// days), every day listed, zero when nothing ran.
    #[graphql(complexity = "super::cost::times(super::cost::REPORT_DAYS, child_complexity)")]
    async fn traffic_by_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day.")] from: Date,
        #[graphql(desc = "Last day (included).")] to: Date,
    ) -> Result<Vec<super::traffic::TrafficDay>, ApiError> {
        super::traffic::by_day(ctx, self.0.id, from, to).await
    }

    /// The tariff's speed beside the measured rates (median and 90th
    /// percentile of the sessions' average rates) per Moscow day from `from` to
    /// `to` (both included, at most 92 days).
    #[graphql(complexity = "super::cost::times(super::cost::REPORT_DAYS, child_complexity)")]
    async fn speed_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day.")] from: Date,
        #[graphql(desc = "Last day (included).")] to: Date,
    ) -> Result<super::traffic::SpeedReport, ApiError> {
        super::traffic::speed(ctx, self.0.id, from, to).await
    }

    /// The contract: number, date, terms, every obligation in force, what
    /// leaving today would cost (`exitCost`) and the document.
    async fn contract(&self, ctx: &Context<'_>) -> Result<super::contract::Contract, ApiError> {
        super::contract::of(ctx, self.0.id).await
    }

    /// What fits the account now: every other tariff and every service it can
    /// connect, each as the full preview of the change (a change that needs
    /// only a top-up says how much).
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn offers(&self, ctx: &Context<'_>) -> Result<Vec<super::services::Offer>, ApiError> {
        super::services::AccountServices::offers(ctx, self.0.id).await
    }

    /// The speed boost in force, if any, and when it ends.
    async fn turbo(&self, ctx: &Context<'_>) -> Result<Option<super::turbo::Turbo>, ApiError> {
        super::turbo::turbo_of(ctx, self.0.id).await
    }

    /// Parental control: on or off and the blocked categories of sites.
    async fn parental_control(
        &self,
        ctx: &Context<'_>,
    ) -> Result<super::turbo::ParentalControl, ApiError> {
        super::turbo::parental_of(ctx, self.0.id).await
    }

    /// The voluntary suspension scheduled or in force, if any.
    async fn suspension(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::suspension::Suspension>, ApiError> {
        super::suspension::of(ctx, self.0.id).await
    }

    /// What suspending services for `from`..`until` would be: its days, the
    /// fee, the days used and left this year, and whether it can be asked for.
    async fn suspension_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First Moscow day paused.")] from: Date,
        #[graphql(desc = "Last Moscow day paused.")] until: Date,
    ) -> Result<super::suspension::SuspensionPreview, ApiError> {
        super::suspension::preview(ctx, self.0.id, from, until).await
    }

    /// Changes of services and tariff waiting for the next 00:00 Moscow time,
    /// oldest first; each can be cancelled until then.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn scheduled_changes(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::services::ScheduledChange>, ApiError> {
        super::services::AccountServices::scheduled(ctx, self.0.id).await
    }

    /// What moving to a tariff would do: the new monthly total, what is
    /// charged once, the first charge date, every obligation it brings or
    /// ends, and whether it can be made now.
    async fn tariff_change_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tariff (`Tariff.id`).")] tariff_id: ID,
    ) -> Result<super::services::TariffChangePreview, ApiError> {
        super::services::AccountServices::tariff_preview(ctx, self.0.id, &tariff_id).await
    }

    /// What connecting a service (`serviceId`) or disconnecting a subscription
    /// (`subscriptionId`) would do; give one of the two.
    async fn service_change_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A service to connect (`Service.id`).")] service_id: Option<ID>,
        #[graphql(desc = "A subscription to disconnect (`SubscribedService.id`).")]
        subscription_id: Option<ID>,
    ) -> Result<super::services::ServiceChangePreview, ApiError> {
        super::services::AccountServices::service_preview(
            ctx,
            self.0.id,
            service_id.as_ref(),
            subscription_id.as_ref(),
        )
        .await
    }

    /// Every recurring charge, its promo end date and what it becomes after.
    async fn monthly_cost(&self, ctx: &Context<'_>) -> Result<CostBreakdown, ApiError> {
        AccountMoney::monthly_cost(ctx, self.0.id).await
    }

    /// The promised payment in force, and whether one can be taken now.
    async fn promised_payment(&self, ctx: &Context<'_>) -> Result<PromisedPaymentStatus, ApiError> {
        AccountMoney::promised_status(ctx, self.0.id).await
    }

    /// Money history by Moscow days, newest first: every payment and charge with
    /// the reason it exists.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From this Moscow day (inclusive).")] from: Option<Date>,
        #[graphql(desc = "To this Moscow day (inclusive).")] to: Option<Date>,
        #[graphql(desc = "Only these kinds.")] kinds: Option<Vec<TransactionKind>>,
        #[graphql(desc = "Return the first N items after `after` (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items after this one.")] after: Option<String>,
        #[graphql(desc = "Return the last N items before `before` (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items before this one.")] before: Option<String>,
    ) -> Result<TransactionConnection, ApiError> {
        AccountMoney::transactions(ctx, self.0.id, from, to, kinds, first, after, last, before)
            .await
    }

    /// Top-ups through the payment provider, newest first, with their status
    /// and the entry that credited each success.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N items after `after` (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items after this one.")] after: Option<String>,
        #[graphql(desc = "Return the last N items before `before` (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items before this one.")] before: Option<String>,
    ) -> Result<super::payments::PaymentConnection, ApiError> {
        super::payments::account_payments(ctx, self.0.id, first, after, last, before).await
    }

    /// The statement of a month: opening balance, every movement, closing
    /// balance, and its PDF.
    async fn statement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM` (not in the future).")] month: String,
    ) -> Result<super::billing::AccountStatement, ApiError> {
        AccountMoney::statement(ctx, self.0.id, &month).await
    }

    /// Cards saved by payments, newest first.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn saved_cards(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::autopay::SavedCard>, ApiError> {
        super::autopay::saved_cards(ctx, self.0.id).await
    }

    /// The automatic top-up, if ever set.
    async fn autopayment(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::autopay::Autopayment>, ApiError> {
        super::autopay::autopayment(ctx, self.0.id).await
    }

    /// Every change of the account's status, newest first, with its reason.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn status_history(&self, ctx: &Context<'_>) -> Result<Vec<StatusChange>, ApiError> {
        let changes = billing::status::history(ctx.db(), self.0.id).await?;
        Ok(changes
            .into_iter()
            .map(|c| StatusChange {
                from: c.from.into(),
                to: c.to.into(),
                reason: c.reason,
                at: DateTime(c.at),
            })
            .collect())
    }

    /// Which notifications the subscriber gets (SMS news, billing warnings, TV reminders, e-mail).
    async fn notification_settings(
        &self,
        ctx: &Context<'_>,
    ) -> Result<NotificationSettings, ApiError> {
        super::notifications::of(ctx, self.0.id).await
    }

    /// Titles in «Избранное», by title, optionally of one category.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn tv_favourites(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this category.")] category: Option<super::tv::ProgrammeCategory>,
    ) -> Result<Vec<super::tv_personal::TvFavourite>, ApiError> {
        super::tv_personal::favourites_of(ctx, self.0.id, category).await
    }

    /// Airings of favourites in the next two days (announced automatically),
    /// soonest first.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn tv_reminders(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::tv_personal::TvReminder>, ApiError> {
        super::tv_personal::reminders_of(ctx, self.0.id).await
    }

    /// Whether the TV guide shows only the channels of the subscriber's packages
    /// by default (`showOnlyMyPackages`).
    async fn tv_only_my_packages(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        Ok(ctx
            .loaders()
            .tv_visibility
            .load_one(self.0.id)
            .await?
            .is_some_and(|v| v.only_my_packages))
    }

    /// Devices and browsers signed in to this account now, newest first; `current`
    /// marks the one asking. End one with `revokeLoginSession`.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn login_sessions(&self, ctx: &Context<'_>) -> Result<Vec<LoginSession>, ApiError> {
        let sessions = auth::list_for_account(ctx.db(), ctx.clock().now(), self.0.id).await?;
        Ok(sessions
            .into_iter()
            .map(|s| LoginSession::new(ctx, s))
            .collect())
    }
}

/// A change of the account's status.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct StatusChange {
    /// Before.
    pub from: AccountStatus,
    /// After.
    pub to: AccountStatus,
    /// Why, in Russian.
    pub reason: String,
    /// When.
    pub at: DateTime,
}

/// Root fields about the signed-in subscriber.
#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in subscriber's account; null for an anonymous caller.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Account>, ApiError> {
        let Some(account_id) = ctx.viewer().account_id() else {
            return Ok(None);
        };
        if let Some(super::context::SessionAccount(account)) = ctx.data_opt()
            && account.id == account_id
        {
            return Ok(Some(Account(account.clone())));
        }
        Ok(ctx
            .loaders()
            .accounts
            .load_one(account_id)
            .await?
            .map(Account))
    }
}
