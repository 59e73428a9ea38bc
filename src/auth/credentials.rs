//! Credentials: first registration and recovery (one flow), sign-in with
//! lockout, password change, staff accounts.

use chrono::{DateTime, Duration, Utc};
use entity::credential;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

use super::password::{PasswordError, PasswordHasher, generate_password};
use super::sessions::{self, ClientInfo, Session};
use super::{Role, lockout};
use crate::accounts::{self, AccountNumber, AccountStatus, Phone};
use crate::ratelimit::{self, Limit, RateLimitError};
use crate::sms;

/// Credential requests per account number.
pub const REQUESTS_PER_ACCOUNT: Limit = Limit {
    name: "credentials:account",
    max: 3,
    window: Duration::hours(1),
};
/// Credential requests per phone number.
pub const REQUESTS_PER_PHONE: Limit = Limit {
    name: "credentials:phone",
    max: 3,
    window: Duration::hours(1),
};
/// Credential requests per client address.
pub const REQUESTS_PER_ADDRESS: Limit = Limit {
    name: "credentials:address",
    max: 10,
    window: Duration::hours(1),
};
/// Sign-in attempts per client address (lockout covers one login; this covers many).
pub const LOGINS_PER_ADDRESS: Limit = Limit {
    name: "login:address",
    max: 60,
    window: Duration::minutes(10),
};
/// Longest login there is (staff logins are 3–64 characters, subscribers'
/// are their 12-digit account numbers).
pub const MAX_LOGIN_LENGTH: usize = 64;
/// Shortest and longest password a subscriber may choose.
pub const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 8..=128;

/// Why a sign-in operation was refused, or failed: one enum for the domain.
/// Each refusal is a code with its data; what a person reads is said in
/// `graphql/auth.rs`. A credential request never tells whether the pair matched.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The rules were not accepted.
    #[error("rules not accepted")]
    RulesNotAccepted,
    /// Not an account number.
    #[error("invalid account number")]
    InvalidAccountNumber,
    /// Not a Russian phone number.
    #[error("invalid phone")]
    InvalidPhone,
    /// Too many attempts from here.
    #[error("rate limited until {retry_at}")]
    RateLimited {
        /// When to retry.
        retry_at: DateTime<Utc>,
    },
    /// Unknown login or wrong password (indistinguishable on purpose).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Longer than any login can be (nothing is looked up or counted).
    #[error("login too long")]
    LoginTooLong,
    /// Too many wrong passwords: the login is locked.
    #[error("locked until {until}")]
    Locked {
        /// When the lock ends.
        until: DateTime<Utc>,
    },
    /// The current password given is wrong.
    #[error("wrong current password")]
    WrongPassword,
    /// A new password shorter than [`PASSWORD_LENGTH`].
    #[error("the password is too short")]
    PasswordTooShort,
    /// A new password longer than [`PASSWORD_LENGTH`].
    #[error("the password is too long")]
    PasswordTooLong,
    /// A staff login is 3–64 of `a-z 0-9 . _ -`, not all digits (those are account numbers).
    #[error("a staff login is 3-64 characters of a-z, 0-9, '.', '_', '-', and not only digits")]
    InvalidStaffLogin,
    /// Taken by someone.
    #[error("this login is taken")]
    LoginTaken,
    /// Hashing failed.
    #[error(transparent)]
    Hashing(#[from] PasswordError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<RateLimitError> for AuthError {
    fn from(err: RateLimitError) -> Self {
        match err {
            RateLimitError::Limited { retry_at } => AuthError::RateLimited { retry_at },
            RateLimitError::Db(e) => AuthError::Db(e),
        }
    }
}

/// "Send me a login and password": account number, contract phone, consent.
#[derive(Debug, Clone)]
pub struct CredentialRequest {
    /// Account number as typed.
    pub account_number: String,
    /// Contract phone as typed.
    pub phone: String,
    /// "I accept the rules".
    pub accept_rules: bool,
}

fn sms_text(login: &str, password: &str) -> String {
    format!("Личный кабинет: логин {login}, пароль {password}. Никому не сообщайте пароль.")
}

