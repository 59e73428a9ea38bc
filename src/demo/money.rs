//! Demo catalog, subscriptions and months of money history. The history is
//! produced by the real billing code: each day is billed by `billing::run`,
//! each payment posted by `billing::post`, as they would have been.

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::billing::ledger::EntryKind;
use crate::billing::subscriptions::{self, MinTerm, NewSubscription, Ownership, Promo};
use crate::billing::{self, BillingError, Movement};
use crate::catalog::{self, MinTermTerms, NewItem, PromoTerms, Purchase, ServiceKind, Terms};
use crate::money::Kopecks;
use crate::time::{MOSCOW, moscow_date, start_of_moscow_day};

fn item(
    code: &'static str,
    tariff: bool,
    kind: ServiceKind,
    name: &'static str,
    description: &'static str,
    rubles: i64,
) -> NewItem {
    NewItem {
        code,
        tariff,
        kind,
        name,
        description,
        rubles,
        speed_mbps: None,
        tv_channels: None,
        requires_kind: None,
        terms: Terms::default(),
        purchase: None,
    }
}

fn rub(rubles: i64) -> Kopecks {
    Kopecks::from_rubles(rubles)
}

/// A realistic Moscow catalog.
fn catalog_items() -> Vec<NewItem> {
    use ServiceKind::*;
    vec![
        NewItem {
            speed_mbps: Some(200),
            ..item(
                "internet-200",
                true,
                Internet,
                "Интернет 200",
                "Домашний интернет до 200 Мбит/с, безлимитный",
                650,
            )
        },
        NewItem {
            speed_mbps: Some(500),
            ..item(
                "internet-500",
                true,
                Internet,
                "Интернет 500",
                "Домашний интернет до 500 Мбит/с, безлимитный",
                850,
            )
        },
        NewItem {
            speed_mbps: Some(1000),
            // 890 ₽ for three months, for a year's commitment: leaving
            // earlier gives the discount back.
            terms: Terms {
                promo: Some(PromoTerms {
                    fee: rub(890),
                    months: 3,
                }),
                min_term: Some(MinTermTerms {
                    months: 12,
                    exit_fee: Kopecks::ZERO,
                }),
                ..Terms::default()
            },
            ..item(
                "internet-1000",
                true,
                Internet,
                "Интернет 1000",
                "Гигабитный домашний интернет, безлимитный",
                1100,
            )
        },
        NewItem {
            speed_mbps: Some(500),
            tv_channels: Some(200),
            ..item(
                "internet-500-tv",
                true,
                Tv,
                "Интернет 500 + ТВ",
                "Интернет до 500 Мбит/с и 200 ТВ-каналов",
                1050,
            )
        },
        NewItem {
            requires_kind: Some(Tv),
            tv_channels: Some(30),
            ..item(
                "tv-kino",
                false,
                TvPackage,
                "Кино и сериалы",
                "30 каналов кино и сериалов",
                299,
            )
        },
        NewItem {
            requires_kind: Some(Tv),
            terms: Terms {
                promo: Some(PromoTerms {
                    fee: Kopecks::ZERO,
                    months: 1,
                }),
                ..Terms::default()
            },
            tv_channels: Some(10),
            ..item(
                "tv-sport",
                false,
                TvPackage,
                "Спорт",
                "10 спортивных каналов, включая футбол",
                349,
            )
        },
        NewItem {
            requires_kind: Some(Tv),
            tv_channels: Some(12),
            ..item(
                "tv-kids",
                false,
                TvPackage,
                "Детский",
                "12 детских каналов",
                149,
            )
        },
        NewItem {
            requires_kind: Some(Internet),
            terms: Terms {
                connection_fee: rub(290),
                ..Terms::default()
            },
            ..item(
                "home-phone",
                false,
                HomePhone,
                "Домашний телефон",
                "Городской номер, безлимит по Москве",
                250,
            )
        },
        NewItem {
            terms: Terms {
                connection_fee: rub(990),
                promo: None,
                min_term: Some(MinTermTerms {
                    months: 12,
                    exit_fee: rub(2400),
                }),
            },
            ..item(
                "alarm",
                false,
                SecurityAlarm,
                "Охранная сигнализация",
                "Датчики двери и движения, пульт охраны",
                490,
            )
        },
        item(
            "antivirus",
            false,
            Antivirus,
            "Антивирус Kaspersky Standard",
            "Защита одного компьютера",
            149,
        ),
        NewItem {
            purchase: Some(Purchase {
                price: rub(2990),
                instalment_months: vec![1, 3, 6, 12],
            }),
            ..item(
                "kaspersky-plus-1y",
                false,
                Antivirus,
                "Kaspersky Plus на год",
                "Лицензия на 1 год для 3 устройств; можно в рассрочку",
                0,
            )
        },
        NewItem {
            purchase: Some(Purchase {
                price: rub(1990),
                instalment_months: vec![1, 3, 6],
            }),
            ..item(
                "drweb-1y",
                false,
                Antivirus,
                "Dr.Web Security Space на год",
                "Лицензия на 1 год для 2 устройств; можно в рассрочку",
                0,
            )
        },
        item(
            "kak-doma",
            false,
            KakDoma,
            "Как дома",
            "Wi-Fi в метро без рекламы",
            99,
        ),
        item(
            "parental",
            false,
            ParentalControl,
            "Родительский контроль",
            "Блокировка сайтов по категориям",
            99,
        ),
        NewItem {
            terms: Terms {
                min_term: Some(MinTermTerms {
                    months: 18,
                    exit_fee: rub(849),
                }),
                ..Terms::default()
            },
            ..item(
                "router-rent",
                false,
                Equipment,
                "Wi-Fi роутер",
                "Двухдиапазонный роутер Wi-Fi 6 в аренду",
                150,
            )
        },
        NewItem {
            terms: Terms {
                min_term: Some(MinTermTerms {
                    months: 18,
                    exit_fee: rub(479),
                }),
                ..Terms::default()
            },
            ..item(
                "tv-box-rent",
                false,
                Equipment,
                "ТВ-приставка",
                "Приставка 4K в аренду",
                190,
            )
        },
        item(
            "tv-box-instalment",
            false,
            Equipment,
            "ТВ-приставка в рассрочку",
            "Приставка 4K, рассрочка на 12 месяцев",
            300,
        ),
    ]
}

