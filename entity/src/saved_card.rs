//! `saved_card`: a card a payment saved at the provider, for autopayment and
//! quick top-ups; the provider keeps the card, we keep its method id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "saved_card")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub provider: String,
    /// The provider's payment method id (charged without the payer).
    pub method_id: String,
    pub last4: String,
    pub expiry_month: i32,
    pub expiry_year: i32,
    pub card_type: String,
    pub created_at: DateTimeUtc,
    /// When the subscriber forgot it.
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
