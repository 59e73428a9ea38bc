//! Reminders: airings of a subscriber's favourites are announced once, when
//! they come within two days. The announcement is stored (shown in
//! `me { tvReminders }`) and, when the subscriber turned TV SMS on, an SMS is
//! queued in the outbox in the same transaction. The unique airing key
//! (account, channel, start, title) makes each airing announced once, however
//! many replicas run the worker and however often the guide is re-imported.

use chrono::{DateTime, Duration, Utc};
use entity::tv_reminder;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Value,
};

use crate::accounts::Phone;
use crate::db::statement;
use crate::time::MOSCOW;

/// How far ahead airings are announced.
pub const AHEAD: Duration = Duration::hours(48);
/// Airings announced per worker round (the rest wait for the next round).
const BATCH: i64 = 500;

/// An announced airing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Internal id.
    pub id: i64,
    /// Owner.
    pub account_id: i64,
    /// The programme row when announced.
    pub programme_id: i64,
    /// Channel.
    pub channel_id: i64,
    /// When it airs.
    pub starts_at: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// Whether an SMS was queued.
    pub sms_queued: bool,
    /// When announced.
    pub created_at: DateTime<Utc>,
}

fn reminder(row: tv_reminder::Model) -> Reminder {
    Reminder {
        id: row.id,
        account_id: row.account_id,
        programme_id: row.programme_id,
        channel_id: row.channel_id,
        starts_at: row.starts_at,
        title: row.title,
        sms_queued: row.sms_queued,
        created_at: row.created_at,
    }
}

/// The SMS for an airing.
pub fn sms_text(title: &str, channel: &str, starts_at: DateTime<Utc>) -> String {
    format!(
        "Напоминание: «{title}» {} на канале «{channel}». Отключить SMS о ТВ можно в личном кабинете.",
        starts_at.with_timezone(&MOSCOW).format("%d.%m в %H:%M")
    )
}

/// Announces the airings of favourites that start within [`AHEAD`] of `now`
/// and were not announced yet. Returns how many SMS were queued.
pub async fn announce_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let found = db
        .query_all_raw(statement(
            db,
            "SELECT f.account_id, p.id AS programme_id, p.channel_id, p.starts_at, p.title_key, \
                    p.title, c.name AS channel_name, a.phone, \
                    COALESCE(n.sms_tv, FALSE) AS sms_tv \
             FROM tv_programme p \
             JOIN tv_favourite f ON f.title_key = p.title_key \
             JOIN tv_channel c ON c.id = p.channel_id \
             JOIN account a ON a.id = f.account_id \
             LEFT JOIN notification_settings n ON n.account_id = f.account_id \
             WHERE p.starts_at > $1 AND p.starts_at <= $2 \
               AND NOT EXISTS (SELECT 1 FROM tv_reminder r WHERE r.account_id = f.account_id \
                   AND r.channel_id = p.channel_id AND r.starts_at = p.starts_at \
                   AND r.title_key = p.title_key) \
             ORDER BY p.starts_at, p.id LIMIT $3",
            vec![now.into(), (now + AHEAD).into(), Value::from(BATCH)],
        ))
        .await?;
    let mut queued = 0;
    for row in found {
        let account_id: i64 = row.try_get("", "account_id")?;
        let starts_at: DateTime<Utc> = row.try_get("", "starts_at")?;
        let title: String = row.try_get("", "title")?;
        let channel: String = row.try_get("", "channel_name")?;
        // The SMS goes to the contract's phone, and only with TV SMS turned on.
        let sms_tv: bool = row.try_get("", "sms_tv")?;
        let sms_to = Phone::parse(&row.try_get::<String>("", "phone")?)
            .ok()
            .filter(|_| sms_tv);
        let tx = crate::db::begin_write(db).await?;
        // Whoever inserts the airing first announces it; others find it taken.
        let inserted = tx
            .query_one_raw(statement(
                &tx,
                "INSERT INTO tv_reminder (account_id, programme_id, channel_id, starts_at, \
                     title_key, title, sms_queued, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (account_id, channel_id, starts_at, title_key) DO NOTHING \
                 RETURNING id",
                vec![
                    account_id.into(),
                    row.try_get::<i64>("", "programme_id")?.into(),
                    row.try_get::<i64>("", "channel_id")?.into(),
                    starts_at.into(),
                    row.try_get::<String>("", "title_key")?.into(),
                    title.clone().into(),
                    sms_to.is_some().into(),
                    now.into(),
                ],
            ))
            .await?;
        if inserted.is_some()
            && let Some(phone) = &sms_to
        {
            crate::sms::enqueue(&tx, now, phone, sms_text(&title, &channel, starts_at)).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// The account's reminders for airings that have not started by `now`, soonest first.
pub async fn upcoming(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<Vec<Reminder>, DbErr> {
    Ok(tv_reminder::Entity::find()
        .filter(tv_reminder::Column::AccountId.eq(account_id))
        .filter(tv_reminder::Column::StartsAt.gt(now))
        .order_by_asc(tv_reminder::Column::StartsAt)
        .order_by_asc(tv_reminder::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(reminder)
        .collect())
}

/// One reminder of the account.
pub async fn find(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<Reminder>, DbErr> {
    Ok(tv_reminder::Entity::find_by_id(id)
        .filter(tv_reminder::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .map(reminder))
}
