//! GraphQL face of support tickets and technician visits: the subscriber's
//! `me { tickets }`, `technicianSlots`, the ticket and visit mutations, and the
//! operators' queue, replies, statuses, assignment, scheduling and report.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::node::{GlobalId, NodeKind};
use super::scalars::{Date, DateTime};
use crate::events::{AccountEvent, Events};
use crate::support::tickets::{self, QueueFilter, TicketError};
use crate::support::{report, visits};

/// What a ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "tickets::TicketCategory")]
pub enum TicketCategory {
    /// No connection at all.
    NoConnection,
    /// No picture or sound on TV.
    NoPictureOrSound,
    /// Channels shown wrongly or missing.
    ChannelsWrong,
    /// Internet slower than the tariff's speed.
    LowSpeed,
    /// Help choosing a tariff.
    ChoosingTariff,
    /// Installing or setting up equipment.
    EquipmentInstallation,
    /// Payments, charges, the balance.
    Billing,
    /// Anything else.
    Other,
}

/// Where a ticket stands: NEW → IN_PROGRESS → WAITING_FOR_SUBSCRIBER →
/// RESOLVED → CLOSED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "tickets::TicketStatus")]
pub enum TicketStatus {
    /// Received, not yet taken.
    New,
    /// Support is working on it.
    InProgress,
    /// Support waits for the subscriber's answer.
    WaitingForSubscriber,
    /// Support considers it solved (the subscriber may reopen it within 7 days).
    Resolved,
    /// Closed.
    Closed,
}

/// Where a technician visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "visits::VisitStatus")]
pub enum TechnicianVisitStatus {
    /// Asked for, with preferred windows; support will choose one.
    Requested,
    /// A window is agreed.
    Scheduled,
    /// The technician came.
    Done,
    /// Cancelled.
    Canceled,
}

/// One message of a ticket's thread.
#[derive(Debug, Clone, SimpleObject)]
pub struct TicketMessage {
    /// Written by support (otherwise by the subscriber).
    pub from_support: bool,
    /// The text.
    pub text: String,
    /// When.
    pub created_at: DateTime,
}

impl From<tickets::Message> for TicketMessage {
    fn from(m: tickets::Message) -> Self {
        TicketMessage {
            from_support: m.from_staff,
            text: m.text,
            created_at: DateTime(m.created_at),
        }
    }
}

connection!(
    TicketMessageConnection,
    TicketMessageEdge,
    TicketMessage,
    "ticket messages"
);

/// A technician visit.
#[derive(Debug, Clone)]
pub struct TechnicianVisit(pub visits::Visit);

/// A technician visit.
#[Object]
impl TechnicianVisit {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::TechnicianVisit, self.0.id)
    }

    /// Where it stands.
    async fn status(&self) -> TechnicianVisitStatus {
        self.0.status.into()
    }

    /// What the technician is to do.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The windows the subscriber prefers (their starts; each lasts 2 hours).
    async fn preferred_windows(&self) -> Vec<DateTime> {
        self.0.preferred.iter().copied().map(DateTime).collect()
    }

    /// The agreed window's start (null until scheduled).
    async fn scheduled_start(&self) -> Option<DateTime> {
        self.0.slot_start.map(DateTime)
    }

    /// The agreed window's end.
    async fn scheduled_end(&self) -> Option<DateTime> {
        self.0.slot_start.map(|s| DateTime(s + visits::WINDOW))
    }

    /// Whether the subscriber may still cancel it (until 2 hours before).
    async fn cancellable(&self, ctx: &Context<'_>) -> bool {
        let now = ctx.clock().now();
        match self.0.status {
            visits::VisitStatus::Requested => true,
            visits::VisitStatus::Scheduled => self
                .0
                .slot_start
                .is_some_and(|s| s - now >= visits::CANCEL_UNTIL),
            _ => false,
        }
    }
}

/// A support ticket.
#[derive(Debug, Clone)]
pub struct Ticket(pub tickets::Ticket);

impl From<tickets::Ticket> for Ticket {
    fn from(t: tickets::Ticket) -> Self {
        Ticket(t)
    }
}

