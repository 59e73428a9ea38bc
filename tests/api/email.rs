//! E-mail to subscribers who want it and gave an address: through an SMTP
//! relay (a local stand-in here) or the development file sender, via the
//! outbox — which loses nothing while the relay is down for an hour and sends
//! each message once when it is back.

use chrono::{Duration, NaiveDate};
use kabinet::accounts::{self, AccountNumber, NewAccount, Phone};
use kabinet::clock::Clock;
use serde_json::{Value, json};

use crate::common::smtp::SmtpStandIn;
use crate::common::{TestApp, credentials_in, data};
use crate::money::staff_token;

const NUMBER: &str = "500000000880";
const ADDRESS: &str = "ivanova@example.ru";

/// A subscriber with an e-mail on the contract who switched e-mail on.
async fn subscriber_with_email(app: &TestApp) -> String {
    accounts::insert(
        &app.state.db,
        app.clock.as_ref(),
        NewAccount {
            number: AccountNumber::parse(NUMBER).unwrap(),
            contract_number: "T-880".into(),
            contract_date: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            holder_name: "Иванова Мария".into(),
            phone: Phone::parse("+79995558800").unwrap(),
            email: Some(ADDRESS.into()),
            address: "г. Москва".into(),
            codeword_hash: None,
        },
    )
    .await
    .unwrap();
    let sent = app.sms_messages().len();
    let body = app
        .graphql(
            "mutation ($i: RequestCredentialsInput!) { requestCredentials(input: $i) { accepted } }",
            json!({ "i": { "accountNumber": NUMBER, "phone": "+79995558800", "acceptRules": true } }),
        )
        .await;
    data(&body);
    let messages = app.wait_for_sms(sent + 1).await;
    let (login, password) = credentials_in(&messages[sent]);
    let token = app.login(&login, &password).await;
    let body = app
        .graphql_as(
            Some(&token),
            "mutation { updateNotificationSettings(input: {email: true}) { notificationSettings { email } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["notificationSettings"]["email"],
        true
    );
    token
}

/// A support reply: something the subscriber is told about.
async fn support_reply(app: &TestApp, token: &str, staff: &str) {
    let body = app
        .graphql_as(
            Some(token),
            "mutation { createTicket(input: {category: BILLING, subject: \"Счёт\", message: \"Проверьте\"}) { ticket { id } } }",
            json!({}),
        )
        .await;
    let ticket = data(&body)["createTicket"]["ticket"]["id"].clone();
    let body = app
        .graphql_as(
            Some(staff),
            "mutation ($i: ReplyToTicketInput!) { staff { replyToTicket(input: $i) { userErrors { code } } } }",
            json!({ "i": { "ticketId": ticket, "message": "Проверили, всё верно" } }),
        )
        .await;
    assert_eq!(
        data(&body)["staff"]["replyToTicket"]["userErrors"],
        json!([])
    );
}

async fn outbox_row(app: &TestApp) -> (i64, bool) {
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let row = db
        .query_one_raw(kabinet::db::statement(
            db,
            "SELECT attempts, sent_at FROM email_outbox WHERE to_address = $1",
            vec![ADDRESS.into()],
        ))
        .await
        .unwrap()
        .expect("the e-mail is in the outbox");
    let attempts: i32 = row.try_get("", "attempts").unwrap();
    let sent: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "sent_at").unwrap();
    (i64::from(attempts), sent.is_some())
}

#[tokio::test]
async fn an_email_goes_through_the_smtp_relay() {
    let relay = SmtpStandIn::start(0).await;
    let url = format!("smtp://127.0.0.1:{}", relay.port);
    let app = TestApp::spawn_with(|s| s.smtp_url = Some(url.clone())).await;
    let staff = staff_token(&app).await;
    let token = subscriber_with_email(&app).await;
    support_reply(&app, &token, &staff).await;
    for _ in 0..400 {
        if !relay.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let received = relay.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].to, [format!("<{ADDRESS}>")]);
    assert_eq!(received[0].from, "<noreply@kabinet.example>");
    assert!(
        received[0].data.contains("Subject:"),
        "{}",
        received[0].data
    );
    assert!(
        received[0].data.contains(&format!("To: {ADDRESS}")),
        "{}",
        received[0].data
    );
    // Subscribers without e-mail on get none.
    let demo = app.login("demo", "demo12345").await;
    support_reply(&app, &demo, &staff).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn without_a_relay_the_development_sender_writes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("email.jsonl");
    let path = file.clone();
    let app = TestApp::spawn_with(move |s| s.email_outbox_file = path).await;
    let staff = staff_token(&app).await;
    let token = subscriber_with_email(&app).await;
    support_reply(&app, &token, &staff).await;
    let mut lines: Vec<Value> = Vec::new();
    for _ in 0..400 {
        lines = std::fs::read_to_string(&file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if !lines.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["to"], ADDRESS);
    assert_eq!(lines[0]["subject"], "Обращение в поддержку");
    assert!(
        lines[0]["text"]
            .as_str()
            .unwrap()
            .contains("ответ по обращению")
    );
    assert!(lines[0]["created_at"].is_string());
}

#[tokio::test]
async fn the_outbox_keeps_an_email_while_the_relay_is_down_for_an_hour_and_sends_it_once() {
    // A port nobody listens on yet.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::spawn_with(|s| {
        s.smtp_url = Some(url.clone());
        s.session_ttl_hours = 24;
    })
    .await;
    let staff = staff_token(&app).await;
    let token = subscriber_with_email(&app).await;
    support_reply(&app, &token, &staff).await;
    // An hour of the relay being down, in ten-minute steps of the clock.
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        app.clock.advance(Duration::minutes(10));
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let (attempts, sent) = outbox_row(&app).await;
    assert!(!sent);
    assert!(attempts >= 3, "it kept trying: {attempts}");

    // The relay is back: after the backoff (at most an hour) the e-mail goes, once.
    let relay = SmtpStandIn::start(port).await;
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    for _ in 0..400 {
        if !relay.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    app.clock.advance(Duration::hours(2));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(relay.received().len(), 1, "sent once");
    assert!(outbox_row(&app).await.1);
}

#[tokio::test]
async fn an_email_stored_before_a_restart_is_sent_once_after_it() {
    // Our own database file, so it outlives the first process.
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("restart.db").display()
    );
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let smtp = format!("smtp://127.0.0.1:{port}");
    let first = TestApp::spawn_with(|s| {
        s.database_url = url.clone();
        s.smtp_url = Some(smtp.clone());
    })
    .await;
    let staff = staff_token(&first).await;
    let token = subscriber_with_email(&first).await;
    support_reply(&first, &token, &staff).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!outbox_row(&first).await.1, "the relay is down: not sent");
    let later = first.clock.now() + Duration::hours(1);
    // The gateway goes down for an hour with the e-mail in its outbox.
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let relay = SmtpStandIn::start(port).await;
    let second = TestApp::spawn_with(|s| {
        s.database_url = url.clone();
        s.smtp_url = Some(smtp.clone());
    })
    .await;
    second.clock.set(later + Duration::hours(1));
    for _ in 0..400 {
        if !relay.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(relay.received().len(), 1, "sent once after the restart");
    assert!(outbox_row(&second).await.1);
}