/// First registration and recovery alike: when the account number and the
/// contract phone match, a new password (and the login) go by SMS to that phone
/// and every open session of the account ends. The outcome is the same whether
/// or not they matched; only the SMS tells.
pub async fn request_credentials(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    hasher: &PasswordHasher,
    client: &ClientInfo,
    request: CredentialRequest,
) -> Result<(), AuthError> {
    if let Some(ip) = &client.ip {
        ratelimit::hit(db, now, &REQUESTS_PER_ADDRESS, ip).await?;
    }
    if !request.accept_rules {
        return Err(AuthError::RulesNotAccepted);
    }
    let number = AccountNumber::parse(&request.account_number)
        .map_err(|_| AuthError::InvalidAccountNumber)?;
    let phone = Phone::parse(&request.phone).map_err(|_| AuthError::InvalidPhone)?;
    ratelimit::hit(db, now, &REQUESTS_PER_ACCOUNT, number.as_str()).await?;
    ratelimit::hit(db, now, &REQUESTS_PER_PHONE, phone.as_str()).await?;

    let account = accounts::find_by_number(db, &number)
        .await?
        .filter(|a| a.phone == phone && a.status != AccountStatus::Closed);
    // Hash in every case, so that a match takes no longer than a miss.
    let password = generate_password();
    let hash = hasher.hash(password.clone()).await?;
    let Some(account) = account else {
        return Ok(());
    };

    let tx = crate::db::begin_write(db).await?;
    let existing = credential::Entity::find()
        .filter(credential::Column::AccountId.eq(account.id))
        .one(&tx)
        .await?;
    let login = match existing {
        Some(existing) => {
            let login = existing.login.clone();
            let mut row: credential::ActiveModel = existing.into();
            row.password_hash = Set(hash);
            row.password_changed_at = Set(now);
            let row = credential::Entity::update(row).exec(&tx).await?;
            sessions::revoke_all_for_credential(&tx, now, row.id, None).await?;
            login
        }
        None => {
            let login = account.number.as_str().to_owned();
            insert_credential(
                &tx,
                now,
                &login,
                hash,
                Role::Subscriber,
                Some(account.id),
                None,
            )
            .await?;
            login
        }
    };
    sms::enqueue(&tx, now, &account.phone, sms_text(&login, &password)).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_credential(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    login: &str,
    password_hash: String,
    role: Role,
    account_id: Option<i64>,
    display_name: Option<String>,
) -> Result<credential::Model, DbErr> {
    let row = credential::ActiveModel {
        login: Set(login.to_owned()),
        password_hash: Set(password_hash),
        role: Set(role),
        account_id: Set(account_id),
        display_name: Set(display_name),
        created_at: Set(now),
        password_changed_at: Set(now),
        ..Default::default()
    };
    credential::Entity::insert(row)
        .exec_with_returning(db)
        .await
}

/// A login and password, as typed.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    /// Login (case and surrounding spaces do not matter).
    pub login: String,
    /// Password.
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token, shown this once.
    pub token: String,
    /// The new session.
    pub session: Session,
}