/// A support ticket.
#[Object]
impl Ticket {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Ticket, self.0.id)
    }

    /// The number to quote on the phone.
    async fn number(&self) -> i32 {
        i32::try_from(self.0.id).unwrap_or(i32::MAX)
    }

    /// What it is about.
    async fn category(&self) -> TicketCategory {
        self.0.category.into()
    }

    /// Subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// Where it stands.
    async fn status(&self) -> TicketStatus {
        self.0.status.into()
    }

    /// Opened.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// Last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// When support first replied.
    async fn first_response_at(&self) -> Option<DateTime> {
        self.0.first_response_at.map(DateTime)
    }

    /// Whether it can still be reopened (resolved or closed within 7 days).
    async fn reopenable(&self, ctx: &Context<'_>) -> bool {
        let ended = match self.0.status {
            tickets::TicketStatus::Resolved => self.0.resolved_at,
            tickets::TicketStatus::Closed => self.0.closed_at,
            _ => None,
        };
        ended.is_some_and(|at| ctx.clock().now() - at <= tickets::REOPEN_WITHIN)
    }

    /// The thread, oldest first.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<TicketMessageConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        Ok(tickets::messages(ctx.db(), self.0.id, &request)
            .await?
            .into())
    }

    /// Its latest technician visit, if one was asked for.
    async fn technician_visit(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<TechnicianVisit>, ApiError> {
        Ok(ctx
            .loaders()
            .ticket_visits
            .load_one(self.0.id)
            .await?
            .map(TechnicianVisit))
    }
}

connection!(TicketConnection, TicketEdge, Ticket, "support tickets");

/// A 2-hour window a technician can come in.
#[derive(Debug, Clone, SimpleObject)]
pub struct TechnicianSlot {
    /// Start.
    pub start: DateTime,
    /// End.
    pub end: DateTime,
    /// Visits it can still take.
    pub free: i32,
}

/// How many visits a window takes.
#[derive(Debug, Clone, Copy)]
pub struct VisitCapacity(pub i32);

/// The account's tickets (for `Account.tickets`).
pub(super) async fn of_account(
    ctx: &Context<'_>,
    account_id: i64,
    status: Option<TicketStatus>,
    request: crate::pagination::PageRequest,
) -> Result<TicketConnection, ApiError> {
    Ok(
        tickets::page_of_account(ctx.db(), account_id, status.map(Into::into), &request)
            .await?
            .into(),
    )
}

/// Public support reads.
#[derive(Default)]
pub struct TicketsQuery;

#[Object]
impl TicketsQuery {
    /// The 2-hour windows of the next 5 working days a technician can come
    /// in, with their free places. Anyone may ask.
    async fn technician_slots(&self, ctx: &Context<'_>) -> Result<Vec<TechnicianSlot>, ApiError> {
        let capacity = ctx.data_unchecked::<VisitCapacity>().0;
        Ok(visits::slots(ctx.db(), ctx.clock().now(), capacity)
            .await?
            .into_iter()
            .map(|s| TechnicianSlot {
                start: DateTime(s.start),
                end: DateTime(s.end),
                free: s.free,
            })
            .collect())
    }
}

/// Every ticket refusal as a person reads it.
fn refusal(err: &TicketError) -> Option<(Option<&'static str>, UserErrorCode, &'static str)> {
    use TicketError as E;
    use UserErrorCode as C;
    Some(match err {
        E::SubjectRequired => (Some("subject"), C::Required, "Укажите тему обращения"),
        E::SubjectTooLong => (Some("subject"), C::TooLong, "Тема длиннее 200 символов"),
        E::TextRequired => (Some("message"), C::Required, "Напишите сообщение"),
        E::TextTooLong => (
            Some("message"),
            C::TooLong,
            "Сообщение длиннее 4000 символов",
        ),
        E::NotFound => (Some("ticketId"), C::NotFound, "Обращение не найдено"),
        E::Closed => (
            None,
            C::InvalidTransition,
            "Обращение решено или закрыто: откройте его снова, чтобы написать",
        ),
        E::Transition { .. } => (
            None,
            C::InvalidTransition,
            "Из текущего состояния обращение так изменить нельзя",
        ),
        E::ReopenExpired => (
            None,
            C::InvalidTransition,
            "Прошло больше 7 дней: создайте новое обращение",
        ),
        E::NoOperator => (Some("login"), C::NotFound, "Нет сотрудника с таким логином"),
        E::RateLimited { .. } | E::Db(_) => return None,
    })
}

