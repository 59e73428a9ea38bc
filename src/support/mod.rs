//! Support: the help desk's contacts, tickets with their threads, technician
//! visits, and the response-time report.

pub mod report;
pub mod tickets;
pub mod visits;

use entity::support_contacts;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The help desk's phone, e-mail and hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportContacts {
    /// The number as people dial it.
    pub phone: String,
    /// The number in E.164, for `tel:` links.
    pub phone_e164: String,
    /// Support e-mail.
    pub email: String,
    /// Working hours, in Russian.
    pub hours: String,
}

/// Why the contacts cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// The migration that records the contacts has not run.
    #[error("support contacts are not configured")]
    NotConfigured,
}

/// The contacts of the provider's brand.
pub async fn contacts(db: &impl ConnectionTrait) -> Result<SupportContacts, SupportError> {
    let row = support_contacts::Entity::find_by_id("default".to_owned())
        .one(db)
        .await?
        .ok_or(SupportError::NotConfigured)?;
    Ok(SupportContacts {
        phone: row.phone,
        phone_e164: row.phone_e164,
        email: row.email,
        hours: row.hours,
    })
}
