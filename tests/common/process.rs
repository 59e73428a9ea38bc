//! The `kabinet` binary as a gateway process of its own on a test's
//! database: replicas that share nothing but PostgreSQL, as in production.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Gateway, WsClient};

/// A running `kabinet serve`, killed when dropped.
pub struct GatewayProcess {
    /// Where it listens.
    pub address: SocketAddr,
    http: reqwest::Client,
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

impl GatewayProcess {
    /// Starts a gateway on `database_url` (already migrated and seeded) whose
    /// clock starts at `now`, writing "sent" SMS to `sms_outbox`; returns once
    /// it answers `/readyz`.
    pub async fn start(database_url: &str, now: DateTime<Utc>, sms_outbox: &Path) -> Self {
        for _ in 0..5 {
            if let Some(process) = Self::try_start(database_url, now, sms_outbox).await {
                return process;
            }
        }
        panic!("a gateway process did not start");
    }

    /// `None` when the process exits before it is ready (another test took
    /// the port picked for it in between).
    async fn try_start(database_url: &str, now: DateTime<Utc>, sms_outbox: &Path) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port");
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kabinet"))
            .arg("serve")
            .current_dir(dir.path())
            .env("KABINET_DATABASE_URL", database_url)
            .env("KABINET_LISTEN", address.to_string())
            .env("KABINET_DEMO", "0")
            .env("KABINET_CLOCK_START", now.to_rfc3339())
            .env("KABINET_SMS_OUTBOX_FILE", sms_outbox)
            .env("KABINET_EMAIL_OUTBOX_FILE", dir.path().join("email.jsonl"))
            .env("KABINET_WORKER_POLL_MS", "25")
            .env("KABINET_COST_BUDGET_PER_MINUTE", "1000000000000")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the kabinet binary starts");
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if child.try_wait().ok().flatten().is_some() {
                return None;
            }
            let ready = http
                .get(format!("http://{address}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Some(GatewayProcess {
                    address,
                    http,
                    _child: child,
                    _dir: dir,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("a gateway process did not get ready in 30 s");
    }

    /// Opens a WebSocket on `/graphql` with `protocol` and completes `connection_init`.
    pub async fn ws(&self, protocol: &str, init_payload: Value) -> WsClient {
        WsClient::connect(self.address, protocol, init_payload).await
    }
}

impl Gateway for GatewayProcess {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        super::answer(super::post(&self.http, &self.url("/graphql"), token, &body).await).await
    }
}
