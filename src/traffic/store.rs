//! Reading an account's sessions back.

use chrono::{DateTime, Utc};
use entity::internet_session::{self, Column};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::record::{Figures, MAX_SESSION};
use super::report::Span;
use crate::pagination::{self, Page, PageRequest};

/// One internet session of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Internal id (the list key).
    pub id: i64,
    /// The network's id.
    pub session_id: String,
    /// What it was.
    pub figures: Figures,
}

fn from_row(row: internet_session::Model) -> Session {
    Session {
        id: row.id,
        session_id: row.session_id,
        figures: Figures {
            start: row.started_at,
            end: row.ended_at,
            ip: row.ip,
            mac: row.mac,
            bytes_in: row.bytes_in,
            bytes_out: row.bytes_out,
            avg_rate_kbps: row.avg_rate_kbps,
            peak_rate_kbps: row.peak_rate_kbps,
        },
    }
}

/// Sessions of the account open some time in `[from, to)`. A session lasts at
/// most [`MAX_SESSION`], so the start bound keeps the scan on the index.
fn overlapping(
    account_id: i64,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sea_orm::Select<internet_session::Entity> {
    let mut select = internet_session::Entity::find().filter(Column::AccountId.eq(account_id));
    if let Some(from) = from {
        select = select
            .filter(Column::EndedAt.gte(from))
            .filter(Column::StartedAt.gte(from - MAX_SESSION));
    }
    if let Some(to) = to {
        select = select.filter(Column::StartedAt.lt(to));
    }
    select
}

/// A page of the account's sessions open some time in `[from, to)`, in the
/// order they were first reported, newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    account_id: i64,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    request: &PageRequest,
) -> Result<Page<Session>, DbErr> {
    Ok(pagination::fetch(
        db,
        overlapping(account_id, from, to),
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// Start, end, bytes in and out, average and peak rate.
type SpanRow = (DateTime<Utc>, DateTime<Utc>, i64, i64, i64, i64);

/// What the daily reports need of the sessions open in `[from, to)`.
pub async fn spans(
    db: &impl ConnectionTrait,
    account_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Span>, DbErr> {
    let rows: Vec<SpanRow> = overlapping(account_id, Some(from), Some(to))
        .select_only()
        .columns([
            Column::StartedAt,
            Column::EndedAt,
            Column::BytesIn,
            Column::BytesOut,
            Column::AvgRateKbps,
            Column::PeakRateKbps,
        ])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(start, end, bytes_in, bytes_out, avg_rate_kbps, peak_rate_kbps)| Span {
                start,
                end,
                bytes_in,
                bytes_out,
                avg_rate_kbps,
                peak_rate_kbps,
            },
        )
        .collect())
}
