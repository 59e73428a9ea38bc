//! The money rules that the billing run says in SQL agree with their Rust
//! homes, on the database under test, for every day of every month length.

use chrono::{Datelike, NaiveDate};
use kabinet::billing::arithmetic::{
    BELOW_THRESHOLD_SQL, below_threshold, daily_charge, daily_charge_sql, days_in_month,
};
use kabinet::money::Kopecks;
use sea_orm::ConnectionTrait;

use crate::common::TestApp;

#[tokio::test]
async fn the_sql_daily_charge_is_the_rust_one_for_every_day() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let months = [(2026, 2), (2028, 2), (2026, 11), (2026, 12)];
    let fees = [
        0, 1, 27, 28, 29, 30, 31, 59, 54_900, 55_007, 99_999, 123_457,
    ];
    for (year, month) in months {
        let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
        let n = days_in_month(first);
        let days: Vec<String> = (1..=n).map(|d| format!("({d})")).collect();
        for fee in fees {
            let sql = format!(
                "SELECT v.column1 AS dom, {} AS charge FROM (VALUES {}) AS v ORDER BY v.column1",
                daily_charge_sql("$1", "$2", "v.column1"),
                days.join(", ")
            );
            let rows = db
                .query_all_raw(kabinet::db::statement(
                    db,
                    &sql,
                    vec![fee.into(), i64::from(n).into()],
                ))
                .await
                .unwrap();
            assert_eq!(rows.len(), n as usize);
            let mut month_total = 0;
            for row in rows {
                let dom: i32 = row.try_get("", "dom").unwrap();
                let charge: i64 = row.try_get("", "charge").unwrap();
                let day = first.with_day0(u32::try_from(dom - 1).unwrap()).unwrap();
                assert_eq!(
                    Kopecks::new(charge),
                    daily_charge(Kopecks::new(fee), day),
                    "{fee} kopecks on {day}"
                );
                month_total += charge;
            }
            assert_eq!(
                month_total, fee,
                "{year}-{month}: the month adds up to the fee"
            );
        }
    }
}

#[tokio::test]
async fn the_sql_blocking_threshold_is_the_rust_one() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    for available in [-100_000_i64, -1, 0, 1, 100_000] {
        let sql = format!(
            "SELECT CASE WHEN {} THEN 1 ELSE 0 END AS below",
            BELOW_THRESHOLD_SQL.replace("{available}", "$1")
        );
        let row = db
            .query_one_raw(kabinet::db::statement(db, &sql, vec![available.into()]))
            .await
            .unwrap()
            .unwrap();
        let below: i32 = row.try_get("", "below").unwrap();
        assert_eq!(
            below == 1,
            below_threshold(Kopecks::new(available)),
            "{available}"
        );
    }
}
