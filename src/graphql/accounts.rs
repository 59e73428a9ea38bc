//! GraphQL face of accounts: `Account` and `Query.me`.

use async_graphql::{Context, Enum, ID, Object};

use super::auth::LoginSession;
use super::context::ContextExt;
use super::errors::ApiError;
use super::node::{GlobalId, NodeKind};
use super::scalars::{Date, DateTime};
use crate::{accounts, auth};

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

    /// Devices and browsers signed in to this account now, newest first; `current`
    /// marks the one asking. End one with `revokeLoginSession`.
    async fn login_sessions(&self, ctx: &Context<'_>) -> Result<Vec<LoginSession>, ApiError> {
        let sessions = auth::list_for_account(ctx.db(), ctx.clock().now(), self.0.id).await?;
        Ok(sessions
            .into_iter()
            .map(|s| LoginSession::new(ctx, s))
            .collect())
    }
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
        Ok(ctx
            .loaders()
            .accounts
            .load_one(account_id)
            .await?
            .map(Account))
    }
}
