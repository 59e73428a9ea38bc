//! Autopayment: with a saved card, top up a set amount when the balance falls
//! below a threshold, on a day of the month, or when days until blocking reach
//! one. Each trigger (e.g. "the 5th of December") is claimed by one
//! conditional update before the card is charged, so every replica's worker
//! together charges it once; a declined attempt is retried at most twice with
//! backoff, and an attempt whose outcome is unknown is asked again under the
//! same key instead of charging anew. The day before a debit on a day of the
//! month, an SMS names the sum (when billing SMS are on).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::account::AccountStatus;
use entity::autopayment::{self, Column};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use super::cards::{self, SavedCard};
use super::methods;
use super::{PaymentError, PaymentStatus, Payments};
use crate::idempotency::IdempotencyKey;
use crate::money::Kopecks;
use crate::time::moscow_date;

/// Attempts per trigger: the first and two retries.
pub const MAX_ATTEMPTS: i32 = 3;

/// When the autopayment tops up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// When the balance falls below the threshold.
    BelowThreshold,
    /// On a day of the month (the last day in a shorter month).
    DayOfMonth,
    /// When days until blocking reach one.
    BeforeBlocking,
}

impl Mode {
    const fn code(self) -> &'static str {
        match self {
            Mode::BelowThreshold => "threshold",
            Mode::DayOfMonth => "day_of_month",
            Mode::BeforeBlocking => "before_blocking",
        }
    }

    fn from_code(code: &str) -> Mode {
        match code {
            "day_of_month" => Mode::DayOfMonth,
            "before_blocking" => Mode::BeforeBlocking,
            _ => Mode::BelowThreshold,
        }
    }
}

/// The last attempt to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When.
    pub at: DateTime<Utc>,
    /// succeeded, failed or pending.
    pub status: String,
    /// The payment it made.
    pub payment_id: Option<i64>,
    /// Attempts made for this trigger.
    pub number: i32,
    /// When it is tried again (after a failure, while retries are left).
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// An account's autopayment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autopayment {
    /// Whose.
    pub account_id: i64,
    /// Whether it runs.
    pub enabled: bool,
    /// When it tops up.
    pub mode: Mode,
    /// By how much.
    pub amount: Kopecks,
    /// With which card.
    pub card_id: i64,
    /// For [`Mode::BelowThreshold`].
    pub threshold: Option<Kopecks>,
    /// For [`Mode::DayOfMonth`], 1–31.
    pub day_of_month: Option<u32>,
    /// The last attempt.
    pub last_attempt: Option<Attempt>,
    /// Why it stopped by itself (`card_removed`).
    pub disabled_reason: Option<String>,
}

fn from_row(row: autopayment::Model) -> Autopayment {
    Autopayment {
        account_id: row.account_id,
        enabled: row.enabled,
        mode: Mode::from_code(&row.mode),
        amount: Kopecks::new(row.amount),
        card_id: row.card_id,
        threshold: row.threshold.map(Kopecks::new),
        day_of_month: row.day_of_month.and_then(|d| u32::try_from(d).ok()),
        last_attempt: row.last_attempt_at.map(|at| Attempt {
            at,
            status: row.last_attempt_status.clone().unwrap_or_default(),
            payment_id: row.last_payment_id,
            number: row.attempts,
            next_retry_at: row.next_retry_at,
        }),
        disabled_reason: row.disabled_reason,
    }
}

/// What the subscriber sets.
#[derive(Debug, Clone)]
pub struct Setting {
    /// On or off.
    pub enabled: bool,
    /// When.
    pub mode: Mode,
    /// By how much.
    pub amount: Kopecks,
    /// With which card.
    pub card_id: i64,
    /// For [`Mode::BelowThreshold`].
    pub threshold: Option<Kopecks>,
    /// For [`Mode::DayOfMonth`].
    pub day_of_month: Option<u32>,
}

/// The account's autopayment, if ever set.
pub async fn get(db: &impl ConnectionTrait, account_id: i64) -> Result<Option<Autopayment>, DbErr> {
    Ok(autopayment::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(from_row))
}

