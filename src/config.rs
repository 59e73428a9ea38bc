//! Settings from flags and `KABINET_*` environment variables. Every setting has a
//! default that works on a laptop; `kabinet --help` lists them all.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Kabinet: the GraphQL personal-account gateway of an internet and TV provider.
#[derive(Debug, Parser)]
#[command(name = "kabinet", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

/// What the binary does; `serve` when none is given.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP/GraphQL server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout.
    PrintSchema,
    /// Charge one Moscow day (default: today) to every active account; safe to repeat.
    BillingRun {
        /// The Moscow day, YYYY-MM-DD.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Import an XMLTV file into the TV guide (replaces the time ranges it covers).
    ImportEpg {
        /// The XMLTV file.
        file: PathBuf,
    },
    /// Replace the coverage list with a CSV file (header
    /// `street,house,entrance,technologies,tariffs`); a broken file changes nothing.
    ImportCoverage {
        /// The CSV file.
        file: PathBuf,
    },
    /// Print the demo TV guide (220 channels, from two days ago) as XMLTV, for
    /// trying `import-epg` and for benchmarks.
    DemoEpg {
        /// How many Moscow days, starting two days before today (1–31).
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=31))]
        days: u16,
    },
    /// Manage staff (operators).
    #[command(subcommand)]
    Staff(StaffCommand),
}

/// Staff management.
#[derive(Debug, Clone, Subcommand)]
pub enum StaffCommand {
    /// Add an operator (role STAFF); the password is read from standard input.
    Add {
        /// Login: 3-64 characters of a-z, 0-9, '.', '_', '-'.
        #[arg(long)]
        login: String,
        /// Full name, shown to colleagues.
        #[arg(long, default_value = "")]
        name: String,
    },
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every runtime setting of the gateway.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "KABINET_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://FILE?mode=rwc` (embedded) or `postgres://...`.
    #[arg(
        long,
        env = "KABINET_DATABASE_URL",
        default_value = "sqlite://kabinet.db?mode=rwc",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Maximum database connections in the pool.
    #[arg(
        long,
        env = "KABINET_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// Fill an empty database with demo data (`1`/`0`).
    #[arg(long, env = "KABINET_DEMO", default_value = "1", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub demo: bool,

    /// Log format.
    #[arg(long, env = "KABINET_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Origins allowed by CORS, comma-separated (empty: same origin only).
    #[arg(
        long,
        env = "KABINET_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Largest accepted request body, in bytes (larger: 413).
    #[arg(long, env = "KABINET_BODY_LIMIT", default_value_t = 1024 * 1024, global = true)]
    pub body_limit: usize,

    /// Largest request body from a signed-in operator, in bytes (EPG imports).
    #[arg(long, env = "KABINET_STAFF_BODY_LIMIT", default_value_t = 64 * 1024 * 1024, global = true)]
    pub staff_body_limit: usize,

    /// Seconds a request may take before it is answered with 408.
    #[arg(
        long,
        env = "KABINET_REQUEST_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "KABINET_MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: usize,

