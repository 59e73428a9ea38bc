//! Support tickets: a subscriber opens one with a category, a subject and a
//! first message, follows its thread and status (new → in progress → waiting
//! for the subscriber → resolved → closed), closes it or reopens it within 7
//! days; operators reply, move it only along the allowed transitions and
//! assign it. Each change an operator makes is told to the subscriber by SMS
//! (through the outbox, in the change's transaction) when they want it.

use chrono::{DateTime, Duration, Utc};
use entity::ticket::{self, Column};
use entity::ticket_message;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

pub use entity::ticket::{TicketCategory, TicketStatus};

use crate::pagination::{self, Page, PageRequest};
use crate::ratelimit::{self, Limit, RateLimitError};

/// Tickets one account may open.
const TICKETS_PER_ACCOUNT: Limit = Limit {
    name: "ticket_create",
    max: 5,
    window: Duration::hours(1),
};

/// Messages one account may write.
const MESSAGES_PER_ACCOUNT: Limit = Limit {
    name: "ticket_message",
    max: 30,
    window: Duration::hours(1),
};

/// How long after resolving or closing a subscriber may reopen a ticket.
pub const REOPEN_WITHIN: Duration = Duration::days(7);
/// The longest subject.
pub const MAX_SUBJECT: usize = 200;
/// The longest message.
pub const MAX_TEXT: usize = 4000;

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Internal id; also the number people quote.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// What about.
    pub category: TicketCategory,
    /// Subject.
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// The operator handling it.
    pub assignee_credential_id: Option<i64>,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The first operator reply.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Last closed.
    pub closed_at: Option<DateTime<Utc>>,
}

pub(super) fn from_row(row: ticket::Model) -> Ticket {
    Ticket {
        id: row.id,
        account_id: row.account_id,
        category: row.category,
        subject: row.subject,
        status: row.status,
        assignee_credential_id: row.assignee_credential_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        first_response_at: row.first_response_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
    }
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Internal id (the thread's order).
    pub id: i64,
    /// The ticket.
    pub ticket_id: i64,
    /// Written by an operator.
    pub from_staff: bool,
    /// The text.
    pub text: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

fn message_from_row(row: ticket_message::Model) -> Message {
    Message {
        id: row.id,
        ticket_id: row.ticket_id,
        from_staff: row.from_staff,
        text: row.text,
        created_at: row.created_at,
    }
}

/// Why a ticket operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// An empty subject.
    #[error("subject required")]
    SubjectRequired,
    /// A subject over [`MAX_SUBJECT`].
    #[error("subject too long")]
    SubjectTooLong,
    /// An empty message.
    #[error("text required")]
    TextRequired,
    /// A message over [`MAX_TEXT`].
    #[error("text too long")]
    TextTooLong,
    /// No such ticket (or someone else's).
    #[error("no such ticket")]
    NotFound,
    /// Resolved or closed: reopen it first.
    #[error("ticket is closed")]
    Closed,
    /// The status cannot go there from where it is.
    #[error("cannot go from {from:?} to {to:?}")]
    Transition {
        /// Where it is.
        from: TicketStatus,
        /// Where it was asked to go.
        to: TicketStatus,
    },
    /// Resolved or closed more than 7 days ago.
    #[error("too late to reopen")]
    ReopenExpired,
    /// Too many tickets or messages.
    #[error("rate limited")]
    RateLimited {
        /// When another will be accepted.
        retry_at: DateTime<Utc>,
    },
    /// No operator with that login.
    #[error("no such operator")]
    NoOperator,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<RateLimitError> for TicketError {
    fn from(err: RateLimitError) -> Self {
        match err {
            RateLimitError::Limited { retry_at } => TicketError::RateLimited { retry_at },
            RateLimitError::Db(e) => TicketError::Db(e),
        }
    }
}

/// Whether an operator may move a ticket from `from` to `to`.
pub fn staff_may_move(from: TicketStatus, to: TicketStatus) -> bool {
    use TicketStatus as S;
    matches!(
        (from, to),
        (S::New, S::InProgress)
            | (S::InProgress, S::WaitingForSubscriber)
            | (S::WaitingForSubscriber, S::InProgress)
            | (
                S::New | S::InProgress | S::WaitingForSubscriber,
                S::Resolved
            )
            | (S::Resolved, S::InProgress)
            | (S::Resolved, S::Closed)
    )
}

fn checked_text(text: &str) -> Result<String, TicketError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TicketError::TextRequired);
    }
    if text.chars().count() > MAX_TEXT {
        return Err(TicketError::TextTooLong);
    }
    Ok(text.to_owned())
}