/// The day a "day of the month" autopayment charges in `month` (its first
/// day): the set day, or the month's last day when the month is shorter.
pub fn charge_day(day_of_month: u32, month: NaiveDate) -> NaiveDate {
    let last = crate::billing::arithmetic::days_in_month(month);
    month.with_day(day_of_month.clamp(1, last)).unwrap_or(month)
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The trigger an autopayment is due for now, if any: its key names it, so a
/// trigger is served once.
pub fn due_trigger(
    setting: &Autopayment,
    today: NaiveDate,
    balance: Kopecks,
    status: AccountStatus,
    days_until_block: Option<u32>,
) -> Option<String> {
    if status == AccountStatus::Closed {
        return None;
    }
    match setting.mode {
        Mode::BelowThreshold => {
            let threshold = setting.threshold?;
            (balance < threshold).then(|| format!("below:{today}"))
        }
        Mode::DayOfMonth => {
            let day = charge_day(setting.day_of_month?, first_of_month(today));
            (day == today).then(|| format!("day:{}", today.format("%Y-%m")))
        }
        Mode::BeforeBlocking => {
            let due = status == AccountStatus::Blocked || days_until_block.is_some_and(|d| d <= 1);
            due.then(|| format!("blocking:{today}"))
        }
    }
}

/// Backoff before retry `n` (after attempt `n - 1` failed): 10 minutes, then
/// an hour.
fn backoff(after_attempt: i32) -> Duration {
    if after_attempt <= 1 {
        Duration::minutes(10)
    } else {
        Duration::hours(1)
    }
}

impl Payments {
    /// Sets the account's autopayment. Turning it off keeps the rest.
    pub async fn set_autopayment(
        &self,
        now: DateTime<Utc>,
        account_id: i64,
        setting: Setting,
    ) -> Result<Autopayment, PaymentError> {
        if setting.enabled {
            methods::check_amount(setting.amount)?;
            if cards::find(&self.db, account_id, setting.card_id)
                .await?
                .is_none()
            {
                return Err(PaymentError::CardNotFound);
            }
            match setting.mode {
                Mode::BelowThreshold => match setting.threshold {
                    None => return Err(PaymentError::ThresholdMissing),
                    Some(t) if t < Kopecks::ZERO || t > methods::MAX_AMOUNT => {
                        return Err(PaymentError::ThresholdOutOfRange);
                    }
                    Some(_) => {}
                },
                Mode::DayOfMonth => match setting.day_of_month {
                    Some(1..=31) => {}
                    _ => return Err(PaymentError::DayOfMonthOutOfRange),
                },
                Mode::BeforeBlocking => {}
            }
        }
        let row = autopayment::ActiveModel {
            account_id: Set(account_id),
            enabled: Set(setting.enabled),
            mode: Set(setting.mode.code().to_owned()),
            amount: Set(setting.amount.get()),
            card_id: Set(setting.card_id),
            threshold: Set(setting.threshold.map(Kopecks::get)),
            day_of_month: Set(setting.day_of_month.and_then(|d| i32::try_from(d).ok())),
            updated_at: Set(now),
            trigger_key: Set(None),
            attempts: Set(0),
            next_retry_at: Set(None),
            last_attempt_at: Set(None),
            last_attempt_status: Set(None),
            last_payment_id: Set(None),
            notice_key: Set(None),
            disabled_reason: Set(None),
        };
        // A change keeps the trigger already served: re-saving on the day of
        // a debit does not charge it again.
        let changed = if setting.enabled {
            vec![
                Column::Enabled,
                Column::Mode,
                Column::Amount,
                Column::CardId,
                Column::Threshold,
                Column::DayOfMonth,
                Column::UpdatedAt,
                Column::DisabledReason,
            ]
        } else {
            vec![Column::Enabled, Column::UpdatedAt]
        };
        autopayment::Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::AccountId)
                    .update_columns(changed)
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        get(&self.db, account_id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("autopayment".into()).into())
    }

    /// One round of the autopayment worker: charges every due trigger once,
    /// retries declined ones, and sends the day-before SMS. Returns how many
    /// charges it attempted.
    pub async fn run_autopayments(&self, now: DateTime<Utc>) -> Result<usize, PaymentError> {
        let enabled: Vec<Autopayment> = autopayment::Entity::find()
            .filter(Column::Enabled.eq(true))
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect();
        let today = moscow_date(now);
        let mut attempted = 0;
        for setting in enabled {
            let summary = crate::billing::summary(&self.db, now, setting.account_id).await?;
            let available = summary.balance
                + summary
                    .promise
                    .as_ref()
                    .map(|p| p.credit)
                    .unwrap_or_default();
            self.announce_tomorrow(now, &setting).await?;
            let Some(trigger) = due_trigger(
                &setting,
                today,
                available,
                summary.status,
                summary.days_until_block,
            ) else {
                continue;
            };
            if let Some(attempt) = self.claim(now, &setting, &trigger).await? {
                attempted += 1;
                self.attempt(now, &setting, &trigger, attempt).await?;
            }
        }
        Ok(attempted)
    }

    /// Claims the next attempt at `trigger`: the first for a new trigger, or a
    /// retry after a failure once its backoff is over. `None` when there is
    /// nothing to do (served, waiting, or out of retries).
    async fn claim(
        &self,
        now: DateTime<Utc>,
        setting: &Autopayment,
        trigger: &str,
    ) -> Result<Option<i32>, DbErr> {
        let row = autopayment::Entity::find_by_id(setting.account_id)
            .one(&self.db)
            .await?;
        let Some(row) = row.filter(|r| r.enabled) else {
            return Ok(None);
        };
        let (next, condition) = if row.trigger_key.as_deref() != Some(trigger) {
            let fresh = Condition::any()
                .add(Column::TriggerKey.is_null())
                .add(Column::TriggerKey.ne(trigger));
            (1, fresh)
        } else if row.last_attempt_status.as_deref() == Some("failed")
            && row.attempts < MAX_ATTEMPTS
            && row.next_retry_at.is_some_and(|t| t <= now)
        {
            let same = Condition::all()
                .add(Column::TriggerKey.eq(trigger))
                .add(Column::Attempts.eq(row.attempts))
                .add(Column::LastAttemptStatus.eq("failed"));
            (row.attempts + 1, same)
        } else {
            return Ok(None);
        };
        let claimed = autopayment::Entity::update_many()
            .col_expr(Column::TriggerKey, Expr::value(trigger))
            .col_expr(Column::Attempts, Expr::value(next))
            .col_expr(Column::LastAttemptAt, Expr::value(now))
            .col_expr(Column::LastAttemptStatus, Expr::value("pending"))
            .col_expr(Column::NextRetryAt, Expr::value(None::<DateTime<Utc>>))
            .filter(Column::AccountId.eq(setting.account_id))
            .filter(Column::Enabled.eq(true))
            .filter(condition)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        Ok(claimed.then_some(next))
    }

    /// Makes attempt `n` at `trigger` and records how it went.
    async fn attempt(
        &self,
        now: DateTime<Utc>,
        setting: &Autopayment,
        trigger: &str,
        n: i32,
    ) -> Result<(), PaymentError> {
        let Some(card) = cards::find(&self.db, setting.account_id, setting.card_id).await? else {
            autopayment::Entity::update_many()
                .col_expr(Column::Enabled, Expr::value(false))
                .col_expr(Column::DisabledReason, Expr::value(cards::CARD_REMOVED))
                .col_expr(Column::LastAttemptStatus, Expr::value("failed"))
                .filter(Column::AccountId.eq(setting.account_id))
                .exec(&self.db)
                .await?;
            return Ok(());
        };
        // A previous attempt whose outcome is unknown is asked again under its
        // own key before a new charge is made.
        let previous = match setting.last_attempt.as_ref().and_then(|a| a.payment_id) {
            Some(id) if n > 1 => super::store::find(&self.db, id).await?,
            _ => None,
        };
        let key_attempt = match &previous {
            Some(p) if p.status == PaymentStatus::Pending => n - 1,
            _ => n,
        };
        let key = IdempotencyKey::parse(Some(&format!("autopay:{trigger}:{key_attempt}")))
            .ok()
            .flatten()
            .ok_or_else(|| DbErr::Custom("an autopayment key that does not parse".into()))?;
        let outcome = self.charge_saved(now, &card, setting.amount, &key).await;
        let (status, payment_id) = match &outcome {
            Ok(payment) if payment.status == PaymentStatus::Succeeded => {
                ("succeeded", Some(payment.id))
            }
            Ok(payment) => ("failed", Some(payment.id)),
            Err(err) => {
                tracing::warn!(account = setting.account_id, error = %err, "autopayment attempt failed");
                let unanswered =
                    super::store::find_by_key(&self.db, setting.account_id, key.as_str()).await?;
                ("failed", unanswered.map(|p| p.id))
            }
        };
        let retry_at = (status == "failed" && n < MAX_ATTEMPTS).then(|| now + backoff(n));
        autopayment::Entity::update_many()
            .col_expr(Column::LastAttemptStatus, Expr::value(status))
            .col_expr(Column::LastPaymentId, Expr::value(payment_id))
            .col_expr(Column::NextRetryAt, Expr::value(retry_at))
            .filter(Column::AccountId.eq(setting.account_id))
            .filter(Column::TriggerKey.eq(trigger))
            .filter(Column::Attempts.eq(n))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The day before a "day of the month" debit: one SMS naming the sum and
    /// the card, when billing SMS are on.
    async fn announce_tomorrow(
        &self,
        now: DateTime<Utc>,
        setting: &Autopayment,
    ) -> Result<(), PaymentError> {
        let (Mode::DayOfMonth, Some(day)) = (setting.mode, setting.day_of_month) else {
            return Ok(());
        };
        let tomorrow = moscow_date(now) + Duration::days(1);
        if charge_day(day, first_of_month(tomorrow)) != tomorrow {
            return Ok(());
        }
        let notice = format!("notice:{}", tomorrow.format("%Y-%m"));
        let claimed = autopayment::Entity::update_many()
            .col_expr(Column::NoticeKey, Expr::value(notice.as_str()))
            .filter(Column::AccountId.eq(setting.account_id))
            .filter(
                Condition::any()
                    .add(Column::NoticeKey.is_null())
                    .add(Column::NoticeKey.ne(notice.as_str())),
            )
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            return Ok(());
        }
        if !crate::notifications::get(&self.db, setting.account_id)
            .await?
            .sms_billing
        {
            return Ok(());
        }
        let (Some(account), Some(card)) = (
            crate::accounts::find_many(&self.db, &[setting.account_id])
                .await?
                .pop(),
            cards::find(&self.db, setting.account_id, setting.card_id).await?,
        ) else {
            return Ok(());
        };
        let text = announcement(&card, setting.amount, tomorrow, account.number.as_str());
        crate::sms::enqueue(&self.db, now, &account.phone, text).await?;
        Ok(())
    }
}

