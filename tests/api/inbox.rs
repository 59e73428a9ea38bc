//! Notifications end to end: billing warnings at the configured thresholds
//! (once per crossing, again after a top-up lifted the account above them),
//! staff news to everyone in the personal account and by SMS to those who
//! want news SMS, read/unread, and support updates in the same list.

use chrono::NaiveDate;
use kabinet::clock::Clock;
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};
use crate::money::{account_with, adjust, bill, staff_token};

const INBOX: &str = "{ me { unreadNotificationCount notifications(first: 50) { totalCount nodes { id kind title body read } } } }";

async fn inbox(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(Some(token), INBOX, json!({})).await;
    data(&body)["me"].clone()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn kinds(me: &Value) -> Vec<String> {
    me["notifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Bills a day and evaluates its warnings as the worker does.
async fn bill_and_warn(app: &TestApp, day: NaiveDate) {
    bill(app, day).await;
    let ids: Vec<i64> = {
        use sea_orm::ConnectionTrait;
        let db = &app.state.db;
        db.query_all_raw(kabinet::db::statement(db, "SELECT id FROM account", vec![]))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<i64>("", "id").unwrap())
            .collect()
    };
    kabinet::notifications::warnings::evaluate(&app.state.db, app.clock.now(), &ids, &[3, 1])
        .await
        .unwrap();
    // The outbox worker (every 25 ms in tests) writes what was stored.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
}

fn sms_to(app: &TestApp, phone: &str) -> Vec<String> {
    app.sms_messages()
        .iter()
        .filter(|m| m["to"] == phone)
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn billing_warnings_come_once_per_crossing_and_again_after_a_top_up() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let number = "500000000777";
    // 10.00 ₽ a day in November; 55.00 ₽ covers five days.
    account_with(&app, number, 30_000, ymd(2026, 11, 1)).await;
    adjust(&app, &staff, number, "55.00").await;
    let phone = "+79995550000";
    bill_and_warn(&app, ymd(2026, 11, 10)).await; // 45.00: 4 days
    assert!(sms_to(&app, phone).is_empty(), "above the thresholds");
    bill_and_warn(&app, ymd(2026, 11, 11)).await; // 35.00: 3 days
    let warned = sms_to(&app, phone);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("3 дня"), "{}", warned[0]);
    bill_and_warn(&app, ymd(2026, 11, 12)).await; // 25.00: 2 days — not every night
    assert_eq!(sms_to(&app, phone).len(), 1);
    bill_and_warn(&app, ymd(2026, 11, 13)).await; // 15.00: 1 day
    let warned = sms_to(&app, phone);
    assert_eq!(warned.len(), 2);
    assert!(warned[1].contains("1 день"), "{}", warned[1]);
    bill_and_warn(&app, ymd(2026, 11, 14)).await; // 5.00: 0 days
    assert_eq!(sms_to(&app, phone).len(), 2);
    // A top-up lifts it above the thresholds; falling again warns again.
    adjust(&app, &staff, number, "95.00").await; // 100.00
    bill_and_warn(&app, ymd(2026, 11, 15)).await; // 90.00: 9 days
    for d in 16..=22 {
        bill_and_warn(&app, ymd(2026, 11, d)).await; // … 20.00: 2 days
    }
    let warned = sms_to(&app, phone);
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(warned[2].contains("3 дня"));
}

#[tokio::test]
async fn the_nightly_worker_sends_billing_warnings_and_they_are_in_the_personal_account() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let number = "500000000778";
    account_with(&app, number, 30_000, ymd(2026, 11, 1)).await; // 10.00 ₽ a day
    adjust(&app, &staff, number, "40.00").await;
    // The next morning the worker charges the 26th: 30.00 ₽ left, 3 days.
    app.clock
        .set(crate::common::test_epoch() + chrono::Duration::days(1));
    for _ in 0..400 {
        if !sms_to(&app, "+79995550000").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let warned = sms_to(&app, "+79995550000");
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("3 дня") && warned[0].contains("Пополните счёт"));
    let body = app
        .graphql_as(
            Some(&staff),
            "query ($n: String!) { staff { account(number: $n) { notifications(first: 5) { nodes { kind read body } } } } }",
            json!({ "n": number }),
        )
        .await;
    let nodes = &data(&body)["staff"]["account"]["notifications"]["nodes"];
    assert_eq!(nodes[0]["kind"], "BILLING_WARNING");
    assert_eq!(nodes[0]["read"], false);
}

