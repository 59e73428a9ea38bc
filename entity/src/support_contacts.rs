//! `support_contacts`: how subscribers reach support; one row per brand (`default`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand: String,
    /// The number as people dial it, e.g. `8-800-707-12-12`.
    pub phone: String,
    /// The same number in E.164 for `tel:` links.
    pub phone_e164: String,
    pub email: String,
    pub hours: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
