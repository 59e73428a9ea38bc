//! `credential`: a login and its password hash, for a subscriber (bound to an
//! account) or a staff member. One table, so logins are unique across both.

use sea_orm::entity::prelude::*;

/// Who signs in with a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "subscriber")]
    Subscriber,
    #[sea_orm(string_value = "staff")]
    Staff,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credential")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case login, unique.
    #[sea_orm(unique)]
    pub login: String,
    /// PHC string of an argon2id hash.
    pub password_hash: String,
    pub role: Role,
    /// The account of a subscriber credential (unique); null for staff.
    #[sea_orm(unique)]
    pub account_id: Option<i64>,
    /// A staff member's name; null for subscribers.
    pub display_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub password_changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The subscriber's account (none for staff).
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