#[tokio::test]
async fn news_reaches_everyone_in_the_personal_account_and_by_sms_only_those_who_want_it() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&demo),
            "mutation { updateNotificationSettings(input: {smsNews: true}) { notificationSettings { smsNews } } }",
            json!({}),
        )
        .await;
    data(&body);
    let before = inbox(&app, &demo2).await["notifications"]["totalCount"].clone();
    let body = app
        .graphql_as(
            Some(&staff),
            "mutation ($i: BroadcastNewsInput!) { staff { broadcastNews(input: $i) { news { title recipients } userErrors { code } } } }",
            json!({ "i": { "title": "Новый канал", "text": "В пакете «Кино» теперь 40 каналов." } }),
        )
        .await;
    assert_eq!(
        data(&body)["staff"]["broadcastNews"]["userErrors"],
        json!([])
    );
    // The worker tells everyone.
    for _ in 0..400 {
        if kinds(&inbox(&app, &demo2).await).contains(&"NEWS".to_owned()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    for token in [&demo, &demo2] {
        let me = inbox(&app, token).await;
        let news: Vec<&Value> = me["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "NEWS")
            .collect();
        assert_eq!(news.len(), 1, "once each: {me}");
        assert_eq!(news[0]["title"], "Новый канал");
    }
    assert_ne!(
        inbox(&app, &demo2).await["notifications"]["totalCount"],
        before
    );
    app.wait_for_sms(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let news_sms: Vec<Value> = app
        .sms_messages()
        .into_iter()
        .filter(|m| m["text"].as_str().unwrap().contains("Новый канал"))
        .collect();
    assert_eq!(news_sms.len(), 1, "only demo wants news SMS: {news_sms:?}");
    assert_eq!(news_sms[0]["to"], "+79990000001");

    // Bad input.
    let body = app
        .graphql_as(
            Some(&staff),
            "mutation { staff { broadcastNews(input: {title: \" \", text: \"x\"}) { userErrors { field code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["staff"]["broadcastNews"]["userErrors"],
        json!([{ "field": ["input", "title"], "code": "REQUIRED" }])
    );
    let body = app
        .graphql_as(
            Some(&demo),
            "mutation { staff { broadcastNews(input: {title: \"x\", text: \"x\"}) { userErrors { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn notifications_are_marked_read_one_by_one_or_all_and_only_ones_own() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    // Two support updates make two notifications.
    let body = app
        .graphql_as(
            Some(&token),
            "mutation { createTicket(input: {category: OTHER, subject: \"Вопрос\", message: \"Текст\"}) { ticket { id } } }",
            json!({}),
        )
        .await;
    let ticket = data(&body)["createTicket"]["ticket"]["id"].clone();
    for status in ["IN_PROGRESS", "RESOLVED"] {
        let body = app
            .graphql_as(
                Some(&staff),
                "mutation ($i: SetTicketStatusInput!) { staff { setTicketStatus(input: $i) { userErrors { code } } } }",
                json!({ "i": { "ticketId": ticket, "status": status } }),
            )
            .await;
        assert_eq!(
            data(&body)["staff"]["setTicketStatus"]["userErrors"],
            json!([])
        );
    }
    // The demo household already had one: a new device on its internet.
    let me = inbox(&app, &token).await;
    assert_eq!(kinds(&me), ["TICKET", "TICKET", "NEW_DEVICE"]);
    assert_eq!(me["unreadNotificationCount"], 3);
    let first = me["notifications"]["nodes"][0]["id"].clone();

    // Someone else cannot mark mine read.
    let other = app.login("demo2", "demo12345").await;
    let mark = "mutation ($i: MarkNotificationsReadInput) { markNotificationsRead(input: $i) { unreadCount } }";
    let body = app
        .graphql_as(Some(&other), mark, json!({ "i": { "ids": [first] } }))
        .await;
    assert_eq!(data(&body)["markNotificationsRead"]["unreadCount"], 0);
    assert_eq!(inbox(&app, &token).await["unreadNotificationCount"], 3);

    let body = app
        .graphql_as(Some(&token), mark, json!({ "i": { "ids": [first] } }))
        .await;
    assert_eq!(data(&body)["markNotificationsRead"]["unreadCount"], 2);
    let me = inbox(&app, &token).await;
    assert_eq!(me["notifications"]["nodes"][0]["read"], true);
    assert_eq!(me["notifications"]["nodes"][1]["read"], false);
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { notifications(unreadOnly: true, first: 10) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["notifications"]["totalCount"], 2);
    let body = app.graphql_as(Some(&token), mark, json!({})).await;
    assert_eq!(data(&body)["markNotificationsRead"]["unreadCount"], 0);
}
