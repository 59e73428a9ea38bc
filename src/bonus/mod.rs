//! The bonus program: a subscriber joins by their own act, earns points
//! (joining, large payments, staff grants) and spends them on catalog items.
//! Points never go below zero whatever runs at once: every debit is one
//! guarded update (`points >= n`), and the table checks it as well. Every
//! change of points is an entry of the history, and the account's points are
//! the sum of its history.

pub mod catalog;
pub mod earn;
pub mod points;
pub mod redeem;

use chrono::{DateTime, Duration, Utc};
use entity::bonus_account;
use rand::Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait};

pub use entity::bonus_entry::BonusReason;
pub use entity::bonus_item::{BonusCategory, BonusEffect};

use crate::db::statement;
use crate::idempotency::Replayable;
use crate::money::Kopecks;

/// The program's configured numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BonusRules {
    /// Points for joining.
    pub enrolment_points: i64,
    /// A payment of at least this much earns [`BonusRules::large_payment_points`].
    pub large_payment: Kopecks,
    /// Points for a large payment.
    pub large_payment_points: i64,
    /// Points for a month's paid charges, per 100 ₽.
    pub points_per_100_rub: i64,
    /// Points for a friend who connects with the member's referral code.
    pub referral_points: i64,
    /// How long earned points last.
    pub validity: Duration,
}

impl Default for BonusRules {
    fn default() -> Self {
        BonusRules {
            enrolment_points: 100,
            large_payment: Kopecks::new(300_000),
            large_payment_points: 100,
            points_per_100_rub: 5,
            referral_points: 300,
            validity: Duration::days(365),
        }
    }
}

/// Why a bonus operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum BonusError {
    /// Joined already.
    #[error("already enrolled")]
    AlreadyEnrolled,
    /// Not in the program.
    #[error("not enrolled")]
    NotEnrolled,
    /// Fewer points than the price.
    #[error("insufficient points")]
    InsufficientPoints,
    /// None left.
    #[error("out of stock")]
    OutOfStock,
    /// The item needs a service the subscriber does not have.
    #[error("not available for the tariff")]
    NotAvailableForTariff,
    /// This month's discount is taken already.
    #[error("the discount for that month is taken")]
    DiscountTaken,
    /// No such item (or withdrawn).
    #[error("no such item")]
    NoItem,
    /// No such account.
    #[error("no such account")]
    NoAccount,
    /// Zero points to grant.
    #[error("zero points")]
    Zero,
    /// A required text is empty.
    #[error("{0} is required")]
    Required(&'static str),
    /// A text is longer than its column.
    #[error("{0} is too long")]
    TooLong(&'static str),
    /// A price or stock out of range.
    #[error("{0} is out of range")]
    OutOfRange(&'static str),
    /// The idempotency key was used with another input.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl BonusError {
    /// The stable code of a refusal (`None` for a failure of ours).
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            BonusError::AlreadyEnrolled => "ALREADY_ENROLLED",
            BonusError::NotEnrolled => "NOT_ENROLLED",
            BonusError::InsufficientPoints => "INSUFFICIENT_POINTS",
            BonusError::OutOfStock => "OUT_OF_STOCK",
            BonusError::NotAvailableForTariff => "NOT_AVAILABLE_FOR_TARIFF",
            BonusError::DiscountTaken => "ALREADY_ACTIVE",
            BonusError::NoItem => "NOT_FOUND",
            BonusError::NoAccount => "NO_ACCOUNT",
            BonusError::Zero => "ZERO",
            BonusError::Required(_) => "REQUIRED",
            BonusError::TooLong(_) => "TOO_LONG",
            BonusError::OutOfRange(_) => "OUT_OF_RANGE",
            BonusError::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            BonusError::Db(_) => return None,
        })
    }
}

