//! `sandbox_payment`: the built-in sandbox provider's side of a payment (what
//! a real provider keeps in its own systems).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_payment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Kopecks to pay.
    pub amount: i64,
    pub description: String,
    pub return_url: String,
    /// The merchant's reference (our provider key).
    pub reference: String,
    pub save_payment_method: bool,
    /// pending, succeeded or canceled.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub idempotence_key: String,
    /// The card kept when the payer paid with `save_payment_method`.
    pub saved_method_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