async fn insert_message(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ticket_id: i64,
    staff: Option<i64>,
    text: String,
) -> Result<Message, DbErr> {
    let row = ticket_message::ActiveModel {
        ticket_id: Set(ticket_id),
        from_staff: Set(staff.is_some()),
        staff_credential_id: Set(staff),
        text: Set(text),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(message_from_row(
        ticket_message::Entity::insert(row)
            .exec_with_returning(db)
            .await?,
    ))
}

/// Opens a ticket with its first message.
pub async fn create(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    category: TicketCategory,
    subject: &str,
    text: &str,
) -> Result<Ticket, TicketError> {
    let subject = subject.trim();
    if subject.is_empty() {
        return Err(TicketError::SubjectRequired);
    }
    if subject.chars().count() > MAX_SUBJECT {
        return Err(TicketError::SubjectTooLong);
    }
    let text = checked_text(text)?;
    ratelimit::hit(db, now, &TICKETS_PER_ACCOUNT, &account_id.to_string()).await?;
    let tx = crate::db::begin_write(db).await?;
    let row = ticket::ActiveModel {
        account_id: Set(account_id),
        category: Set(category),
        subject: Set(subject.to_owned()),
        status: Set(TicketStatus::New),
        assignee_credential_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        first_response_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        ..Default::default()
    };
    let ticket = from_row(ticket::Entity::insert(row).exec_with_returning(&tx).await?);
    insert_message(&tx, now, ticket.id, None, text).await?;
    tx.commit().await?;
    Ok(ticket)
}

/// A ticket by id, for anyone (staff).
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Ticket>, DbErr> {
    Ok(ticket::Entity::find_by_id(id).one(db).await?.map(from_row))
}

/// Tickets by id (for loaders; ownership is the caller's).
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Ticket>, DbErr> {
    Ok(ticket::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The account's own ticket.
pub async fn find_own(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<Ticket>, DbErr> {
    Ok(find(db, id).await?.filter(|t| t.account_id == account_id))
}

/// Moves a ticket from `from` to `to` if it is still at `from` (a concurrent
/// change wins), with the time stamps that go with the new status.
async fn move_status(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ticket: &Ticket,
    to: TicketStatus,
) -> Result<(), TicketError> {
    use sea_orm::sea_query::Expr;
    let mut update = ticket::Entity::update_many()
        .col_expr(Column::Status, Expr::value(to))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    match to {
        TicketStatus::Resolved => update = update.col_expr(Column::ResolvedAt, Expr::value(now)),
        TicketStatus::Closed => update = update.col_expr(Column::ClosedAt, Expr::value(now)),
        _ => {}
    }
    let moved = update
        .filter(Column::Id.eq(ticket.id))
        .filter(Column::Status.eq(ticket.status))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        return Err(TicketError::Transition {
            from: ticket.status,
            to,
        });
    }
    Ok(())
}

/// What a change did, for the events and SMS that tell the subscriber.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The ticket as it is now.
    pub ticket: Ticket,
    /// The message written, if one was.
    pub message: Option<Message>,
}

async fn reread(db: &impl ConnectionTrait, id: i64) -> Result<Ticket, TicketError> {
    find(db, id).await?.ok_or(TicketError::NotFound)
}

/// The subscriber writes to their ticket; one waiting for them goes back to
/// support. Resolved or closed tickets take no messages until reopened.
pub async fn add_message(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    ticket_id: i64,
    text: &str,
) -> Result<Changed, TicketError> {
    let text = checked_text(text)?;
    let ticket = find_own(db, account_id, ticket_id)
        .await?
        .ok_or(TicketError::NotFound)?;
    if matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(TicketError::Closed);
    }
    ratelimit::hit(db, now, &MESSAGES_PER_ACCOUNT, &account_id.to_string()).await?;
    let tx = crate::db::begin_write(db).await?;
    if ticket.status == TicketStatus::WaitingForSubscriber {
        move_status(&tx, now, &ticket, TicketStatus::InProgress).await?;
    } else {
        touch(&tx, now, ticket.id).await?;
    }
    let message = insert_message(&tx, now, ticket.id, None, text).await?;
    let ticket = reread(&tx, ticket.id).await?;
    tx.commit().await?;
    Ok(Changed {
        ticket,
        message: Some(message),
    })
}

async fn touch(db: &impl ConnectionTrait, now: DateTime<Utc>, id: i64) -> Result<(), DbErr> {
    ticket::Entity::update_many()
        .col_expr(Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The subscriber closes their ticket (from any status but closed).
pub async fn close(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    ticket_id: i64,
) -> Result<Ticket, TicketError> {
    let ticket = find_own(db, account_id, ticket_id)
        .await?
        .ok_or(TicketError::NotFound)?;
    if ticket.status == TicketStatus::Closed {
        return Err(TicketError::Transition {
            from: ticket.status,
            to: TicketStatus::Closed,
        });
    }
    move_status(db, now, &ticket, TicketStatus::Closed).await?;
    reread(db, ticket.id).await
}

/// The subscriber reopens a resolved or closed ticket, within 7 days of it.
pub async fn reopen(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    ticket_id: i64,
) -> Result<Ticket, TicketError> {
    let ticket = find_own(db, account_id, ticket_id)
        .await?
        .ok_or(TicketError::NotFound)?;
    let ended = match ticket.status {
        TicketStatus::Resolved => ticket.resolved_at,
        TicketStatus::Closed => ticket.closed_at,
        from => {
            return Err(TicketError::Transition {
                from,
                to: TicketStatus::InProgress,
            });
        }
    };
    if ended.is_none_or(|at| now - at > REOPEN_WITHIN) {
        return Err(TicketError::ReopenExpired);
    }
    move_status(db, now, &ticket, TicketStatus::InProgress).await?;
    reread(db, ticket.id).await
}

/// An account's tickets, newest first, optionally of one status.
pub async fn page_of_account(
    db: &impl ConnectionTrait,
    account_id: i64,
    status: Option<TicketStatus>,
    request: &PageRequest,
) -> Result<Page<Ticket>, DbErr> {
    let mut list = ticket::Entity::find().filter(Column::AccountId.eq(account_id));
    if let Some(status) = status {
        list = list.filter(Column::Status.eq(status));
    }
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Descending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// What the staff queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this status.
    pub status: Option<TicketStatus>,
    /// Only this category.
    pub category: Option<TicketCategory>,
    /// Only tickets opened before this instant (older than an age).
    pub opened_before: Option<DateTime<Utc>>,
}

/// The staff queue: oldest first.
pub async fn queue(
    db: &impl ConnectionTrait,
    filter: &QueueFilter,
    request: &PageRequest,
) -> Result<Page<Ticket>, DbErr> {
    let mut list = ticket::Entity::find();
    if let Some(status) = filter.status {
        list = list.filter(Column::Status.eq(status));
    }
    if let Some(category) = filter.category {
        list = list.filter(Column::Category.eq(category));
    }
    if let Some(before) = filter.opened_before {
        list = list.filter(Column::CreatedAt.lt(before));
    }
    Ok(pagination::fetch(
        db,
        list,
        (Column::Id, pagination::Direction::Ascending),
        |row| row.id,
        request,
    )
    .await?
    .map(from_row))
}

/// A ticket's thread, oldest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    request: &PageRequest,
) -> Result<Page<Message>, DbErr> {
    let list =
        ticket_message::Entity::find().filter(ticket_message::Column::TicketId.eq(ticket_id));
    Ok(pagination::fetch(
        db,
        list,
        (ticket_message::Column::Id, pagination::Direction::Ascending),
        |row| row.id,
        request,
    )
    .await?
    .map(message_from_row))
}

/// Tells the subscriber of a change of their ticket or visit (`text`
/// without the "Kabinet:" prefix an SMS gets).
pub(super) async fn tell_subscriber(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    text: String,
) -> Result<bool, DbErr> {
    use crate::notifications::tell::{Message, SmsTopic, tell_in};
    tell_in(
        tx,
        now,
        account_id,
        Message {
            kind: crate::notifications::inbox::NotificationKind::Ticket,
            title: "Обращение в поддержку",
            text: &text,
            sms: SmsTopic::Support,
        },
    )
    .await
}

fn status_words(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "новое",
        TicketStatus::InProgress => "в работе",
        TicketStatus::WaitingForSubscriber => "ждём вашего ответа",
        TicketStatus::Resolved => "решено",
        TicketStatus::Closed => "закрыто",
    }
}

/// An operator replies (and may move the ticket at once; a new ticket goes
/// to "in progress"). The first reply is the first response. The ticket is
/// assigned to the operator if nobody has it.
pub async fn staff_reply(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    staff_credential_id: i64,
    ticket_id: i64,
    text: &str,
    status: Option<TicketStatus>,
) -> Result<Changed, TicketError> {
    let text = checked_text(text)?;
    let ticket = find(db, ticket_id).await?.ok_or(TicketError::NotFound)?;
    if ticket.status == TicketStatus::Closed {
        return Err(TicketError::Closed);
    }
    let to = match status {
        Some(to) if to != ticket.status => Some(to),
        Some(_) => None,
        None if ticket.status == TicketStatus::New => Some(TicketStatus::InProgress),
        None => None,
    };
    if let Some(to) = to
        && !staff_may_move(ticket.status, to)
    {
        return Err(TicketError::Transition {
            from: ticket.status,
            to,
        });
    }
    let tx = crate::db::begin_write(db).await?;
    match to {
        Some(to) => move_status(&tx, now, &ticket, to).await?,
        None => touch(&tx, now, ticket.id).await?,
    }
    use sea_orm::sea_query::Expr;
    ticket::Entity::update_many()
        .col_expr(Column::FirstResponseAt, Expr::value(now))
        .filter(Column::Id.eq(ticket.id))
        .filter(Column::FirstResponseAt.is_null())
        .exec(&tx)
        .await?;
    ticket::Entity::update_many()
        .col_expr(
            Column::AssigneeCredentialId,
            Expr::value(staff_credential_id),
        )
        .filter(Column::Id.eq(ticket.id))
        .filter(Column::AssigneeCredentialId.is_null())
        .exec(&tx)
        .await?;
    let message = insert_message(&tx, now, ticket.id, Some(staff_credential_id), text).await?;
    let after = reread(&tx, ticket.id).await?;
    tell_subscriber(
        &tx,
        now,
        ticket.account_id,
        format!(
            "ответ по обращению №{} («{}»), статус: {}. Прочитайте в личном кабинете.",
            ticket.id,
            short(&ticket.subject),
            status_words(after.status)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Changed {
        ticket: after,
        message: Some(message),
    })
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// An operator moves a ticket along an allowed transition.
pub async fn staff_set_status(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    ticket_id: i64,
    to: TicketStatus,
) -> Result<Changed, TicketError> {
    let ticket = find(db, ticket_id).await?.ok_or(TicketError::NotFound)?;
    if !staff_may_move(ticket.status, to) {
        return Err(TicketError::Transition {
            from: ticket.status,
            to,
        });
    }
    let tx = crate::db::begin_write(db).await?;
    move_status(&tx, now, &ticket, to).await?;
    let after = reread(&tx, ticket.id).await?;
    tell_subscriber(
        &tx,
        now,
        ticket.account_id,
        format!(
            "обращение №{} («{}»): {}.",
            ticket.id,
            short(&ticket.subject),
            status_words(to)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Changed {
        ticket: after,
        message: None,
    })
}

/// An operator assigns a ticket to an operator (by login; themselves when none).
pub async fn assign(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    ticket_id: i64,
    credential_id: i64,
) -> Result<Ticket, TicketError> {
    use sea_orm::sea_query::Expr;
    let done = ticket::Entity::update_many()
        .col_expr(Column::AssigneeCredentialId, Expr::value(credential_id))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(ticket_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(TicketError::NotFound);
    }
    reread(db, ticket_id).await
}
