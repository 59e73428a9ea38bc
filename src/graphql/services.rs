//! GraphQL face of service changes: previews that hide nothing, the
//! scheduled changes (connect, disconnect, tariff) and cancelling them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::billing::{CostLine, Subscription as SubscribedService};
use super::catalog::{Service, Tariff};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::node::{GlobalId, NodeKind};
use super::scalars::{Date, DateTime, Decimal, Money};
use crate::catalog::ServiceKind as Kind;
use crate::services::ServiceError;
use crate::services::plan::{self, Effect, ObligationKind as DomainObligationKind, Plan};
use crate::services::scheduled::{self, Change, Target};
use crate::time::start_of_moscow_day;

/// What a scheduled change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ScheduledChangeKind {
    /// A service is connected.
    Connect,
    /// A service is disconnected.
    Disconnect,
    /// The tariff plan changes.
    ChangeTariff,
}

impl From<plan::ChangeKind> for ScheduledChangeKind {
    fn from(kind: plan::ChangeKind) -> Self {
        match kind {
            plan::ChangeKind::Connect => ScheduledChangeKind::Connect,
            plan::ChangeKind::Disconnect => ScheduledChangeKind::Disconnect,
            plan::ChangeKind::Tariff => ScheduledChangeKind::ChangeTariff,
        }
    }
}

/// Where a scheduled change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "scheduled::Status")]
pub enum ScheduledChangeStatus {
    /// Waiting for the next 00:00 Moscow time; can be cancelled until then.
    Pending,
    /// In force.
    Applied,
    /// Cancelled before it took effect; nothing was charged.
    Canceled,
}

/// Why something is charged once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "plan::OneOffReason")]
pub enum OneOffReason {
    /// The connection fee of what is connected.
    Connection,
    /// The compensation for leaving a minimum term early.
    EarlyTermination,
    /// The promo discount received, owed back when a minimum term is left early.
    PromoClawback,
}

/// Days from a service's first day in which leaving it costs nothing (schema data).
#[derive(Debug, Clone, Copy)]
pub struct TrialDays(pub u32);

/// What an obligation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "DomainObligationKind")]
pub enum ObligationKind {
    /// A promo price until a day, then the regular fee.
    PromoPrice,
    /// A minimum term: leaving earlier costs a compensation that falls evenly to zero over it.
    MinimumTerm,
    /// The compensation for leaving a minimum term early.
    EarlyTermination,
    /// The promo discount received, owed back when a minimum term is left early.
    PromoClawback,
    /// Equipment given for a minimum term: its compensation when left early.
    EquipmentCompensation,
    /// Instalments of equipment still to pay.
    Instalments,
    /// Days from the first in which leaving costs nothing (`until` is the last).
    TrialPeriod,
}

/// Whether a change brings an obligation or ends one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Effect")]
pub enum ObligationEffect {
    /// The change brings it.
    Brings,
    /// The change ends it (a promo price lost, a minimum term left early).
    Ends,
}

/// A sum charged once, on the day a change takes effect.
#[derive(Debug, Clone, SimpleObject)]
pub struct OneOffCharge {
    /// Why.
    pub reason: OneOffReason,
    /// What it is for, in Russian.
    pub what: String,
    /// How much.
    pub amount: Money,
}

/// An obligation a change brings or ends, with the rule behind it.
#[derive(Debug, Clone, SimpleObject)]
pub struct Obligation {
    /// What it is.
    pub kind: ObligationKind,
    /// Brought or ended by the change.
    pub effect: ObligationEffect,
    /// The tariff or service it concerns.
    pub service: String,
    /// `PROMO_PRICE`: the promo fee; `MINIMUM_TERM`: the compensation for
    /// leaving on its first day; `PROMO_CLAWBACK` brought: the most it can come
    /// to; an ended obligation: what leaving now costs (zero when waived).
    pub amount: Money,
    /// `PROMO_PRICE` brought: the monthly fee after the promo;
    /// `PROMO_CLAWBACK`: the promo fee.
    pub amount_after: Option<Money>,
    /// The promo's, the term's, the instalments' or the trial's last day;
    /// what leaving costs is zero after it.
    pub until: Date,
    /// Waived by the trial period.
    pub waived: bool,
    /// The rule in a sentence, in Russian.
    pub description: String,
}

