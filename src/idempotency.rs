//! Idempotent mutations: a client sends a key with a mutation that moves money
//! or points; the first request with that key claims it in the database, in the
//! same transaction as its effect, and stores its result there. Every later
//! request with the same key and input gets that first result and changes
//! nothing; the same key with another input (or for another mutation) is
//! refused. Requests racing with one key wait for the first to commit (the
//! key's primary key makes them), so timing never changes the answer.

use std::future::Future;

use chrono::{DateTime, Utc};
use entity::idempotency_key;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, TransactionTrait,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::statement;

/// Longest key a client may send.
pub const MAX_KEY_LENGTH: usize = 200;

/// A client's idempotency key: 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Why a key is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Longer than [`MAX_KEY_LENGTH`].
    #[error("the key is longer than {MAX_KEY_LENGTH} characters")]
    TooLong,
    /// Holds a control character.
    #[error("the key holds a control character")]
    ControlCharacter,
}

impl IdempotencyKey {
    /// A key as sent; blank means "no key".
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, KeyError> {
        let Some(raw) = raw.map(str::trim).filter(|k| !k.is_empty()) else {
            return Ok(None);
        };
        if raw.chars().count() > MAX_KEY_LENGTH {
            return Err(KeyError::TooLong);
        }
        if raw.chars().any(char::is_control) {
            return Err(KeyError::ControlCharacter);
        }
        Ok(Some(IdempotencyKey(raw.to_owned())))
    }

    /// The key as sent (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One mutation under a key.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// Whose key (keys are per account).
    pub account_id: i64,
    /// The mutation, e.g. `activatePromisedPayment`.
    pub operation: &'static str,
    /// The key.
    pub key: &'a IdempotencyKey,
    /// The mutation's input without the key, to tell a retry from a reuse.
    pub input: serde_json::Value,
}

impl Claim<'_> {
    fn request_hash(&self) -> String {
        let mut bytes = self.operation.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(self.input.to_string().as_bytes());
        crate::digest::sha256_hex(bytes)
    }
}

/// A domain error that an idempotent mutation can remember and replay.
pub trait Replayable: Sized + From<DbErr> {
    /// The refusal's stable code, to store; `None` for a failure of ours,
    /// which is not remembered (the key stays free for a retry).
    fn refusal_code(&self) -> Option<&'static str>;
    /// The refusal stored under `code`.
    fn from_refusal_code(code: &str) -> Option<Self>;
    /// The key was used before with another input.
    fn key_reused() -> Self;
}

/// What is stored under a key: the first result.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
enum Stored<T> {
    Done(T),
    Refused(String),
}

fn stored_error(what: &str) -> DbErr {
    DbErr::Custom(format!("idempotency record unreadable: {what}"))
}

/// Tries to claim the key; `false` when someone else holds it (on PostgreSQL
/// this waits until a concurrent holder commits or rolls back).
async fn claim(
    tx: &DatabaseTransaction,
    now: DateTime<Utc>,
    claim: &Claim<'_>,
) -> Result<bool, DbErr> {
    let row = tx
        .query_one_raw(statement(
            tx,
            "INSERT INTO idempotency_key (account_id, key, operation, request_hash, response, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (account_id, key) DO NOTHING \
             RETURNING account_id",
            vec![
                claim.account_id.into(),
                claim.key.0.clone().into(),
                claim.operation.into(),
                claim.request_hash().into(),
                now.into(),
            ],
        ))
        .await?;
    Ok(row.is_some())
}

async fn replay<T: DeserializeOwned, E: Replayable>(
    db: &impl ConnectionTrait,
    claim: &Claim<'_>,
) -> Result<T, E> {
    let row = idempotency_key::Entity::find_by_id((claim.account_id, claim.key.0.clone()))
        .one(db)
        .await?
        .ok_or_else(|| stored_error("claimed key not found"))?;
    if row.operation != claim.operation || row.request_hash != claim.request_hash() {
        return Err(E::key_reused());
    }
    let response = row
        .response
        .ok_or_else(|| stored_error("no result under a committed key"))?;
    match serde_json::from_str::<Stored<T>>(&response).map_err(|e| stored_error(&e.to_string()))? {
        Stored::Done(value) => Ok(value),
        Stored::Refused(code) => {
            Err(E::from_refusal_code(&code).ok_or_else(|| stored_error("unknown refusal code"))?)
        }
    }
}

async fn remember<T: Serialize>(
    tx: &DatabaseTransaction,
    claim: &Claim<'_>,
    stored: &Stored<T>,
) -> Result<(), DbErr> {
    let json = serde_json::to_string(stored).map_err(|e| stored_error(&e.to_string()))?;
    tx.execute_raw(statement(
        tx,
        "UPDATE idempotency_key SET response = $1 WHERE account_id = $2 AND key = $3",
        vec![
            json.into(),
            claim.account_id.into(),
            claim.key.0.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Runs `work` in one write transaction, at most once per key: with a key
/// already used, returns the first result (or refusal) without running it.
/// A refusal rolls back whatever `work` wrote (a savepoint) and is remembered;
/// a failure of ours rolls back everything, the key included.
pub async fn run<T, E, F, Fut>(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    key: Option<Claim<'_>>,
    work: F,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: Replayable,
    F: FnOnce(DatabaseTransaction) -> Fut,
    Fut: Future<Output = (DatabaseTransaction, Result<T, E>)>,
{
    let tx = crate::db::begin_write(db).await?;
    if let Some(key) = &key
        && !claim(&tx, now, key).await?
    {
        drop(tx);
        return replay(db, key).await;
    }
    let attempt = tx.begin().await?;
    let (attempt, result) = work(attempt).await;
    match &result {
        Ok(value) => {
            attempt.commit().await?;
            if let Some(key) = &key {
                remember(&tx, key, &Stored::Done(value)).await?;
            }
            tx.commit().await?;
        }
        Err(error) => match (error.refusal_code(), &key) {
            (Some(code), Some(key)) => {
                attempt.rollback().await?;
                remember::<T>(&tx, key, &Stored::Refused(code.to_owned())).await?;
                tx.commit().await?;
            }
            _ => {
                // Nothing to remember: dropping both rolls everything back.
            }
        },
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(IdempotencyKey::parse(None), Ok(None));
        assert_eq!(IdempotencyKey::parse(Some("  ")), Ok(None));
        assert!(IdempotencyKey::parse(Some("a")).unwrap().is_some());
        assert_eq!(
            IdempotencyKey::parse(Some(&"к".repeat(201))),
            Err(KeyError::TooLong)
        );
        assert_eq!(
            IdempotencyKey::parse(Some("a\0b")),
            Err(KeyError::ControlCharacter)
        );
    }

    #[test]
    fn the_hash_tells_inputs_and_operations_apart() {
        let key = IdempotencyKey("k".into());
        let a = Claim {
            account_id: 1,
            operation: "a",
            key: &key,
            input: serde_json::json!({"x": 1}),
        };
        let b = Claim {
            input: serde_json::json!({"x": 2}),
            ..a.clone()
        };
        let c = Claim {
            operation: "c",
            ..a.clone()
        };
        assert_ne!(a.request_hash(), b.request_hash());
        assert_ne!(a.request_hash(), c.request_hash());
        assert_eq!(a.request_hash(), a.clone().request_hash());
    }
}
