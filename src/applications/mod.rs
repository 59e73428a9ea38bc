//! Connection applications: anyone whose house the network reaches asks to be
//! connected; the applicant follows the application by its number and phone;
//! staff call back, schedule the installation (proposed within 5 days) and
//! mark it connected, which opens the account, subscribes the tariff and, when
//! the application carried a friend's referral code, gives the friend points.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use entity::connection_application::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, SqlErr,
};

pub use entity::connection_application::ApplicationStatus;

use crate::accounts::{self, AccountNumber, NewAccount, Phone};
use crate::billing::subscriptions;
use crate::bonus::{self, BonusReason, BonusRules};
use crate::clock::Clock;
use crate::coverage::{self, AddressError, AddressQuery};
use crate::db::statement;
use crate::pagination::{self, Page, PageRequest};
use crate::ratelimit::{self, Limit, RateLimitError};
use crate::time::moscow_date;

/// Applications from one client address.
const PER_CLIENT: Limit = Limit {
    name: "application_client",
    max: 10,
    window: Duration::hours(1),
};

/// Applications with one phone.
const PER_PHONE: Limit = Limit {
    name: "application_phone",
    max: 3,
    window: Duration::days(1),
};

/// Applications for one house.
const PER_HOUSE: Limit = Limit {
    name: "application_house",
    max: 5,
    window: Duration::days(1),
};

/// Look-ups of an application's status from one client address.
pub const LOOKUPS_PER_CLIENT: Limit = Limit {
    name: "application_lookup",
    max: 30,
    window: Duration::hours(1),
};

/// The longest applicant name.
pub const MAX_NAME: usize = 100;

