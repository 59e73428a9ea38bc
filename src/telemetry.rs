//! Logging set-up: text for a terminal, JSON for collectors; `RUST_LOG` sets
//! the level. Every line of a request carries its `request_id` (see `http::request_id`).

use std::io::IsTerminal;

use tracing::{Level, Metadata};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Installs the global subscriber writing to stderr. Safe to call more than once.
pub fn init(format: LogFormat) {
    init_with_writer(format, std::io::stderr, std::io::stderr().is_terminal());
}

/// Libraries whose debug and trace lines quote what passes through them:
/// WebSocket frames (tokens in `connection_init`, passwords in a `login`
/// mutation) and SQL with its values. No `RUST_LOG` can open them below INFO.
const QUOTING_TARGETS: [&str; 4] = ["tungstenite", "tokio_tungstenite", "sea_orm", "hyper"];

/// Whether a line may be written at all, whatever `RUST_LOG` says.
fn never_secret(metadata: &Metadata<'_>) -> bool {
    *metadata.level() <= Level::INFO
        || !QUOTING_TARGETS.iter().any(|target| {
            metadata.target() == *target
                || metadata
                    .target()
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.starts_with("::"))
        })
}

/// Installs the global subscriber writing to `writer` (tests capture logs this
/// way). Returns false if a subscriber was already installed.
pub fn init_with_writer<W>(format: LogFormat, writer: W, ansi: bool) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let layer = match format {
        LogFormat::Text => fmt.with_ansi(ansi).boxed(),
        LogFormat::Json => fmt
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(
            layer
                .with_filter(filter)
                .with_filter(filter_fn(never_secret)),
        )
        .try_init()
        .is_ok()
}
