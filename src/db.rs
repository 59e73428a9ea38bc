//! The database connection: pool set-up for SQLite and PostgreSQL, statement
//! accounting (metrics and the tests' N+1 checks), migrations and readiness.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};

tokio::task_local! {
    /// Set while a background worker runs, so its statements are told apart
    /// from those of requests.
    static BACKGROUND: ();
}

/// Runs `work` as background work: its statements count as `origin="worker"`.
pub async fn as_background<T>(work: impl std::future::Future<Output = T>) -> T {
    BACKGROUND.scope((), work).await
}

/// Counts the SQL statements the application has run.
#[derive(Debug, Default)]
pub struct SqlStats {
    statements: AtomicU64,
    background: AtomicU64,
}

impl SqlStats {
    /// Statements run for requests since start-up.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Statements run by background workers since start-up.
    pub fn background_statements(&self) -> u64 {
        self.background.load(Ordering::Relaxed)
    }

    fn record(&self, info: &sea_orm::metric::Info<'_>) {
        let background = BACKGROUND.try_with(|_| ()).is_ok();
        let (counter, origin) = if background {
            (&self.background, "worker")
        } else {
            (&self.statements, "request")
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let outcome = if info.failed { "error" } else { "ok" };
        metrics::counter!("kabinet_db_statements_total", "outcome" => outcome, "origin" => origin)
            .increment(1);
        metrics::histogram!("kabinet_db_statement_duration_seconds")
            .record(info.elapsed.as_secs_f64());
    }
}

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// The server or file could not be reached.
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: DbErr,
    },
    /// Migrations failed.
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[source] DbErr),
}

/// Opens a pool on `url` that reports every statement to `stats`.
pub async fn connect(
    url: &str,
    max_connections: u32,
    stats: Arc<SqlStats>,
) -> Result<DatabaseConnection, DbSetupError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections.max(1))
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // Statement logs would carry parameter values (hashes, tokens): never log them.
        .sqlx_logging(false)
        // SQLite: write-ahead logging, so readers (a guide being loaded, a
        // page of history) never hold a writer back nor wait for one; and one
        // writer at a time waits its turn for up to 30 s rather than sqlx's 5.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
        });
    let mut db = sea_orm::Database::connect(options)
        .await
        .map_err(|source| DbSetupError::Connect {
            url: redact_url(url),
            source,
        })?;
    db.set_metric_callback(move |info| stats.record(info));
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}

/// Whether the database answers and has every migration applied.
pub async fn readiness(db: &DatabaseConnection) -> Result<(), String> {
    db.ping()
        .await
        .map_err(|_| "database unreachable".to_owned())?;
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .map_err(|_| "migration state unreadable".to_owned())?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(format!("{} migration(s) pending", pending.len()))
    }
}

/// Pool size and idle connections, for the metrics page.
pub fn pool_state(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        sea_orm::DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}

/// `url` without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// `$start, $start+1, …` for `count` values (an `IN (…)` or `VALUES` list).
pub fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Begins a transaction that will write. On SQLite it starts as a write
/// transaction (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy
/// timeout instead of failing when a read would upgrade to a write; on
/// PostgreSQL it is an ordinary transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::TransactionTrait;
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A raw statement for the connection's backend. Write placeholders as `$1`,
/// `$2`, …; on SQLite they become `?1`, `?2`, … (same numbering, so a
/// placeholder may repeat).
pub fn statement(
    db: &impl sea_orm::ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_leave_redact_url() {
        assert_eq!(
            redact_url("postgres://kab:s3cret@db:5432/kabinet"),
            "postgres://kab:***@db:5432/kabinet"
        );
        assert_eq!(
            redact_url("sqlite://kabinet.db?mode=rwc"),
            "sqlite://kabinet.db?mode=rwc"
        );
    }
}
