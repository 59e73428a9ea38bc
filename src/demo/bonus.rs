//! The demo bonus catalog: the popular internet discount, goods with a small
//! stock and a digital product. Nobody is enrolled: joining is the
//! subscriber's own act.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::bonus::catalog::{self, NewItem};
use crate::bonus::{BonusCategory, BonusEffect, BonusError};
use crate::catalog::ServiceKind;

/// Fills the catalog.
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), BonusError> {
    let items = [
        NewItem {
            category: BonusCategory::ServiceDiscount,
            name: "Скидка 50 % на интернет на месяц".into(),
            description:
                "Абонентская плата за интернет весь следующий календарный месяц — вдвое меньше."
                    .into(),
            price: 500,
            stock: None,
            effect: BonusEffect::InternetDiscount50,
            requires_kind: Some(ServiceKind::Internet),
        },
        NewItem {
            category: BonusCategory::Digital,
            name: "Онлайн-кинотеатр: месяц подписки".into(),
            description: "Код активации придёт сразу после обмена баллов.".into(),
            price: 300,
            stock: None,
            effect: BonusEffect::DigitalCode,
            requires_kind: None,
        },
        NewItem {
            category: BonusCategory::Goods,
            name: "Фирменная кружка".into(),
            description: "Заберите в офисе продаж или попросите техника привезти.".into(),
            price: 150,
            stock: Some(25),
            effect: BonusEffect::Goods,
            requires_kind: None,
        },
        NewItem {
            category: BonusCategory::Goods,
            name: "Wi-Fi-роутер двухдиапазонный".into(),
            description: "Новый роутер в собственность; настройку выполнит техник.".into(),
            price: 2500,
            stock: Some(3),
            effect: BonusEffect::Goods,
            requires_kind: Some(ServiceKind::Internet),
        },
    ];
    for item in items {
        catalog::add(db, now, item).await?;
    }
    Ok(())
}