fn normalize_login(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Signs in: checks lockout, verifies the password, opens a session.
pub async fn login(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    hasher: &PasswordHasher,
    client: &ClientInfo,
    session_ttl: Duration,
    attempt: LoginAttempt,
) -> Result<LoginOutcome, AuthError> {
    if let Some(ip) = &client.ip {
        ratelimit::hit(db, now, &LOGINS_PER_ADDRESS, ip).await?;
    }
    let login = normalize_login(&attempt.login);
    if login.chars().count() > MAX_LOGIN_LENGTH {
        return Err(AuthError::LoginTooLong);
    }
    if let Some(until) = lockout::reserve(db, &login, now).await? {
        return Err(AuthError::Locked { until });
    }
    let credential = credential::Entity::find()
        .filter(credential::Column::Login.eq(login.as_str()))
        .one(db)
        .await?;
    let stored = credential.as_ref().map(|c| c.password_hash.clone());
    let matches = hasher.verify(attempt.password, stored).await?;
    let Some(credential) = credential.filter(|_| matches) else {
        return Err(match lockout::record_failure(db, &login, now).await? {
            Some(until) => AuthError::Locked { until },
            None => AuthError::InvalidCredentials,
        });
    };
    lockout::clear(db, &login).await?;
    let (token, session) = sessions::create(db, now, &credential, session_ttl, client).await?;
    Ok(LoginOutcome { token, session })
}

/// Changes the password of `credential_id` and ends every other session.
pub async fn change_password(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    hasher: &PasswordHasher,
    credential_id: i64,
    current_session: Option<i64>,
    current_password: String,
    new_password: String,
) -> Result<(), AuthError> {
    let length = new_password.chars().count();
    if length < *PASSWORD_LENGTH.start() {
        return Err(AuthError::PasswordTooShort);
    }
    if length > *PASSWORD_LENGTH.end() {
        return Err(AuthError::PasswordTooLong);
    }
    let Some(existing) = credential::Entity::find_by_id(credential_id)
        .one(db)
        .await?
    else {
        return Err(AuthError::WrongPassword);
    };
    // The same guess limit as sign-in, on the same count: a stolen session
    // must not become an unlimited oracle for the password.
    if let Some(until) = lockout::reserve(db, &existing.login, now).await? {
        return Err(AuthError::Locked { until });
    }
    let ok = hasher
        .verify(current_password, Some(existing.password_hash.clone()))
        .await?;
    if !ok {
        return Err(
            match lockout::record_failure(db, &existing.login, now).await? {
                Some(until) => AuthError::Locked { until },
                None => AuthError::WrongPassword,
            },
        );
    }
    lockout::clear(db, &existing.login).await?;
    let hash = hasher.hash(new_password).await?;
    let tx = crate::db::begin_write(db).await?;
    let mut row: credential::ActiveModel = existing.into();
    row.password_hash = Set(hash);
    row.password_changed_at = Set(now);
    credential::Entity::update(row).exec(&tx).await?;
    sessions::revoke_all_for_credential(&tx, now, credential_id, current_session).await?;
    tx.commit().await?;
    Ok(())
}

/// A credential to create directly (demo data, staff tooling).
#[derive(Debug, Clone, Copy)]
pub struct NewCredential<'a> {
    /// Login.
    pub login: &'a str,
    /// Password in clear; hashed on the way in.
    pub password: &'a str,
    /// Subscriber or staff.
    pub role: Role,
    /// The subscriber's account.
    pub account_id: Option<i64>,
    /// A staff member's name.
    pub display_name: Option<&'a str>,
}

/// Creates a credential directly: the password is hashed here.
pub async fn seed_credential(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    hasher: &PasswordHasher,
    new: NewCredential<'_>,
) -> Result<(), AuthError> {
    let hash = hasher.hash(new.password.to_owned()).await?;
    insert_credential(
        db,
        now,
        &normalize_login(new.login),
        hash,
        new.role,
        new.account_id,
        new.display_name.map(str::to_owned),
    )
    .await?;
    Ok(())
}

/// `kabinet staff add`: a new operator with role `STAFF`.
pub async fn add_staff(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    hasher: &PasswordHasher,
    login: &str,
    name: &str,
    password: &str,
) -> Result<(), AuthError> {
    let login = normalize_login(login);
    let valid = (3..=64).contains(&login.len())
        && login.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
        && !login.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err(AuthError::InvalidStaffLogin);
    }
    let length = password.chars().count();
    if length < *PASSWORD_LENGTH.start() {
        return Err(AuthError::PasswordTooShort);
    }
    if length > *PASSWORD_LENGTH.end() {
        return Err(AuthError::PasswordTooLong);
    }
    let taken = credential::Entity::find()
        .filter(credential::Column::Login.eq(login.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(AuthError::LoginTaken);
    }
    let staff = NewCredential {
        login: &login,
        password,
        role: Role::Staff,
        account_id: None,
        display_name: Some(name),
    };
    seed_credential(db, now, hasher, staff).await?;
    Ok(())
}

/// A staff member as colleagues see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Login.
    pub login: String,
    /// Full name.
    pub name: String,
}

/// The credential of the operator with this login.
pub async fn staff_by_login(db: &impl ConnectionTrait, login: &str) -> Result<Option<i64>, DbErr> {
    if login.chars().count() > MAX_LOGIN_LENGTH {
        return Ok(None);
    }
    Ok(credential::Entity::find()
        .filter(credential::Column::Login.eq(normalize_login(login)))
        .one(db)
        .await?
        .filter(|c| c.role == Role::Staff)
        .map(|c| c.id))
}

/// The staff member behind credential `id`.
pub async fn staff_member(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<StaffMember>, DbErr> {
    Ok(credential::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.role == Role::Staff)
        .map(|c| StaffMember {
            name: c.display_name.unwrap_or_default(),
            login: c.login,
        }))
}
