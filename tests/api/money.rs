//! Money rules (shared/DOMAIN.md, "Money"): the ledger and balance, daily
//! charges, blocking and unblocking, days until blocking, the promised payment.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kabinet::accounts::{self, AccountNumber, NewAccount, Phone};
use kabinet::billing::subscriptions::{self, NewSubscription};
use kabinet::clock::Clock;
use kabinet::money::Kopecks;
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// A fresh account with one subscription of `fee` kopecks from `starts_on`.
pub async fn account_with(app: &TestApp, number: &str, fee: i64, starts_on: NaiveDate) -> i64 {
    let account = accounts::insert(
        &app.state.db,
        app.clock.as_ref(),
        NewAccount {
            number: AccountNumber::parse(number).unwrap(),
            contract_number: format!("T-{number}"),
            contract_date: starts_on,
            holder_name: "Тестов Тест".into(),
            phone: Phone::parse("+79995550000").unwrap(),
            email: None,
            address: "г. Москва".into(),
            codeword_hash: None,
        },
    )
    .await
    .unwrap();
    let item = kabinet::catalog::find_by_code(&app.state.db, "internet-500")
        .await
        .unwrap()
        .unwrap();
    subscriptions::insert(
        &app.state.db,
        app.clock.now(),
        NewSubscription {
            account_id: account.id,
            item_id: item.id,
            monthly_fee: Kopecks::new(fee),
            promo: None,
            starts_on,
            ends_on: None,
            ownership: None,
            min_term: None,
            licence_key: None,
        },
    )
    .await
    .unwrap();
    account.id
}

pub async fn bill(app: &TestApp, day: NaiveDate) {
    kabinet::billing::run::run_day(&app.state.db, app.clock.now(), day)
        .await
        .unwrap();
}

pub async fn staff_token(app: &TestApp) -> String {
    app.login("operator", "operator12345").await
}

pub async fn adjust(app: &TestApp, token: &str, number: &str, amount: &str) -> Value {
    app.graphql_as(
        Some(token),
        "mutation ($i: AdjustBalanceInput!) { staff { adjustBalance(input: $i) { balance { amount } userErrors { field code } } } }",
        json!({ "i": { "accountNumber": number, "amount": amount, "reason": "Перерасчёт за аварию" } }),
    )
    .await
}

const ACCOUNT: &str = "query ($n: String!, $from: Date, $to: Date) { staff { account(number: $n) {
  status balance { amount }
  summary { balance { amount } daysUntilBlock status promisedPayment { credit { amount } } }
  statusHistory { from to reason }
  transactions(from: $from, to: $to, kinds: [CHARGE], first: 100) { totalCount nodes { amount { amount } day description } }
} } }";

pub async fn account(
    app: &TestApp,
    token: &str,
    number: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            ACCOUNT,
            json!({ "n": number, "from": from, "to": to }),
        )
        .await;
    data(&body)["staff"]["account"].clone()
}

fn kopecks(amount: &Value) -> i64 {
    Kopecks::parse_decimal(amount.as_str().unwrap())
        .unwrap()
        .get()
}

fn charges_total(account: &Value) -> i64 {
    account["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| kopecks(&n["amount"]["amount"]))
        .sum()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn a_month_of_daily_charges_adds_up_to_the_fee_exactly() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    // 550.07 ₽ does not divide by 28, 29, 30 or 31 days.
    for (number, year, month) in [
        ("500000000029", 2028, 2),
        ("500000000030", 2027, 4),
        ("500000000031", 2027, 3),
        ("500000000028", 2027, 2),
    ] {
        let first = ymd(year, month, 1);
        account_with(&app, number, 55_007, first).await;
        let token = adjust(&app, &staff, number, "100000.00").await;
        assert!(token["errors"].is_null(), "{token}");
        let mut day = first;
        while day.month0() == first.month0() {
            bill(&app, day).await;
            day = day.succ_opt().unwrap();
        }
        let last = day.pred_opt().unwrap();
        let account = account(&app, &staff, number, Some(first), Some(last)).await;
        assert_eq!(
            charges_total(&account),
            -55_007,
            "{number}: the month adds up to the fee"
        );
        assert_eq!(
            account["transactions"]["totalCount"],
            i64::from(last.day()),
            "one charge a day"
        );
        // The first `fee mod n` days carry one kopeck more.
        let days = i64::from(last.day());
        let extra = 55_007 % days;
        let amounts: Vec<i64> = account["transactions"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .map(|n| kopecks(&n["amount"]["amount"]))
            .collect();
        for (i, amount) in amounts.iter().enumerate() {
            let expected = 55_007 / days + i64::from((i as i64) < extra);
            assert_eq!(-amount, expected, "{number} day {}", i + 1);
        }
    }
}

use chrono::Datelike;

#[tokio::test]
async fn an_item_active_for_part_of_a_month_is_charged_for_those_days() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "500000000100", 30_000, ymd(2027, 4, 21)).await;
    adjust(&app, &staff, "500000000100", "1000").await;
    for d in 15..=30 {
        bill(&app, ymd(2027, 4, d)).await;
    }
    let account = account(&app, &staff, "500000000100", None, None).await;
    assert_eq!(account["transactions"]["totalCount"], 10, "21..30 April");
    assert_eq!(charges_total(&account), -10_000);
}

