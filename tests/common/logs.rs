//! Captures the application's log lines (all tests of a run share one buffer,
//! so a test looks for lines carrying its own request id or values).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use kabinet::config::LogFormat;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

static BUFFER: OnceLock<Buffer> = OnceLock::new();

/// Installs the capturing subscriber once per test run.
pub fn capture() {
    BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        kabinet::telemetry::init_with_writer(LogFormat::Text, buffer.clone(), false);
        buffer
    });
}

/// Everything logged so far in this test run.
pub fn captured_logs() -> String {
    BUFFER
        .get()
        .map(|b| {
            String::from_utf8_lossy(&b.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
        })
        .unwrap_or_default()
}