/// An obligation as the API says it.
pub(super) fn obligation(o: &plan::Obligation) -> Obligation {
    use DomainObligationKind as K;
    let until = o.until.format("%d.%m.%Y");
    let name = &o.item_name;
    let amount = o.amount;
    let mut description = match (o.kind, o.effect) {
        // Equipment "free" under a promo says so, and what it costs after.
        (K::PromoPrice, Effect::Brings) if amount == crate::money::Kopecks::ZERO => format!(
            "«{name}»: бесплатно до {until} включительно, затем {} в месяц",
            o.amount_after.unwrap_or(amount)
        ),
        (K::PromoPrice, Effect::Brings) => format!(
            "«{name}»: {amount} в месяц до {until} включительно, затем {}",
            o.amount_after.unwrap_or(amount)
        ),
        (K::PromoPrice, Effect::Ends) => {
            format!("«{name}»: акционная цена {amount} в месяц (до {until}) будет потеряна")
        }
        (K::MinimumTerm, _) if amount == crate::money::Kopecks::ZERO => {
            format!("«{name}»: минимальный срок до {until}")
        }
        (K::MinimumTerm, _) => format!(
            "«{name}»: минимальный срок до {until}; при отказе раньше — компенсация до {amount}, \
             она равномерно уменьшается до нуля к концу срока"
        ),
        (K::PromoClawback, Effect::Brings) => format!(
            "«{name}»: при отказе до {until} возвращается полученная скидка по акции, до {amount}"
        ),
        (K::TrialPeriod, _) => {
            format!("«{name}»: пробный период до {until} — отказ без компенсаций и доплат")
        }
        (K::EarlyTermination, _) | (K::EquipmentCompensation, _) => format!(
            "«{name}»: минимальный срок до {until} не истёк — компенсация {amount} за досрочный отказ"
        ),
        (K::PromoClawback, Effect::Ends) => format!(
            "«{name}»: минимальный срок до {until} не истёк — возврат скидки по акции {amount}"
        ),
        (K::Instalments, _) => {
            format!("«{name}»: остаток рассрочки {amount}, последний платёж {until}")
        }
    };
    if o.waived {
        description.push_str(" (в пробный период — не взимается)");
    }
    Obligation {
        kind: o.kind.into(),
        effect: o.effect.into(),
        service: o.item_name.clone(),
        amount: o.amount.into(),
        amount_after: o.amount_after.map(Into::into),
        until: Date(o.until),
        waived: o.waived,
        description,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Internet => "домашний интернет",
        Kind::Tv => "базовое телевидение",
        Kind::TvPackage => "пакет каналов",
        Kind::HomePhone => "домашний телефон",
        Kind::SecurityAlarm => "охранная сигнализация",
        Kind::Antivirus => "антивирус",
        Kind::KakDoma => "«Как дома»",
        Kind::ParentalControl => "«Родительский контроль»",
        Kind::Equipment => "оборудование",
    }
}