#[tokio::test]
async fn billing_a_day_twice_charges_it_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "500000000200", 30_000, ymd(2026, 11, 1)).await;
    adjust(&app, &staff, "500000000200", "500").await;
    let day = ymd(2026, 11, 26);
    bill(&app, day).await;
    bill(&app, day).await;
    let account = account(&app, &staff, "500000000200", Some(day), Some(day)).await;
    assert_eq!(account["transactions"]["totalCount"], 1);
    assert_eq!(kopecks(&account["balance"]["amount"]), 50_000 - 1_000);
}

#[tokio::test]
async fn a_charge_below_zero_blocks_and_a_covering_credit_unblocks_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "500000000300", 30_000, ymd(2026, 11, 1)).await; // 10.00 ₽ a day in November
    adjust(&app, &staff, "500000000300", "15.00").await;
    bill(&app, ymd(2026, 11, 26)).await;
    let account_now = account(&app, &staff, "500000000300", None, None).await;
    assert_eq!(account_now["status"], "ACTIVE");
    assert_eq!(
        account_now["summary"]["daysUntilBlock"], 0,
        "5.00 ₽ covers no whole day"
    );

    bill(&app, ymd(2026, 11, 27)).await;
    let blocked = account(&app, &staff, "500000000300", None, None).await;
    assert_eq!(blocked["status"], "BLOCKED");
    assert_eq!(blocked["balance"]["amount"], "-5.00");
    assert_eq!(blocked["summary"]["daysUntilBlock"], 0);
    assert_eq!(blocked["statusHistory"][0]["to"], "BLOCKED");
    assert!(
        blocked["statusHistory"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("27.11.2026")
    );

    // A blocked account is not charged.
    bill(&app, ymd(2026, 11, 28)).await;
    assert_eq!(
        account(&app, &staff, "500000000300", None, None).await["balance"]["amount"],
        "-5.00"
    );

    // 10.00 ₽ leaves 5.00: not enough for the next day (10.00), still blocked.
    adjust(&app, &staff, "500000000300", "10.00").await;
    assert_eq!(
        account(&app, &staff, "500000000300", None, None).await["status"],
        "BLOCKED"
    );
    // 5.00 more covers the next day: unblocked at once.
    adjust(&app, &staff, "500000000300", "5.00").await;
    let active = account(&app, &staff, "500000000300", None, None).await;
    assert_eq!(active["status"], "ACTIVE");
    assert_eq!(active["statusHistory"][0]["from"], "BLOCKED");
    assert_eq!(active["statusHistory"][0]["to"], "ACTIVE");
    assert_eq!(active["statusHistory"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_card_payment_that_covers_the_next_day_unblocks_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    account_with(&app, "500000000310", 30_000, ymd(2026, 11, 1)).await; // 10.00 ₽ a day in November
    adjust(&app, &staff, "500000000310", "5.00").await;
    bill(&app, ymd(2026, 11, 26)).await;
    assert_eq!(
        account(&app, &staff, "500000000310", None, None).await["status"],
        "BLOCKED"
    );
    // Paid by card through the sandbox (by account number, as anyone may).
    let created = app
        .graphql(
            "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { payment { confirmationUrl } userErrors { code } } }",
            json!({ "i": { "amount": "100.00", "returnUrl": "https://shop.example/", "accountNumber": "500000000310" } }),
        )
        .await;
    let url = data(&created)["createPayment"]["payment"]["confirmationUrl"]
        .as_str()
        .expect("a confirmation URL")
        .to_owned();
    let path = &url[url.find("/sandbox/checkout/").expect("a sandbox page")..];
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
        .post(app.url(&format!("{path}/pay")))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(paid.status(), 303);
    let active = account(&app, &staff, "500000000310", None, None).await;
    assert_eq!(active["balance"]["amount"], "95.00");
    assert_eq!(active["status"], "ACTIVE");
    assert_eq!(active["statusHistory"][0]["from"], "BLOCKED");
    assert_eq!(active["statusHistory"][0]["to"], "ACTIVE");
}

#[tokio::test]
async fn days_until_blocking_follow_the_real_calendar() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap());
    // Starts tomorrow, so the worker (which bills up to today) charges nothing meanwhile.
    account_with(&app, "500000000400", 30_000, ymd(2026, 11, 29)).await; // Nov 10.00/day, Dec 9.68 then 9.67
    adjust(&app, &staff, "500000000400", "29.68").await;
    let summary = &account(&app, &staff, "500000000400", None, None).await["summary"];
    assert_eq!(
        summary["daysUntilBlock"], 3,
        "29 and 30 November, 1 December"
    );
    adjust(&app, &staff, "500000000400", "-0.01").await;
    let summary = &account(&app, &staff, "500000000400", None, None).await["summary"];
    assert_eq!(summary["daysUntilBlock"], 2);

    // Nothing charged: null.
    let bare = accounts::insert(
        &app.state.db,
        app.clock.as_ref(),
        NewAccount {
            number: AccountNumber::parse("500000000401").unwrap(),
            contract_number: "T".into(),
            contract_date: ymd(2026, 11, 1),
            holder_name: "Без услуг".into(),
            phone: Phone::parse("+79995550001").unwrap(),
            email: None,
            address: "г. Москва".into(),
            codeword_hash: None,
        },
    )
    .await
    .unwrap();
    assert!(bare.id > 0);
    let summary = &account(&app, &staff, "500000000401", None, None).await["summary"];
    assert!(summary["daysUntilBlock"].is_null());
}

