//! E-mail senders: SMTP through `lettre`, or the development sender that
//! appends JSON lines (`to`, `subject`, `text`, `created_at`) to a file.

use std::io::Write;
use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Email;

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
#[error("e-mail delivery failed: {0}")]
pub struct SendError(pub String);

/// Hands an e-mail to a mail server.
#[async_trait::async_trait]
pub trait EmailSender: Send + Sync + 'static {
    /// Delivers `email` or says why not.
    async fn send(&self, email: &Email) -> Result<(), SendError>;
}

/// SMTP, plain (a relay on the same host or network, e.g. `smtp://127.0.0.1:2525`).
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// A sender for `url` (`smtp://host:port`), writing from `from`.
    pub fn new(url: &str, from: &str) -> Result<Self, SendError> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| SendError("the SMTP URL must start with smtp://".into()))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| SendError("the SMTP port is not a number".into()))?,
            ),
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(SendError("the SMTP URL has no host".into()));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| SendError(format!("the sender address is not valid: {e}")))?;
        Ok(SmtpSender { transport, from })
    }
}

#[async_trait::async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        let to = email
            .to
            .parse::<Mailbox>()
            .map_err(|e| SendError(format!("the recipient is not valid: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone())
            .map_err(|e| SendError(format!("the message cannot be built: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError(format!("the SMTP server refused or is down: {e}")))
    }
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
impl EmailSender for FileSender {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        let line = serde_json::json!({
            "to": email.to,
            "subject": email.subject,
            "text": email.text,
            "created_at": email.created_at.to_rfc3339(),
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
            file.write_all(line.as_bytes())
                .map_err(|e| SendError(format!("cannot write the outbox file: {}", e.kind())))
        })
        .await
        .map_err(|_| SendError("the writer task was lost".to_owned()))?
    }
}
