//! The catalog: tariff plans and services with their monthly fees.

use entity::catalog_item::{self, Column, ItemRole};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub use entity::catalog_item::ServiceKind;

use crate::money::Kopecks;

/// What connecting an item brings besides its monthly fee: all of it is shown
/// in a preview before the subscriber agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    /// Charged once, on the day it is connected.
    pub connection_fee: Kopecks,
    /// A promo monthly fee for the first months.
    pub promo: Option<PromoTerms>,
    /// A minimum term with its early-termination charge.
    pub min_term: Option<MinTermTerms>,
}

/// A promo price for the first months after connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromoTerms {
    /// The monthly fee while it lasts.
    pub fee: Kopecks,
    /// How many months it lasts.
    pub months: u32,
}

/// A minimum term: leaving earlier costs a compensation that falls evenly to
/// zero over the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinTermTerms {
    /// Its length in months.
    pub months: u32,
    /// What leaving on its first day costs.
    pub exit_fee: Kopecks,
}

/// A product bought outright (antivirus): its price and the instalment terms
/// it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    /// The price.
    pub price: Kopecks,
    /// Months it may be paid over (1: at once).
    pub instalment_months: Vec<u32>,
}

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
    /// Connection fee, promo and minimum term.
    pub terms: Terms,
    /// A product bought outright rather than subscribed to monthly.
    pub purchase: Option<Purchase>,
}

impl CatalogItem {
    /// Whether this item gives the subscriber `kind`: its own kind, internet
    /// with any tariff that has a speed, base TV with a tariff that has
    /// channels (extra packages are not base TV).
    pub fn provides(&self, kind: ServiceKind) -> bool {
        self.kind == kind
            || match kind {
                ServiceKind::Internet => self.is_tariff && self.speed_mbps.is_some(),
                ServiceKind::Tv => self.is_tariff && self.tv_channels.is_some(),
                _ => false,
            }
    }
}

fn months(value: Option<i32>) -> Option<u32> {
    value.and_then(|m| u32::try_from(m).ok()).filter(|m| *m > 0)
}

/// The catalog item of a stored row.
pub(crate) fn from_row(row: catalog_item::Model) -> CatalogItem {
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
        terms: Terms {
            connection_fee: Kopecks::new(row.connection_fee),
            promo: row
                .promo_fee
                .zip(months(row.promo_months))
                .map(|(fee, months)| PromoTerms {
                    fee: Kopecks::new(fee),
                    months,
                }),
            min_term: months(row.min_term_months).map(|months| MinTermTerms {
                months,
                exit_fee: Kopecks::new(row.early_exit_fee.unwrap_or(0)),
            }),
        },
        purchase: row.purchase_price.map(|price| Purchase {
            price: Kopecks::new(price),
            instalment_months: row
                .instalment_months
                .as_deref()
                .unwrap_or("1")
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .filter(|m: &u32| *m > 0)
                .collect(),
        }),
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

/// The active item with this code (what a client names a tariff or service by).
pub async fn find_active_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<CatalogItem>, DbErr> {
    Ok(catalog_item::Entity::find()
        .filter(Column::Code.eq(code))
        .filter(Column::Active.eq(true))
        .one(db)
        .await?
        .map(from_row))
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

/// Items with these ids, by id (what the rules look entries up in).
pub async fn by_id(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, CatalogItem>, DbErr> {
    Ok(find_many(db, ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
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
    /// Connection fee, promo and minimum term.
    pub terms: Terms,
    /// A product bought outright.
    pub purchase: Option<Purchase>,
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
        connection_fee: Set(item.terms.connection_fee.get()),
        promo_fee: Set(item.terms.promo.map(|p| p.fee.get())),
        promo_months: Set(item
            .terms
            .promo
            .map(|p| i32::try_from(p.months).unwrap_or(i32::MAX))),
        min_term_months: Set(item
            .terms
            .min_term
            .map(|t| i32::try_from(t.months).unwrap_or(i32::MAX))),
        early_exit_fee: Set(item.terms.min_term.map(|t| t.exit_fee.get())),
        purchase_price: Set(item.purchase.as_ref().map(|p| p.price.get())),
        instalment_months: Set(item.purchase.as_ref().map(|p| {
            p.instalment_months
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })),
        ..Default::default()
    };
    Ok(from_row(
        catalog_item::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}