/// An application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Internal id (the list key).
    pub id: i64,
    /// What the applicant quotes.
    pub number: String,
    /// The address as shown.
    pub address: String,
    /// The tariff asked for.
    pub tariff_id: i64,
    /// The applicant.
    pub name: String,
    /// The applicant's phone.
    pub phone: String,
    /// A friend's referral code.
    pub referral_code: Option<String>,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The installation day proposed or agreed.
    pub installation_date: NaiveDate,
    /// The account opened when connected.
    pub account_id: Option<i64>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn from_row(row: connection_application::Model) -> Application {
    Application {
        id: row.id,
        number: row.number,
        address: row.address,
        tariff_id: row.tariff_id,
        name: row.name,
        phone: row.phone,
        referral_code: row.referral_code,
        status: row.status,
        installation_date: row.installation_date,
        account_id: row.account_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Why an application was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// The address is malformed.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The network does not reach the address.
    #[error("not covered")]
    NotCovered {
        /// Streets with a similar name.
        suggestions: Vec<String>,
    },
    /// No such tariff.
    #[error("no such tariff")]
    NoTariff,
    /// The tariff is not offered at the address.
    #[error("tariff not offered here")]
    TariffNotOffered,
    /// No name given.
    #[error("name required")]
    NameRequired,
    /// The name is too long.
    #[error("name too long")]
    NameTooLong,
    /// The phone is not a Russian mobile number.
    #[error("bad phone")]
    BadPhone,
    /// No member has this referral code.
    #[error("unknown referral code")]
    UnknownReferralCode,
    /// Too many applications.
    #[error("rate limited")]
    RateLimited {
        /// When another will be accepted.
        retry_at: DateTime<Utc>,
    },
    /// No such application.
    #[error("no such application")]
    NotFound,
    /// The status cannot go there from where it is.
    #[error("cannot go from {from:?} to {to:?}")]
    Transition {
        /// Where it is.
        from: ApplicationStatus,
        /// Where it was asked to go.
        to: ApplicationStatus,
    },
    /// An installation day in the past.
    #[error("installation date in the past")]
    DateInPast,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<RateLimitError> for ApplicationError {
    fn from(err: RateLimitError) -> Self {
        match err {
            RateLimitError::Limited { retry_at } => ApplicationError::RateLimited { retry_at },
            RateLimitError::Db(e) => ApplicationError::Db(e),
        }
    }
}

/// The first working day after `now` (Moscow): the installation day first
/// proposed, always within 5 days (a technician comes within 5 days).
pub fn proposed_date(now: DateTime<Utc>) -> NaiveDate {
    let mut day = moscow_date(now) + Duration::days(1);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

/// Whether staff may move an application from `from` to `to` (connecting is
/// `mark_connected`, not a status change).
pub fn may_move(from: ApplicationStatus, to: ApplicationStatus) -> bool {
    use ApplicationStatus as S;
    matches!(
        (from, to),
        (S::New, S::Contacted)
            | (S::New, S::Canceled)
            | (S::Contacted, S::Scheduled)
            | (S::Contacted, S::Canceled)
            | (S::Scheduled, S::Contacted)
            | (S::Scheduled, S::Canceled)
    )
}

/// An application as submitted.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Where.
    pub address: AddressQuery,
    /// The tariff asked for, by its catalog id (code).
    pub tariff: String,
    /// Who.
    pub name: String,
    /// Their phone, as typed.
    pub phone: String,
    /// A friend's referral code, if any.
    pub referral_code: Option<String>,
}

fn display_address(street: &str, house: &str, entrance: Option<i32>) -> String {
    match entrance {
        Some(e) => format!("{street}, д. {house}, подъезд {e}"),
        None => format!("{street}, д. {house}"),
    }
}

/// Stores an application for a covered address, limited per client address,
/// phone and house (counted before anything is written).
pub async fn submit(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    client: &str,
    new: NewApplication,
) -> Result<Application, ApplicationError> {
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        return Err(ApplicationError::NameRequired);
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApplicationError::NameTooLong);
    }
    let phone = Phone::parse(&new.phone).map_err(|_| ApplicationError::BadPhone)?;
    let address = new.address.normalise()?;
    ratelimit::hit(db, now, &PER_CLIENT, client).await?;
    ratelimit::hit(db, now, &PER_PHONE, phone.as_str()).await?;
    let found = coverage::check(db, &address).await?;
    let Some(street_id) = found.street_id.filter(|_| found.available()) else {
        return Err(ApplicationError::NotCovered {
            suggestions: found.suggestions,
        });
    };
    ratelimit::hit(
        db,
        now,
        &PER_HOUSE,
        &format!("{street_id}:{}", address.house),
    )
    .await?;
    let tariff = crate::catalog::find_by_code(db, new.tariff.trim())
        .await?
        .filter(|t| t.is_tariff)
        .ok_or(ApplicationError::NoTariff)?;
    if !found.tariff_codes.contains(&tariff.code) {
        return Err(ApplicationError::TariffNotOffered);
    }
    let (referral_code, referrer) = match new.referral_code.as_deref().map(str::trim) {
        None | Some("") => (None, None),
        Some(code) => {
            let code = code.to_uppercase();
            let member = bonus::member_by_code(db, &code)
                .await?
                .ok_or(ApplicationError::UnknownReferralCode)?;
            (Some(code), Some(member.account_id))
        }
    };
    let street = found.street.unwrap_or_default();
    for _ in 0..5 {
        let row = connection_application::ActiveModel {
            number: Set(random_digits(8)),
            address: Set(display_address(&street, &address.house, address.entrance)),
            street_id: Set(Some(street_id)),
            house: Set(address.house.clone()),
            entrance: Set(address.entrance),
            tariff_id: Set(tariff.id),
            name: Set(name.clone()),
            phone: Set(phone.as_str().to_owned()),
            referral_code: Set(referral_code.clone()),
            referrer_account_id: Set(referrer),
            status: Set(ApplicationStatus::New),
            installation_date: Set(proposed_date(now)),
            account_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        match connection_application::Entity::insert(row)
            .exec_with_returning(db)
            .await
        {
            Ok(row) => return Ok(from_row(row)),
            // Another application drew the same number: draw again.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Err(DbErr::Custom("no free application number".into()).into())
}

fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|i| {
            // No leading zero, so the number reads the same everywhere.
            let low = u8::from(i == 0);
            char::from(b'0' + rng.random_range(low..10))
        })
        .collect()
}

/// The application with this number, if `phone` is the one it was made with.
pub async fn find_for_applicant(
    db: &impl ConnectionTrait,
    number: &str,
    phone: &str,
) -> Result<Option<Application>, DbErr> {
    let Ok(phone) = Phone::parse(phone) else {
        return Ok(None);
    };
    Ok(find(db, number.trim())
        .await?
        .filter(|a| a.phone == phone.as_str()))
}

/// The application with this number.
pub async fn find(db: &impl ConnectionTrait, number: &str) -> Result<Option<Application>, DbErr> {
    Ok(connection_application::Entity::find()
        .filter(Column::Number.eq(number))
        .one(db)
        .await?
        .map(from_row))
}

/// Applications for staff, newest first, optionally of one status.
pub async fn page(
    db: &impl ConnectionTrait,
    status: Option<ApplicationStatus>,
    request: &PageRequest,
) -> Result<Page<Application>, DbErr> {
    let mut list = connection_application::Entity::find();
    if let Some(status) = status {
        list = list.filter(Column::Status.eq(status));
    }
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// Staff move an application (and may set the installation day, not in the past).
pub async fn set_status(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    number: &str,
    to: ApplicationStatus,
    installation_date: Option<NaiveDate>,
) -> Result<Application, ApplicationError> {
    let application = find(db, number).await?.ok_or(ApplicationError::NotFound)?;
    if !may_move(application.status, to) {
        return Err(ApplicationError::Transition {
            from: application.status,
            to,
        });
    }
    if installation_date.is_some_and(|d| d < moscow_date(now)) {
        return Err(ApplicationError::DateInPast);
    }
    let mut update = connection_application::Entity::update_many()
        .col_expr(Column::Status, sea_orm::sea_query::Expr::value(to))
        .col_expr(Column::UpdatedAt, sea_orm::sea_query::Expr::value(now));
    if let Some(day) = installation_date {
        update = update.col_expr(
            Column::InstallationDate,
            sea_orm::sea_query::Expr::value(day),
        );
    }
    // Conditional: a concurrent change wins and this one is told so.
    let moved = update
        .filter(Column::Id.eq(application.id))
        .filter(Column::Status.eq(application.status))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        let now_status = find(db, number)
            .await?
            .map_or(application.status, |a| a.status);
        return Err(ApplicationError::Transition {
            from: now_status,
            to,
        });
    }
    find(db, number).await?.ok_or(ApplicationError::NotFound)
}

/// What connecting an application did.
#[derive(Debug, Clone)]
pub struct Connected {
    /// The application, now connected.
    pub application: Application,
    /// The account opened.
    pub account: accounts::Account,
    /// Points the friend got for the referral, if any.
    pub referral_points: Option<i64>,
}

/// Staff mark an application connected: in one transaction the status moves
/// (once: a conditional update), the account is opened with the tariff from
/// today, and the friend whose code it carries gets their points (once per
/// application).
pub async fn mark_connected(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    rules: &BonusRules,
    number: &str,
) -> Result<Connected, ApplicationError> {
    let now = clock.now();
    let application = find(db, number).await?.ok_or(ApplicationError::NotFound)?;
    use ApplicationStatus as S;
    if !matches!(application.status, S::New | S::Contacted | S::Scheduled) {
        return Err(ApplicationError::Transition {
            from: application.status,
            to: S::Connected,
        });
    }
    let tariff = crate::catalog::find_many(db, &[application.tariff_id])
        .await?
        .pop()
        .ok_or(ApplicationError::NoTariff)?;
    let tx = crate::db::begin_write(db).await?;
    let moved = tx
        .execute_raw(statement(
            &tx,
            "UPDATE connection_application SET status = 'connected', updated_at = $1 \
             WHERE id = $2 AND status = $3",
            vec![
                now.into(),
                application.id.into(),
                sea_orm::ActiveEnum::to_value(&application.status).into(),
            ],
        ))
        .await?;
    if moved.rows_affected() == 0 {
        return Err(ApplicationError::Transition {
            from: S::Connected,
            to: S::Connected,
        });
    }
    let phone = Phone::parse(&application.phone).map_err(|_| ApplicationError::BadPhone)?;
    let today = moscow_date(now);
    let mut opened = None;
    for _ in 0..5 {
        let number = AccountNumber::parse(&format!("3{}", random_digits(11)))
            .map_err(|_| DbErr::Custom("account number".into()))?;
        if accounts::find_by_number(&tx, &number).await?.is_some() {
            continue;
        }
        opened = Some(
            accounts::insert(
                &tx,
                clock,
                NewAccount {
                    contract_number: format!("Д-{}", number.as_str()),
                    number,
                    contract_date: today,
                    holder_name: application.name.clone(),
                    phone: phone.clone(),
                    email: None,
                    address: format!("г. Москва, {}", application.address),
                    codeword_hash: None,
                },
            )
            .await?,
        );
        break;
    }
    let account = opened.ok_or_else(|| DbErr::Custom("no free account number".into()))?;
    subscriptions::insert(
        &tx,
        now,
        crate::services::terms::new_subscription(&tariff, account.id, today),
    )
    .await?;
    tx.execute_raw(statement(
        &tx,
        "UPDATE connection_application SET account_id = $1, installation_date = $2 WHERE id = $3",
        vec![account.id.into(), today.into(), application.id.into()],
    ))
    .await?;
    let referrer = connection_application::Entity::find_by_id(application.id)
        .one(&tx)
        .await?
        .and_then(|row| row.referrer_account_id);
    let mut referral_points = None;
    if let Some(friend) = referrer {
        let credited = bonus::points::credit_in(
            &tx,
            now,
            bonus::points::Credit {
                account_id: friend,
                points: rules.referral_points,
                reason: BonusReason::Referral,
                description: format!("Друг подключился по вашей ссылке ({})", application.number),
                source: Some(format!("referral:{}", application.id)),
                ledger_entry_id: None,
                staff_credential_id: None,
                expires_at: Some(now + rules.validity),
            },
        )
        .await?;
        referral_points = credited.map(|_| rules.referral_points);
    }
    tx.commit().await?;
    let application = find(db, &application.number)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    Ok(Connected {
        application,
        account,
        referral_points,
    })
}
