//! Sessions end everywhere at once (WebSockets included), guesses are limited
//! however many arrive together, idempotent retries race safely, no log level
//! prints a secret, and the demo data says what the README says on any day.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::common::{TestApp, credentials_in, data, error_codes};

const ME: &str = "{ me { number } }";

/// Sends `query` over an open WebSocket as operation `id`; the first reply,
/// or None when the server closed the socket instead.
async fn ws_query(ws: &mut crate::common::WsClient, id: &str, query: &str) -> Option<Value> {
    ws.subscribe(id, query).await;
    let reply = ws.next_or_closed().await?;
    if reply["type"] == "next" {
        let complete = ws.next_or_closed().await?;
        assert_eq!(complete["type"], "complete", "{complete}");
    }
    Some(reply)
}

/// The code of the first error of a WebSocket reply (`next` with errors, or `error`).
fn ws_error_code(reply: &Value) -> &Value {
    match reply["type"].as_str() {
        Some("error") => &reply["payload"][0]["extensions"]["code"],
        _ => &reply["payload"]["errors"][0]["extensions"]["code"],
    }
}

async fn signed_in_socket(app: &TestApp, token: &str) -> crate::common::WsClient {
    let mut ws = app
        .ws(
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await;
    let reply = ws_query(&mut ws, "0", ME).await.expect("an answer");
    assert_eq!(
        reply["payload"]["data"]["me"]["number"], "100000000002",
        "{reply}"
    );
    ws
}

/// After `end` runs, the socket is closed with 4401 (or, if an operation
/// slips in first, it is refused as UNAUTHENTICATED) — never answered with data.
async fn assert_socket_ends(ws: &mut crate::common::WsClient) {
    assert_eq!(ws.closed_with(Duration::from_secs(5)).await, Some(4401));
}

#[tokio::test]
async fn every_way_of_ending_a_session_closes_its_open_websocket() {
    let app = TestApp::spawn().await;
    let logout = "mutation { logout { ok } }";
    let everywhere = "mutation { logoutEverywhere { endedSessions } }";

    let token = app.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&app, &token).await;
    data(&app.graphql_as(Some(&token), logout, json!({})).await);
    assert_socket_ends(&mut ws).await;

    let token = app.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&app, &token).await;
    let other = app.login("demo2", "demo12345").await;
    data(&app.graphql_as(Some(&other), everywhere, json!({})).await);
    assert_socket_ends(&mut ws).await;

    let token = app.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&app, &token).await;
    let other = app.login("demo2", "demo12345").await;
    let sessions = app
        .graphql_as(
            Some(&other),
            "{ me { loginSessions { id current } } }",
            json!({}),
        )
        .await;
    let victim = data(&sessions)["me"]["loginSessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .clone();
    let revoked = app
        .graphql_as(
            Some(&other),
            "mutation ($id: ID!) { revokeLoginSession(input: {id: $id}) { ok } }",
            json!({ "id": victim }),
        )
        .await;
    assert_eq!(data(&revoked)["revokeLoginSession"]["ok"], true);
    assert_socket_ends(&mut ws).await;

    let token = app.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&app, &token).await;
    let changed = app
        .graphql_as(
            Some(&other),
            "mutation { changePassword(input: {currentPassword: \"demo12345\", newPassword: \"another-pass-1\"}) { ok } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&changed)["changePassword"]["ok"], true);
    assert_socket_ends(&mut ws).await;

    let token = app.login("demo2", "another-pass-1").await;
    let mut ws = signed_in_socket(&app, &token).await;
    let request = app
        .graphql(
            "mutation { requestCredentials(input: {accountNumber: \"100000000002\", phone: \"+79990000002\", acceptRules: true}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    data(&request);
    assert_socket_ends(&mut ws).await;
    let sms = app.wait_for_sms(1).await;
    let (login, password) = credentials_in(sms.last().unwrap());

    // Expiry by the clock closes it too.
    let token = app.login(&login, &password).await;
    let mut ws = signed_in_socket(&app, &token).await;
    app.clock.advance(chrono::Duration::days(31));
    assert_socket_ends(&mut ws).await;
}

#[tokio::test]
async fn a_logout_on_one_replica_closes_the_socket_on_another() {
    let first = TestApp::spawn().await;
    let second = first.spawn_replica().await;
    let token = first.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&second, &token).await;
    data(
        &first
            .graphql_as(Some(&token), "mutation { logout { ok } }", json!({}))
            .await,
    );
    assert_socket_ends(&mut ws).await;
}

