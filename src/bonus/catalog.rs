//! What points buy: items by category, their price and stock, and whether a
//! subscriber can take one now (and why not).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::bonus_item::{self, Column};
use entity::catalog_item::ServiceKind;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::{BonusCategory, BonusEffect, BonusError, Member};
use crate::pagination::{self, Page, PageRequest};
use crate::time::moscow_date;

/// One catalog item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Internal id (the list key, in order).
    pub id: i64,
    /// Section.
    pub category: BonusCategory,
    /// Name, in Russian.
    pub name: String,
    /// What it is, in Russian.
    pub description: String,
    /// Price in points.
    pub price: i64,
    /// Left in stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// What taking it does.
    pub effect: BonusEffect,
    /// A service the subscriber must have.
    pub requires_kind: Option<ServiceKind>,
}

fn from_row(row: bonus_item::Model) -> Item {
    Item {
        id: row.id,
        category: row.category,
        name: row.name,
        description: row.description,
        price: row.price,
        stock: row.stock,
        effect: row.effect,
        requires_kind: row.requires_kind,
    }
}

/// A page of the catalog (items on offer, in the order they were added).
pub async fn page(
    db: &impl ConnectionTrait,
    category: Option<BonusCategory>,
    request: &PageRequest,
) -> Result<Page<Item>, DbErr> {
    let mut list = bonus_item::Entity::find().filter(Column::Active.eq(true));
    if let Some(category) = category {
        list = list.filter(Column::Category.eq(category));
    }
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Ascending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// Items by id, withdrawn ones too.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Item>, DbErr> {
    Ok(bonus_item::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// One item on offer.
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Item>, DbErr> {
    Ok(bonus_item::Entity::find_by_id(id)
        .filter(Column::Active.eq(true))
        .one(db)
        .await?
        .map(from_row))
}

/// The first day of the Moscow month after `now`: the month a discount
/// redeemed now covers.
pub fn discount_month(now: DateTime<Utc>) -> NaiveDate {
    let today = moscow_date(now);
    let first = today.with_day(1).unwrap_or(today);
    first.checked_add_months(Months::new(1)).unwrap_or(first)
}

/// What the subscriber has that decides whether an item can be taken.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// The membership, if they joined.
    pub member: Option<Member>,
    /// Kinds of the services they have today.
    pub kinds: Vec<ServiceKind>,
    /// Whether next month's discount is taken already.
    pub discount_taken: bool,
}

/// Why `viewer` cannot take `item` now; `None` when they can.
pub fn refusal(item: &Item, viewer: &Viewer) -> Option<BonusError> {
    let Some(member) = &viewer.member else {
        return Some(BonusError::NotEnrolled);
    };
    if let Some(kind) = item.requires_kind
        && !viewer.kinds.contains(&kind)
    {
        return Some(BonusError::NotAvailableForTariff);
    }
    if item.stock == Some(0) {
        return Some(BonusError::OutOfStock);
    }
    if item.effect == BonusEffect::InternetDiscount50 && viewer.discount_taken {
        return Some(BonusError::DiscountTaken);
    }
    if member.points < item.price {
        return Some(BonusError::InsufficientPoints);
    }
    None
}

/// Limits of an item's texts and numbers.
pub const MAX_NAME: usize = 200;
/// The longest description.
pub const MAX_DESCRIPTION: usize = 1000;
/// The highest price and stock.
pub const MAX_NUMBER: i64 = 10_000_000;

/// An item an operator adds.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Section.
    pub category: BonusCategory,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points, above zero.
    pub price: i64,
    /// Stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// What taking it does.
    pub effect: BonusEffect,
    /// A service the subscriber must have.
    pub requires_kind: Option<ServiceKind>,
}

/// Adds an item to the catalog.
pub async fn add(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    item: NewItem,
) -> Result<Item, BonusError> {
    let name = item.name.trim().to_owned();
    if name.is_empty() {
        return Err(BonusError::Required("name"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(BonusError::TooLong("name"));
    }
    if item.description.chars().count() > MAX_DESCRIPTION {
        return Err(BonusError::TooLong("description"));
    }
    if !(1..=MAX_NUMBER).contains(&item.price) {
        return Err(BonusError::OutOfRange("price"));
    }
    check_stock(item.stock)?;
    let row = bonus_item::ActiveModel {
        category: Set(item.category),
        name: Set(name),
        description: Set(item.description.trim().to_owned()),
        price: Set(item.price),
        stock: Set(item.stock),
        effect: Set(item.effect),
        requires_kind: Set(item.requires_kind),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    };
    let id = bonus_item::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id;
    find(db, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("bonus item {id}")).into())
}

fn check_stock(stock: Option<i64>) -> Result<(), BonusError> {
    match stock {
        Some(n) if !(0..=MAX_NUMBER).contains(&n) => Err(BonusError::OutOfRange("stock")),
        _ => Ok(()),
    }
}

/// Sets an item's stock (`None`: unlimited).
pub async fn set_stock(
    db: &impl ConnectionTrait,
    id: i64,
    stock: Option<i64>,
) -> Result<Item, BonusError> {
    check_stock(stock)?;
    let result = bonus_item::Entity::update_many()
        .col_expr(Column::Stock, sea_orm::sea_query::Expr::value(stock))
        .filter(Column::Id.eq(id))
        .filter(Column::Active.eq(true))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(BonusError::NoItem);
    }
    find(db, id).await?.ok_or(BonusError::NoItem)
}
