//! GraphQL face of support: `Query.supportContacts`.

use async_graphql::{Context, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::ApiError;
use crate::support;

/// How to reach the provider's support.
#[derive(Debug, Clone, SimpleObject)]
pub struct SupportContacts {
    /// Support phone as people dial it: `8-800-707-12-12` (free within Russia).
    pub phone: String,
    /// The same number in E.164, for `tel:` links: `+78007071212`.
    pub phone_e164: String,
    /// Support e-mail.
    pub email: String,
    /// When support answers, in Russian.
    pub hours: String,
}

/// Root fields about support.
#[derive(Default)]
pub struct SupportQuery;

#[Object]
impl SupportQuery {
    /// Phone, e-mail and hours of support. Anyone may ask.
    async fn support_contacts(&self, ctx: &Context<'_>) -> Result<SupportContacts, ApiError> {
        let contacts = support::contacts(ctx.db())
            .await
            .map_err(ApiError::internal)?;
        Ok(SupportContacts {
            phone: contacts.phone,
            phone_e164: contacts.phone_e164,
            email: contacts.email,
            hours: contacts.hours,
        })
    }
}
