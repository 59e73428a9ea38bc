//! Staff news: written once, told to every subscriber in the personal
//! account and by SMS to those with news SMS on, in batches through the
//! outbox. Each batch moves the news' `done_through` mark with a conditional
//! update in the batch's transaction, so replicas sharing the work tell each
//! account once.

use chrono::{DateTime, Utc};
use entity::news;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait};

use super::inbox::{self, NotificationKind};
use crate::db::statement;

/// Accounts told per batch.
pub const BATCH: i64 = 500;
/// The longest title.
pub const MAX_TITLE: usize = 200;
/// The longest text (an SMS carries the title and the start of it).
pub const MAX_BODY: usize = 1000;

/// A piece of news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    /// Internal id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Accounts told so far.
    pub recipients: i64,
    /// SMS stored so far.
    pub sms_queued: i64,
    /// When every account had been told.
    pub finished_at: Option<DateTime<Utc>>,
}

fn from_row(row: news::Model) -> News {
    News {
        id: row.id,
        title: row.title,
        body: row.body,
        created_at: row.created_at,
        recipients: row.recipients,
        sms_queued: row.sms_queued,
        finished_at: row.finished_at,
    }
}

/// Why news was refused.
#[derive(Debug, thiserror::Error)]
pub enum NewsError {
    /// An empty title or text.
    #[error("{0} required")]
    Required(&'static str),
    /// Too long.
    #[error("{0} too long")]
    TooLong(&'static str),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Writes news for broadcasting (the worker sends it).
pub async fn publish(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    staff_credential_id: i64,
    title: &str,
    body: &str,
) -> Result<News, NewsError> {
    let (title, body) = (title.trim(), body.trim());
    if title.is_empty() {
        return Err(NewsError::Required("title"));
    }
    if body.is_empty() {
        return Err(NewsError::Required("text"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(NewsError::TooLong("title"));
    }
    if body.chars().count() > MAX_BODY {
        return Err(NewsError::TooLong("text"));
    }
    let row = news::Entity::insert(news::ActiveModel {
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        staff_credential_id: Set(staff_credential_id),
        done_through: Set(0),
        recipients: Set(0),
        sms_queued: Set(0),
        finished_at: Set(None),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    Ok(from_row(row))
}

/// News by id.
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<News>, DbErr> {
    Ok(news::Entity::find_by_id(id).one(db).await?.map(from_row))
}

fn sms_text(title: &str, body: &str) -> String {
    let mut text = format!("Kabinet: {title}. {body}");
    if text.chars().count() > 300 {
        text = text.chars().take(299).collect::<String>() + "…";
    }
    text
}

/// Tells the next batch of accounts about the oldest unfinished news.
/// Returns how many accounts were told (0: nothing to do).
pub async fn send_batch(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let pending = db
        .query_one_raw(statement(
            db,
            "SELECT id, title, body, done_through FROM news WHERE finished_at IS NULL ORDER BY id LIMIT 1",
            vec![],
        ))
        .await?;
    let Some(pending) = pending else { return Ok(0) };
    let id: i64 = pending.try_get("", "id")?;
    let title: String = pending.try_get("", "title")?;
    let body: String = pending.try_get("", "body")?;
    let from: i64 = pending.try_get("", "done_through")?;
    let tx = crate::db::begin_write(db).await?;
    let rows = tx
        .query_all_raw(statement(
            &tx,
            "SELECT a.id, a.phone, a.email, COALESCE(n.sms_news, FALSE) AS sms_news, \
             COALESCE(n.email, FALSE) AS wants_email FROM account a \
             LEFT JOIN notification_settings n ON n.account_id = a.id \
             WHERE a.id > $1 AND a.status <> 'closed' ORDER BY a.id LIMIT $2",
            vec![from.into(), BATCH.into()],
        ))
        .await?;
    let through = match rows.last() {
        Some(row) => row.try_get::<i64>("", "id")?,
        None => from,
    };
    // The claim: only the run that moves the mark from `from` tells this batch.
    let finished: Option<DateTime<Utc>> = (rows.len() < BATCH as usize).then_some(now);
    let claimed = tx
        .execute_raw(statement(
            &tx,
            "UPDATE news SET done_through = $1, recipients = recipients + $2, finished_at = $3 \
             WHERE id = $4 AND done_through = $5",
            vec![
                through.into(),
                (rows.len() as i64).into(),
                finished.into(),
                id.into(),
                from.into(),
            ],
        ))
        .await?;
    if claimed.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(0);
    }
    let sms = sms_text(&title, &body);
    let mut queued = 0i64;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let account_id: i64 = row.try_get("", "id")?;
        ids.push(account_id);
        if row.try_get::<bool>("", "wants_email")?
            && let Some(address) = row.try_get::<Option<String>>("", "email")?
        {
            crate::email::enqueue(&tx, now, &address, &title, &body).await?;
        }
        if row.try_get::<bool>("", "sms_news")? {
            let phone: String = row.try_get("", "phone")?;
            if let Ok(phone) = crate::accounts::Phone::parse(&phone) {
                crate::sms::enqueue(&tx, now, &phone, sms.clone()).await?;
                queued += 1;
            }
        }
    }
    inbox::add_many_in(&tx, now, &ids, NotificationKind::News, &title, &body).await?;
    tx.execute_raw(statement(
        &tx,
        "UPDATE news SET sms_queued = sms_queued + $1 WHERE id = $2",
        vec![queued.into(), id.into()],
    ))
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}