/// Every service-change refusal as a person reads it: the input field at
/// fault (if one is), its code and the sentence. The one place they are said.
fn refusal(err: &ServiceError) -> Option<(Option<&'static str>, UserErrorCode, String)> {
    use ServiceError as E;
    use UserErrorCode as C;
    Some(match err {
        E::NotFound => (None, C::NotFound, "Не найдено: проверьте идентификатор".into()),
        E::AccountClosed => (None, C::AccountClosed, "Договор расторгнут".into()),
        E::AlreadyConnected => (None, C::AlreadyConnected, "Это уже подключено".into()),
        E::AlreadyScheduled => (
            None,
            C::AlreadyScheduled,
            "Изменение этой услуги уже запланировано: отмените его, если передумали".into(),
        ),
        E::NotConnected => (None, C::NotConnected, "Эта услуга не подключена".into()),
        E::NotDisconnectable => (
            None,
            C::NotDisconnectable,
            "Это не отключается здесь: тариф меняется через смену тарифа, оборудование — через поддержку".into(),
        ),
        E::NotConnectable => (
            None,
            C::NotConnectable,
            "Это не подключается как услуга: тариф меняется через смену тарифа, оборудование — через поддержку".into(),
        ),
        E::TariffChangeLimit { possible_at } => (
            None,
            C::TariffChangeLimit,
            format!(
                "Тариф можно менять раз в сутки: следующая смена возможна с {}",
                crate::time::moscow_text(*possible_at)
            ),
        ),
        E::RequiresService { kind } => (
            None,
            C::RequiresService,
            format!("Сначала нужна услуга: {}", kind_name(*kind)),
        ),
        E::DependentServices { names } => (
            None,
            C::DependentServices,
            format!(
                "От этого зависят другие услуги: {} — сначала отключите их",
                names
                    .iter()
                    .map(|n| format!("«{n}»"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        E::InsufficientFunds { needed } => (
            None,
            C::InsufficientFunds,
            format!("Баланса не хватает: пополните счёт на {needed}"),
        ),
        E::PreviewOutdated => (
            Some("expectedMonthlyTotal"),
            C::PreviewOutdated,
            "Условия изменились: посмотрите новый расчёт и подтвердите ещё раз".into(),
        ),
        E::AlreadyApplied => (
            None,
            C::AlreadyApplied,
            "Изменение уже вступило в силу, отменить его нельзя".into(),
        ),
        E::AlreadyCanceled => (None, C::AlreadyCanceled, "Изменение уже отменено".into()),
        E::DateInPast => (
            Some("from"),
            C::InvalidValue,
            "Приостановка начинается не раньше завтрашнего дня".into(),
        ),
        E::PeriodBackwards => (
            Some("until"),
            C::InvalidValue,
            "Последний день не может быть раньше первого".into(),
        ),
        E::PeriodTooLong => (
            Some("until"),
            C::InvalidValue,
            format!(
                "Приостановить услуги можно на срок от {} до {} дней",
                crate::services::suspension::MIN_DAYS,
                crate::services::suspension::MAX_DAYS
            ),
        ),
        E::PeriodTooFarAhead => (
            Some("from"),
            C::InvalidValue,
            format!(
                "Приостановку можно запланировать не дальше чем на {} дней вперёд",
                crate::services::suspension::MAX_AHEAD_DAYS
            ),
        ),
        E::YearlyLimit { year, days_left } => (
            None,
            C::LimitReached,
            format!(
                "В {year} году можно приостановить услуги ещё на {days_left} дн. (не больше {} дней в году)",
                crate::services::suspension::YEARLY_DAYS
            ),
        ),
        E::AlreadySuspended => (
            None,
            C::AlreadyActive,
            "Приостановка уже запланирована или действует".into(),
        ),
        E::AccountBlocked => (
            None,
            C::AccountBlocked,
            "Счёт заблокирован за долг: сначала пополните баланс".into(),
        ),
        E::NotSuspended => (
            None,
            C::NotSuspended,
            "Приостановки нет: услуги работают".into(),
        ),
        E::AccountSuspended => (
            None,
            C::AccountSuspended,
            "Услуги приостановлены по вашему заявлению: сначала возобновите их".into(),
        ),
        E::NotAvailableForTariff => (
            None,
            C::NotAvailableForTariff,
            "Ваш тариф уже даёт такую скорость: выберите турбо быстрее".into(),
        ),
        E::TurboActive => (
            None,
            C::AlreadyActive,
            "Турбо уже включено: новое можно взять, когда закончится это".into(),
        ),
        E::InstalmentTermNotOffered { offered } => (
            Some("instalmentMonths"),
            C::InvalidValue,
            format!(
                "Такой рассрочки нет: можно на {} мес.",
                offered
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        E::CategoriesRequired => (
            Some("blockedCategories"),
            C::Required,
            "Выберите хотя бы одну категорию сайтов".into(),
        ),
        E::Db(_) => return None,
    })
}

/// A service refusal for a mutation payload, or the `ApiError` it is when
/// it was not the user's to fix.
pub(super) fn user_error(err: ServiceError) -> Result<UserError, ApiError> {
    match refusal(&err) {
        Some((Some(field), code, message)) => Ok(UserError::at(&["input", field], code, message)),
        Some((None, code, message)) => Ok(UserError::general(code, message)),
        None => match err {
            ServiceError::Db(e) => Err(e.into()),
            other => Err(ApiError::internal(other)),
        },
    }
}

/// What a change would do, shared by tariff and service previews (flattened
/// into both; never a type of its own in the schema).
pub struct PreviewFields<'a>(&'a Plan);

/// What a change would do.
#[Object]
impl PreviewFields<'_> {
    /// What the change does.
    async fn kind(&self) -> ScheduledChangeKind {
        self.0.kind.into()
    }

    /// The Moscow day it takes effect (the next one): its first charge date.
    async fn first_charge_date(&self) -> Date {
        Date(self.0.effective_on)
    }

    /// The instant it takes effect: the next 00:00 Moscow time.
    async fn effective_at(&self) -> DateTime {
        DateTime(start_of_moscow_day(self.0.effective_on))
    }

    /// The monthly total on that day without the change.
    async fn current_monthly_total(&self) -> Money {
        self.0.before.total.into()
    }

    /// The monthly total on that day with the change: send it back as
    /// `expectedMonthlyTotal` to make the change.
    async fn new_monthly_total(&self) -> Money {
        self.0.after.total.into()
    }

    /// The monthly total with the change once every promo has ended.
    async fn new_monthly_total_after_promos(&self) -> Money {
        self.0.after.total_after_promos.into()
    }

    /// Every recurring charge with the change, its promo end and what it becomes.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn new_cost_lines(&self, ctx: &Context<'_>) -> Result<Vec<CostLine>, ApiError> {
        let catalog = ctx
            .loaders()
            .catalog
            .load_many(self.0.after.lines.iter().map(|l| l.item_id))
            .await?;
        Ok(super::billing::cost_lines(&self.0.after.lines, &catalog))
    }

    /// What is charged once when it takes effect.
    async fn one_off_charges(&self) -> Vec<OneOffCharge> {
        self.0
            .one_offs
            .iter()
            .map(|o| OneOffCharge {
                reason: o.reason.into(),
                what: match o.reason {
                    plan::OneOffReason::Connection => format!("Подключение «{}»", o.item_name),
                    plan::OneOffReason::EarlyTermination => {
                        format!("Компенсация за досрочный отказ от «{}»", o.item_name)
                    }
                    plan::OneOffReason::PromoClawback => {
                        format!("Возврат скидки по акции «{}»", o.item_name)
                    }
                },
                amount: o.amount.into(),
            })
            .collect()
    }

    /// The one-off charges together.
    async fn one_off_total(&self) -> Money {
        self.0.one_off_total().into()
    }

    /// Everything the first day costs: its daily charges and the one-off charges.
    async fn first_day_charge(&self) -> Money {
        self.0.first_day_charge.into()
    }

    /// Every obligation the change brings or ends.
    async fn obligations(&self) -> Vec<Obligation> {
        self.0.obligations.iter().map(obligation).collect()
    }

    /// Whether the change can be made now.
    async fn allowed(&self) -> bool {
        self.0.blockers.is_empty()
    }

    /// Why it cannot be made now (the codes the mutation would answer with).
    async fn blockers(&self) -> Result<Vec<UserError>, ApiError> {
        self.0
            .blockers
            .iter()
            .map(|b| user_error(b.refusal()))
            .collect()
    }

    /// `INSUFFICIENT_FUNDS`: the sum to top up before the change can be made.
    async fn amount_needed(&self) -> Option<Money> {
        self.0.blockers.iter().find_map(|b| match b {
            ServiceError::InsufficientFunds { needed } => Some((*needed).into()),
            _ => None,
        })
    }

    /// `TARIFF_CHANGE_LIMIT`: when the tariff can be changed again.
    async fn possible_again_at(&self) -> Option<DateTime> {
        self.0.blockers.iter().find_map(|b| match b {
            ServiceError::TariffChangeLimit { possible_at } => Some(DateTime(*possible_at)),
            _ => None,
        })
    }
}

/// What changing the tariff would do: new monthly total, one-off charges,
/// first charge date and every obligation it brings or ends.
pub struct TariffChangePreview(Plan);

/// What changing the tariff would do.
#[Object]
impl TariffChangePreview {
    /// The tariff moved to.
    async fn tariff(&self) -> Tariff {
        Tariff(self.0.item.clone())
    }

    /// The tariff left (null when there was none).
    async fn current_tariff(&self, ctx: &Context<'_>) -> Result<Option<Tariff>, ApiError> {
        let Some(old) = &self.0.ends else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .catalog
            .load_one(old.item_id)
            .await?
            .map(Tariff))
    }

    #[graphql(flatten)]
    async fn change(&self) -> PreviewFields<'_> {
        PreviewFields(&self.0)
    }
}

/// What connecting or disconnecting a service would do: new monthly total,
/// one-off charges, first charge date and every obligation it brings or ends.
pub struct ServiceChangePreview(Plan);

/// What connecting or disconnecting a service would do.
#[Object]
impl ServiceChangePreview {
    /// The service connected or disconnected.
    async fn service(&self) -> Service {
        Service(self.0.item.clone())
    }

    /// The subscription disconnected (null when connecting).
    async fn subscription(&self) -> Option<SubscribedService> {
        self.0
            .ends
            .clone()
            .map(|item| SubscribedService(item, None))
    }

    #[graphql(flatten)]
    async fn change(&self) -> PreviewFields<'_> {
        PreviewFields(&self.0)
    }
}