#[tokio::test]
async fn each_websocket_operation_rechecks_its_session() {
    // The watcher looks only once a minute here, so the per-operation check answers.
    let app = TestApp::spawn_with(|s| s.worker_poll_ms = 60_000).await;
    let token = app.login("demo2", "demo12345").await;
    let mut ws = signed_in_socket(&app, &token).await;
    data(
        &app.graphql_as(Some(&token), "mutation { logout { ok } }", json!({}))
            .await,
    );
    let reply = ws_query(&mut ws, "1", ME).await.expect("an answer");
    assert_eq!(ws_error_code(&reply), "UNAUTHENTICATED", "{reply}");
    assert!(reply["payload"]["data"]["me"].is_null(), "{reply}");
    let mutation = ws_query(
        &mut ws,
        "2",
        "mutation { logoutEverywhere { endedSessions } }",
    )
    .await
    .expect("an answer");
    assert_eq!(ws_error_code(&mutation), "UNAUTHENTICATED", "{mutation}");
}

const LOGIN: &str = "mutation ($i: LoginInput!) { login(input: $i) { token userErrors { code } } }";

fn login_code(body: &Value) -> String {
    let payload = &data(body)["login"];
    if payload["token"].is_string() {
        "OK".to_owned()
    } else {
        payload["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("?")
            .to_owned()
    }
}

#[tokio::test]
async fn parallel_wrong_passwords_get_at_most_five_checks() {
    let app = TestApp::spawn().await;
    let attempts = (0..20).map(|i| {
        app.graphql(
            LOGIN,
            json!({ "i": { "login": "demo", "password": format!("wrong-{i}") } }),
        )
    });
    let codes: Vec<String> = join_all(attempts).await.iter().map(login_code).collect();
    let checked = codes.iter().filter(|c| *c == "INVALID_CREDENTIALS").count();
    let locked = codes.iter().filter(|c| *c == "LOGIN_LOCKED").count();
    assert!(checked <= 5, "{checked} passwords were checked: {codes:?}");
    assert_eq!(checked + locked, 20, "{codes:?}");
    let right = app
        .graphql(
            LOGIN,
            json!({ "i": { "login": "demo", "password": "demo12345" } }),
        )
        .await;
    assert_eq!(login_code(&right), "LOGIN_LOCKED", "the lock holds");
}

#[tokio::test]
async fn change_password_has_the_sign_in_guess_limit() {
    let app = TestApp::spawn().await;
    let token = app.login("demo2", "demo12345").await;
    let aliases: String = (0..15)
        .map(|i| {
            format!(
                "c{i}: changePassword(input: {{currentPassword: \"guess-{i}\", newPassword: \"new-password-1\"}}) {{ ok userErrors {{ code }} }} "
            )
        })
        .collect();
    let body = app
        .graphql_as(
            Some(&token),
            &format!("mutation {{ {aliases} }}"),
            json!({}),
        )
        .await;
    let codes: Vec<String> = (0..15)
        .map(|i| {
            data(&body)[format!("c{i}")]["userErrors"][0]["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "WRONG_PASSWORD").count(),
        4,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "LOGIN_LOCKED").count(),
        11,
        "{codes:?}"
    );
    // Even the right password is not checked while locked, here or at sign-in.
    let right = app
        .graphql_as(
            Some(&token),
            "mutation { changePassword(input: {currentPassword: \"demo12345\", newPassword: \"new-password-1\"}) { ok userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&right)["changePassword"]["userErrors"][0]["code"],
        "LOGIN_LOCKED"
    );
    let sign_in = app
        .graphql(
            LOGIN,
            json!({ "i": { "login": "demo2", "password": "demo12345" } }),
        )
        .await;
    assert_eq!(login_code(&sign_in), "LOGIN_LOCKED");
}

const PROMISE: &str = "mutation ($key: String) { activatePromisedPayment(input: {idempotencyKey: $key}) { promisedPayment { credit { amount } state expiresAt } userErrors { code } } }";

#[tokio::test]
async fn racing_retries_with_one_key_all_get_the_first_result() {
    let app = TestApp::spawn().await;
    let token = app.login("demo2", "demo12345").await;
    let calls = (0..25).map(|_| app.graphql_as(Some(&token), PROMISE, json!({ "key": "retry-1" })));
    let bodies = join_all(calls).await;
    let first = &data(&bodies[0])["activatePromisedPayment"];
    assert_eq!(first["promisedPayment"]["state"], "ACTIVE", "{first}");
    for body in &bodies {
        assert_eq!(&data(body)["activatePromisedPayment"], first, "{body}");
    }
    // Another key is a new request: refused, and that refusal is its own first result.
    let other = app
        .graphql_as(Some(&token), PROMISE, json!({ "key": "retry-2" }))
        .await;
    assert_eq!(
        data(&other)["activatePromisedPayment"]["userErrors"][0]["code"],
        "ALREADY_ACTIVE"
    );
    let history = app
        .graphql_as(
            Some(&token),
            "{ me { promisedPayment { active { state } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&history)["me"]["promisedPayment"]["active"]["state"],
        "ACTIVE"
    );
}

/// The shared mechanism: the same key with another input is refused.
#[tokio::test]
async fn a_key_reused_with_other_input_is_refused() {
    use kabinet::clock::Clock;
    use kabinet::idempotency::{self, Claim, IdempotencyKey, Replayable};

    #[derive(Debug, PartialEq)]
    enum Outcome {
        Reused,
        Refused,
        Db,
    }
    impl From<sea_orm::DbErr> for Outcome {
        fn from(_: sea_orm::DbErr) -> Self {
            Outcome::Db
        }
    }
    impl Replayable for Outcome {
        fn refusal_code(&self) -> Option<&'static str> {
            (*self == Outcome::Refused).then_some("REFUSED")
        }
        fn from_refusal_code(code: &str) -> Option<Self> {
            (code == "REFUSED").then_some(Outcome::Refused)
        }
        fn key_reused() -> Self {
            Outcome::Reused
        }
    }

    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let now = app.clock.now();
    let key = IdempotencyKey::parse(Some("k")).unwrap().unwrap();
    let claim = |amount: i64| Claim {
        account_id: 1,
        operation: "test",
        key: &key,
        input: json!({ "amount": amount }),
    };
    let mut runs = 0;
    let first: Result<i64, Outcome> = idempotency::run(db, now, Some(claim(5)), |tx| {
        runs += 1;
        async move { (tx, Ok(42)) }
    })
    .await;
    assert_eq!(first, Ok(42));
    let again: Result<i64, Outcome> =
        idempotency::run(db, now, Some(claim(5)), |tx| async move { (tx, Ok(7)) }).await;
    assert_eq!(again, Ok(42), "the first result, not a second run");
    let reused: Result<i64, Outcome> =
        idempotency::run(db, now, Some(claim(6)), |tx| async move { (tx, Ok(7)) }).await;
    assert_eq!(reused, Err(Outcome::Reused));
    assert_eq!(runs, 1);
}

#[test]
fn no_log_level_prints_a_token_or_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kabinet"))
        .current_dir(dir.path())
        .env_remove("KABINET_DATABASE_URL")
        .env("KABINET_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "trace")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let address = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the server starts");
        if let Some(at) = line.find("GraphQL at http://") {
            let rest = &line[at + "GraphQL at http://".len()..];
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let token = runtime.block_on(async {
        kabinet::payments::yookassa::install_crypto_provider();
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("http://{address}/graphql"))
            .json(&json!({ "query": LOGIN, "variables": { "i": { "login": "demo", "password": "demo12345" } } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = data(&body)["login"]["token"].as_str().unwrap().to_owned();
        let mut ws = crate::common::WsClient::connect(
            address.parse().unwrap(),
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await;
        ws.subscribe(
            "1",
            "mutation { login(input: {login: \"demo2\", password: \"demo12345\"}) { token } }",
        )
        .await;
        let reply = ws.next().await;
        let second = reply["payload"]["data"]["login"]["token"].as_str().unwrap().to_owned();
        (token, second)
    });
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let log: Vec<String> = lines.try_iter().collect();
    let log = log.join("\n");
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "trace logging is on"
    );
    for secret in [token.0.as_str(), token.1.as_str(), "demo12345"] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
}

#[tokio::test]
async fn demo2_needs_a_promised_payment_on_any_day_it_is_started() {
    use kabinet::auth::password::PasswordHasher;
    use kabinet::clock::ManualClock;

    let days = [
        (2026, 12, 1),
        (2026, 12, 31),
        (2027, 1, 15),
        (2028, 2, 29),
        (2027, 3, 1),
        (2027, 4, 30),
    ];
    let hasher = PasswordHasher::new(2);
    for (y, m, d) in days {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display());
        let db = kabinet::db::connect(&url, 2, Default::default())
            .await
            .unwrap();
        kabinet::db::migrate(&db).await.unwrap();
        let now = Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
        kabinet::demo::seed_if_empty(&db, &ManualClock::new(now), &hasher)
            .await
            .unwrap();
        let number = kabinet::accounts::AccountNumber::parse("100000000002").unwrap();
        let demo2 = kabinet::accounts::find_by_number(&db, &number)
            .await
            .unwrap()
            .expect("demo2 exists");
        let (account, offer) = kabinet::billing::promised::check(&db, now, demo2.id)
            .await
            .unwrap_or_else(|e| panic!("{y}-{m}-{d}: no promised payment on offer: {e}"));
        assert_eq!(
            account.status,
            kabinet::accounts::AccountStatus::Active,
            "{y}-{m}-{d}: never blocked"
        );
        assert!(offer.credit.get() > 0);
        let _ = db.close().await;
    }
    let _ = error_codes;
}

const ADJUST: &str = "mutation ($a: Decimal!, $k: String) { staff { adjustBalance(input: {accountNumber: \"100000000002\", amount: $a, reason: \"Компенсация\", idempotencyKey: $k}) { balance { amount } userErrors { code field } } } }";

#[tokio::test]
async fn an_operators_adjustment_under_one_key_moves_money_once() {
    let app = TestApp::spawn().await;
    let operator = app.login("operator", "operator12345").await;
    let subscriber = app.login("demo2", "demo12345").await;
    let balance = |body: &Value| data(body)["staff"]["adjustBalance"]["balance"]["amount"].clone();
    let before = app
        .graphql_as(
            Some(&subscriber),
            "{ me { balance { amount } } }",
            json!({}),
        )
        .await;
    let before: f64 = data(&before)["me"]["balance"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let calls = (0..10).map(|_| {
        app.graphql_as(
            Some(&operator),
            ADJUST,
            json!({ "a": "100.00", "k": "adj-1" }),
        )
    });
    let bodies = join_all(calls).await;
    let first = balance(&bodies[0]);
    for body in &bodies {
        assert_eq!(balance(body), first, "{body}");
    }
    let after = app
        .graphql_as(
            Some(&subscriber),
            "{ me { balance { amount } } }",
            json!({}),
        )
        .await;
    let after: f64 = data(&after)["me"]["balance"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (after - before - 100.0).abs() < 0.001,
        "moved once: {before} -> {after}"
    );

    let reused = app
        .graphql_as(
            Some(&operator),
            ADJUST,
            json!({ "a": "200.00", "k": "adj-1" }),
        )
        .await;
    assert_eq!(
        data(&reused)["staff"]["adjustBalance"]["userErrors"][0],
        json!({ "code": "IDEMPOTENCY_KEY_REUSED", "field": ["input", "idempotencyKey"] })
    );
}

#[tokio::test]
async fn favourites_added_at_once_cannot_pass_the_limit() {
    let app = TestApp::spawn().await;
    let token = app.login("demo2", "demo12345").await;
    let number = kabinet::accounts::AccountNumber::parse("100000000002").unwrap();
    let account = kabinet::accounts::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    let limit = kabinet::tv::favourites::MAX_FAVOURITES;
    for i in 1..limit {
        kabinet::tv::favourites::add(
            &app.state.db,
            Utc::now(),
            account.id,
            &format!("Передача {i}"),
            kabinet::tv::Category::Other,
        )
        .await
        .unwrap();
    }
    let adds = (0..8).map(|i| {
        app.graphql_as(
            Some(&token),
            "mutation ($t: String) { addTvFavourite(input: {title: $t}) { favourite { id } userErrors { code } } }",
            json!({ "t": format!("Новая {i}") }),
        )
    });
    let bodies = join_all(adds).await;
    let added = bodies
        .iter()
        .filter(|b| data(b)["addTvFavourite"]["favourite"].is_object())
        .count();
    assert_eq!(added, 1, "{bodies:?}");
    let list = app
        .graphql_as(Some(&token), "{ me { tvFavourites { id } } }", json!({}))
        .await;
    assert_eq!(
        data(&list)["me"]["tvFavourites"].as_array().unwrap().len() as u64,
        limit
    );
}
