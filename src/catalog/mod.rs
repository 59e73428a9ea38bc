//! The catalog: tariff plans and services with their monthly fees.

use entity::catalog_item::{self, Column, ItemRole};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub use entity::catalog_item::ServiceKind;

use crate::money::Kopecks;

/// A tariff plan or a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    /// Internal id.
    pub id: i64,
    /// Stable code, e.g. `internet-500`.
    pub code: String,
    /// Whether it is a tariff plan.
    pub is_tariff: bool,
    /// What it provides.
    pub kind: ServiceKind,
    /// Name, in Russian.
    pub name: String,
    /// Description, in Russian.
    pub description: String,
    /// Monthly fee.
    pub monthly_fee: Kopecks,
    /// Internet speed, Mbit/s.
    pub speed_mbps: Option<i32>,
    /// TV channels included.
    pub tv_channels: Option<i32>,
    /// A kind that must be subscribed first.
    pub requires_kind: Option<ServiceKind>,
}

fn from_row(row: catalog_item::Model) -> CatalogItem {
    CatalogItem {
        id: row.id,
        code: row.code,
        is_tariff: row.role == ItemRole::Tariff,
        kind: row.kind,
        name: row.name,
        description: row.description,
        monthly_fee: Kopecks::new(row.monthly_fee),
        speed_mbps: row.speed_mbps,
        tv_channels: row.tv_channels,
        requires_kind: row.requires_kind,
    }
}

/// Active items of a role, optionally of one kind, in catalog order.
pub async fn list(
    db: &impl ConnectionTrait,
    tariffs: bool,
    kind: Option<ServiceKind>,
) -> Result<Vec<CatalogItem>, DbErr> {
    let role = if tariffs {
        ItemRole::Tariff
    } else {
        ItemRole::Service
    };
    let mut query = catalog_item::Entity::find()
        .filter(Column::Role.eq(role))
        .filter(Column::Active.eq(true));
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind));
    }
    Ok(query
        .order_by_asc(Column::SortOrder)
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Items with these ids.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<CatalogItem>, DbErr> {
    Ok(catalog_item::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The item with this code.
pub async fn find_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<CatalogItem>, DbErr> {
    Ok(catalog_item::Entity::find()
        .filter(Column::Code.eq(code))
        .one(db)
        .await?
        .map(from_row))
}

/// A catalog entry to create.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Code.
    pub code: &'static str,
    /// Tariff plan or service.
    pub tariff: bool,
    /// Kind.
    pub kind: ServiceKind,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Monthly fee in whole roubles.
    pub rubles: i64,
    /// Speed.
    pub speed_mbps: Option<i32>,
    /// Channels.
    pub tv_channels: Option<i32>,
    /// Prerequisite kind.
    pub requires_kind: Option<ServiceKind>,
}

/// Adds an item (catalog import, demo data).
pub async fn insert(
    db: &impl ConnectionTrait,
    sort_order: i32,
    item: NewItem,
) -> Result<CatalogItem, DbErr> {
    let row = catalog_item::ActiveModel {
        code: Set(item.code.to_owned()),
        role: Set(if item.tariff {
            ItemRole::Tariff
        } else {
            ItemRole::Service
        }),
        kind: Set(item.kind),
        name: Set(item.name.to_owned()),
        description: Set(item.description.to_owned()),
        monthly_fee: Set(Kopecks::from_rubles(item.rubles).get()),
        speed_mbps: Set(item.speed_mbps),
        tv_channels: Set(item.tv_channels),
        requires_kind: Set(item.requires_kind),
        sort_order: Set(sort_order),
        active: Set(true),
        ..Default::default()
    };
    Ok(from_row(
        catalog_item::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}
