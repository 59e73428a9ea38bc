//! GraphQL face of staff tools: `Query.staff`, for operators only.

use async_graphql::{Context, Object, SimpleObject};

use super::accounts::Account;
use super::context::ContextExt;
use super::errors::ApiError;
use crate::accounts::{self, AccountNumber};
use crate::auth;

/// An operator.
#[derive(Debug, Clone, SimpleObject)]
pub struct StaffMember {
    /// Login.
    pub login: String,
    /// Full name.
    pub name: String,
}

/// Operators' tools. Every field needs a staff session.
pub struct StaffQuery {
    credential_id: i64,
}

/// Operators' tools. Every field needs a staff session.
#[Object]
impl StaffQuery {
    /// The signed-in operator.
    async fn me(&self, ctx: &Context<'_>) -> Result<StaffMember, ApiError> {
        let member = auth::staff_member(ctx.db(), self.credential_id)
            .await?
            .ok_or(ApiError::Forbidden)?;
        Ok(StaffMember {
            login: member.login,
            name: member.name,
        })
    }

    /// The support queue, oldest first: by status, category and age.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this status.")] status: Option<super::tickets::TicketStatus>,
        #[graphql(desc = "Only this category.")] category: Option<super::tickets::TicketCategory>,
        #[graphql(desc = "Only tickets opened at least this many hours ago.")]
        older_than_hours: Option<i32>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<super::tickets::TicketConnection, ApiError> {
        let request = super::connection::page_request(first, after, last, before)?;
        super::tickets::staff_queue(ctx, status, category, older_than_hours, request).await
    }

    /// First-response and resolution times (median, 90th percentile) by
    /// category and week, over the tickets opened from `from` to `to`.
    async fn support_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First Moscow day.")] from: super::scalars::Date,
        #[graphql(desc = "Last Moscow day (at most a year after `from`).")]
        to: super::scalars::Date,
    ) -> Result<Vec<super::tickets::SupportReportRow>, ApiError> {
        super::tickets::staff_report(ctx, from, to).await
    }

    /// Connection applications, newest first, optionally of one status.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn connection_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this status.")] status: Option<
            super::connections::ConnectionApplicationStatus,
        >,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<super::connections::ConnectionApplicationConnection, ApiError> {
        super::connections::staff_applications(ctx, status, first, after, last, before).await
    }

    /// Any subscriber's account by its number; null when there is none.
    async fn account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Account number, 12 digits.")] number: String,
    ) -> Result<Option<Account>, ApiError> {
        let number = AccountNumber::parse(&number)
            .map_err(|e| ApiError::bad_input("number", super::messages::account(&e)))?;
        Ok(accounts::find_by_number(ctx.db(), &number)
            .await?
            .map(Account::from))
    }
}

/// The `staff` root field.
#[derive(Default)]
pub struct StaffRoot;

#[Object]
impl StaffRoot {
    /// Operators' tools: `UNAUTHENTICATED` without a session, `FORBIDDEN` for subscribers.
    async fn staff(&self, ctx: &Context<'_>) -> Result<StaffQuery, ApiError> {
        Ok(StaffQuery {
            credential_id: ctx.staff()?,
        })
    }
}