fn announcement(card: &SavedCard, amount: Kopecks, day: NaiveDate, number: &str) -> String {
    format!(
        "Завтра, {}, с карты *{} будет списано {} ₽ для пополнения лицевого счёта {}. Отключить: личный кабинет, «Автоплатёж».",
        day.format("%d.%m"),
        card.last4,
        amount.to_decimal_string(),
        number
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(mode: Mode) -> Autopayment {
        Autopayment {
            account_id: 1,
            enabled: true,
            mode,
            amount: Kopecks::from_rubles(500),
            card_id: 1,
            threshold: Some(Kopecks::from_rubles(100)),
            day_of_month: Some(31),
            last_attempt: None,
            disabled_reason: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_31st_is_the_last_day_of_a_shorter_month() {
        assert_eq!(charge_day(31, day(2026, 2, 1)), day(2026, 2, 28));
        assert_eq!(charge_day(31, day(2026, 12, 1)), day(2026, 12, 31));
        assert_eq!(charge_day(5, day(2026, 11, 1)), day(2026, 11, 5));
    }

    #[test]
    fn triggers_are_named_so_each_is_served_once() {
        let active = AccountStatus::Active;
        let below = setting(Mode::BelowThreshold);
        assert_eq!(
            due_trigger(
                &below,
                day(2026, 12, 3),
                Kopecks::from_rubles(99),
                active,
                Some(5)
            ),
            Some("below:2026-12-03".into())
        );
        assert_eq!(
            due_trigger(
                &below,
                day(2026, 12, 3),
                Kopecks::from_rubles(100),
                active,
                Some(5)
            ),
            None
        );
        let monthly = setting(Mode::DayOfMonth);
        assert_eq!(
            due_trigger(&monthly, day(2026, 2, 28), Kopecks::ZERO, active, None),
            Some("day:2026-02".into())
        );
        assert_eq!(
            due_trigger(&monthly, day(2026, 2, 27), Kopecks::ZERO, active, None),
            None
        );
        let blocking = setting(Mode::BeforeBlocking);
        assert_eq!(
            due_trigger(&blocking, day(2026, 12, 3), Kopecks::ZERO, active, Some(1)),
            Some("blocking:2026-12-03".into())
        );
        assert_eq!(
            due_trigger(&blocking, day(2026, 12, 3), Kopecks::ZERO, active, Some(2)),
            None
        );
        assert_eq!(
            due_trigger(
                &blocking,
                day(2026, 12, 3),
                Kopecks::ZERO,
                AccountStatus::Closed,
                Some(0)
            ),
            None
        );
    }
}
