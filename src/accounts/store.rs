//! SQL for accounts.

use entity::account;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::{Account, AccountNumber, NewAccount, Phone};
use crate::clock::Clock;

/// The account of a stored row.
pub(crate) fn from_row(row: account::Model) -> Result<Account, DbErr> {
    // Stored values were validated on the way in; a bad one is corrupt data.
    let corrupt = |what: &str| DbErr::Type(format!("account {}: invalid {what}", row.id));
    Ok(Account {
        id: row.id,
        number: AccountNumber::parse(&row.number).map_err(|_| corrupt("number"))?,
        phone: Phone::parse(&row.phone).map_err(|_| corrupt("phone"))?,
        contract_number: row.contract_number,
        contract_date: row.contract_date,
        holder_name: row.holder_name,
        email: row.email,
        address: row.address,
        status: row.status,
        balance: crate::money::Kopecks::new(row.balance),
        created_at: row.created_at,
    })
}

/// Holds the account's row until the transaction ends, so checks of "how
/// many does this account have" and the insert after them cannot interleave
/// with another request's. (A write transaction on SQLite already holds the
/// whole database.)
pub async fn lock(db: &impl ConnectionTrait, account_id: i64) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.query_one_raw(crate::db::statement(
            db,
            "SELECT id FROM account WHERE id = $1 FOR UPDATE",
            vec![account_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The accounts with these ids (missing ids are simply absent).
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Account>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// How many accounts exist.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    account::Entity::find().count(db).await
}

/// Opens an account; it starts `ACTIVE`.
pub async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    new: NewAccount,
) -> Result<Account, DbErr> {
    let row = account::ActiveModel {
        number: Set(new.number.as_str().to_owned()),
        contract_number: Set(new.contract_number),
        contract_date: Set(new.contract_date),
        holder_name: Set(new.holder_name),
        phone: Set(new.phone.as_str().to_owned()),
        email: Set(new.email),
        address: Set(new.address),
        codeword_hash: Set(new.codeword_hash),
        status: Set(account::AccountStatus::Active),
        created_at: Set(clock.now()),
        balance: Set(0),
        ..Default::default()
    };
    from_row(account::Entity::insert(row).exec_with_returning(db).await?)
}

/// The account with this number.
pub async fn find_by_number(
    db: &impl ConnectionTrait,
    number: &AccountNumber,
) -> Result<Option<Account>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Number.eq(number.as_str()))
        .one(db)
        .await?
        .map(from_row)
        .transpose()
}

/// The ids of the accounts with these numbers, by number (unknown ones absent).
pub async fn ids_by_number(
    db: &impl ConnectionTrait,
    numbers: &[&str],
) -> Result<std::collections::HashMap<String, i64>, DbErr> {
    use sea_orm::QuerySelect;
    let rows: Vec<(i64, String)> = account::Entity::find()
        .filter(account::Column::Number.is_in(numbers.iter().copied()))
        .select_only()
        .columns([account::Column::Id, account::Column::Number])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, number)| (number, id)).collect())
}
