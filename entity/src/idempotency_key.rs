//! `idempotency_key`: a client's key for a money mutation, claimed by the first
//! request that carries it, with that request's result.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// The key as the client sent it (1–200 characters).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The mutation that claimed it.
    pub operation: String,
    /// Hex SHA-256 of the mutation's input, to tell a retry from a reuse.
    pub request_hash: String,
    /// The first result, as JSON.
    pub response: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
