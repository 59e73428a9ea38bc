//! GraphQL face of the contract: `me { contract }` with its terms, every
//! obligation in force and the cost of leaving today, line by line.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::billing::PromisedPeriod;
use super::context::ContextExt;
use super::errors::ApiError;
use super::scalars::{Date, Money};
use super::services::{Obligation, TrialDays, obligation};
use crate::services::contract::{self, ContractView, NamedExitLine};
use crate::services::exit::ExitKind;

/// Why leaving costs something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "ExitKind")]
pub enum ExitCostKind {
    /// Instalments of equipment not yet paid.
    Instalments,
    /// Equipment given free or cheap for a minimum term: its compensation,
    /// falling evenly to zero over the term.
    EquipmentCompensation,
    /// A service's minimum term: its compensation, falling evenly to zero.
    EarlyTermination,
    /// A service's promo price granted for a minimum term: the discount received so far.
    PromoClawback,
}

/// One line of the cost of leaving.
#[derive(Debug, Clone, SimpleObject)]
pub struct ExitCostLine {
    /// Why.
    pub kind: ExitCostKind,
    /// What it is for, in Russian.
    pub what: String,
    /// What leaving today costs for it (zero while waived by the trial period).
    pub amount: Money,
    /// What it comes to without the trial period.
    pub full_amount: Money,
    /// The rule behind it, in Russian.
    pub reason: String,
    /// The last day it is owed; from the day after it is zero.
    pub until: Date,
    /// Waived: the service is in its trial period.
    pub waived: bool,
}

/// What ending the contract today would cost (★: none of the big operators
/// shows it).
#[derive(Debug, Clone, SimpleObject)]
pub struct ExitCost {
    /// The Moscow day it is worked out for (service to the end of it).
    pub as_of: Date,
    /// Everything together.
    pub total: Money,
    /// Whether any line is waived by a trial period now.
    pub in_trial: bool,
    /// Each obligation that leaving would settle.
    pub lines: Vec<ExitCostLine>,
}

fn exit_line(named: &NamedExitLine) -> ExitCostLine {
    let line = &named.line;
    let name = &named.item_name;
    let until = line.until.format("%d.%m.%Y");
    let (what, mut reason) = match line.kind {
        ExitKind::Instalments => (
            format!("«{name}»: остаток рассрочки"),
            format!("Оборудование в рассрочку: платежи до {until} включительно"),
        ),
        ExitKind::EquipmentCompensation => (
            format!("«{name}»: компенсация за оборудование"),
            format!(
                "Оборудование передано на условиях минимального срока до {until}: \
                 компенсация равномерно уменьшается до нуля к концу срока"
            ),
        ),
        ExitKind::EarlyTermination => (
            format!("«{name}»: досрочный отказ"),
            format!(
                "Минимальный срок до {until}: компенсация равномерно уменьшается до нуля к концу срока"
            ),
        ),
        ExitKind::PromoClawback => (
            format!("«{name}»: возврат скидки по акции"),
            format!(
                "Акционная цена дана при условии минимального срока до {until}: \
                 при отказе раньше возвращается полученная скидка"
            ),
        ),
    };
    if line.waived {
        reason.push_str(". В пробный период не взимается");
    }
    ExitCostLine {
        kind: line.kind.into(),
        what,
        amount: line.amount.into(),
        full_amount: line.full_amount.into(),
        reason,
        until: super::scalars::Date(line.until),
        waived: line.waived,
    }
}

/// The contract: number, date, terms, obligations, the cost of leaving and the document.
pub struct Contract(ContractView);

/// The contract: number, date, terms, obligations, the cost of leaving and the document.
#[Object]
impl Contract {
    /// Contract number.
    async fn number(&self) -> &str {
        &self.0.account.contract_number
    }

    /// Date the contract was signed.
    async fn date(&self) -> Date {
        Date(self.0.account.contract_date)
    }

    /// The holder (ФИО).
    async fn holder_name(&self) -> &str {
        &self.0.account.holder_name
    }

    /// The service address.
    async fn address(&self) -> &str {
        &self.0.account.address
    }

