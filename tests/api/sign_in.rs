//! First registration and recovery: account number + contract phone + consent
//! → a login and password by SMS (shared/DOMAIN.md, "Accounts and access").

use kabinet::clock::Clock;
use serde_json::{Value, json};

use crate::common::{TestApp, credentials_in, data, error_codes};

const REQUEST: &str = "mutation ($i: RequestCredentialsInput!) {
  requestCredentials(input: $i) { accepted message userErrors { field code message } }
}";

async fn request(app: &TestApp, number: &str, phone: &str, accept: bool) -> Value {
    let mut body = app
        .graphql(
            REQUEST,
            json!({ "i": { "accountNumber": number, "phone": phone, "acceptRules": accept } }),
        )
        .await;
    // The caller's own cost budget falls with each request, match or not.
    if let Some(body) = body.as_object_mut() {
        body.remove("extensions");
    }
    body
}

const ME: &str = "{ me { number holderName phone status } }";

#[tokio::test]
async fn a_subscriber_registers_with_any_usual_phone_spelling() {
    let app = TestApp::spawn().await;
    for (i, spelling) in ["+7 (999) 000-00-01", "89990000001", "79990000001"]
        .iter()
        .enumerate()
    {
        let body = request(&app, "100000000001", spelling, true).await;
        assert_eq!(
            data(&body)["requestCredentials"]["accepted"],
            true,
            "{spelling}"
        );
        let messages = app.wait_for_sms(i + 1).await;
        let sms = &messages[i];
        assert_eq!(sms["to"], "+79990000001");
        assert!(sms["created_at"].as_str().is_some());
        let (login, password) = credentials_in(sms);
        assert_eq!(login, "demo", "recovery keeps the existing login");
        let token = app.login(&login, &password).await;
        let me = app.graphql_as(Some(&token), ME, json!({})).await;
        let me = &data(&me)["me"];
        assert_eq!(me["number"], "100000000001");
        assert_eq!(me["holderName"], "Иванов Иван Иванович");
        assert_eq!(me["phone"], "+7 999 ***-**-01", "the phone is masked");
        assert_eq!(me["status"], "ACTIVE");
    }
}

#[tokio::test]
async fn a_first_registration_gets_the_account_number_as_login() {
    let app = TestApp::spawn().await;
    // A third account that has never signed in.
    let account = kabinet::accounts::insert(
        &app.state.db,
        app.clock.as_ref(),
        kabinet::accounts::NewAccount {
            number: kabinet::accounts::AccountNumber::parse("100000000003").unwrap(),
            contract_number: "МСК-2026-000003".into(),
            contract_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            holder_name: "Сидоров Пётр".into(),
            phone: kabinet::accounts::Phone::parse("+79990000003").unwrap(),
            email: None,
            address: "г. Москва".into(),
            codeword_hash: None,
        },
    )
    .await
    .unwrap();
    assert!(account.id > 0);
    request(&app, "100000000003", "8 999 000 00 03", true).await;
    let (login, password) = credentials_in(&app.wait_for_sms(1).await[0]);
    assert_eq!(login, "100000000003");
    assert_eq!(password.len(), 10);
    let token = app.login(&login, &password).await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;
    assert_eq!(data(&me)["me"]["number"], "100000000003");
}

#[tokio::test]
async fn a_wrong_pair_gets_the_same_answer_and_no_sms() {
    let app = TestApp::spawn().await;
    let mismatched = request(&app, "100000000001", "+79990000002", true).await;
    let unknown = request(&app, "999999999999", "+79995554433", true).await;
    let matched = request(&app, "100000000002", "+79990000002", true).await;
    assert_eq!(
        mismatched, matched,
        "no way to tell a match from the answer"
    );
    assert_eq!(unknown, matched);
    // The worker delivers in order: once the matched SMS is out, the others would be too.
    let messages = app.wait_for_sms(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let messages = if messages.len() == 1 {
        app.sms_messages()
    } else {
        messages
    };
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["to"], "+79990000002");
}

#[tokio::test]
async fn the_rules_must_be_accepted() {
    let app = TestApp::spawn().await;
    let body = request(&app, "100000000001", "+79990000001", false).await;
    let payload = &data(&body)["requestCredentials"];
    assert_eq!(payload["accepted"], false);
    assert_eq!(payload["userErrors"][0]["code"], "RULES_NOT_ACCEPTED");
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["input", "acceptRules"])
    );
    let malformed = request(&app, "12345", "+79990000001", true).await;
    assert_eq!(
        data(&malformed)["requestCredentials"]["userErrors"][0]["field"],
        json!(["input", "accountNumber"])
    );
    let phone = request(&app, "100000000001", "+1 202 555 0100", true).await;
    assert_eq!(
        data(&phone)["requestCredentials"]["userErrors"][0]["field"],
        json!(["input", "phone"])
    );
    // A valid request after them is the first SMS.
    request(&app, "100000000001", "+79990000001", true).await;
    assert_eq!(app.wait_for_sms(1).await.len(), 1);
}

fn retry_at(body: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    assert_eq!(error_codes(body), ["RATE_LIMITED"], "{body}");
    let at = body["errors"][0]["extensions"]["retryAt"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(at).unwrap()
}

#[tokio::test]
async fn requests_are_limited_per_account_with_a_retry_time() {
    let app = TestApp::spawn().await;
    for phone in ["+79991110001", "+79991110002", "+79991110003"] {
        data(&request(&app, "100000000001", phone, true).await);
    }
    let limited = request(&app, "100000000001", "+79990000001", true).await;
    let at = retry_at(&limited);
    assert!(at > app.clock.now(), "{at}");
    assert!(at <= app.clock.now() + chrono::Duration::hours(1));
    // Once the window has passed, the subscriber can ask again.
    app.clock.set(at.to_utc() + chrono::Duration::seconds(1));
    data(&request(&app, "100000000001", "+79990000001", true).await);
    assert_eq!(app.wait_for_sms(1).await.len(), 1);
}

#[tokio::test]
async fn requests_are_limited_per_phone() {
    let app = TestApp::spawn().await;
    for number in ["200000000001", "200000000002", "200000000003"] {
        data(&request(&app, number, "+79990000001", true).await);
    }
    retry_at(&request(&app, "100000000001", "+79990000001", true).await);
}

#[tokio::test]
async fn requests_are_limited_per_client_address() {
    let app = TestApp::spawn().await;
    for i in 0..10 {
        data(
            &request(
                &app,
                &format!("3000000000{i:02}"),
                &format!("+7999222000{i}"),
                true,
            )
            .await,
        );
    }
    retry_at(&request(&app, "100000000001", "+79990000001", true).await);
}

#[tokio::test]
async fn recovery_ends_the_old_sessions_and_the_old_password() {
    let app = TestApp::spawn().await;
    let old_token = app.login("demo", "demo12345").await;
    request(&app, "100000000001", "+79990000001", true).await;
    let (login, password) = credentials_in(&app.wait_for_sms(1).await[0]);
    let me = app.graphql_as(Some(&old_token), ME, json!({})).await;
    assert!(data(&me)["me"].is_null(), "the old session ended");
    let old = app
        .graphql(
            "mutation { login(input: {login: \"demo\", password: \"demo12345\"}) { token userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&old)["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    let token = app.login(&login, &password).await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;
    assert_eq!(data(&me)["me"]["number"], "100000000001");
}
