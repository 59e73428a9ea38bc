//! Sessions: lockout, expiry by the clock, logout, revocation, password change,
//! hashed tokens, and nothing secret in the logs.

use kabinet::clock::Clock;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::common::{TestApp, captured_logs, credentials_in, data, error_codes};

const LOGIN: &str = "mutation ($i: LoginInput!) {
  login(input: $i) { token expiresAt role lockedUntil account { number } userErrors { field code message } }
}";

async fn try_login(app: &TestApp, login: &str, password: &str) -> Value {
    let body = app
        .graphql(
            LOGIN,
            json!({ "i": { "login": login, "password": password } }),
        )
        .await;
    data(&body)["login"].clone()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(Some(token), "{ me { number } }", json!({}))
        .await;
    data(&body)["me"].clone()
}

#[tokio::test]
async fn login_returns_a_token_an_expiry_and_the_account() {
    let app = TestApp::spawn().await;
    let payload = try_login(&app, "  DEMO ", "demo12345").await;
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["role"], "SUBSCRIBER");
    assert_eq!(payload["account"]["number"], "100000000001");
    let expires =
        chrono::DateTime::parse_from_rfc3339(payload["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires.to_utc(),
        app.clock.now() + chrono::Duration::days(30)
    );
    let token = payload["token"].as_str().unwrap();
    assert!(token.len() >= 43, "256 bits");
    assert_eq!(me(&app, token).await["number"], "100000000001");
}

