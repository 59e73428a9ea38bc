//! Demo data for an empty database: the two demo subscribers of the README and
//! a few service notices around "now". Written through the domain functions,
//! so the demo exercises the same paths as production: `money` writes the
//! catalog and months of history through the billing code, `tv` the demo week
//! through the XMLTV import.

mod bonus;
mod coverage;
mod money;
mod traffic;
pub mod tv;

use chrono::{Duration, NaiveDate};
use sea_orm::{DatabaseConnection, DbErr};

use crate::accounts::{self, AccountNumber, NewAccount, Phone};
use crate::auth::{self, NewCredential, Role, password::PasswordHasher};
use crate::clock::Clock;
use crate::notices::{self, NewNotice, NoticeKind};

/// The demo subscribers' password.
pub const DEMO_PASSWORD: &str = "demo12345";

/// The demo accounts' codeword (stored only as a hash).
pub const DEMO_CODEWORD: &str = "ласточка";

/// Why demo data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// A password could not be hashed.
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    /// A demo bonus item was refused (a bug in `demo::bonus`).
    #[error(transparent)]
    Bonus(#[from] crate::bonus::BonusError),
    /// The demo coverage list was refused (a bug in `demo::coverage`).
    #[error(transparent)]
    Coverage(#[from] crate::coverage::ImportError),
    /// The demo sessions were refused (a bug in `demo::traffic`).
    #[error(transparent)]
    Traffic(#[from] crate::traffic::IngestError),
    /// A demo value did not parse (a bug in this file).
    #[error("invalid demo value: {0}")]
    Invalid(&'static str),
}

/// What the demo data holds, for the log (the README has the same table).
pub const SUMMARY: &str = "demo data written: subscribers demo / demo12345 (account 100000000001, \
phone +79990000001) and demo2 / demo12345 (100000000002, +79990000002); staff operator / operator12345";

/// Fills the database with demo data unless it already holds accounts.
/// Returns whether it did.
pub async fn seed_if_empty(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    hasher: &PasswordHasher,
) -> Result<bool, DemoError> {
    if accounts::count(db).await? > 0 {
        return Ok(false);
    }
    let tx = crate::db::begin_write(db).await?;
    let now = clock.now();
    let mut account_ids = Vec::new();
    for (login, number, phone, holder, address, contract) in [
        (
            "demo",
            "100000000001",
            "+79990000001",
            "Иванов Иван Иванович",
            "г. Москва, ул. Профсоюзная, д. 56, кв. 12",
            "МСК-2021-000001",
        ),
        (
            "demo2",
            "100000000002",
            "+79990000002",
            "Петрова Анна Сергеевна",
            "г. Москва, Ленинский проспект, д. 90, кв. 7",
            "МСК-2023-000002",
        ),
    ] {
        let codeword_hash = Some(
            hasher
                .hash(DEMO_CODEWORD.to_owned())
                .await
                .map_err(auth::AuthError::from)?,
        );
        let account = accounts::insert(
            &tx,
            clock,
            NewAccount {
                number: AccountNumber::parse(number).map_err(|_| DemoError::Invalid(number))?,
                contract_number: contract.to_owned(),
                contract_date: NaiveDate::from_ymd_opt(2021, 3, 15)
                    .ok_or(DemoError::Invalid("contract date"))?,
                holder_name: holder.to_owned(),
                phone: Phone::parse(phone).map_err(|_| DemoError::Invalid(phone))?,
                email: None,
                address: address.to_owned(),
                codeword_hash,
            },
        )
        .await?;
        let credential = NewCredential {
            login,
            password: DEMO_PASSWORD,
            role: Role::Subscriber,
            account_id: Some(account.id),
            display_name: None,
        };
        auth::seed_credential(&tx, now, hasher, credential).await?;
        account_ids.push(account.id);
    }
    let operator = NewCredential {
        login: "operator",
        password: "operator12345",
        role: Role::Staff,
        account_id: None,
        display_name: Some("Оператор Демо"),
    };
    auth::seed_credential(&tx, now, hasher, operator).await?;
    for (kind, title, body, starts, ends) in [
        (
            NoticeKind::PlannedWorks,
            "Плановые работы в Юго-Западном округе",
            "Возможны кратковременные перерывы в работе интернета и ТВ.",
            now - Duration::hours(2),
            Some(now + Duration::hours(4)),
        ),
        (
            NoticeKind::Info,
            "Новые каналы в пакете «Базовый»",
            "С понедельника в пакет «Базовый» входят ещё пять каналов.",
            now + Duration::days(3),
            Some(now + Duration::days(10)),
        ),
        (
            NoticeKind::Outage,
            "Авария на линии в Тёплом Стане устранена",
            "Связь восстановлена. Приносим извинения за неудобства.",
            now - Duration::days(5),
            Some(now - Duration::days(4)),
        ),
    ] {
        notices::create(
            &tx,
            clock,
            NewNotice {
                kind,
                title: title.to_owned(),
                body: body.to_owned(),
                starts_at: starts,
                ends_at: ends,
            },
        )
        .await?;
    }
    tx.commit().await?;
    if let [demo, demo2] = account_ids[..] {
        money::seed(db, now, demo, demo2).await?;
        traffic::seed(db, now, demo, "100000000001").await?;
    }
    tv::seed(db, now).await?;
    bonus::seed(db, now).await?;
    coverage::seed(db).await?;
    Ok(true)
}