fn user_error(err: TicketError) -> Result<UserError, ApiError> {
    match refusal(&err) {
        Some((Some(field), code, message)) => Ok(UserError::at(&["input", field], code, message)),
        Some((None, code, message)) => Ok(UserError::general(code, message)),
        None => Err(match err {
            TicketError::RateLimited { retry_at } => ApiError::RateLimited { retry_at },
            TicketError::Db(e) => e.into(),
            other => ApiError::internal(other),
        }),
    }
}

fn visit_refusal(err: &visits::VisitError) -> Option<(&'static str, UserErrorCode, &'static str)> {
    use UserErrorCode as C;
    use visits::VisitError as E;
    Some(match err {
        E::NotFound => ("id", C::NotFound, "Не найдено"),
        E::TicketClosed => (
            "ticketId",
            C::InvalidTransition,
            "Обращение решено или закрыто",
        ),
        E::AlreadyActive => (
            "ticketId",
            C::AlreadyActive,
            "Визит техника по этому обращению уже запрошен",
        ),
        E::BadWindows => (
            "preferredWindows",
            C::InvalidValue,
            "Выберите от 1 до 5 окон из предложенных (technicianSlots)",
        ),
        E::BadReason => (
            "reason",
            C::Required,
            "Опишите, что нужно сделать (до 500 символов)",
        ),
        E::NotPreferred => ("window", C::InvalidValue, "Это окно абонент не выбирал"),
        E::WindowFull => ("window", C::LimitReached, "В этом окне все техники заняты"),
        E::TooLate => (
            "visitId",
            C::InvalidTransition,
            "Отменить визит можно не позже чем за 2 часа",
        ),
        E::Over => (
            "visitId",
            C::InvalidTransition,
            "Визит уже состоялся или отменён",
        ),
        E::Db(_) => return None,
    })
}

fn visit_error(err: visits::VisitError, id_field: &'static str) -> Result<UserError, ApiError> {
    match visit_refusal(&err) {
        Some((field, code, message)) => {
            let field = if field == "id" { id_field } else { field };
            Ok(UserError::at(&["input", field], code, message))
        }
        None => match err {
            visits::VisitError::Db(e) => Err(e.into()),
            other => Err(ApiError::internal(other)),
        },
    }
}

fn ticket_key(id: &ID, argument: &'static str) -> Result<Option<i64>, ApiError> {
    let id = GlobalId::parse(argument, id)?;
    Ok((id.kind == NodeKind::Ticket).then_some(id.key))
}

async fn announce(ctx: &Context<'_>, ticket: &tickets::Ticket) {
    ctx.data_unchecked::<Events>()
        .publish(AccountEvent::TicketUpdated {
            account_id: ticket.account_id,
            ticket_id: ticket.id,
            status: ticket.status,
            at: ctx.clock().now(),
        })
        .await;
    ctx.data_unchecked::<crate::sms::SmsWake>().0.notify_one();
}

/// Input of `createTicket`.
#[derive(Debug, InputObject)]
pub struct CreateTicketInput {
    /// What it is about.
    pub category: TicketCategory,
    /// Subject, up to 200 characters.
    pub subject: String,
    /// The first message, up to 4000 characters.
    pub message: String,
}

/// Input of `addTicketMessage`.
#[derive(Debug, InputObject)]
pub struct AddTicketMessageInput {
    /// The ticket.
    pub ticket_id: ID,
    /// The message, up to 4000 characters.
    pub message: String,
}

/// Input of `closeTicket` and `reopenTicket`.
#[derive(Debug, InputObject)]
pub struct TicketInput {
    /// The ticket.
    pub ticket_id: ID,
}