#[tokio::test]
async fn an_unknown_login_and_a_wrong_password_look_the_same() {
    let app = TestApp::spawn().await;
    let wrong = try_login(&app, "demo", "not-the-password").await;
    let unknown = try_login(&app, "nobody", "not-the-password").await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    assert!(wrong["token"].is_null());
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_login_until_the_clock_passes() {
    let app = TestApp::spawn().await;
    for attempt in 1..=4 {
        let payload = try_login(&app, "demo", "wrong").await;
        assert_eq!(
            payload["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "attempt {attempt}"
        );
    }
    let locked = try_login(&app, "demo", "wrong").await;
    assert_eq!(locked["userErrors"][0]["code"], "LOGIN_LOCKED");
    let until =
        chrono::DateTime::parse_from_rfc3339(locked["lockedUntil"].as_str().unwrap()).unwrap();
    assert_eq!(
        until.to_utc(),
        app.clock.now() + chrono::Duration::minutes(15)
    );
    assert!(
        locked["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("МСК")
    );

    // Even the right password waits for the lock to end.
    let still = try_login(&app, "demo", "demo12345").await;
    assert_eq!(still["userErrors"][0]["code"], "LOGIN_LOCKED");
    app.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(
        try_login(&app, "demo", "demo12345").await["userErrors"][0]["code"],
        "LOGIN_LOCKED"
    );
    app.clock.advance(chrono::Duration::minutes(2));
    let ok = try_login(&app, "demo", "demo12345").await;
    assert_eq!(ok["userErrors"], json!([]));

    // Other logins were never affected, and unknown logins lock the same way.
    assert_eq!(
        try_login(&app, "demo2", "demo12345").await["userErrors"],
        json!([])
    );
    for _ in 0..4 {
        try_login(&app, "ghost", "wrong").await;
    }
    assert_eq!(
        try_login(&app, "ghost", "wrong").await["userErrors"][0]["code"],
        "LOGIN_LOCKED"
    );
}

#[tokio::test]
async fn a_token_expires_by_the_clock() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    app.clock
        .advance(chrono::Duration::days(30) - chrono::Duration::seconds(1));
    assert_eq!(me(&app, &token).await["number"], "100000000001");
    app.clock.advance(chrono::Duration::seconds(1));
    assert!(
        me(&app, &token).await.is_null(),
        "an expired token is anonymous"
    );
    let logout = app
        .graphql_as(Some(&token), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(error_codes(&logout), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn logout_ends_this_session_only() {
    let app = TestApp::spawn().await;
    let phone = app.login("demo", "demo12345").await;
    let laptop = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(Some(&phone), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(data(&body)["logout"]["ok"], true);
    assert!(me(&app, &phone).await.is_null());
    assert_eq!(me(&app, &laptop).await["number"], "100000000001");
}

#[tokio::test]
async fn logout_everywhere_ends_every_session() {
    let app = TestApp::spawn().await;
    let a = app.login("demo", "demo12345").await;
    let b = app.login("demo", "demo12345").await;
    let other = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&a),
            "mutation { logoutEverywhere { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["logoutEverywhere"]["endedSessions"], 2);
    assert!(me(&app, &a).await.is_null());
    assert!(me(&app, &b).await.is_null());
    assert_eq!(
        me(&app, &other).await["number"],
        "100000000002",
        "another account is untouched"
    );
}

const SESSIONS: &str =
    "{ me { loginSessions { id userAgent ipAddress createdAt lastSeenAt expiresAt current } } }";
const REVOKE: &str =
    "mutation ($id: ID!) { revokeLoginSession(input: {id: $id}) { ok userErrors { code } } }";

#[tokio::test]
async fn a_subscriber_sees_their_sessions_and_revokes_one() {
    let app = TestApp::spawn().await;
    let phone = app.login("demo", "demo12345").await;
    app.clock.advance(chrono::Duration::minutes(5));
    let laptop = app.login("demo", "demo12345").await;

    let body = app.graphql_as(Some(&laptop), SESSIONS, json!({})).await;
    let sessions = data(&body)["me"]["loginSessions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions[0]["current"], true,
        "newest first, and it is this one"
    );
    assert_eq!(sessions[1]["current"], false);
    assert_eq!(sessions[0]["ipAddress"], "127.0.0.1");
    assert!(sessions[0]["userAgent"].is_string() || sessions[0]["userAgent"].is_null());
    let phone_session = sessions[1]["id"].clone();

    // Someone else cannot end it, nor even see it.
    let intruder = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&intruder), REVOKE, json!({ "id": phone_session }))
        .await;
    assert_eq!(
        data(&body)["revokeLoginSession"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app
        .graphql_as(
            Some(&intruder),
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": phone_session }),
        )
        .await;
    assert!(data(&body)["node"].is_null());
    assert_eq!(me(&app, &phone).await["number"], "100000000001");

    let body = app
        .graphql_as(Some(&laptop), REVOKE, json!({ "id": phone_session }))
        .await;
    assert_eq!(data(&body)["revokeLoginSession"]["ok"], true);
    assert!(me(&app, &phone).await.is_null());
    assert_eq!(me(&app, &laptop).await["number"], "100000000001");
    let again = app
        .graphql_as(Some(&laptop), REVOKE, json!({ "id": phone_session }))
        .await;
    assert_eq!(
        data(&again)["revokeLoginSession"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
}

const CHANGE: &str = "mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { ok userErrors { field code message } } }";

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            CHANGE,
            json!({ "i": { "currentPassword": current, "newPassword": new } }),
        )
        .await;
    data(&body)["changePassword"].clone()
}

#[tokio::test]
async fn changing_the_password_checks_it_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let this = app.login("demo", "demo12345").await;
    let other = app.login("demo", "demo12345").await;

    let wrong = change(&app, &this, "not-it", "new-password-1").await;
    assert_eq!(wrong["userErrors"][0]["code"], "WRONG_PASSWORD");
    assert_eq!(
        wrong["userErrors"][0]["field"],
        json!(["input", "currentPassword"])
    );
    let short = change(&app, &this, "demo12345", "short").await;
    assert_eq!(short["userErrors"][0]["code"], "TOO_SHORT");
    let long = change(&app, &this, "demo12345", &"x".repeat(129)).await;
    assert_eq!(long["userErrors"][0]["code"], "TOO_LONG");
    assert_eq!(
        me(&app, &other).await["number"],
        "100000000001",
        "refusals change nothing"
    );

    let ok = change(&app, &this, "demo12345", "new-password-1").await;
    assert_eq!(ok["ok"], true);
    assert_eq!(
        me(&app, &this).await["number"],
        "100000000001",
        "this session goes on"
    );
    assert!(me(&app, &other).await.is_null(), "other sessions end");
    assert_eq!(
        try_login(&app, "demo", "demo12345").await["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        try_login(&app, "demo", "new-password-1").await["userErrors"],
        json!([])
    );

    let anonymous = app
        .graphql(
            CHANGE,
            json!({ "i": { "currentPassword": "a", "newPassword": "bbbbbbbbb" } }),
        )
        .await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn secrets_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let db = &app.state.db;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT token_hash FROM login_session",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let stored: String = rows[0].try_get("", "token_hash").unwrap();
    assert_ne!(stored, token);
    assert!(!stored.contains(&token));
    assert_eq!(
        stored,
        kabinet::auth::token::hash(&token),
        "only its SHA-256"
    );
    let hashes = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT password_hash FROM credential",
        ))
        .await
        .unwrap();
    for row in hashes {
        let hash: String = row.try_get("", "password_hash").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}

#[tokio::test]
async fn passwords_tokens_and_sms_texts_never_reach_the_logs() {
    let app = TestApp::spawn().await;
    app.graphql(
        "mutation { requestCredentials(input: {accountNumber: \"100000000002\", phone: \"+79990000002\", acceptRules: true}) { accepted } }",
        json!({}),
    )
    .await;
    let sms = app.wait_for_sms(1).await[0].clone();
    let (login, password) = credentials_in(&sms);
    let token = app.login(&login, &password).await;
    me(&app, &token).await;
    change(&app, &token, &password, "a-secret-passphrase").await;
    try_login(&app, "demo2", "wrong-secret-guess").await;

    let logs = captured_logs();
    assert!(!logs.is_empty());
    for secret in [
        password.as_str(),
        token.as_str(),
        sms["text"].as_str().unwrap(),
        "a-secret-passphrase",
        "wrong-secret-guess",
    ] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs");
    }
}

#[tokio::test]
async fn an_sms_survives_a_sender_failure_and_is_delivered_on_retry() {
    let outbox_dir = tempfile::tempdir().unwrap();
    let outbox = outbox_dir.path().join("outbox.jsonl");
    // A directory where the file should be: every delivery attempt fails.
    std::fs::create_dir(&outbox).unwrap();
    let app = TestApp::spawn_with(|s| s.sms_outbox_file = outbox.clone()).await;
    let mut app = app;
    app.sms_outbox = outbox.clone();
    app.graphql(
        "mutation { requestCredentials(input: {accountNumber: \"100000000001\", phone: \"+79990000001\", acceptRules: true}) { accepted } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(outbox.is_dir(), "nothing could be written yet");

    // The gateway comes back; the retry waits for its backoff on the clock.
    std::fs::remove_dir(&outbox).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(app.sms_messages().is_empty(), "not before the backoff");
    app.clock.advance(chrono::Duration::seconds(6));
    let messages = app.wait_for_sms(1).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["to"], "+79990000001");
    credentials_in(&messages[0]);
}