impl Replayable for BonusError {
    fn refusal_code(&self) -> Option<&'static str> {
        self.code()
    }

    fn from_refusal_code(code: &str) -> Option<Self> {
        Some(match code {
            "NOT_ENROLLED" => BonusError::NotEnrolled,
            "INSUFFICIENT_POINTS" => BonusError::InsufficientPoints,
            "OUT_OF_STOCK" => BonusError::OutOfStock,
            "NOT_AVAILABLE_FOR_TARIFF" => BonusError::NotAvailableForTariff,
            "ALREADY_ACTIVE" => BonusError::DiscountTaken,
            "NOT_FOUND" => BonusError::NoItem,
            _ => return None,
        })
    }

    fn key_reused() -> Self {
        BonusError::IdempotencyKeyReused
    }
}

/// A member of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The account.
    pub account_id: i64,
    /// Points held.
    pub points: i64,
    /// The code a friend's application carries.
    pub referral_code: String,
    /// When they joined.
    pub enrolled_at: DateTime<Utc>,
}

fn from_row(row: bonus_account::Model) -> Member {
    Member {
        account_id: row.account_id,
        points: row.points,
        referral_code: row.referral_code,
        enrolled_at: row.enrolled_at,
    }
}

/// The membership of an account, if it joined.
pub async fn member(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<Member>, DbErr> {
    Ok(bonus_account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(from_row))
}

/// Memberships of many accounts at once (for loaders).
pub async fn members(db: &impl ConnectionTrait, account_ids: &[i64]) -> Result<Vec<Member>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(bonus_account::Entity::find()
        .filter(bonus_account::Column::AccountId.is_in(account_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The member whose referral code this is.
pub async fn member_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<Member>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(bonus_account::Entity::find()
        .filter(bonus_account::Column::ReferralCode.eq(code))
        .one(db)
        .await?
        .map(from_row))
}

/// Letters of referral codes: no 0/O or 1/I to misread.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A fresh random code of `len` characters.
pub(crate) fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Joins the program, by the subscriber's own act only, and credits the
/// points for joining. A second call is `AlreadyEnrolled`.
pub async fn enroll(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    rules: &BonusRules,
    account_id: i64,
) -> Result<Member, BonusError> {
    let tx = crate::db::begin_write(db).await?;
    // Random codes could collide; a few tries make that practically impossible.
    let mut joined = false;
    for _ in 0..4 {
        let row = tx
            .query_one_raw(statement(
                &tx,
                "INSERT INTO bonus_account (account_id, points, referral_code, enrolled_at) \
                 VALUES ($1, 0, $2, $3) ON CONFLICT DO NOTHING RETURNING account_id",
                vec![account_id.into(), random_code(8).into(), now.into()],
            ))
            .await?;
        if row.is_some() {
            joined = true;
            break;
        }
        if member(&tx, account_id).await?.is_some() {
            return Err(BonusError::AlreadyEnrolled);
        }
    }
    if !joined {
        return Err(DbErr::Custom("no free referral code".into()).into());
    }
    points::credit_in(
        &tx,
        now,
        points::Credit {
            account_id,
            points: rules.enrolment_points,
            reason: BonusReason::Enrolment,
            description: "Вступление в бонусную программу".into(),
            source: Some("enrolment".into()),
            ledger_entry_id: None,
            staff_credential_id: None,
            expires_at: Some(now + rules.validity),
        },
    )
    .await?;
    tx.commit().await?;
    member(db, account_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("bonus account just made".into()).into())
}

/// Points for a payment of at least the configured size, once per ledger
/// entry; nothing for an account outside the program. Call in the payment's
/// transaction.
pub async fn award_for_payment(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    rules: &BonusRules,
    account_id: i64,
    amount: Kopecks,
    ledger_entry_id: i64,
) -> Result<(), DbErr> {
    if amount < rules.large_payment || rules.large_payment_points <= 0 {
        return Ok(());
    }
    points::credit_in(
        tx,
        now,
        points::Credit {
            account_id,
            points: rules.large_payment_points,
            reason: BonusReason::LargePayment,
            description: format!("Платёж на {} ₽", amount.to_decimal_string()),
            source: Some(format!("payment:{ledger_entry_id}")),
            ledger_entry_id: Some(ledger_entry_id),
            staff_credential_id: None,
            expires_at: Some(now + rules.validity),
        },
    )
    .await?;
    Ok(())
}
