//! A local stand-in for an SMTP relay: speaks just enough of RFC 5321
//! (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take messages,
//! and keeps each one with its envelope for the test to read.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the stand-in took.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// `MAIL FROM` as sent.
    pub from: String,
    /// `RCPT TO`s as sent.
    pub to: Vec<String>,
    /// The message (headers and body) as sent after `DATA`.
    pub data: String,
}

/// A running stand-in; it stops when dropped.
pub struct SmtpStandIn {
    /// Where it listens.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpStandIn {
    /// Listens on 127.0.0.1:`port` (0 for any free port).
    pub async fn start(port: u16) -> SmtpStandIn {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the SMTP stand-in binds");
        let port = listener.local_addr().expect("an address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 stand-in ESMTP\r\n").await;
                    let mut current = Received::default();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-stand-in\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            current.from = line[10..].trim().to_owned();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            current.to.push(line[8..].trim().to_owned());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 end with .\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(body)) = lines.next_line().await {
                                if body == "." {
                                    break;
                                }
                                data.push_str(&body);
                                data.push('\n');
                            }
                            current.data = data;
                            store.lock().unwrap().push(std::mem::take(&mut current));
                            b"250 queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpStandIn {
            port,
            received,
            task,
        }
    }

    /// What it has taken so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
