//! Technician visits: within a ticket, the subscriber asks for a technician
//! and names the 2-hour windows that suit them (of the next 5 working days);
//! an operator schedules one of those windows if it has a free seat (each
//! window takes `capacity` visits: a seat number unique with the window, so
//! concurrent scheduling can never overfill it); the subscriber may cancel
//! until 2 hours before.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use entity::technician_visit::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};

pub use entity::technician_visit::VisitStatus;

use super::tickets::{self, TicketStatus};
use crate::time::{MOSCOW, moscow_date};

/// Window starts, Moscow time: 9–11, 11–13, …, 19–21.
const WINDOW_HOURS: [u32; 6] = [9, 11, 13, 15, 17, 19];
/// How long a window is.
pub const WINDOW: Duration = Duration::hours(2);
/// Working days offered ahead.
const DAYS_AHEAD: usize = 5;
/// How late a scheduled visit may still be cancelled.
pub const CANCEL_UNTIL: Duration = Duration::hours(2);
/// The most windows a subscriber may prefer.
pub const MAX_PREFERRED: usize = 5;
/// The longest reason.
pub const MAX_REASON: usize = 500;

/// A visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// Internal id.
    pub id: i64,
    /// The ticket it belongs to.
    pub ticket_id: i64,
    /// Whose.
    pub account_id: i64,
    /// What for.
    pub reason: String,
    /// The windows the subscriber prefers (their starts).
    pub preferred: Vec<DateTime<Utc>>,
    /// Where it stands.
    pub status: VisitStatus,
    /// The scheduled window's start.
    pub slot_start: Option<DateTime<Utc>>,
    /// Asked for.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn from_row(row: technician_visit::Model) -> Visit {
    Visit {
        id: row.id,
        ticket_id: row.ticket_id,
        account_id: row.account_id,
        reason: row.reason,
        preferred: row
            .preferred_windows
            .split(',')
            .filter_map(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .collect(),
        status: row.status,
        slot_start: row.slot_start,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Why a visit operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// No such ticket or visit (or someone else's).
    #[error("not found")]
    NotFound,
    /// The ticket is resolved or closed.
    #[error("ticket closed")]
    TicketClosed,
    /// The ticket has a visit requested or scheduled already.
    #[error("a visit is already asked for")]
    AlreadyActive,
    /// No windows, too many, or one that is not offered.
    #[error("bad windows")]
    BadWindows,
    /// An empty or too long reason.
    #[error("bad reason")]
    BadReason,
    /// The window is not one the subscriber preferred.
    #[error("not a preferred window")]
    NotPreferred,
    /// Every seat of the window is taken.
    #[error("window full")]
    WindowFull,
    /// Less than 2 hours before the visit.
    #[error("too late to cancel")]
    TooLate,
    /// Done or cancelled already.
    #[error("visit is over")]
    Over,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A window with its free seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Seats not taken.
    pub free: i32,
}

fn window_start(day: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
    MOSCOW
        .from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// The window starts of the next 5 working days after today (Moscow).
pub fn offered_windows(now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut day = moscow_date(now);
    let mut days = Vec::new();
    while days.len() < DAYS_AHEAD {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(day);
        }
    }
    days.into_iter()
        .flat_map(|d| WINDOW_HOURS.iter().filter_map(move |h| window_start(d, *h)))
        .collect()
}

/// The offered windows with their free seats.
pub async fn slots(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    capacity: i32,
) -> Result<Vec<Slot>, DbErr> {
    let windows = offered_windows(now);
    let (Some(first), Some(last)) = (windows.first().copied(), windows.last().copied()) else {
        return Ok(Vec::new());
    };
    let taken = technician_visit::Entity::find()
        .filter(Column::Status.eq(VisitStatus::Scheduled))
        .filter(Column::SlotStart.gte(first))
        .filter(Column::SlotStart.lte(last))
        .all(db)
        .await?;
    Ok(windows
        .into_iter()
        .map(|start| {
            let used = taken.iter().filter(|v| v.slot_start == Some(start)).count();
            Slot {
                start,
                end: start + WINDOW,
                free: (capacity - i32::try_from(used).unwrap_or(i32::MAX)).max(0),
            }
        })
        .collect())
}

/// The subscriber asks for a technician within their open ticket.
pub async fn request(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    ticket_id: i64,
    reason: &str,
    preferred: &[DateTime<Utc>],
) -> Result<Visit, VisitError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(VisitError::BadReason);
    }
    let offered = offered_windows(now);
    let mut windows: Vec<DateTime<Utc>> = preferred.to_vec();
    windows.sort();
    windows.dedup();
    if windows.is_empty()
        || windows.len() > MAX_PREFERRED
        || windows.iter().any(|w| !offered.contains(w))
    {
        return Err(VisitError::BadWindows);
    }
    let ticket = tickets::find_own(db, account_id, ticket_id)
        .await?
        .ok_or(VisitError::NotFound)?;
    if matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(VisitError::TicketClosed);
    }
    let tx = crate::db::begin_write(db).await?;
    let active = technician_visit::Entity::find()
        .filter(Column::TicketId.eq(ticket_id))
        .filter(Column::Status.is_in([VisitStatus::Requested, VisitStatus::Scheduled]))
        .one(&tx)
        .await?;
    if active.is_some() {
        return Err(VisitError::AlreadyActive);
    }
    let row = technician_visit::ActiveModel {
        ticket_id: Set(ticket_id),
        account_id: Set(account_id),
        reason: Set(reason.to_owned()),
        preferred_windows: Set(windows
            .iter()
            .map(|w| w.to_rfc3339())
            .collect::<Vec<_>>()
            .join(",")),
        status: Set(VisitStatus::Requested),
        slot_start: Set(None),
        seat: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let visit = from_row(
        technician_visit::Entity::insert(row)
            .exec_with_returning(&tx)
            .await?,
    );
    tx.commit().await?;
    Ok(visit)
}