fn at_moscow(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    MOSCOW
        .from_local_datetime(
            &day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)),
        )
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| start_of_moscow_day(day))
}

async fn pay(
    db: &DatabaseConnection,
    account_id: i64,
    on: NaiveDate,
    amount: Kopecks,
    via: &str,
) -> Result<(), DbErr> {
    let movement = Movement {
        account_id,
        kind: EntryKind::Payment,
        amount,
        description: format!("Оплата: {via}"),
        staff_credential_id: None,
    };
    match billing::post(db, at_moscow(on, 10), movement).await {
        Ok(_) => Ok(()),
        Err(BillingError::Db(e)) => Err(e),
        Err(other) => Err(DbErr::Custom(other.to_string())),
    }
}

/// Writes the catalog, the demo accounts' subscriptions and their history up
/// to today (the day of `now`), billing every day with the real billing run.
pub async fn seed(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    demo: i64,
    demo2: i64,
) -> Result<(), DbErr> {
    let mut items = std::collections::HashMap::new();
    for (order, new) in catalog_items().into_iter().enumerate() {
        let code = new.code;
        items.insert(
            code,
            catalog::insert(db, i32::try_from(order).unwrap_or(0), new).await?,
        );
    }
    // Turbo: up to a gigabit for an hour, three hours or a day.
    for (order, (code, hours, rubles)) in [
        ("turbo-1000-1h", 1, 49),
        ("turbo-1000-3h", 3, 99),
        ("turbo-1000-24h", 24, 199),
    ]
    .into_iter()
    .enumerate()
    {
        crate::services::turbo::insert_option(
            db,
            code,
            1000,
            hours,
            Kopecks::from_rubles(rubles),
            i32::try_from(order).unwrap_or(0),
        )
        .await?;
    }
    let id = |code: &str| {
        items
            .get(code)
            .map(|i| (i.id, i.monthly_fee))
            .ok_or_else(|| DbErr::Custom(code.into()))
    };

    let today = moscow_date(now);
    // History starts three months back, on the 25th, like a real contract date.
    let start = today.checked_sub_months(Months::new(3)).unwrap_or(today);
    let demo2_start = today
        .checked_sub_months(Months::new(1))
        .unwrap_or(today)
        .with_day0(0)
        .unwrap_or(today);
    let promo_until = today
        .checked_add_months(Months::new(1))
        .and_then(|d| d.with_day0(0))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let subscriptions = [
        (demo, "internet-500-tv", start, None, None, None, None),
        (demo, "antivirus", start, None, None, None, None),
        (demo, "kak-doma", start, None, None, None, None),
        (
            demo,
            "router-rent",
            start,
            Some(Promo {
                fee: Kopecks::ZERO,
                until: promo_until,
            }),
            None,
            Some(Ownership::Rent),
            // The seed's "free" router: 849 ₽ owed if she left within 18 months.
            Some(MinTerm {
                until: crate::services::terms::last_day_of(start, 18),
                exit_fee: Kopecks::from_rubles(849),
            }),
        ),
        (
            demo,
            "tv-box-instalment",
            start,
            None,
            start
                .checked_add_months(Months::new(12))
                .and_then(|d| d.pred_opt()),
            Some(Ownership::Instalment),
            None,
        ),
        (demo2, "internet-200", demo2_start, None, None, None, None),
        (
            demo2,
            "router-rent",
            demo2_start,
            None,
            None,
            Some(Ownership::Rent),
            None,
        ),
    ];
    for (account_id, code, starts_on, promo, ends_on, ownership, min_term) in subscriptions {
        let (item_id, fee) = id(code)?;
        subscriptions::insert(
            db,
            start_of_moscow_day(starts_on),
            NewSubscription {
                account_id,
                item_id,
                monthly_fee: fee,
                promo,
                starts_on,
                ends_on,
                ownership,
                min_term,
                licence_key: None,
            },
        )
        .await?;
    }

    // Money: an advance the day before service starts, then monthly top-ups.
    let mut payments = vec![(
        demo,
        start.pred_opt().unwrap_or(start),
        Kopecks::from_rubles(2000),
        "банковская карта",
    )];
    let mut month = start.with_day0(0).unwrap_or(start);
    while month <= today {
        if month > start {
            payments.push((
                demo,
                month,
                Kopecks::from_rubles(1600),
                "автоплатёж с карты",
            ));
        }
        month = month
            .checked_add_months(Months::new(1))
            .unwrap_or(today + Duration::days(1));
    }
    // demo2 pays exactly what its charges come to: last month in advance,
    // this month up to today on the last day of last month. So on whatever
    // day the demo is started, the balance is used up today without ever
    // going below zero: it does not cover tomorrow, and a promised payment is
    // on offer.
    let demo2_items = subscriptions::for_accounts(db, &[demo2], today).await?;
    let charges = |from: NaiveDate, through: NaiveDate| {
        from.iter_days()
            .take_while(|d| *d <= through)
            .map(|d| subscriptions::total_charge_on(&demo2_items, d).get())
            .sum::<i64>()
    };
    let this_month = today.with_day0(0).unwrap_or(today);
    let last_day_of_last_month = this_month.pred_opt().unwrap_or(this_month);
    payments.push((
        demo2,
        demo2_start.pred_opt().unwrap_or(demo2_start),
        Kopecks::new(charges(demo2_start, last_day_of_last_month)),
        "терминал",
    ));
    payments.push((
        demo2,
        last_day_of_last_month,
        Kopecks::new(charges(this_month, today)),
        "Сбербанк Онлайн",
    ));
    let mut d = payments.iter().map(|p| p.1).min().unwrap_or(start);
    while d <= today {
        billing::run::run_day(db, start_of_moscow_day(d), d).await?;
        for (account_id, _, amount, via) in payments.iter().filter(|p| p.1 == d) {
            pay(db, *account_id, d, *amount, via).await?;
        }
        d = d.succ_opt().unwrap_or(today + Duration::days(1));
    }
    Ok(())
}

use chrono::Datelike as _;