/// Result of the ticket mutations.
#[derive(Debug, SimpleObject)]
pub struct TicketPayload {
    /// The ticket as it is now.
    pub ticket: Option<Ticket>,
    /// `REQUIRED`, `TOO_LONG`, `NOT_FOUND`, `INVALID_TRANSITION`.
    pub user_errors: Vec<UserError>,
}

impl TicketPayload {
    fn from_result(result: Result<tickets::Ticket, TicketError>) -> Result<Self, ApiError> {
        Ok(match result {
            Ok(ticket) => TicketPayload {
                ticket: Some(ticket.into()),
                user_errors: Vec::new(),
            },
            Err(err) => TicketPayload {
                ticket: None,
                user_errors: vec![user_error(err)?],
            },
        })
    }
}

/// Input of `requestTechnicianVisit`.
#[derive(Debug, InputObject)]
pub struct RequestTechnicianVisitInput {
    /// The ticket it is about.
    pub ticket_id: ID,
    /// What the technician is to do, up to 500 characters.
    pub reason: String,
    /// 1–5 window starts from `technicianSlots`.
    pub preferred_windows: Vec<DateTime>,
}

/// Input of `cancelTechnicianVisit`.
#[derive(Debug, InputObject)]
pub struct CancelTechnicianVisitInput {
    /// The visit.
    pub visit_id: ID,
}

/// Result of the visit mutations.
#[derive(Debug, SimpleObject)]
pub struct TechnicianVisitPayload {
    /// The visit as it is now.
    pub technician_visit: Option<TechnicianVisit>,
    /// `REQUIRED`, `INVALID_VALUE`, `NOT_FOUND`, `ALREADY_ACTIVE`,
    /// `INVALID_TRANSITION`, `LIMIT_REACHED`.
    pub user_errors: Vec<UserError>,
}

impl TechnicianVisitPayload {
    fn from_result(
        result: Result<visits::Visit, visits::VisitError>,
        id_field: &'static str,
    ) -> Result<Self, ApiError> {
        Ok(match result {
            Ok(visit) => TechnicianVisitPayload {
                technician_visit: Some(TechnicianVisit(visit)),
                user_errors: Vec::new(),
            },
            Err(err) => TechnicianVisitPayload {
                technician_visit: None,
                user_errors: vec![visit_error(err, id_field)?],
            },
        })
    }
}

/// A subscriber's support mutations.
#[derive(Default)]
pub struct TicketsMutation;

#[Object]
impl TicketsMutation {
    /// Opens a support ticket with its first message (at most 5 an hour).
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Category, subject and the first message.")] input: CreateTicketInput,
    ) -> Result<TicketPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        TicketPayload::from_result(
            tickets::create(
                ctx.db(),
                ctx.clock().now(),
                account_id,
                input.category.into(),
                &input.subject,
                &input.message,
            )
            .await,
        )
    }

    /// Writes to one's ticket (at most 30 messages an hour); a ticket waiting
    /// for the subscriber goes back to support.
    async fn add_ticket_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket and the message.")] input: AddTicketMessageInput,
    ) -> Result<TicketPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        let result =
            tickets::add_message(ctx.db(), ctx.clock().now(), account_id, id, &input.message)
                .await
                .map(|changed| changed.ticket);
        TicketPayload::from_result(result)
    }

    /// Closes one's ticket.
    async fn close_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket.")] input: TicketInput,
    ) -> Result<TicketPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        TicketPayload::from_result(
            tickets::close(ctx.db(), ctx.clock().now(), account_id, id).await,
        )
    }

    /// Reopens one's resolved or closed ticket, within 7 days.
    async fn reopen_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket.")] input: TicketInput,
    ) -> Result<TicketPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        TicketPayload::from_result(
            tickets::reopen(ctx.db(), ctx.clock().now(), account_id, id).await,
        )
    }

    /// Asks for a technician within one's open ticket, naming 1–5 windows from
    /// `technicianSlots`; support schedules one of them.
    async fn request_technician_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket, the reason and the preferred windows.")]
        input: RequestTechnicianVisitInput,
    ) -> Result<TechnicianVisitPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TechnicianVisitPayload::from_result(
                Err(visits::VisitError::NotFound),
                "ticketId",
            );
        };
        let windows: Vec<_> = input.preferred_windows.iter().map(|d| d.0).collect();
        let result = visits::request(
            ctx.db(),
            ctx.clock().now(),
            account_id,
            id,
            &input.reason,
            &windows,
        )
        .await;
        TechnicianVisitPayload::from_result(result, "ticketId")
    }

    /// Cancels one's technician visit, until 2 hours before it.
    async fn cancel_technician_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The visit.")] input: CancelTechnicianVisitInput,
    ) -> Result<TechnicianVisitPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let id = GlobalId::parse("input.visitId", &input.visit_id)?;
        if id.kind != NodeKind::TechnicianVisit {
            return TechnicianVisitPayload::from_result(
                Err(visits::VisitError::NotFound),
                "visitId",
            );
        }
        let result = visits::cancel(ctx.db(), ctx.clock().now(), account_id, id.key).await;
        TechnicianVisitPayload::from_result(result, "visitId")
    }
}

