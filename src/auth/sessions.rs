//! Login sessions: created at sign-in, found by the hash of their token,
//! ended by logout, revocation, a password change or expiry (by the clock).

use chrono::{DateTime, Duration, Utc};
use entity::{account, credential, login_session};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Role;
use super::token;

/// How often `last_seen_at` is written at most, per session.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Where a request comes from, as recorded on its session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// Client address.
    pub ip: Option<String>,
    /// `User-Agent`, shortened.
    pub user_agent: Option<String>,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Internal id.
    pub id: i64,
    /// The credential that signed in.
    pub credential_id: i64,
    /// Subscriber or staff.
    pub role: Role,
    /// The subscriber's account.
    pub account_id: Option<i64>,
    /// Device, from `User-Agent`.
    pub user_agent: Option<String>,
    /// Client address at sign-in.
    pub ip_address: Option<String>,
    /// Sign-in time.
    pub created_at: DateTime<Utc>,
    /// Last request (to the minute).
    pub last_seen_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

fn to_session(row: login_session::Model, credential: &credential::Model) -> Session {
    Session {
        id: row.id,
        credential_id: row.credential_id,
        role: credential.role,
        account_id: credential.account_id,
        user_agent: row.user_agent,
        ip_address: row.ip_address,
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        expires_at: row.expires_at,
    }
}

fn live(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(login_session::Column::RevokedAt.is_null())
        .add(login_session::Column::ExpiresAt.gt(now))
}

/// Opens a session for `credential`; returns the token (shown once) and the session.
pub(crate) async fn create(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    credential: &credential::Model,
    ttl: Duration,
    client: &ClientInfo,
) -> Result<(String, Session), DbErr> {
    let (raw, hash) = token::generate();
    let row = login_session::ActiveModel {
        token_hash: Set(hash),
        credential_id: Set(credential.id),
        user_agent: Set(client.user_agent.clone()),
        ip_address: Set(client.ip.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ttl),
        revoked_at: Set(None),
        ..Default::default()
    };
    let row = login_session::Entity::insert(row)
        .exec_with_returning(db)
        .await?;
    Ok((raw, to_session(row, credential)))
}

/// The live session of `raw_token`, if any; notes that it was seen.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    raw_token: &str,
) -> Result<Option<Session>, DbErr> {
    Ok(authenticate_with_account(db, now, raw_token)
        .await?
        .map(|(session, _)| session))
}

/// The live session of `raw_token` and, for a subscriber, their account as it
/// is now; notes that the session was seen. One statement: every signed-in
/// request pays for it, and most of them go on to read the account.
pub async fn authenticate_with_account(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    raw_token: &str,
) -> Result<Option<(Session, Option<crate::accounts::Account>)>, DbErr> {
    let found = login_session::Entity::find()
        .join(
            JoinType::InnerJoin,
            login_session::Entity::belongs_to(credential::Entity)
                .from(login_session::Column::CredentialId)
                .to(credential::Column::Id)
                .into(),
        )
        .select_also(credential::Entity)
        .find_also(credential::Entity, account::Entity)
        .filter(login_session::Column::TokenHash.eq(token::hash(raw_token)))
        .filter(live(now))
        .one(db)
        .await?;
    let Some((row, Some(credential), account)) = found else {
        return Ok(None);
    };
    if now - row.last_seen_at >= TOUCH_EVERY {
        login_session::Entity::update_many()
            .col_expr(login_session::Column::LastSeenAt, now.into())
            .filter(login_session::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    let mut session = to_session(row, &credential);
    session.last_seen_at = session.last_seen_at.max(now);
    let account = account.map(crate::accounts::from_row).transpose()?;
    Ok(Some((session, account)))
}

/// Live sessions of a credential, newest first.
pub async fn list_for_credential(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    credential_id: i64,
) -> Result<Vec<Session>, DbErr> {
    let Some(credential) = credential::Entity::find_by_id(credential_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(login_session::Entity::find()
        .filter(login_session::Column::CredentialId.eq(credential_id))
        .filter(live(now))
        .order_by_desc(login_session::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| to_session(row, &credential))
        .collect())
}

/// Live sessions of the subscriber credential of `account_id`.
pub async fn list_for_account(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
) -> Result<Vec<Session>, DbErr> {
    match credential::Entity::find()
        .filter(credential::Column::AccountId.eq(account_id))
        .one(db)
        .await?
    {
        Some(credential) => list_for_credential(db, now, credential.id).await,
        None => Ok(Vec::new()),
    }
}

/// Live sessions with these ids (for the node loader; ownership is the caller's check).
pub async fn find_many(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ids: &[i64],
) -> Result<Vec<Session>, DbErr> {
    let rows = login_session::Entity::find()
        .filter(login_session::Column::Id.is_in(ids.iter().copied()))
        .filter(live(now))
        .all(db)
        .await?;
    let credentials = credential::Entity::find()
        .filter(credential::Column::Id.is_in(rows.iter().map(|r| r.credential_id)))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let credential = credentials.iter().find(|c| c.id == row.credential_id)?;
            Some(to_session(row, credential))
        })
        .collect())
}

/// Ends session `session_id` if it belongs to `credential_id`; whether it did.
pub async fn revoke(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    credential_id: i64,
    session_id: i64,
) -> Result<bool, DbErr> {
    let result = login_session::Entity::update_many()
        .col_expr(login_session::Column::RevokedAt, Some(now).into())
        .filter(login_session::Column::Id.eq(session_id))
        .filter(login_session::Column::CredentialId.eq(credential_id))
        .filter(live(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Ends every live session of a credential except `keep`; how many.
pub async fn revoke_all_for_credential(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    credential_id: i64,
    keep: Option<i64>,
) -> Result<u64, DbErr> {
    let mut update = login_session::Entity::update_many()
        .col_expr(login_session::Column::RevokedAt, Some(now).into())
        .filter(login_session::Column::CredentialId.eq(credential_id))
        .filter(live(now));
    if let Some(keep) = keep {
        update = update.filter(login_session::Column::Id.ne(keep));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Whether session `session_id` still works at `now` (not ended, not expired).
pub async fn is_live(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    session_id: i64,
) -> Result<bool, DbErr> {
    Ok(login_session::Entity::find_by_id(session_id)
        .filter(live(now))
        .one(db)
        .await?
        .is_some())
}

/// Sessions ended (logout, revocation, a password change or a credentials
/// request) at or after `since`, on any replica.
pub async fn ended_since(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    use sea_orm::QuerySelect;
    login_session::Entity::find()
        .select_only()
        .column(login_session::Column::Id)
        .filter(login_session::Column::RevokedAt.gte(since))
        .into_tuple()
        .all(db)
        .await
}
