//! Billing runs: the worker after Moscow midnight (with catch-up), the CLI, and
//! runs, credits and promises racing each other.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kabinet::billing::ledger::ledger_sum;
use kabinet::clock::Clock;
use serde_json::{Value, json};

use crate::common::process::GatewayProcess;
use crate::common::{TestApp, data};
use crate::money::{account, account_with, adjust, staff_token};
use kabinet::accounts::Phone;

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
async fn three_gateway_processes_bill_each_missed_day_once_and_send_each_sms_once() {
    // The test's own gateway only reads: its workers look for work once an hour.
    let app = TestApp::spawn_with(|s| s.worker_poll_ms = 3_600_000).await;
    if !app.state.settings.is_postgres() {
        return; // One SQLite file is one process's.
    }
    let staff = staff_token(&app).await;
    let numbers: Vec<String> = (0..5).map(|i| format!("60000000030{i}")).collect();
    for number in &numbers {
        account_with(&app, number, 30_000, ymd(2026, 11, 1)).await;
        adjust(&app, &staff, number, "100").await;
    }
    let phone = Phone::parse("+79990000001").unwrap();
    let sms = 60;
    for i in 0..sms {
        kabinet::sms::enqueue(
            &app.state.db,
            app.clock.now(),
            &phone,
            format!("сообщение {i}"),
        )
        .await
        .unwrap();
    }
    // Three `kabinet serve` processes wake to the same night four days
    // later, all at once, sharing only the database (and the file the
    // development SMS sender writes to).
    let night = Utc.with_ymd_and_hms(2026, 11, 28, 21, 0, 0).unwrap();
    let url = &app.state.settings.database_url;
    let _processes = tokio::join!(
        GatewayProcess::start(url, night, &app.sms_outbox),
        GatewayProcess::start(url, night, &app.sms_outbox),
        GatewayProcess::start(url, night, &app.sms_outbox),
    );
    for number in &numbers {
        wait_for_days(&app, &staff, number, 4).await;
    }
    let ours = |messages: Vec<Value>| -> Vec<String> {
        messages
            .iter()
            .filter_map(|m| m["text"].as_str())
            .filter(|text| text.starts_with("сообщение "))
            .map(str::to_owned)
            .collect()
    };
    for _ in 0..400 {
        if ours(app.sms_messages()).len() >= sms {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // Give a second charge or delivery time to show up.
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
    let sent = ours(app.sms_messages());
    let unique: std::collections::HashSet<&String> = sent.iter().collect();
    assert_eq!((sent.len(), unique.len()), (sms, sms), "each SMS once");
}

/// Accounts in `[first, first + count)` numbered 7000…, each with `items`
/// charged catalog items and a paid-in balance that its ledger explains.
async fn many_accounts(app: &TestApp, count: i64, items: i64) {
    use kabinet::db::statement;
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let at = app.clock.now();
    let run = |sql: &str, values: Vec<sea_orm::Value>| db.execute_raw(statement(db, sql, values));
    run(
        "INSERT INTO account (number, contract_number, contract_date, holder_name, phone, address, status, created_at, balance) \
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < $1) \
         SELECT CAST(700000000000 + x AS TEXT), 'K-' || CAST(x AS TEXT), $2, 'Абонент', \
                '+7999' || CAST(1000000 + x AS TEXT), 'г. Москва', 'active', $3, 1000000 FROM g",
        vec![count.into(), ymd(2026, 1, 1).into(), at.into()],
    )
    .await
    .unwrap();
    run(
        "INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description) \
         SELECT id, 'payment', balance, $1, $2, 'Оплата' FROM account WHERE contract_number LIKE 'K-%'",
        vec![at.into(), ymd(2026, 11, 1).into()],
    )
    .await
    .unwrap();
    run(
        "INSERT INTO subscription (account_id, catalog_item_id, monthly_fee, starts_on, created_at) \
         SELECT a.id, c.id, 30000, $1, $2 FROM account a, \
           (SELECT id FROM catalog_item WHERE monthly_fee > 0 ORDER BY id LIMIT $3) c \
         WHERE a.contract_number LIKE 'K-%'",
        vec![ymd(2026, 1, 1).into(), at.into(), items.into()],
    )
    .await
    .unwrap();
}

/// How many of the `K-` accounts have `n` charges on `day`, for each n seen.
async fn charges_per_account(
    app: &TestApp,
    day: NaiveDate,
) -> std::collections::BTreeMap<i64, i64> {
    use kabinet::db::statement;
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT charges, COUNT(*) AS accounts FROM ( \
               SELECT a.id, (SELECT COUNT(*) FROM ledger_entry l \
                             WHERE l.account_id = a.id AND l.kind = 'charge' AND l.charge_day = $1) AS charges \
               FROM account a WHERE a.contract_number LIKE 'K-%') t \
             GROUP BY charges ORDER BY charges",
            vec![day.into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "charges").unwrap(),
                r.try_get::<i64>("", "accounts").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_billing_process_killed_mid_run_leaves_nothing_half_charged_and_another_finishes() {
    use kabinet::db::statement;
    use sea_orm::ConnectionTrait;
    const ACCOUNTS: i64 = 30_000;
    let app = TestApp::spawn().await;
    many_accounts(&app, ACCOUNTS, 2).await;
    let day = ymd(2026, 11, 27);
    let billing_run = || {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kabinet"));
        command
            .args(["billing-run", "--date", "2026-11-27"])
            .env("KABINET_DATABASE_URL", &app.state.settings.database_url)
            .env("KABINET_DEMO", "0")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    };

    // A whole batch of 2000 accounts is one transaction: SIGKILL as soon as
    // some batches have committed and others not.
    let mut first = billing_run().spawn().unwrap();
    let counted = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            db.query_one_raw(statement(
                &db,
                "SELECT COUNT(*) AS n FROM ledger_entry WHERE kind = 'charge' AND charge_day = $1",
                vec![day.into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
        }
    };
    let mut killed_at = None;
    for _ in 0..30_000 {
        let charges = counted(&app).await;
        if charges > 0 {
            first.start_kill().unwrap();
            killed_at = Some(charges);
            break;
        }
        if first.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let status = first.wait().await.unwrap();
    let killed_at = killed_at.expect("the run was seen charging before it ended");
    assert!(!status.success(), "the first run was killed, not finished");
    let after_kill = charges_per_account(&app, day).await;
    assert!(
        after_kill.keys().all(|n| *n == 0 || *n == 2),
        "an account charged for some of its items only: {after_kill:?}"
    );
    let charged = after_kill.get(&2).copied().unwrap_or(0);
    assert!(
        charged > 0 && charged < ACCOUNTS,
        "killed mid-run ({killed_at} charges seen): {after_kill:?}"
    );
    assert_all_balances_match_ledger(&app).await;

    // Another process finishes the day: the rest charged, nobody twice.
    let second = billing_run().status().await.unwrap();
    assert!(second.success());
    assert_eq!(
        charges_per_account(&app, day).await,
        [(2, ACCOUNTS)].into_iter().collect(),
        "every account charged each item once"
    );
    assert_all_balances_match_ledger(&app).await;
}

async fn assert_all_balances_match_ledger(app: &TestApp) {
    use kabinet::db::statement;
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT COUNT(*) AS n FROM account a WHERE a.balance <> \
               (SELECT COALESCE(SUM(l.amount), 0) FROM ledger_entry l WHERE l.account_id = a.id)",
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.try_get::<i64>("", "n").unwrap(),
        0,
        "accounts whose balance is not their ledger's sum"
    );
}
