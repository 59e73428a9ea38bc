//! Taking a batch of session reports from the network: every report is
//! checked first and a bad one refuses the whole batch (with its index); a
//! good batch is written in one transaction, each session upserted by its
//! session id (a repeated report changes nothing, an interim one updates the
//! figures), and each device new on its account told to the subscriber once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::internet_session::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, sea_query::OnConflict,
};

use super::devices::{self, Sighting};
use super::record::{Problem, RawReport, Report};
use crate::notifications::inbox::NotificationKind;
use crate::notifications::tell::{self, Message, SmsTopic};

/// The most reports one batch may hold.
pub const MAX_BATCH: usize = 1000;
/// Rows per insert statement (well under both databases' parameter limits).
const ROWS_PER_STATEMENT: usize = 200;

/// Why a batch was refused; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// More than [`MAX_BATCH`] reports.
    #[error("a batch holds at most {MAX_BATCH} reports; this one holds {0}")]
    TooLarge(usize),
    /// One report is bad.
    #[error("report {index}: {problem}")]
    Bad {
        /// Its position in the batch, from 0.
        index: usize,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Reports in the batch.
    pub accepted: usize,
    /// Sessions not known before.
    pub created: usize,
    /// Sessions known before (a repeat or an interim report).
    pub updated: usize,
    /// Devices new on their account (each told once).
    pub new_devices: usize,
    /// Whether an SMS was queued (to wake its worker).
    pub sms_queued: bool,
}

/// Checks every report of a batch (parsed JSON values) against `now`.
pub fn check(
    values: Vec<serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<Vec<Report>, IngestError> {
    if values.len() > MAX_BATCH {
        return Err(IngestError::TooLarge(values.len()));
    }
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value::<RawReport>(value)
                .map_err(|e| Problem::Shape(e.to_string()))
                .and_then(|raw| raw.check(now))
                .map_err(|problem| IngestError::Bad { index, problem })
        })
        .collect()
}

/// A report with its account, ready to write.
struct Resolved<'a> {
    account_id: i64,
    report: &'a Report,
}

/// Writes a checked batch.
pub async fn ingest(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    reports: &[Report],
) -> Result<Outcome, IngestError> {
    let tx = crate::db::begin_write(db).await?;
    let (resolved, known) = resolve(&tx, reports).await?;
    for chunk in resolved.chunks(ROWS_PER_STATEMENT) {
        upsert(&tx, now, chunk).await?;
    }
    let sightings = devices::sightings(resolved.iter().map(|r| {
        (
            r.account_id,
            r.report.figures.mac.as_str(),
            r.report.figures.start,
            r.report.figures.end,
            r.report.figures.ip.as_str(),
        )
    }));
    let new_devices = devices::record(&tx, sightings).await?;
    let mut sms_queued = false;
    for device in &new_devices {
        sms_queued |= tell_new_device(&tx, now, device).await?;
    }
    tx.commit().await?;
    let created = resolved
        .iter()
        .filter(|r| !known.contains(&r.report.session_id))
        .count();
    Ok(Outcome {
        accepted: reports.len(),
        created,
        updated: resolved.len() - created,
        new_devices: new_devices.len(),
        sms_queued,
    })
}

/// Finds each report's account and refuses reports that contradict the
/// stored sessions or each other; a session id repeated in the batch keeps
/// its last report. Also returns the session ids already stored.
async fn resolve<'a>(
    tx: &impl ConnectionTrait,
    reports: &'a [Report],
) -> Result<(Vec<Resolved<'a>>, HashSet<String>), IngestError> {
    let numbers: Vec<&str> = reports.iter().map(|r| r.account_number.as_str()).collect();
    let accounts = crate::accounts::ids_by_number(tx, &numbers).await?;
    let owners: HashMap<String, i64> = if reports.is_empty() {
        HashMap::new()
    } else {
        internet_session::Entity::find()
            .filter(Column::SessionId.is_in(reports.iter().map(|r| r.session_id.clone())))
            .select_only()
            .columns([Column::SessionId, Column::AccountId])
            .into_tuple::<(String, i64)>()
            .all(tx)
            .await?
            .into_iter()
            .collect()
    };
    let mut last_of: HashMap<&str, (usize, i64)> = HashMap::new();
    for (index, report) in reports.iter().enumerate() {
        let bad = |problem| IngestError::Bad { index, problem };
        let account_id = *accounts
            .get(&report.account_number)
            .ok_or_else(|| bad(Problem::UnknownAccount))?;
        if owners
            .get(&report.session_id)
            .is_some_and(|owner| *owner != account_id)
        {
            return Err(bad(Problem::OtherAccount));
        }
        if let Some((_, earlier)) = last_of.insert(&report.session_id, (index, account_id))
            && earlier != account_id
        {
            return Err(bad(Problem::Conflicting));
        }
    }
    let mut kept: Vec<(usize, i64)> = last_of.into_values().collect();
    kept.sort_unstable();
    let resolved = kept
        .into_iter()
        .map(|(index, account_id)| Resolved {
            account_id,
            report: &reports[index],
        })
        .collect();
    Ok((resolved, owners.into_keys().collect()))
}

async fn upsert(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    chunk: &[Resolved<'_>],
) -> Result<(), DbErr> {
    if chunk.is_empty() {
        return Ok(());
    }
    let rows = chunk.iter().map(|r| internet_session::ActiveModel {
        session_id: Set(r.report.session_id.clone()),
        account_id: Set(r.account_id),
        started_at: Set(r.report.figures.start),
        ended_at: Set(r.report.figures.end),
        ip: Set(r.report.figures.ip.clone()),
        mac: Set(r.report.figures.mac.clone()),
        bytes_in: Set(r.report.figures.bytes_in),
        bytes_out: Set(r.report.figures.bytes_out),
        avg_rate_kbps: Set(r.report.figures.avg_rate_kbps),
        peak_rate_kbps: Set(r.report.figures.peak_rate_kbps),
        reported_at: Set(now),
        ..Default::default()
    });
    internet_session::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(Column::SessionId)
                .update_columns([
                    Column::StartedAt,
                    Column::EndedAt,
                    Column::Ip,
                    Column::Mac,
                    Column::BytesIn,
                    Column::BytesOut,
                    Column::AvgRateKbps,
                    Column::PeakRateKbps,
                    Column::ReportedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// Tells the subscriber a device new on the account used their internet.
async fn tell_new_device(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    device: &Sighting,
) -> Result<bool, DbErr> {
    let text = format!(
        "{} к вашему интернету подключилось устройство {} (IP {}), которого не было \
         последние 90 дней. Если оно не ваше, смените пароль Wi-Fi и сообщите нам.",
        crate::time::moscow_text(device.first),
        device.mac,
        device.ip,
    );
    tell::tell_in(
        tx,
        now,
        device.account_id,
        Message {
            kind: NotificationKind::NewDevice,
            title: "Новое устройство в вашей сети",
            text: &text,
            sms: SmsTopic::Security,
        },
    )
    .await
}
