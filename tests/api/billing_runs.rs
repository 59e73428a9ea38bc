//! Billing runs: the worker after Moscow midnight (with catch-up), the CLI, and
//! runs, credits and promises racing each other.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kabinet::billing::ledger::ledger_sum;
use kabinet::clock::Clock;
use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::money::{account, account_with, adjust, staff_token};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn charged_days(app: &TestApp, staff: &str, number: &str) -> Vec<String> {
    let account = account(app, staff, number, None, None).await;
    let mut days: Vec<String> = account["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["day"].as_str().unwrap().to_owned())
        .collect();
    days.sort();
    days
}

async fn wait_for_days(app: &TestApp, staff: &str, number: &str, count: usize) -> Vec<String> {
    for _ in 0..400 {
        let days = charged_days(app, staff, number).await;
        if days.len() >= count {
            return days;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!(
        "expected {count} charged days, got {:?}",
        charged_days(app, staff, number).await
    );
}

#[tokio::test]
async fn the_worker_bills_after_moscow_midnight_and_catches_up_missed_days() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "600000000001", 30_000, ymd(2026, 11, 26)).await;
    adjust(&app, &staff, "600000000001", "100").await;

    // 23:59 Moscow on the 25th: nothing for the 26th yet.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 25, 20, 59, 0).unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert!(charged_days(&app, &staff, "600000000001").await.is_empty());

    // 00:00 Moscow: the 26th is charged.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 25, 21, 0, 0).unwrap());
    assert_eq!(
        wait_for_days(&app, &staff, "600000000001", 1).await,
        ["2026-11-26"]
    );

    // The replicas were all down for three days: every missed day is charged once.
    app.clock.advance(Duration::days(3));
    let days = wait_for_days(&app, &staff, "600000000001", 4).await;
    assert_eq!(
        days,
        ["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]
    );
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(
        charged_days(&app, &staff, "600000000001").await.len(),
        4,
        "and only once"
    );
}

#[tokio::test]
async fn the_cli_billing_run_charges_a_day_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "600000000002", 30_000, ymd(2026, 11, 1)).await;
    adjust(&app, &staff, "600000000002", "100").await;
    for _ in 0..2 {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kabinet"))
            .args(["billing-run", "--date", "2026-12-01"])
            .env("KABINET_DATABASE_URL", &app.state.settings.database_url)
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("billing run finished"));
    }
    assert_eq!(
        charged_days(&app, &staff, "600000000002").await,
        ["2026-12-01"]
    );
    let account = account(&app, &staff, "600000000002", None, None).await;
    assert_eq!(
        account["balance"]["amount"], "90.32",
        "100.00 − 9.68 (300 ₽ over 31 days, first days)"
    );
}

async fn assert_balances_match_ledger(app: &TestApp) {
    let rows = kabinet::accounts::find_many(&app.state.db, &(1..=20).collect::<Vec<_>>())
        .await
        .unwrap();
    for account in rows {
        assert_eq!(
            account.balance,
            ledger_sum(&app.state.db, account.id).await.unwrap(),
            "account {}",
            account.id
        );
    }
}

#[tokio::test]
async fn two_billing_runs_at_once_charge_each_day_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    for i in 0..5 {
        account_with(
            &app,
            &format!("60000000010{i}"),
            30_000 + i,
            ymd(2026, 11, 1),
        )
        .await;
        adjust(&app, &staff, &format!("60000000010{i}"), "50").await;
    }
    let replica = app.spawn_replica().await;
    let day = ymd(2026, 11, 26);
    let (a, b) = tokio::join!(
        kabinet::billing::run::run_day(&app.state.db, app.clock.now(), day),
        kabinet::billing::run::run_day(&replica.state.db, app.clock.now(), day),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    // Demo accounts have 4 and 2 charged items, each fresh account 1.
    assert_eq!(a.charges + b.charges, 4 + 2 + 5, "{a:?} {b:?}");
    for i in 0..5 {
        assert_eq!(
            charged_days(&app, &staff, &format!("60000000010{i}")).await,
            ["2026-11-26"]
        );
    }
    assert_balances_match_ledger(&app).await;
}

#[tokio::test]
async fn a_billing_run_and_a_credit_at_once_lose_nothing() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    for i in 0..5 {
        account_with(&app, &format!("60000000020{i}"), 30_000, ymd(2026, 11, 1)).await;
    }
    let replica = app.spawn_replica().await;
    let day = ymd(2026, 11, 26);
    let credits = async {
        for i in 0..5 {
            let body = adjust(&replica, &staff, &format!("60000000020{i}"), "25.00").await;
            assert!(body["errors"].is_null(), "{body}");
        }
    };
    let (run, ()) = tokio::join!(
        kabinet::billing::run::run_day(&app.state.db, app.clock.now(), day),
        credits
    );
    run.unwrap();
    for i in 0..5 {
        let account = account(&app, &staff, &format!("60000000020{i}"), None, None).await;
        assert_eq!(
            account["balance"]["amount"], "15.00",
            "25.00 credited once, 10.00 charged once"
        );
        assert_eq!(
            account["status"], "ACTIVE",
            "whatever the order, the credit covers the day"
        );
    }
    assert_balances_match_ledger(&app).await;
}

#[tokio::test]
async fn two_promised_payments_at_once_make_one() {
    let app = TestApp::spawn().await;
    let replica = app.spawn_replica().await;
    let token = app.login("demo2", "demo12345").await;
    let q = "mutation ($k: String) { activatePromisedPayment(input: {idempotencyKey: $k}) { promisedPayment { state } userErrors { code } } }";
    let (a, b): (Value, Value) = tokio::join!(
        app.graphql_as(Some(&token), q, json!({ "k": "first" })),
        replica.graphql_as(Some(&token), q, json!({ "k": "second" })),
    );
    let outcomes = [
        &data(&a)["activatePromisedPayment"],
        &data(&b)["activatePromisedPayment"],
    ];
    let taken = outcomes
        .iter()
        .filter(|o| o["promisedPayment"]["state"] == "ACTIVE")
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| o["userErrors"][0]["code"] == "ALREADY_ACTIVE")
        .count();
    assert_eq!((taken, refused), (1, 1), "{a} {b}");
    assert_balances_match_ledger(&app).await;
}

#[tokio::test]
async fn three_gateway_processes_bill_each_missed_day_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let numbers: Vec<String> = (0..5).map(|i| format!("60000000030{i}")).collect();
    for number in &numbers {
        account_with(&app, number, 30_000, ymd(2026, 11, 1)).await;
        adjust(&app, &staff, number, "100").await;
    }
    let second = app.spawn_replica().await;
    let third = app.spawn_replica().await;
    // Every process wakes to the same night four days later, all at once.
    let night = Utc.with_ymd_and_hms(2026, 11, 28, 21, 0, 0).unwrap();
    for process in [&app, &second, &third] {
        process.clock.set(night);
    }
    for number in &numbers {
        wait_for_days(&app, &staff, number, 4).await;
    }
    // Give a second charge time to show up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for number in &numbers {
        let days = charged_days(&app, &staff, number).await;
        assert_eq!(
            days,
            ["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"],
            "{number}: each day once"
        );
    }
    assert_balances_match_ledger(&app).await;
}
