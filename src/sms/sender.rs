//! SMS senders. The development sender appends JSON lines (`to`, `text`,
//! `created_at`) to a file, so people and tests can read what was "sent".

use std::io::Write;
use std::path::PathBuf;

use super::Sms;

/// Why a message could not be handed to the gateway.
#[derive(Debug, thiserror::Error)]
#[error("SMS gateway failed: {0}")]
pub struct SendError(pub String);

/// Hands a message to an SMS gateway.
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Delivers `sms` or says why not.
    async fn send(&self, sms: &Sms) -> Result<(), SendError>;
}

/// The development sender: one JSON line per message in a file.
#[derive(Debug, Clone)]
pub struct FileSender {
    path: PathBuf,
}

impl FileSender {
    /// Appends to `path`.
    pub fn new(path: PathBuf) -> Self {
        FileSender { path }
    }
}

#[async_trait::async_trait]
impl SmsSender for FileSender {
    async fn send(&self, sms: &Sms) -> Result<(), SendError> {
        let line = serde_json::json!({
            "to": sms.to,
            "text": sms.text,
            "created_at": sms.created_at.to_rfc3339(),
        })
        .to_string()
            + "\n";
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| SendError(format!("cannot open the outbox file: {}", e.kind())))?;
            // One write of the whole line: appends from several replicas (or
            // workers) never interleave inside a line.
            file.write_all(line.as_bytes())
                .map_err(|e| SendError(format!("cannot write the outbox file: {}", e.kind())))
        })
        .await
        .map_err(|_| SendError("the writer task was lost".to_owned()))?
    }
}