/// A change of services or tariff that takes effect at the next 00:00
/// Moscow time; cancellable until then.
#[derive(Debug, Clone)]
pub struct ScheduledChange(pub Change);

/// A change of services or tariff that takes effect at the next 00:00 Moscow time.
#[Object]
impl ScheduledChange {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::ScheduledChange, self.0.id)
    }

    /// What it does.
    async fn kind(&self) -> ScheduledChangeKind {
        self.0.kind.into()
    }

    /// Where it stands.
    async fn status(&self) -> ScheduledChangeStatus {
        self.0.status.into()
    }

    /// The Moscow day it takes effect.
    async fn effective_on(&self) -> Date {
        Date(self.0.effective_on)
    }

    /// The instant it takes effect (00:00 Moscow time).
    async fn effective_at(&self) -> DateTime {
        DateTime(start_of_moscow_day(self.0.effective_on))
    }

    /// When it was asked for.
    async fn requested_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// `CONNECT`, `DISCONNECT`: the service.
    async fn service(&self, ctx: &Context<'_>) -> Result<Option<Service>, ApiError> {
        if self.0.kind == plan::ChangeKind::Tariff {
            return Ok(None);
        }
        Ok(ctx
            .loaders()
            .catalog
            .load_one(self.0.item_id)
            .await?
            .map(Service))
    }

    /// `CHANGE_TARIFF`: the tariff moved to.
    async fn tariff(&self, ctx: &Context<'_>) -> Result<Option<Tariff>, ApiError> {
        if self.0.kind != plan::ChangeKind::Tariff {
            return Ok(None);
        }
        Ok(ctx
            .loaders()
            .catalog
            .load_one(self.0.item_id)
            .await?
            .map(Tariff))
    }

    /// The monthly total it leads to (as previewed).
    async fn monthly_total_after(&self) -> Money {
        self.0.monthly_total_after.into()
    }

    /// What it charges once when it takes effect.
    async fn one_off_total(&self) -> Money {
        self.0.one_off_total.into()
    }
}

