//! GraphQL face of antivirus bought outright or in instalments:
//! `purchaseAntivirus` and the instalments in `monthlyCost`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::billing::Subscription as SubscribedService;
use super::context::ContextExt;
use super::errors::{ApiError, UserError};
use super::scalars::{Date, Money};
use super::services::user_error;
use crate::events::{AccountEvent, Events};
use crate::money::Kopecks;
use crate::services::ServiceError;
use crate::services::antivirus;

/// One instalment of something bought in instalments.
#[derive(Debug, Clone, SimpleObject)]
pub struct Instalment {
    /// Its number, from 1.
    pub number: i32,
    /// How many there are.
    pub of: i32,
    /// The Moscow day it is due (charged then).
    pub due_on: Date,
    /// How much.
    pub amount: Money,
    /// Whether it has been charged.
    pub charged: bool,
}

impl From<antivirus::Instalment> for Instalment {
    fn from(i: antivirus::Instalment) -> Self {
        Instalment {
            number: i.number,
            of: i.of,
            due_on: Date(i.due_on),
            amount: i.amount.into(),
            charged: i.charged,
        }
    }
}

/// Instalments still to pay for one purchase, in the monthly cost.
#[derive(Debug, Clone, SimpleObject)]
pub struct InstalmentPlan {
    /// What was bought.
    pub name: String,
    /// The next instalment.
    pub next: Instalment,
    /// How many are left, the next included.
    pub payments_left: i32,
    /// What is left to pay, the next included.
    pub left_to_pay: Money,
}

/// The account's instalment plans still running (`CostBreakdown.instalments`).
pub(super) async fn plans_of(
    ctx: &Context<'_>,
    account_id: i64,
    items: &[crate::billing::subscriptions::Subscription],
    catalog: &std::collections::HashMap<i64, crate::catalog::CatalogItem>,
) -> Result<Vec<InstalmentPlan>, ApiError> {
    // Unpaid instalments come ordered by subscription and number: the first
    // of each run is the next one due.
    let unpaid = antivirus::unpaid_of(ctx.db(), account_id).await?;
    let mut plans: Vec<(antivirus::Instalment, i32, Kopecks)> = Vec::new();
    for i in unpaid {
        match plans.last_mut() {
            Some((next, count, left)) if next.subscription_id == i.subscription_id => {
                *count += 1;
                *left += i.amount;
            }
            _ => {
                let amount = i.amount;
                plans.push((i, 1, amount));
            }
        }
    }
    Ok(plans
        .into_iter()
        .map(|(next, count, left)| InstalmentPlan {
            name: items
                .iter()
                .find(|s| s.id == next.subscription_id)
                .and_then(|s| catalog.get(&s.item_id))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            next: next.into(),
            payments_left: count,
            left_to_pay: left.into(),
        })
        .collect())
}

/// Input of `purchaseAntivirus`.
#[derive(Debug, InputObject)]
pub struct PurchaseAntivirusInput {
    /// The product (`Service.id` from `serviceCatalog(kind: ANTIVIRUS)`, one with a `purchasePrice`).
    pub product_id: ID,
    /// Months to pay over: one of the product's `instalmentMonths` (1: at once).
    pub instalment_months: i32,
}

/// Result of `purchaseAntivirus`.
#[derive(SimpleObject)]
pub struct PurchaseAntivirusPayload {
    /// The licence (with its `licenceKey`), among `me { subscriptions }`.
    pub subscription: Option<SubscribedService>,
    /// Every instalment; the first is charged now.
    pub instalments: Vec<Instalment>,
    /// `NOT_FOUND`, `INVALID_VALUE` (a term not offered), `ALREADY_CONNECTED`,
    /// `INSUFFICIENT_FUNDS` (the first instalment), `ACCOUNT_BLOCKED`,
    /// `ACCOUNT_SUSPENDED`, `ACCOUNT_CLOSED`.
    pub user_errors: Vec<UserError>,
}

/// Subscribers' antivirus purchases.
#[derive(Default)]
pub struct AntivirusMutation;

#[Object]
impl AntivirusMutation {
    /// Buys an antivirus licence, at once or in monthly instalments that add up
    /// to its price; the first is charged now, the rest on the same day of each
    /// following month. The licence key is in the payload and in
    /// `me { subscriptions { licenceKey } }`.
    async fn purchase_antivirus(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product and the instalment term.")] input: PurchaseAntivirusInput,
    ) -> Result<PurchaseAntivirusPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let refused = |e| -> Result<PurchaseAntivirusPayload, ApiError> {
            Ok(PurchaseAntivirusPayload {
                subscription: None,
                instalments: Vec::new(),
                user_errors: vec![user_error(e)?],
            })
        };
        let Ok(months) = u32::try_from(input.instalment_months) else {
            return refused(ServiceError::InstalmentTermNotOffered {
                offered: Vec::new(),
            });
        };
        let now = ctx.clock().now();
        let product = super::catalog::code_of(ctx, &input.product_id).await?;
        match antivirus::purchase(ctx.db(), now, account_id, &product, months).await {
            Ok(bought) => {
                ctx.data_unchecked::<Events>()
                    .publish(AccountEvent::BalanceChanged {
                        account_id,
                        balance: bought.balance,
                        at: now,
                    })
                    .await;
                Ok(PurchaseAntivirusPayload {
                    subscription: Some(SubscribedService(bought.subscription, None)),
                    instalments: bought.instalments.into_iter().map(Into::into).collect(),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => refused(e),
        }
    }
}