#[tokio::test]
async fn the_balance_is_the_sum_of_the_ledger() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let mut sum = 0;
    let mut after: Option<String> = None;
    loop {
        let body = app
            .graphql_as(
                Some(&token),
                "query ($after: String) { me { balance { amount currency } transactions(first: 100, after: $after) { nodes { amount { amount } description } pageInfo { hasNextPage endCursor } } } }",
                json!({ "after": after }),
            )
            .await;
        let me = &data(&body)["me"];
        assert_eq!(me["balance"]["currency"], "RUB");
        for node in me["transactions"]["nodes"].as_array().unwrap() {
            assert!(
                !node["description"].as_str().unwrap().is_empty(),
                "every entry says why"
            );
            sum += kopecks(&node["amount"]["amount"]);
        }
        if me["transactions"]["pageInfo"]["hasNextPage"] != true {
            assert_eq!(kopecks(&me["balance"]["amount"]), sum);
            break;
        }
        after = me["transactions"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    // And the cached balance equals the ledger for every account.
    for id in [1, 2] {
        let cached = accounts::find_many(&app.state.db, &[id])
            .await
            .unwrap()
            .pop()
            .unwrap()
            .balance;
        assert_eq!(
            cached,
            kabinet::billing::ledger::ledger_sum(&app.state.db, id)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_demo_subscriber_sees_the_info_block_and_what_promos_become() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { summary { balance { amount currency } bonusPoints daysUntilBlock status promisedPayment { credit { amount } } }
                    tariff { name speedMbps tvChannels monthlyFee { amount } }
                    equipment { name ownership monthlyFee { amount } promoUntil feeAfterPromo { amount } }
                    monthlyCost { total { amount } totalAfterPromos { amount } lines { name promoUntil monthlyFee { amount } afterPromo { amount } } } } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    let summary = &me["summary"];
    assert_eq!(summary["status"], "ACTIVE");
    assert!(kopecks(&summary["balance"]["amount"]) > 0);
    assert!(summary["daysUntilBlock"].as_i64().unwrap() > 20);
    assert!(summary["promisedPayment"].is_null());
    assert_eq!(me["tariff"]["name"], "Интернет 500 + ТВ");
    let router = me["equipment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ownership"] == "RENT")
        .unwrap();
    assert_eq!(router["monthlyFee"]["amount"], "0.00");
    assert_eq!(router["feeAfterPromo"]["amount"], "150.00");
    assert!(router["promoUntil"].is_string());
    let cost = &me["monthlyCost"];
    assert_eq!(
        kopecks(&cost["totalAfterPromos"]["amount"]) - kopecks(&cost["total"]["amount"]),
        15_000
    );
}

const PROMISE: &str = "mutation ($key: String) { activatePromisedPayment(input: {idempotencyKey: $key}) {
  promisedPayment { credit { amount } settleAmount { amount } state expiresAt } userErrors { code message } } }";