/// A subscription id: a `SubscribedService.id` or `Equipment.id` (or the
/// `s<number>` form they had before global IDs).
fn subscription_key(id: &ID) -> Option<i64> {
    use super::node::{GlobalId, NodeKind};
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: NodeKind::SubscribedService | NodeKind::Equipment,
            key,
        }) => Some(key),
        Some(_) => None,
        None => id.strip_prefix('s')?.parse().ok().filter(|k: &i64| *k > 0),
    }
}

/// Something that fits the account: a tariff to move to or a service to
/// connect, as the preview of the change.
#[derive(async_graphql::Union)]
pub enum Offer {
    /// Another tariff.
    TariffChangePreview(TariffChangePreview),
    /// A service to connect.
    ServiceChangePreview(ServiceChangePreview),
}

/// The account's change fields, resolved for `Account`.
pub(super) struct AccountServices;

impl AccountServices {
    pub(super) async fn scheduled(
        ctx: &Context<'_>,
        account_id: i64,
    ) -> Result<Vec<ScheduledChange>, ApiError> {
        Ok(scheduled::pending_of(ctx.db(), account_id)
            .await?
            .into_iter()
            .map(ScheduledChange)
            .collect())
    }

    pub(super) async fn offers(ctx: &Context<'_>, account_id: i64) -> Result<Vec<Offer>, ApiError> {
        let trial = ctx.data_unchecked::<TrialDays>().0;
        let plans = match scheduled::offers(ctx.db(), ctx.clock().now(), account_id, trial).await {
            Ok(plans) => plans,
            Err(ServiceError::Db(e)) => return Err(e.into()),
            Err(e) => return Err(ApiError::internal(e)),
        };
        Ok(plans
            .into_iter()
            .map(|plan| match plan.kind {
                plan::ChangeKind::Tariff => Offer::TariffChangePreview(TariffChangePreview(plan)),
                _ => Offer::ServiceChangePreview(ServiceChangePreview(plan)),
            })
            .collect())
    }

