//! Logging set-up: text for a terminal, JSON for collectors; `RUST_LOG` sets
//! the level. Every line of a request carries its `request_id` (see `http::request_id`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// Installs the global subscriber writing to stderr. Safe to call more than once.
pub fn init(format: LogFormat) {
    init_with_writer(format, std::io::stderr, std::io::stderr().is_terminal());
}

/// Installs the global subscriber writing to `writer` (tests capture logs this
/// way). Returns false if a subscriber was already installed.
pub fn init_with_writer<W>(format: LogFormat, writer: W, ansi: bool) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init().is_ok(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
            .is_ok(),
    }
}