#[tokio::test]
async fn a_promised_payment_is_offered_below_a_days_cover_once_at_a_time() {
    let app = TestApp::spawn().await;
    let rich = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&rich), PROMISE, json!({})).await;
    assert_eq!(
        data(&body)["activatePromisedPayment"]["userErrors"][0]["code"],
        "BALANCE_TOO_HIGH"
    );

    let poor = app.login("demo2", "demo12345").await;
    let status = app
        .graphql_as(
            Some(&poor),
            "{ me { promisedPayment { available offeredCredit { amount } periodDays } } }",
            json!({}),
        )
        .await;
    let status = &data(&status)["me"]["promisedPayment"];
    assert_eq!(status["available"], true);
    assert_eq!(
        status["offeredCredit"]["amount"], "800.00",
        "one monthly total"
    );
    assert_eq!(status["periodDays"], 30);

    let first = app
        .graphql_as(Some(&poor), PROMISE, json!({ "key": "k-1" }))
        .await;
    let promise = &data(&first)["activatePromisedPayment"]["promisedPayment"];
    assert_eq!(promise["credit"]["amount"], "800.00");
    assert_eq!(promise["state"], "ACTIVE");
    let expires =
        chrono::DateTime::parse_from_rfc3339(promise["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(expires.to_utc(), app.clock.now() + Duration::days(30));

    let again = app
        .graphql_as(Some(&poor), PROMISE, json!({ "key": "k-1" }))
        .await;
    assert_eq!(
        data(&again)["activatePromisedPayment"],
        data(&first)["activatePromisedPayment"],
        "same key, same answer"
    );
    let other = app
        .graphql_as(Some(&poor), PROMISE, json!({ "key": "k-2" }))
        .await;
    assert_eq!(
        data(&other)["activatePromisedPayment"]["userErrors"][0]["code"],
        "ALREADY_ACTIVE"
    );

    let anonymous = app.graphql(PROMISE, json!({})).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn services_go_on_under_a_promise_and_paying_a_month_settles_it() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let poor = app.login("demo2", "demo12345").await;
    data(&app.graphql_as(Some(&poor), PROMISE, json!({})).await);
    for d in 26..=30 {
        bill(&app, ymd(2026, 11, d)).await;
    }
    let account_now = account(&app, &staff, "100000000002", None, None).await;
    assert!(
        kopecks(&account_now["balance"]["amount"]) < 0,
        "the balance is real money"
    );
    assert_eq!(account_now["status"], "ACTIVE", "services go on");
    assert!(
        account_now["summary"]["daysUntilBlock"].as_i64().unwrap() > 20,
        "the credit counts"
    );

    adjust(&app, &staff, "100000000002", "799.99").await;
    let still = account(&app, &staff, "100000000002", None, None).await;
    assert!(
        still["summary"]["promisedPayment"].is_object(),
        "not yet a monthly total"
    );
    adjust(&app, &staff, "100000000002", "0.01").await;
    let settled = account(&app, &staff, "100000000002", None, None).await;
    assert!(settled["summary"]["promisedPayment"].is_null(), "settled");
}

#[tokio::test]
async fn an_unpaid_promise_blocks_the_account_when_it_ends() {
    let app = TestApp::spawn_with(|s| s.promised_payment_days = 2).await;
    let staff = staff_token(&app).await;
    let poor = app.login("demo2", "demo12345").await;
    data(&app.graphql_as(Some(&poor), PROMISE, json!({})).await);
    // Two days later the worker bills them and ends the promise.
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    let mut blocked = Value::Null;
    for _ in 0..200 {
        blocked = account(&app, &staff, "100000000002", None, None).await;
        if blocked["status"] == "BLOCKED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(blocked["status"], "BLOCKED", "{blocked}");
    assert!(
        blocked["statusHistory"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("обещанного платежа")
    );
    assert!(blocked["summary"]["promisedPayment"].is_null());
}

#[tokio::test]
async fn a_closed_account_gets_no_promise() {
    let app = TestApp::spawn().await;
    let poor = app.login("demo2", "demo12345").await;
    kabinet::billing::status::change(
        &app.state.db,
        app.clock.now(),
        2,
        kabinet::accounts::AccountStatus::Active,
        kabinet::accounts::AccountStatus::Closed,
        "Договор расторгнут",
    )
    .await
    .unwrap();
    let body = app.graphql_as(Some(&poor), PROMISE, json!({})).await;
    assert_eq!(
        data(&body)["activatePromisedPayment"]["userErrors"][0]["code"],
        "ACCOUNT_CLOSED"
    );
}

#[tokio::test]
async fn bad_amounts_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let before = account(&app, &staff, "100000000001", None, None).await["balance"].clone();
    for amount in ["1.005", "12,50", "1e3", "", "ten"] {
        let body = adjust(&app, &staff, "100000000001", amount).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{amount}: {body}");
    }
    let number = app
        .graphql_as(
            Some(&staff),
            "mutation { staff { adjustBalance(input: {accountNumber: \"100000000001\", amount: 12, reason: \"x\"}) { userErrors { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&number),
        ["BAD_USER_INPUT"],
        "money is a string, not a JSON number"
    );
    let zero = adjust(&app, &staff, "100000000001", "0.00").await;
    assert_eq!(
        data(&zero)["staff"]["adjustBalance"]["userErrors"][0]["code"],
        "INVALID_VALUE"
    );
    let unknown = adjust(&app, &staff, "999999999999", "1.00").await;
    assert_eq!(
        data(&unknown)["staff"]["adjustBalance"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    assert_eq!(
        account(&app, &staff, "100000000001", None, None).await["balance"],
        before
    );

    let subscriber = app.login("demo", "demo12345").await;
    let body = adjust(&app, &subscriber, "100000000001", "1000000.00").await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn an_adjustment_carries_its_reason_into_the_history() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let body = adjust(&app, &staff, "100000000001", "150.00").await;
    let balance = data(&body)["staff"]["adjustBalance"]["balance"]["amount"].clone();
    let token = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(Some(&token), "{ me { balance { amount } transactions(kinds: [ADJUSTMENT], first: 1) { nodes { kind amount { amount } description } } } }", json!({}))
        .await;
    let me = &data(&body)["me"];
    assert_eq!(me["balance"]["amount"], balance);
    let entry = &me["transactions"]["nodes"][0];
    assert_eq!(entry["amount"]["amount"], "150.00");
    assert_eq!(entry["description"], "Корректировка: Перерасчёт за аварию");
}

#[tokio::test]
async fn transactions_filter_by_day_and_kind() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let q = "query ($from: Date, $to: Date, $kinds: [TransactionKind!]) { me { transactions(from: $from, to: $to, kinds: $kinds, first: 100) { totalCount nodes { kind day } } } }";
    let body = app
        .graphql_as(Some(&token), q, json!({ "kinds": ["PAYMENT"] }))
        .await;
    let payments = &data(&body)["me"]["transactions"];
    assert_eq!(
        payments["totalCount"], 4,
        "the advance and three monthly top-ups"
    );
    assert!(
        payments["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] == "PAYMENT")
    );
    let body = app
        .graphql_as(
            Some(&token),
            q,
            json!({ "from": "2026-11-01", "to": "2026-11-02", "kinds": ["CHARGE"] }),
        )
        .await;
    let nodes = data(&body)["me"]["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        nodes.len(),
        8,
        "four charged items a day (the router is free)"
    );
    assert!(
        nodes
            .iter()
            .all(|n| n["day"] == "2026-11-01" || n["day"] == "2026-11-02")
    );
    let bad = app
        .graphql_as(
            Some(&token),
            q,
            json!({ "from": "2026-11-05", "to": "2026-11-01" }),
        )
        .await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn lists_cost_a_constant_number_of_statements() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let q = "query ($n: Int) { me { transactions(first: $n) { nodes { kind amount { amount } description } }
        subscriptions { name kind monthlyFee { amount } } equipment { name } tariff { name }
        monthlyCost { lines { name } } } }";
    let (_, small) = app
        .count_sql(app.graphql_as(Some(&token), q, json!({ "n": 5 })))
        .await;
    let (_, large) = app
        .count_sql(app.graphql_as(Some(&token), q, json!({ "n": 100 })))
        .await;
    assert_eq!(
        small, large,
        "the statement count does not grow with the list"
    );
    assert!(large <= 8, "{large} statements");
    // monthlyCost and tariff load the catalog in one batch, not one per item.
    let (_, cost) = app
        .count_sql(app.graphql_as(
            Some(&token),
            "{ me { monthlyCost { lines { name kind } } } }",
            json!({}),
        ))
        .await;
    assert!(
        cost <= 6,
        "{cost} statements for five items: session, account, items, catalog, bonus discounts"
    );
}

/// The home screen a frontend asks for first.
const DASHBOARD: &str = "{ me { number holderName status
    summary { balance { amount } bonusPoints daysUntilBlock status promisedPayment { credit { amount } state } }
    tariff { id name speedMbps monthlyFee { amount } }
    subscriptions { id name kind monthlyFee { amount } promoUntil } } }";