/// A visit by id (staff) .
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Visit>, DbErr> {
    Ok(technician_visit::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(from_row))
}

/// The latest visit of each of these tickets.
pub async fn latest_of_tickets(
    db: &impl ConnectionTrait,
    ticket_ids: &[i64],
) -> Result<Vec<Visit>, DbErr> {
    let rows = technician_visit::Entity::find()
        .filter(Column::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.ticket_id))
        .map(from_row)
        .collect())
}

/// An operator schedules a visit in one of its preferred windows, taking a
/// free seat (each attempt is one conditional update; a seat another
/// scheduling took makes the unique index refuse it, and the next is tried).
pub async fn schedule(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    visit_id: i64,
    window: DateTime<Utc>,
    capacity: i32,
) -> Result<Visit, VisitError> {
    let visit = find(db, visit_id).await?.ok_or(VisitError::NotFound)?;
    if matches!(visit.status, VisitStatus::Done | VisitStatus::Canceled) {
        return Err(VisitError::Over);
    }
    if !visit.preferred.contains(&window) {
        return Err(VisitError::NotPreferred);
    }
    for seat in 1..=capacity.max(1) {
        let taken = technician_visit::Entity::update_many()
            .col_expr(
                Column::Status,
                sea_orm::sea_query::Expr::value(VisitStatus::Scheduled),
            )
            .col_expr(Column::SlotStart, sea_orm::sea_query::Expr::value(window))
            .col_expr(Column::Seat, sea_orm::sea_query::Expr::value(seat))
            .col_expr(Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(Column::Id.eq(visit.id))
            .filter(Column::Status.is_in([VisitStatus::Requested, VisitStatus::Scheduled]))
            .exec(db)
            .await;
        match taken {
            Ok(done) if done.rows_affected == 1 => {
                let after = find(db, visit.id).await?.ok_or(VisitError::NotFound)?;
                let text = format!(
                    "техник придёт {} (обращение №{}).",
                    crate::time::moscow_text(window),
                    visit.ticket_id
                );
                tickets::tell_subscriber(db, now, visit.account_id, text).await?;
                return Ok(after);
            }
            Ok(_) => return Err(VisitError::Over),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                continue;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(VisitError::WindowFull)
}

/// The subscriber cancels their visit, until 2 hours before it.
pub async fn cancel(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    visit_id: i64,
) -> Result<Visit, VisitError> {
    let visit = find(db, visit_id)
        .await?
        .filter(|v| v.account_id == account_id)
        .ok_or(VisitError::NotFound)?;
    if matches!(visit.status, VisitStatus::Done | VisitStatus::Canceled) {
        return Err(VisitError::Over);
    }
    if let Some(start) = visit.slot_start
        && visit.status == VisitStatus::Scheduled
        && start - now < CANCEL_UNTIL
    {
        return Err(VisitError::TooLate);
    }
    // The seat is given back; the window stays on record.
    let done = technician_visit::Entity::update_many()
        .col_expr(
            Column::Status,
            sea_orm::sea_query::Expr::value(VisitStatus::Canceled),
        )
        .col_expr(Column::Seat, sea_orm::sea_query::Expr::value(None::<i32>))
        .col_expr(Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(Column::Id.eq(visit.id))
        .filter(Column::Status.eq(visit.status))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(VisitError::Over);
    }
    find(db, visit.id).await?.ok_or(VisitError::NotFound)
}