    /// Highest complexity a query may have: each field counts 1, and a list
    /// multiplies what it selects by how many items it can return (`first`, the
    /// channels and hours of a grid, a day's programmes).
    #[arg(
        long,
        env = "KABINET_MAX_COMPLEXITY",
        default_value_t = 250_000,
        global = true
    )]
    pub max_complexity: usize,

    /// Most fields an operation may have once its fragments are expanded.
    #[arg(
        long,
        env = "KABINET_MAX_FIELDS",
        default_value_t = 2000,
        global = true
    )]
    pub max_fields: usize,

    /// Largest response body, in bytes; a larger answer is refused with
    /// `QUERY_TOO_COMPLEX` instead of being sent.
    #[arg(long, env = "KABINET_MAX_RESPONSE_BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    pub max_response_bytes: usize,

    /// Most aliased fields a query document may contain.
    #[arg(long, env = "KABINET_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,

    /// Most fields a query may select at its root.
    #[arg(
        long,
        env = "KABINET_MAX_ROOT_FIELDS",
        default_value_t = 20,
        global = true
    )]
    pub max_root_fields: usize,

    /// Most operations in one batched request (0: batches refused).
    #[arg(long, env = "KABINET_MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,

    /// How long a sign-in session lasts, in hours.
    #[arg(
        long,
        env = "KABINET_SESSION_TTL_HOURS",
        default_value_t = 720,
        global = true
    )]
    pub session_ttl_hours: i64,

    /// Password hashes computed at once (each takes 19 MiB and a core for ~50 ms).
    #[arg(
        long,
        env = "KABINET_PASSWORD_HASH_CONCURRENCY",
        default_value_t = 2,
        global = true
    )]
    pub password_hash_concurrency: usize,

    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    #[arg(long, env = "KABINET_TRUST_FORWARDED_FOR", default_value = "0", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub trust_forwarded_for: bool,

    /// How many days a promised payment lasts.
    #[arg(
        long,
        env = "KABINET_PROMISED_PAYMENT_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub promised_payment_days: i64,

    /// Minutes a card payment waits for its payer before it expires.
    #[arg(
        long,
        env = "KABINET_PAYMENT_EXPIRY_MINUTES",
        default_value_t = 60,
        global = true
    )]
    pub payment_expiry_minutes: i64,

    /// Days until blocking at which a billing warning goes out (once per crossing).
    #[arg(
        long,
        env = "KABINET_BILLING_WARNING_DAYS",
        value_delimiter = ',',
        default_value = "3,1",
        global = true
    )]
    pub billing_warning_days: Vec<u32>,

    /// Technician visits one 2-hour window can take.
    #[arg(
        long,
        env = "KABINET_VISIT_CAPACITY",
        default_value_t = 2,
        global = true
    )]
    pub visit_capacity: i32,

    /// Days from a service's first day in which leaving it costs no
    /// obligations (no compensation, clawback or instalments owed).
    #[arg(
        long,
        env = "KABINET_TRIAL_DAYS",
        default_value_t = 14,
        value_parser = clap::value_parser!(u32).range(0..=365),
        global = true
    )]
    pub trial_days: u32,

    /// What each day of a voluntary suspension costs, in kopecks (0: nothing).
    #[arg(
        long,
        env = "KABINET_SUSPENSION_DAILY_FEE_KOPECKS",
        default_value_t = 0,
        value_parser = clap::value_parser!(i64).range(0..=100_000),
        global = true
    )]
    pub suspension_daily_fee_kopecks: i64,

    /// Bonus points for joining the bonus program.
    #[arg(
        long,
        env = "KABINET_BONUS_ENROLMENT_POINTS",
        default_value_t = 100,
        global = true
    )]
    pub bonus_enrolment_points: i64,

    /// A payment of at least this many roubles earns bonus points.
    #[arg(
        long,
        env = "KABINET_BONUS_LARGE_PAYMENT_RUB",
        default_value_t = 3000,
        global = true
    )]
    pub bonus_large_payment_rub: i64,

    /// Bonus points for a large payment.
    #[arg(
        long,
        env = "KABINET_BONUS_LARGE_PAYMENT_POINTS",
        default_value_t = 100,
        global = true
    )]
    pub bonus_large_payment_points: i64,

    /// Points for a month's paid charges: this many per 100 roubles charged.
    #[arg(
        long,
        env = "KABINET_BONUS_POINTS_PER_100_RUB",
        default_value_t = 5,
        global = true
    )]
    pub bonus_points_per_100_rub: i64,

    /// Bonus points for a friend who connects with the member's referral code.
    #[arg(
        long,
        env = "KABINET_BONUS_REFERRAL_POINTS",
        default_value_t = 300,
        global = true
    )]
    pub bonus_referral_points: i64,

    /// Days earned bonus points last before they expire.
    #[arg(
        long,
        env = "KABINET_BONUS_POINTS_DAYS",
        default_value_t = 365,
        global = true
    )]
    pub bonus_points_days: i64,

    /// The gateway's address as browsers reach it (for the sandbox checkout
    /// page's links); by default `http://` and the listen address.
    #[arg(long, env = "KABINET_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Terminal and bank operators allowed to use `/payments/terminal`, as
    /// `login:secret` pairs separated by commas (none: the endpoint is off).
    #[arg(
        long,
        env = "KABINET_TERMINAL_OPERATORS",
        value_delimiter = ',',
        hide_env_values = true,
        global = true
    )]
    pub terminal_operators: Vec<String>,

    /// Microseconds a DataLoader wave waits, once the request that started
    /// it has resolved all it can, for keys of other requests (every wave of
    /// a query waits this long; more batches more under heavy load).
    #[arg(
        long,
        env = "KABINET_LOADER_DELAY_US",
        default_value_t = 0,
        global = true
    )]
    pub loader_delay_us: u64,

    /// Query cost points each caller (session, else address) may spend a
    /// minute (a leaky bucket shared by every replica; never below the
    /// highest complexity a single query may have).
    #[arg(
        long,
        env = "KABINET_COST_BUDGET_PER_MINUTE",
        default_value_t = 1_000_000,
        global = true
    )]
    pub cost_budget_per_minute: u64,

    /// A directory of `.graphql` operations (and shared fragments): their
    /// hashes are known to automatic persisted queries from the start, and in
    /// `--persisted-only` mode they are all that runs.
    #[arg(long, env = "KABINET_PERSISTED_QUERIES_DIR", global = true)]
    pub persisted_queries_dir: Option<std::path::PathBuf>,

    /// Accept only the operations of `KABINET_PERSISTED_QUERIES_DIR` (by hash
    /// or exact text); everything else is refused.
    #[arg(long, env = "KABINET_PERSISTED_ONLY", default_value = "0", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub persisted_only: bool,

    /// How many registered persisted queries each process remembers (texts
    /// up to 16 KiB; the least recently used go first).
    #[arg(
        long,
        env = "KABINET_APQ_CACHE_ENTRIES",
        default_value_t = 1000,
        global = true
    )]
    pub apq_cache_entries: usize,

    /// The bearer token the network's accounting sends to
    /// `POST /accounting/sessions` (none: the endpoint is off).
    #[arg(
        long,
        env = "KABINET_ACCOUNTING_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub accounting_secret: Option<String>,

    /// ЮKassa shop id; with the secret key it makes ЮKassa the payment
    /// provider (otherwise the built-in sandbox takes payments).
    #[arg(long, env = "KABINET_YOOKASSA_SHOP_ID", global = true)]
    pub yookassa_shop_id: Option<String>,

    /// ЮKassa secret key.
    #[arg(
        long,
        env = "KABINET_YOOKASSA_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub yookassa_secret_key: Option<String>,

    /// ЮKassa API base URL.
    #[arg(
        long,
        env = "KABINET_YOOKASSA_API_URL",
        default_value = crate::payments::yookassa::DEFAULT_API_URL,
        global = true
    )]
    pub yookassa_api_url: String,

    /// Addresses (IPs or CIDR networks, comma-separated) notifications may
    /// come from; empty: any (they are checked with the provider anyway).
    #[arg(
        long,
        env = "KABINET_PAYMENT_WEBHOOK_NETWORKS",
        value_delimiter = ',',
        global = true
    )]
    pub payment_webhook_networks: Vec<String>,

    /// Payee on payment slips: the company's name.
    #[arg(
        long,
        env = "KABINET_PAYEE_NAME",
        default_value = "ООО «Кабинет Телеком» (демо)",
        global = true
    )]
    pub payee_name: String,

    /// Payee: settlement account (р/с), 20 digits.
    #[arg(
        long,
        env = "KABINET_PAYEE_ACCOUNT",
        default_value = "40702810900000000001",
        global = true
    )]
    pub payee_account: String,

    /// Payee: bank name.
    #[arg(
        long,
        env = "KABINET_PAYEE_BANK",
        default_value = "ПАО Сбербанк",
        global = true
    )]
    pub payee_bank: String,

    /// Payee: bank identification code (БИК).
    #[arg(
        long,
        env = "KABINET_PAYEE_BIC",
        default_value = "044525225",
        global = true
    )]
    pub payee_bic: String,

    /// Payee: correspondent account (к/с).
    #[arg(
        long,
        env = "KABINET_PAYEE_CORR_ACCOUNT",
        default_value = "30101810400000000225",
        global = true
    )]
    pub payee_corr_account: String,

    /// Payee: taxpayer number (ИНН).
    #[arg(
        long,
        env = "KABINET_PAYEE_INN",
        default_value = "7700000000",
        global = true
    )]
    pub payee_inn: String,

    /// Payee: tax registration reason code (КПП).
    #[arg(
        long,
        env = "KABINET_PAYEE_KPP",
        default_value = "770001001",
        global = true
    )]
    pub payee_kpp: String,

    /// Start the clock at this instant (RFC 3339) and let it run on from
    /// there, for staging and tests; the system clock when unset.
    #[arg(long, env = "KABINET_CLOCK_START", global = true)]
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,

    /// Milliseconds between background workers' looks for work.
    #[arg(
        long,
        env = "KABINET_WORKER_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub worker_poll_ms: u64,

    /// File the development SMS sender appends to (JSON lines).
    #[arg(
        long,
        env = "KABINET_SMS_OUTBOX_FILE",
        default_value = "sms-outbox.jsonl",
        global = true
    )]
    pub sms_outbox_file: PathBuf,

    /// SMTP relay for e-mail, `smtp://host:port` (none: the development file sender).
    #[arg(long, env = "KABINET_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The address e-mail is sent from.
    #[arg(
        long,
        env = "KABINET_EMAIL_FROM",
        default_value = "Kabinet <noreply@kabinet.example>",
        global = true
    )]
    pub email_from: String,

    /// File the development e-mail sender appends to (JSON lines), when no SMTP relay is set.
    #[arg(
        long,
        env = "KABINET_EMAIL_OUTBOX_FILE",
        default_value = "email-outbox.jsonl",
        global = true
    )]
    pub email_outbox_file: PathBuf,
}