/// One row of the support report.
#[derive(Debug, Clone, SimpleObject)]
pub struct SupportReportRow {
    /// The category.
    pub category: TicketCategory,
    /// The Monday of the week the tickets were opened in.
    pub week: Date,
    /// Tickets opened.
    pub tickets: i32,
    /// Of them, answered by support.
    pub answered: i32,
    /// Of them, resolved.
    pub resolved: i32,
    /// Minutes to the first reply, median.
    pub first_response_median_minutes: Option<f64>,
    /// Minutes to the first reply, 90th percentile.
    pub first_response_p90_minutes: Option<f64>,
    /// Hours to the resolution, median.
    pub resolution_median_hours: Option<f64>,
    /// Hours to the resolution, 90th percentile.
    pub resolution_p90_hours: Option<f64>,
}

/// The operators' queue of tickets (part of `StaffQuery`).
pub(super) async fn staff_queue(
    ctx: &Context<'_>,
    status: Option<TicketStatus>,
    category: Option<TicketCategory>,
    older_than_hours: Option<i32>,
    request: crate::pagination::PageRequest,
) -> Result<TicketConnection, ApiError> {
    let filter = QueueFilter {
        status: status.map(Into::into),
        category: category.map(Into::into),
        opened_before: older_than_hours
            .map(|h| ctx.clock().now() - chrono::Duration::hours(i64::from(h.clamp(0, 24 * 365)))),
    };
    Ok(tickets::queue(ctx.db(), &filter, &request).await?.into())
}

/// The support report (part of `StaffQuery`).
pub(super) async fn staff_report(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
) -> Result<Vec<SupportReportRow>, ApiError> {
    if from.0 > to.0 || (to.0 - from.0).num_days() > 366 {
        return Err(ApiError::bad_input(
            "from",
            "Период — не больше года, начало не позже конца",
        ));
    }
    let count = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(report::by_category_and_week(ctx.db(), from.0, to.0)
        .await?
        .into_iter()
        .map(|r| SupportReportRow {
            category: r.category.into(),
            week: Date(r.week),
            tickets: count(r.tickets),
            answered: count(r.answered),
            resolved: count(r.resolved),
            first_response_median_minutes: r.first_response_minutes.map(|m| m.0),
            first_response_p90_minutes: r.first_response_minutes.map(|m| m.1),
            resolution_median_hours: r.resolution_hours.map(|h| h.0),
            resolution_p90_hours: r.resolution_hours.map(|h| h.1),
        })
        .collect())
}

/// Input of `staff.replyToTicket`.
#[derive(Debug, InputObject)]
pub struct ReplyToTicketInput {
    /// The ticket.
    pub ticket_id: ID,
    /// The reply, up to 4000 characters.
    pub message: String,
    /// A status to move to with it (a new ticket goes to IN_PROGRESS anyway).
    pub status: Option<TicketStatus>,
}