    async fn preview(
        ctx: &Context<'_>,
        account_id: i64,
        target: &Target,
        argument: &'static str,
    ) -> Result<Plan, ApiError> {
        let trial = ctx.data_unchecked::<TrialDays>().0;
        match scheduled::preview(ctx.db(), ctx.clock().now(), account_id, target, trial).await {
            Ok(plan) => Ok(plan),
            Err(ServiceError::Db(e)) => Err(e.into()),
            Err(e) => Err(ApiError::bad_input(
                argument,
                refusal(&e).map(|(_, _, m)| m).unwrap_or_default(),
            )),
        }
    }

    pub(super) async fn tariff_preview(
        ctx: &Context<'_>,
        account_id: i64,
        tariff_id: &ID,
    ) -> Result<TariffChangePreview, ApiError> {
        let target = Target::Tariff(super::catalog::code_of(ctx, tariff_id).await?);
        Ok(TariffChangePreview(
            Self::preview(ctx, account_id, &target, "tariffId").await?,
        ))
    }

    pub(super) async fn service_preview(
        ctx: &Context<'_>,
        account_id: i64,
        service_id: Option<&ID>,
        subscription_id: Option<&ID>,
    ) -> Result<ServiceChangePreview, ApiError> {
        let (target, argument) = match (service_id, subscription_id) {
            (Some(service), None) => (
                Target::Connect(super::catalog::code_of(ctx, service).await?),
                "serviceId",
            ),
            (None, Some(subscription)) => {
                let key = subscription_key(subscription).ok_or_else(|| {
                    ApiError::bad_input("subscriptionId", "Такой подключённой услуги нет")
                })?;
                (Target::Disconnect(key), "subscriptionId")
            }
            _ => {
                return Err(ApiError::bad_input(
                    "serviceId",
                    "Укажите serviceId (подключить) или subscriptionId (отключить), одно из двух",
                ));
            }
        };
        Ok(ServiceChangePreview(
            Self::preview(ctx, account_id, &target, argument).await?,
        ))
    }
}