#[tokio::test]
async fn the_dashboard_reads_each_thing_once() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let (body, statements) = app
        .count_sql(app.graphql_as(Some(&token), DASHBOARD, json!({})))
        .await;
    assert!(data(&body)["me"]["summary"]["balance"]["amount"].is_string());
    // The session (with its credential and account), the query cost budget,
    // the subscriptions with their catalog entries (shared by summary, tariff
    // and the list), the promised payment and the bonus membership.
    assert!(statements <= 5, "{statements} statements for the dashboard");
    // A signed-in request that needs no account data: the session only.
    let (_, statements) = app
        .count_sql(app.graphql_as(Some(&token), "{ __typename }", json!({})))
        .await;
    assert_eq!(statements, 1);
}

#[tokio::test]
async fn a_query_after_a_mutation_in_one_batch_sees_what_it_changed() {
    // The account read with the session serves the request's first operation
    // only: a batch's later query must read the balance the mutation left.
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let me = "{ me { balance { amount } } }";
    let before = kopecks(
        &data(&app.graphql_as(Some(&token), me, json!({})).await)["me"]["balance"]["amount"],
    );
    let batch = json!([
        { "query": "mutation { activateTurbo(input: {optionId: \"turbo-1000-3h\"}) { turbo { price { amount } } userErrors { code } } }" },
        { "query": me },
    ]);
    let response = app.post_graphql(Some(&token), &batch).await;
    let bodies: Vec<Value> = response.json().await.unwrap();
    let turbo = &data(&bodies[0])["activateTurbo"];
    assert_eq!(turbo["userErrors"], json!([]), "{turbo}");
    let price = kopecks(&turbo["turbo"]["price"]["amount"]);
    assert!(price > 0);
    assert_eq!(
        kopecks(&data(&bodies[1])["me"]["balance"]["amount"]),
        before - price
    );
}

#[tokio::test]
async fn suspended_and_closed_accounts_are_not_charged() {
    use kabinet::accounts::AccountStatus;
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    for (number, status) in [
        ("500000000501", AccountStatus::Suspended),
        ("500000000502", AccountStatus::Closed),
    ] {
        let id = account_with(&app, number, 30_000, ymd(2026, 11, 1)).await;
        adjust(&app, &staff, number, "100").await;
        kabinet::billing::status::change(
            &app.state.db,
            app.clock.now(),
            id,
            AccountStatus::Active,
            status,
            "По заявлению",
        )
        .await
        .unwrap();
        bill(&app, ymd(2026, 11, 26)).await;
        let account = account(&app, &staff, number, None, None).await;
        assert_eq!(account["transactions"]["totalCount"], 0, "{number}");
        assert_eq!(account["balance"]["amount"], "100.00");
        assert!(
            account["summary"]["daysUntilBlock"].is_null(),
            "nothing is charged"
        );
        assert_eq!(account["statusHistory"][0]["reason"], "По заявлению");
    }
}