/// Input of `staff.setTicketStatus`.
#[derive(Debug, InputObject)]
pub struct SetTicketStatusInput {
    /// The ticket.
    pub ticket_id: ID,
    /// NEW → IN_PROGRESS; IN_PROGRESS ↔ WAITING_FOR_SUBSCRIBER; any open →
    /// RESOLVED; RESOLVED → IN_PROGRESS or CLOSED.
    pub status: TicketStatus,
}

/// Input of `staff.assignTicket`.
#[derive(Debug, InputObject)]
pub struct AssignTicketInput {
    /// The ticket.
    pub ticket_id: ID,
    /// The operator's login; the signed-in operator when absent.
    pub login: Option<String>,
}

/// Input of `staff.scheduleTechnicianVisit`.
#[derive(Debug, InputObject)]
pub struct ScheduleTechnicianVisitInput {
    /// The visit.
    pub visit_id: ID,
    /// One of the windows the subscriber preferred (its start).
    pub window: DateTime,
}

/// Operators' support mutations (part of `StaffMutation`).
pub struct TicketsStaffMutation {
    pub(super) credential_id: i64,
}

/// Operators' support mutations.
#[Object]
impl TicketsStaffMutation {
    /// Replies to a ticket; the subscriber hears of it on `accountEvents` and,
    /// if they want support SMS, by SMS.
    async fn reply_to_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket, the reply and a status.")] input: ReplyToTicketInput,
    ) -> Result<TicketPayload, ApiError> {
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        let result = tickets::staff_reply(
            ctx.db(),
            ctx.clock().now(),
            self.credential_id,
            id,
            &input.message,
            input.status.map(Into::into),
        )
        .await;
        if let Ok(changed) = &result {
            announce(ctx, &changed.ticket).await;
        }
        TicketPayload::from_result(result.map(|c| c.ticket))
    }

    /// Moves a ticket along an allowed transition (`INVALID_TRANSITION` otherwise).
    async fn set_ticket_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket and its new status.")] input: SetTicketStatusInput,
    ) -> Result<TicketPayload, ApiError> {
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        let result =
            tickets::staff_set_status(ctx.db(), ctx.clock().now(), id, input.status.into()).await;
        if let Ok(changed) = &result {
            announce(ctx, &changed.ticket).await;
        }
        TicketPayload::from_result(result.map(|c| c.ticket))
    }

    /// Assigns a ticket to an operator.
    async fn assign_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket and the operator.")] input: AssignTicketInput,
    ) -> Result<TicketPayload, ApiError> {
        let Some(id) = ticket_key(&input.ticket_id, "input.ticketId")? else {
            return TicketPayload::from_result(Err(TicketError::NotFound));
        };
        let operator = match input.login.as_deref().map(str::trim) {
            None | Some("") => Some(self.credential_id),
            Some(login) => crate::auth::staff_by_login(ctx.db(), login).await?,
        };
        let Some(operator) = operator else {
            return TicketPayload::from_result(Err(TicketError::NoOperator));
        };
        TicketPayload::from_result(tickets::assign(ctx.db(), ctx.clock().now(), id, operator).await)
    }

    /// Schedules a technician visit in one of the windows the subscriber
    /// preferred, if it has a free place.
    async fn schedule_technician_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The visit and the window.")] input: ScheduleTechnicianVisitInput,
    ) -> Result<TechnicianVisitPayload, ApiError> {
        let id = GlobalId::parse("input.visitId", &input.visit_id)?;
        if id.kind != NodeKind::TechnicianVisit {
            return TechnicianVisitPayload::from_result(
                Err(visits::VisitError::NotFound),
                "visitId",
            );
        }
        let capacity = ctx.data_unchecked::<VisitCapacity>().0;
        let result = visits::schedule(
            ctx.db(),
            ctx.clock().now(),
            id.key,
            input.window.0,
            capacity,
        )
        .await;
        if let Ok(visit) = &result
            && let Some(ticket) = tickets::find(ctx.db(), visit.ticket_id).await?
        {
            announce(ctx, &ticket).await;
        }
        TechnicianVisitPayload::from_result(result, "visitId")
    }
}