/// Input of `connectService`.
#[derive(Debug, InputObject)]
pub struct ConnectServiceInput {
    /// The service (`Service.id` from `serviceCatalog`).
    pub service_id: ID,
    /// `newMonthlyTotal` of the preview the subscriber agreed to.
    pub expected_monthly_total: Decimal,
}

/// Input of `disconnectService`.
#[derive(Debug, InputObject)]
pub struct DisconnectServiceInput {
    /// The subscription (`SubscribedService.id` from `me { subscriptions }`).
    pub subscription_id: ID,
    /// `newMonthlyTotal` of the preview the subscriber agreed to.
    pub expected_monthly_total: Decimal,
}

/// Input of `changeTariff`.
#[derive(Debug, InputObject)]
pub struct ChangeTariffInput {
    /// The tariff (`Tariff.id` from `tariffs`).
    pub tariff_id: ID,
    /// `newMonthlyTotal` of the preview the subscriber agreed to.
    pub expected_monthly_total: Decimal,
}

/// Input of `cancelScheduledChange`.
#[derive(Debug, InputObject)]
pub struct CancelScheduledChangeInput {
    /// The change (`ScheduledChange.id`).
    pub id: ID,
}

/// Result of `connectService` and `disconnectService`.
#[derive(SimpleObject)]
pub struct ServiceChangePayload {
    /// The change scheduled for the next 00:00 Moscow time.
    pub scheduled_change: Option<ScheduledChange>,
    /// The change as it stands now: after `PREVIEW_OUTDATED`, the new preview to show.
    pub preview: Option<ServiceChangePreview>,
    /// `NOT_FOUND`, `NOT_CONNECTABLE`, `NOT_DISCONNECTABLE`, `ALREADY_CONNECTED`,
    /// `ALREADY_SCHEDULED`, `NOT_CONNECTED`, `REQUIRES_SERVICE`, `DEPENDENT_SERVICES`,
    /// `INSUFFICIENT_FUNDS` (see `preview.amountNeeded`), `PREVIEW_OUTDATED`, `ACCOUNT_CLOSED`.
    pub user_errors: Vec<UserError>,
}

/// Result of `changeTariff`.
#[derive(SimpleObject)]
pub struct ChangeTariffPayload {
    /// The change scheduled for the next 00:00 Moscow time.
    pub scheduled_change: Option<ScheduledChange>,
    /// The change as it stands now: after `PREVIEW_OUTDATED`, the new preview to show.
    pub preview: Option<TariffChangePreview>,
    /// `NOT_FOUND`, `ALREADY_CONNECTED`, `TARIFF_CHANGE_LIMIT` (see
    /// `preview.possibleAgainAt`), `DEPENDENT_SERVICES`, `INSUFFICIENT_FUNDS` (see
    /// `preview.amountNeeded`), `PREVIEW_OUTDATED`, `ACCOUNT_CLOSED`.
    pub user_errors: Vec<UserError>,
}

/// Result of `cancelScheduledChange`.
#[derive(SimpleObject)]
pub struct CancelScheduledChangePayload {
    /// The change, now `CANCELED`.
    pub scheduled_change: Option<ScheduledChange>,
    /// `NOT_FOUND`, `ALREADY_APPLIED`, `ALREADY_CANCELED`, `DEPENDENT_SERVICES`.
    pub user_errors: Vec<UserError>,
}

