//! The test harness: starts the real application in-process on 127.0.0.1:0
//! with a fresh database per test, and gives a client that speaks GraphQL over
//! HTTP and WebSocket like a frontend does.
//!
//! Databases: SQLite by default, each test a copy of a template file; with
//! `KABINET_TEST_POSTGRES_URL` set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`),
//! PostgreSQL, each test a database created from a template database. The
//! template is migrated and seeded once per run.
#![allow(dead_code)] // Each test binary uses a different part of the harness.

mod database;
mod logs;
pub mod process;
pub mod smtp;
pub mod ws;
pub mod yookassa;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use clap::Parser;
use kabinet::app::{App, AppState};
use kabinet::clock::ManualClock;
use kabinet::config::{Cli, Settings};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use logs::captured_logs;
pub use ws::WsClient;

/// The instant every test starts at: 2026-11-25 12:00 Moscow time. The
/// template's demo data is written at this instant too.
pub fn test_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0)
        .single()
        .expect("a valid constant instant")
}

/// A running application and a client for it.
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The application's clock; set or advance it to move time.
    pub clock: Arc<ManualClock>,
    /// The application's state (database, schema, counters).
    pub state: AppState,
    /// The file the development SMS sender writes to.
    pub sms_outbox: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    /// The database this instance owns (replicas share their primary's).
    _database: Option<database::TestDatabase>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// Starts an application with default settings.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Starts an application after `configure` has adjusted its settings.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        logs::capture();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = database::TestDatabase::create(dir.path()).await;
        let url = database.url().to_owned();
        let sms_outbox = dir.path().join("sms-outbox.jsonl");
        TestApp::start(dir, Some(database), url, sms_outbox, configure).await
    }

    /// Another instance on the same database (a second replica behind the
    /// balancer), writing "sent" SMS to the same file.
    pub async fn spawn_replica(&self) -> TestApp {
        self.spawn_replica_with(|_| {}).await
    }

    /// A replica whose settings `configure` adjusts.
    pub async fn spawn_replica_with(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = self.state.settings.database_url.clone();
        TestApp::start(dir, None, url, self.sms_outbox.clone(), configure).await
    }

    async fn start(
        dir: tempfile::TempDir,
        database: Option<database::TestDatabase>,
        url: String,
        sms_outbox: PathBuf,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let mut settings = Cli::try_parse_from(["kabinet"])
            .expect("default settings parse")
            .settings;
        settings.database_url = url;
        settings.listen = "127.0.0.1:0".parse().expect("an address");
        settings.sms_outbox_file = sms_outbox.clone();
        settings.email_outbox_file = dir.path().join("email-outbox.jsonl");
        settings.db_max_connections = 5;
        // Retries of the SMS worker follow the test clock; look for due work often.
        settings.worker_poll_ms = 25;
        // The test clock stands still, so a budget never refills: tests that
        // are not about budgets get one they cannot spend.
        settings.cost_budget_per_minute = 1_000_000_000_000;
        configure(&mut settings);

        let clock = Arc::new(ManualClock::new(test_epoch()));
        let app = App::build(settings, clock.clone())
            .await
            .expect("the application starts");
        let state = app.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("a local address");
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .serve(listener, async move {
                    let _ = stop.await;
                })
                .await;
        });
        TestApp {
            address,
            base_url: format!("http://{address}"),
            http: reqwest::Client::new(),
            clock,
            state,
            sms_outbox,
            shutdown: Some(shutdown),
            _database: database,
            _dir: dir,
        }
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// POSTs a GraphQL operation anonymously; returns the JSON body (status 200 expected).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// POSTs a GraphQL operation with an optional bearer token.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        answer(
            self.post_graphql(token, &json!({ "query": query, "variables": variables }))
                .await,
        )
        .await
    }

    /// POSTs any JSON body to `/graphql`.
    pub async fn post_graphql(&self, token: Option<&str>, body: &Value) -> reqwest::Response {
        post(&self.http, &self.url("/graphql"), token, body).await
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// Opens a WebSocket on `/graphql` with `protocol` and completes `connection_init`.
    pub async fn ws(&self, protocol: &str, init_payload: Value) -> WsClient {
        WsClient::connect(self.address, protocol, init_payload).await
    }

    /// SQL statements the application has run so far.
    pub fn sql_statements(&self) -> u64 {
        self.state.sql.statements()
    }

    /// Runs `work` and returns its result with the SQL statements it caused.
    pub async fn count_sql<T>(&self, work: impl Future<Output = T>) -> (T, u64) {
        let before = self.sql_statements();
        let result = work.await;
        (result, self.sql_statements() - before)
    }

    /// Signs in and returns the token; panics if sign-in fails.
    pub async fn login(&self, login: &str, password: &str) -> String {
        self::login(self, login, password).await
    }

    /// Waits (up to 10 s) until at least `count` SMS have been "sent"; returns them all.
    pub async fn wait_for_sms(&self, count: usize) -> Vec<Value> {
        for _ in 0..400 {
            let messages = self.sms_messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("expected {count} SMS, got {:?}", self.sms_messages());
    }

    /// The SMS messages "sent" so far (the development sender's file), oldest first.
    pub fn sms_messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.sms_outbox)
            .unwrap_or_default()
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).expect("each outbox line is JSON"))
            .collect()
    }
}

/// A gateway a test talks to: in this process or another.
pub trait Gateway {
    /// The gateway's address + `path`.
    fn url(&self, path: &str) -> String;
    /// POSTs a GraphQL operation with an optional bearer token; the JSON body.
    fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> impl Future<Output = Value>;
}

impl Gateway for TestApp {
    fn url(&self, path: &str) -> String {
        TestApp::url(self, path)
    }

    fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> impl Future<Output = Value> {
        TestApp::graphql_as(self, token, query, variables)
    }
}

/// Signs in on `gateway` and returns the token; panics if sign-in fails.
pub async fn login(gateway: &impl Gateway, login: &str, password: &str) -> String {
    let body = gateway
        .graphql_as(
            None,
            "mutation ($i: LoginInput!) { login(input: $i) { token userErrors { code message } } }",
            json!({ "i": { "login": login, "password": password } }),
        )
        .await;
    data(&body)["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("sign-in as {login} failed: {body}"))
        .to_owned()
}

/// POSTs `body` to `url`, with a bearer token when given.
async fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = http.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the server answers")
}

/// The JSON body of a GraphQL response, checked the way a frontend reads it.
async fn answer(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    // 400 only for a request refused before it ran (no data at all).
    let refused = status == 400 && body["data"].is_null() && body["errors"].is_array();
    assert!(
        status == 200 || refused,
        "GraphQL over HTTP answers 200 (or 400 for a refused request): {status} {body}"
    );
    body
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The `errors[*].extensions.code` values of a GraphQL response.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The login and password in a credentials SMS.
pub fn credentials_in(sms: &Value) -> (String, String) {
    let text = sms["text"].as_str().expect("an SMS text");
    let pattern =
        regex_lite::Regex::new(r"логин (\S+), пароль ([A-Za-z0-9]+)").expect("a valid pattern");
    let found = pattern
        .captures(text)
        .unwrap_or_else(|| panic!("no credentials in {text:?}"));
    (found[1].to_owned(), found[2].to_owned())
}

/// Asserts a response has no errors and returns its `data`.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    &body["data"]
}
