//! A fresh database per test, copied from a template that is migrated and
//! seeded once per test run: a file copy on SQLite, `CREATE DATABASE ...
//! TEMPLATE` on PostgreSQL.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kabinet::clock::ManualClock;
use kabinet::db::{self, SqlStats};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::OnceCell;

const POSTGRES_VAR: &str = "KABINET_TEST_POSTGRES_URL";

/// One test's database; dropped with the test.
pub enum TestDatabase {
    /// A private SQLite file inside the test's temporary directory.
    Sqlite {
        /// Its URL.
        url: String,
    },
    /// A private PostgreSQL database.
    Postgres {
        /// Its URL.
        url: String,
        /// Its name.
        name: String,
        /// The maintenance database URL used to create and drop it.
        admin_url: String,
    },
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

async fn migrate_and_seed(url: &str) {
    let db = db::connect(url, 1, Arc::new(SqlStats::default()))
        .await
        .expect("the template database opens");
    db::migrate(&db).await.expect("migrations apply");
    let hasher = kabinet::auth::password::PasswordHasher::new(2);
    kabinet::demo::seed_if_empty(&db, &ManualClock::new(super::test_epoch()), &hasher)
        .await
        .expect("demo data is written");
    db.close().await.expect("the template closes cleanly");
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[host_start..]
        .find('/')
        .map(|i| host_start + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn admin(admin_url: &str) -> DatabaseConnection {
    Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"))
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

async fn sqlite_template() -> &'static PathBuf {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
            // Templates of earlier runs whose process is gone.
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let pid = name
                        .strip_prefix("kabinet-template-")
                        .and_then(|rest| rest.split('.').next())
                        .and_then(|pid| pid.parse::<u32>().ok());
                    if pid.is_some_and(|pid| !process_alive(pid)) {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
            let path = dir.join(format!("kabinet-template-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&path);
            migrate_and_seed(&format!("sqlite://{}?mode=rwc", path.display())).await;
            path
        })
        .await
}

async fn postgres_template(admin_url: &str) -> &'static String {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            let admin = admin(admin_url).await;
            // Databases of earlier runs whose process is gone.
            let rows = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    "SELECT datname FROM pg_database WHERE datname LIKE 'kabinet\\_t%'",
                ))
                .await
                .expect("pg_database is readable");
            for row in rows {
                let Ok(name) = row.try_get::<String>("", "datname") else {
                    continue;
                };
                let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
                if pid.is_some_and(|pid| !process_alive(pid)) {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            }
            let name = format!("kabinet_tpl_{}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .expect("an old template is dropped");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("the template database is created");
            let _ = admin.close().await;
            migrate_and_seed(&with_database(admin_url, &name)).await;
            name
        })
        .await
}

impl TestDatabase {
    /// A fresh database for one test; SQLite files go in `dir`.
    pub async fn create(dir: &Path) -> TestDatabase {
        match std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty()) {
            None => {
                let template = sqlite_template().await;
                let path = dir.join("kabinet.db");
                std::fs::copy(template, &path).expect("the template is copied");
                TestDatabase::Sqlite {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                }
            }
            Some(admin_url) => {
                let template = postgres_template(&admin_url).await;
                let name = format!(
                    "kabinet_t_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let admin = admin(&admin_url).await;
                // Two copies of one template at the same instant can collide; retry briefly.
                let mut attempt = 0;
                loop {
                    let created = admin
                        .execute_unprepared(&format!(
                            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                        ))
                        .await;
                    match created {
                        Ok(_) => break,
                        Err(e) if attempt < 20 => {
                            attempt += 1;
                            let _ = e;
                            tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                        }
                        Err(e) => panic!("cannot create test database {name}: {e}"),
                    }
                }
                let _ = admin.close().await;
                TestDatabase::Postgres {
                    url: with_database(&admin_url, &name),
                    name,
                    admin_url,
                }
            }
        }
    }

    /// The URL the application connects to.
    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url } | TestDatabase::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres {
            name, admin_url, ..
        } = self
        {
            let (name, admin_url) = (name.clone(), admin_url.clone());
            // Drop runs inside the test's runtime; a thread with its own runtime
            // can block on the drop without upsetting it.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async {
                    let admin = admin(&admin_url).await;
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                });
            });
            let _ = dropped.join();
        }
    }
}