impl Settings {
    /// The defaults, ignoring flags but honouring `KABINET_*` variables.
    pub fn from_env() -> Self {
        Cli::parse_from(["kabinet"]).settings
    }

    /// How long a sign-in session lasts.
    pub fn session_ttl(&self) -> chrono::Duration {
        chrono::Duration::hours(self.session_ttl_hours.max(1))
    }

    /// How long a card payment waits for its payer.
    pub fn payment_expiry(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.payment_expiry_minutes.max(1))
    }

    /// The gateway's address as browsers reach it, without a trailing `/`.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.listen),
        }
    }

    /// The bonus program's numbers.
    pub fn bonus_rules(&self) -> crate::bonus::BonusRules {
        crate::bonus::BonusRules {
            enrolment_points: self.bonus_enrolment_points.clamp(0, 1_000_000),
            large_payment: crate::money::Kopecks::new(
                self.bonus_large_payment_rub.clamp(1, 100_000_000) * 100,
            ),
            large_payment_points: self.bonus_large_payment_points.clamp(0, 1_000_000),
            points_per_100_rub: self.bonus_points_per_100_rub.clamp(0, 100),
            referral_points: self.bonus_referral_points.clamp(0, 1_000_000),
            validity: chrono::Duration::days(self.bonus_points_days.clamp(1, 36_500)),
        }
    }

    /// The payee printed on payment slips.
    pub fn payee(&self) -> crate::documents::receipt::Payee {
        crate::documents::receipt::Payee {
            name: self.payee_name.clone(),
            account: self.payee_account.clone(),
            bank: self.payee_bank.clone(),
            bic: self.payee_bic.clone(),
            corr_account: self.payee_corr_account.clone(),
            inn: self.payee_inn.clone(),
            kpp: self.payee_kpp.clone(),
        }
    }

    /// The clock the gateway runs on: the system's, or one started at
    /// `clock_start`.
    pub fn clock(&self) -> crate::clock::SharedClock {
        match self.clock_start {
            Some(start) => std::sync::Arc::new(crate::clock::ShiftedClock::starting_at(start)),
            None => std::sync::Arc::new(crate::clock::SystemClock),
        }
    }

    /// Whether the database URL points at PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
