//! Builds the application (database, schema, router) in one place that the
//! binary and the tests both call, and serves it with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::{self, password::PasswordHasher};
use crate::clock::{Clock, SharedClock};
use crate::config::Settings;
use crate::db::{self, DbSetupError, SqlStats};
use crate::demo::{self, DemoError};
use crate::events::Events;
use crate::graphql;
use crate::http;
pub use crate::http::AppState;
use crate::payments::Payments;
use crate::payments::provider::Provider;
use crate::payments::sandbox::Sandbox;
use crate::payments::yookassa::YooKassa;
use crate::sms::FileSender;
use crate::sms::SmsWake;
use crate::workers::{WorkerContext, Workers};

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] DbSetupError),
    /// Demo data could not be written.
    #[error("cannot write demo data: {0}")]
    Demo(#[from] DemoError),
    /// A billing run failed.
    #[error("billing failed: {0}")]
    Billing(#[source] sea_orm::DbErr),
    /// An EPG import failed and changed nothing.
    #[error("EPG import failed, nothing changed: {0}")]
    Import(#[from] crate::tv::TvError),
    /// A coverage import failed and changed nothing.
    #[error("coverage import failed, nothing changed: {0}")]
    Coverage(#[from] crate::coverage::ImportError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The persisted operations could not be loaded.
    #[error("persisted queries: {0}")]
    Persisted(#[from] crate::graphql::persisted::LoadError),
    /// A payment setting is wrong.
    #[error("payment settings: {0}")]
    Payments(String),
    /// The e-mail settings are not usable.
    #[error("e-mail settings: {0}")]
    Email(String),
    /// A staff member could not be added.
    #[error("cannot add the staff member: {0}")]
    Staff(#[from] auth::AuthError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// A built application, ready to serve.
pub struct App {
    /// Shared state of all handlers.
    pub state: AppState,
    workers: WorkerContext,
}

impl App {
    /// Connects, migrates, writes demo data if asked and the database is empty,
    /// and assembles the schema.
    pub async fn build(settings: Settings, clock: SharedClock) -> Result<App, StartupError> {
        let metrics = http::metrics::handle();
        let sql = Arc::new(SqlStats::default());
        let db = open_database(&settings, settings.db_max_connections, sql.clone()).await?;
        let hasher = PasswordHasher::new(settings.password_hash_concurrency);
        if settings.demo && demo::seed_if_empty(&db, clock.as_ref(), &hasher).await? {
            tracing::info!("{}", demo::SUMMARY);
        }
        let sms_wake = SmsWake::default();
        let (provider, sandbox) = payment_provider(&settings, &db, &clock)?;
        let webhook_networks = webhook_networks(&settings)?;
        let events = Events::new(db.clone());
        let payments = Payments {
            db: db.clone(),
            provider,
            expiry: settings.payment_expiry(),
            events: events.clone(),
            bonus: settings.bonus_rules(),
        };
        let live_notices = crate::notices::LiveNotices::default();
        let persisted = Arc::new(graphql::persisted::PersistedQueries::load(
            settings.persisted_queries_dir.as_deref(),
            settings.persisted_only,
            settings.apq_cache_entries,
        )?);
        let services = graphql::SchemaServices {
            hasher,
            sms_wake: sms_wake.clone(),
            payments: payments.clone(),
            events: events.clone(),
            persisted: persisted.clone(),
            live_notices: live_notices.clone(),
        };
        let schema = graphql::build_schema(&settings, db.clone(), clock.clone(), services);
        let session_ends = auth::SessionEnds::default();
        let workers = WorkerContext {
            db: db.clone(),
            clock: clock.clone(),
            sms_sender: Arc::new(FileSender::new(settings.sms_outbox_file.clone())),
            sms_wake: sms_wake.clone(),
            poll: Duration::from_millis(settings.worker_poll_ms.max(10)),
            session_ends: session_ends.clone(),
            payments: payments.clone(),
            billing_warning_days: settings.billing_warning_days.clone(),
            email_sender: email_sender(&settings)?,
            live_notices: live_notices.clone(),
        };
        Ok(App {
            state: AppState {
                schema,
                db,
                clock,
                settings: Arc::new(settings),
                sql,
                metrics,
                session_ends,
                payments,
                sandbox,
                webhook_networks: Arc::new(webhook_networks),
                sms_wake,
                persisted,
                live_notices,
            },
            workers,
        })
    }

    /// The router with every route and layer.
    pub fn router(&self) -> Router {
        http::router(self.state.clone())
    }

    /// Starts the background workers and serves on `listener` until `shutdown`
    /// completes; then lets requests in flight finish and stops the workers.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        let workers = Workers::start(self.workers.clone());
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        workers.stop().await;
        served?;
        if let Err(err) = self.state.db.close_by_ref().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
        Ok(())
    }
}

/// The provider payments go through, and the sandbox when it is that one.
type ProviderInUse = (Arc<dyn Provider>, Option<Arc<Sandbox>>);

/// The payment provider in use: ЮKassa when its shop id and secret key are
/// set, else the built-in sandbox (returned too, for its checkout page).
fn payment_provider(
    settings: &Settings,
    db: &DatabaseConnection,
    clock: &SharedClock,
) -> Result<ProviderInUse, StartupError> {
    // reqwest is built without a TLS provider; every client needs one.
    crate::payments::yookassa::install_crypto_provider();
    let configured = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    match (
        configured(&settings.yookassa_shop_id),
        configured(&settings.yookassa_secret_key),
    ) {
        (Some(shop_id), Some(secret_key)) => {
            let yookassa = YooKassa::new(&settings.yookassa_api_url, &shop_id, &secret_key)
                .map_err(|e| StartupError::Payments(e.to_string()))?;
            tracing::info!(shop_id, "payments go through ЮKassa");
            Ok((Arc::new(yookassa), None))
        }
        (None, None) => {
            let sandbox = Arc::new(Sandbox::new(
                db.clone(),
                clock.clone(),
                settings.public_url(),
                settings.payment_expiry(),
            ));
            Ok((sandbox.clone(), Some(sandbox)))
        }
        _ => Err(StartupError::Payments(
            "KABINET_YOOKASSA_SHOP_ID and KABINET_YOOKASSA_SECRET_KEY go together".into(),
        )),
    }
}

/// The networks payment notifications may come from.
fn webhook_networks(settings: &Settings) -> Result<Vec<ipnet::IpNet>, StartupError> {
    settings
        .payment_webhook_networks
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse::<ipnet::IpNet>()
                .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| StartupError::Payments(format!("not an address or network: {n}")))
        })
        .collect()
}

/// `kabinet serve`: runs until SIGTERM or Ctrl-C.
pub async fn run(settings: Settings) -> Result<(), StartupError> {
    let addr = settings.listen;
    let clock = settings.clock();
    let app = App::build(settings, clock).await?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    tracing::info!(
        "Kabinet listens on http://{local}/ — GraphiQL at http://{local}/, GraphQL at http://{local}/graphql"
    );
    app.serve(listener, shutdown_signal())
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!("Kabinet stopped");
    Ok(())
}

/// Opens the database with `connections` at most, applies migrations and the
/// data steps that need Rust (title keys are normalised in Rust, so the
/// migration that added the column could not fill it for older rows).
async fn open_database(
    settings: &Settings,
    connections: u32,
    sql: Arc<SqlStats>,
) -> Result<DatabaseConnection, StartupError> {
    let db = db::connect(&settings.database_url, connections, sql).await?;
    db::migrate(&db).await?;
    let filled = crate::tv::fill_title_keys(&db)
        .await
        .map_err(|e| StartupError::Db(DbSetupError::Migrate(e)))?;
    if filled > 0 {
        tracing::info!(programmes = filled, "TV title keys filled in");
    }
    Ok(db)
}

/// `kabinet migrate`.
pub async fn migrate_only(settings: &Settings) -> Result<(), StartupError> {
    let db = open_database(settings, 1, Arc::default()).await?;
    let _ = db.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

/// `kabinet staff add`: a new operator; the password comes from standard input.
pub async fn add_staff(
    settings: &Settings,
    clock: &dyn Clock,
    login: &str,
    name: &str,
    password: &str,
) -> Result<(), StartupError> {
    let db = open_database(settings, 1, Arc::default()).await?;
    let hasher = PasswordHasher::new(1);
    let added = auth::add_staff(&db, clock.now(), &hasher, login, name, password).await;
    let _ = db.close().await;
    added?;
    tracing::info!(login, "staff member added");
    Ok(())
}

/// `kabinet billing-run`: charges `date` (default: the current Moscow day).
pub async fn billing_run(
    settings: &Settings,
    clock: &dyn Clock,
    date: Option<chrono::NaiveDate>,
) -> Result<(), StartupError> {
    let db = open_database(settings, 2, Arc::default()).await?;
    let now = clock.now();
    let day = date.unwrap_or_else(|| crate::time::moscow_date(now));
    let started = std::time::Instant::now();
    // Changes scheduled up to now take effect first, as the worker does.
    let applied = crate::services::scheduled::apply_due(&db, now)
        .await
        .map_err(StartupError::Billing)?;
    crate::services::suspension::apply_due(&db, now, day)
        .await
        .map_err(StartupError::Billing)?;
    let report = crate::billing::run::run_day(&db, now, day)
        .await
        .map_err(StartupError::Billing)?;
    let _ = db.close().await;
    tracing::info!(
        %day,
        accounts = report.accounts,
        charges = report.charges,
        blocked = report.blocked,
        scheduled_changes = applied.len(),
        seconds = started.elapsed().as_secs_f64(),
        "billing run finished"
    );
    Ok(())
}

/// `kabinet import-epg FILE`.
pub async fn import_epg(settings: &Settings, file: &std::path::Path) -> Result<(), StartupError> {
    let bytes = std::fs::read(file).map_err(|source| StartupError::Read {
        path: file.to_owned(),
        source,
    })?;
    let db = open_database(settings, 2, Arc::default()).await?;
    let started = std::time::Instant::now();
    let imported = crate::tv::import::import(&db, &bytes).await;
    let _ = db.close().await;
    let report = imported?;
    tracing::info!(
        channels = report.channels,
        new_channels = report.new_channels,
        programmes = report.programmes,
        replaced = report.replaced,
        seconds = started.elapsed().as_secs_f64(),
        "EPG imported"
    );
    Ok(())
}

/// SMTP when a relay is configured, else the development file sender.
fn email_sender(settings: &Settings) -> Result<Arc<dyn crate::email::EmailSender>, StartupError> {
    Ok(match settings.smtp_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => Arc::new(
            crate::email::SmtpSender::new(url, &settings.email_from)
                .map_err(|e| StartupError::Email(e.to_string()))?,
        ),
        _ => Arc::new(crate::email::FileSender::new(
            settings.email_outbox_file.clone(),
        )),
    })
}

/// `kabinet import-coverage FILE`.
pub async fn import_coverage(
    settings: &Settings,
    file: &std::path::Path,
) -> Result<(), StartupError> {
    let reader = std::fs::File::open(file).map_err(|source| StartupError::Read {
        path: file.to_owned(),
        source,
    })?;
    let db = open_database(settings, 2, Arc::default()).await?;
    let imported = crate::coverage::import(&db, std::io::BufReader::new(reader)).await;
    let _ = db.close().await;
    let report = imported?;
    tracing::info!(
        streets = report.streets,
        addresses = report.addresses,
        "coverage imported"
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