    /// The terms every subscriber has, in Russian, one per line.
    async fn terms(&self, ctx: &Context<'_>) -> Vec<String> {
        let promised = ctx.data_unchecked::<PromisedPeriod>().0.num_days();
        terms(self.0.trial_days, promised)
    }

    /// Every obligation in force: promo prices, minimum terms and the promo
    /// discounts they would claw back, instalments, trial periods.
    async fn obligations(&self) -> Vec<Obligation> {
        self.0.obligations.iter().map(obligation).collect()
    }

    /// What ending the contract today would cost, line by line, with the rule
    /// behind each line and the last day it is owed.
    async fn exit_cost(&self) -> ExitCost {
        ExitCost {
            as_of: Date(self.0.today),
            total: self.0.exit_total().into(),
            in_trial: self.0.exit.iter().any(|l| l.line.waived),
            lines: self.0.exit.iter().map(exit_line).collect(),
        }
    }

    /// Days from a service's first day in which leaving it costs nothing.
    async fn trial_days(&self) -> i32 {
        i32::try_from(self.0.trial_days).unwrap_or(i32::MAX)
    }

    /// The contract as a PDF with the same obligations and cost of leaving
    /// (open it with the same bearer token).
    async fn document_url(&self, ctx: &Context<'_>) -> String {
        let base = &ctx.data_unchecked::<super::payments::PublicUrl>().0;
        format!("{base}/documents/contract.pdf")
    }
}

/// The terms of every contract, in Russian (also printed in the PDF).
pub fn terms(trial_days: u32, promised_days: i64) -> Vec<String> {
    vec![
        "Абонентская плата списывается ежедневно: месячная плата делится на дни месяца, \
         за месяц выходит ровно она."
            .to_owned(),
        "Подключение и отключение услуг и смена тарифа вступают в силу в 00:00 по Москве \
         следующего дня; до этого изменение можно отменить."
            .to_owned(),
        "Тариф можно менять не чаще раза в сутки.".to_owned(),
        "Перед любым изменением показываются новая месячная плата, разовые платежи и \
         обязательства; без подтверждения ничего не списывается."
            .to_owned(),
        format!(
            "Пробный период {trial_days} дн. с подключения услуги: отказ в это время без \
             компенсаций, возврата скидок и остатка рассрочки."
        ),
        format!(
            "Обещанный платёж — на {promised_days} дн., в пределах месячной платы, когда баланса \
             не хватает на следующий день."
        ),
        "При отрицательном балансе без обещанного платежа услуги приостанавливаются до пополнения."
            .to_owned(),
    ]
}

/// `Account.contract`.
pub(super) async fn of(ctx: &Context<'_>, account_id: i64) -> Result<Contract, ApiError> {
    let trial = ctx.data_unchecked::<TrialDays>().0;
    contract::of(ctx.db(), ctx.clock().now(), account_id, trial)
        .await?
        .map(Contract)
        .ok_or_else(|| ApiError::internal(sea_orm::DbErr::RecordNotFound("account".into())))
}

/// The contract document (`GET /documents/contract.pdf`): the same terms,
/// obligations and cost of leaving as `me { contract }`.
pub fn document(
    view: &ContractView,
    promised_days: i64,
) -> crate::documents::contract::ContractDocument {
    let date = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    crate::documents::contract::ContractDocument {
        number: view.account.contract_number.clone(),
        date: date(view.account.contract_date),
        account_number: view.account.number.as_str().to_owned(),
        holder_name: view.account.holder_name.clone(),
        address: view.account.address.clone(),
        as_of: date(view.today),
        items: view
            .items
            .iter()
            .map(|(s, c)| (c.name.clone(), s.fee_on(view.today)))
            .collect(),
        terms: terms(view.trial_days, promised_days),
        obligations: view
            .obligations
            .iter()
            .map(|o| obligation(o).description)
            .collect(),
        exit: view
            .exit
            .iter()
            .map(|l| {
                let line = exit_line(l);
                (line.what, l.line.amount, line.reason)
            })
            .collect(),
        exit_total: view.exit_total(),
    }
}