async fn schedule(
    ctx: &Context<'_>,
    target: Target,
    expected: Decimal,
) -> Result<(Option<ScheduledChange>, Option<Plan>, Vec<UserError>), ApiError> {
    let account_id = ctx.subscriber()?;
    let trial = ctx.data_unchecked::<TrialDays>().0;
    let now = ctx.clock().now();
    let outcome =
        scheduled::schedule(ctx.db(), now, account_id, &target, expected.0, trial).await?;
    Ok(match outcome.result {
        Ok(change) => (Some(ScheduledChange(change)), outcome.plan, Vec::new()),
        Err(e) => (None, outcome.plan, vec![user_error(e)?]),
    })
}

/// Subscribers' service and tariff changes.
#[derive(Default)]
pub struct ServicesMutation;

#[Object]
impl ServicesMutation {
    /// Connects a service at the next 00:00 Moscow time (a scheduled change,
    /// cancellable until then). Takes the monthly total of the preview the
    /// subscriber saw: if it no longer matches, nothing is done
    /// (`PREVIEW_OUTDATED`, with the new preview).
    async fn connect_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The service and the monthly total agreed to.")]
        input: ConnectServiceInput,
    ) -> Result<ServiceChangePayload, ApiError> {
        let target = Target::Connect(super::catalog::code_of(ctx, &input.service_id).await?);
        let (change, plan, user_errors) =
            schedule(ctx, target, input.expected_monthly_total).await?;
        Ok(ServiceChangePayload {
            scheduled_change: change,
            preview: plan.map(ServiceChangePreview),
            user_errors,
        })
    }

    /// Disconnects a service at the next 00:00 Moscow time (cancellable until
    /// then); a service under a minimum term costs the compensation its
    /// preview shows.
    async fn disconnect_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription and the monthly total agreed to.")]
        input: DisconnectServiceInput,
    ) -> Result<ServiceChangePayload, ApiError> {
        let Some(key) = subscription_key(&input.subscription_id) else {
            ctx.subscriber()?;
            return Ok(ServiceChangePayload {
                scheduled_change: None,
                preview: None,
                user_errors: vec![user_error(ServiceError::NotFound)?],
            });
        };
        let (change, plan, user_errors) =
            schedule(ctx, Target::Disconnect(key), input.expected_monthly_total).await?;
        Ok(ServiceChangePayload {
            scheduled_change: change,
            preview: plan.map(ServiceChangePreview),
            user_errors,
        })
    }

    /// Changes the tariff at the next 00:00 Moscow time, at most once a Moscow
    /// day (`TARIFF_CHANGE_LIMIT`); cancellable until midnight.
    async fn change_tariff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tariff and the monthly total agreed to.")] input: ChangeTariffInput,
    ) -> Result<ChangeTariffPayload, ApiError> {
        let target = Target::Tariff(super::catalog::code_of(ctx, &input.tariff_id).await?);
        let (change, plan, user_errors) =
            schedule(ctx, target, input.expected_monthly_total).await?;
        Ok(ChangeTariffPayload {
            scheduled_change: change,
            preview: plan.map(TariffChangePreview),
            user_errors,
        })
    }

    /// Cancels a scheduled change before it takes effect; nothing is charged.
    async fn cancel_scheduled_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change.")] input: CancelScheduledChangeInput,
    ) -> Result<CancelScheduledChangePayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let refused = |e| -> Result<CancelScheduledChangePayload, ApiError> {
            Ok(CancelScheduledChangePayload {
                scheduled_change: None,
                user_errors: vec![user_error(e)?],
            })
        };
        let id = match GlobalId::decode(&input.id) {
            Some(GlobalId {
                kind: NodeKind::ScheduledChange,
                key,
            }) => key,
            _ => return refused(ServiceError::NotFound),
        };
        match scheduled::cancel(ctx.db(), ctx.clock().now(), account_id, id).await {
            Ok(change) => Ok(CancelScheduledChangePayload {
                scheduled_change: Some(ScheduledChange(change)),
                user_errors: Vec::new(),
            }),
            Err(e) => refused(e),
        }
    }
}
