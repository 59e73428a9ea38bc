//! GraphQL face of in-app notifications and staff news:
//! `Account.notifications`, `markNotificationsRead`, `staff.broadcastNews`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::connection::connection;
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::node::{GlobalId, NodeKind};
use super::scalars::DateTime;
use crate::notifications::inbox;
use crate::notifications::news::{self, NewsError};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "inbox::NotificationKind")]
pub enum NotificationKind {
    /// The balance will soon not cover the services.
    BillingWarning,
    /// News from the provider.
    News,
    /// A support ticket or technician visit changed.
    Ticket,
    /// A device not seen on the account for 90 days used its internet.
    NewDevice,
}

/// Something told to the subscriber in the personal account.
#[derive(Debug, Clone)]
pub struct Notification(inbox::Notification);

impl From<inbox::Notification> for Notification {
    fn from(n: inbox::Notification) -> Self {
        Notification(n)
    }
}

/// Something told to the subscriber in the personal account.
#[Object]
impl Notification {
    /// Opaque global ID (for `markNotificationsRead`).
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Notification, self.0.id)
    }

    /// What it is about.
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }

    /// Title, in Russian.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Text, in Russian.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// Whether the subscriber has read it.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }

    /// When it was read.
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(DateTime)
    }
}

connection!(
    NotificationConnection,
    NotificationEdge,
    Notification,
    "notifications"
);

/// The account's notifications (for `Account.notifications`).
pub(super) async fn of_account(
    ctx: &Context<'_>,
    account_id: i64,
    unread_only: bool,
    request: crate::pagination::PageRequest,
) -> Result<NotificationConnection, ApiError> {
    Ok(inbox::page(ctx.db(), account_id, unread_only, &request)
        .await?
        .into())
}

/// How many of the account's notifications are unread.
pub(super) async fn unread(ctx: &Context<'_>, account_id: i64) -> Result<i32, ApiError> {
    let n = inbox::unread(ctx.db(), account_id).await?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

/// Input of `markNotificationsRead`.
#[derive(Debug, InputObject)]
pub struct MarkNotificationsReadInput {
    /// These notifications (at most 100); all of them when absent.
    pub ids: Option<Vec<ID>>,
}

/// Result of `markNotificationsRead`.
#[derive(Debug, SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// Notifications still unread.
    pub unread_count: i32,
    /// None so far; the list is here for later rules.
    pub user_errors: Vec<UserError>,
}

/// A subscriber's notification mutations.
#[derive(Default)]
pub struct InboxMutation;

#[Object]
impl InboxMutation {
    /// Marks notifications read: the ones given (others' are ignored), or all.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which notifications.", default)] input: Option<
            MarkNotificationsReadInput,
        >,
    ) -> Result<MarkNotificationsReadPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let ids = match input.and_then(|i| i.ids) {
            None => None,
            Some(ids) => {
                if ids.len() > super::connection::MAX_PAGE as usize {
                    return Err(ApiError::bad_input(
                        "input.ids",
                        "Не больше 100 уведомлений за раз",
                    ));
                }
                let mut keys = Vec::with_capacity(ids.len());
                for id in &ids {
                    let id = GlobalId::parse("input.ids", id)?;
                    if id.kind == NodeKind::Notification {
                        keys.push(id.key);
                    }
                }
                Some(keys)
            }
        };
        let unread =
            inbox::mark_read(ctx.db(), ctx.clock().now(), account_id, ids.as_deref()).await?;
        Ok(MarkNotificationsReadPayload {
            unread_count: i32::try_from(unread).unwrap_or(i32::MAX),
            user_errors: Vec::new(),
        })
    }
}

/// News from the provider, as broadcast.
#[derive(Debug, Clone, SimpleObject)]
pub struct NewsBroadcast {
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Written.
    pub created_at: DateTime,
    /// Accounts told so far (all of them once `finishedAt` is set).
    pub recipients: i32,
    /// SMS stored in the outbox so far (subscribers with news SMS on).
    pub sms_queued: i32,
    /// When every account had been told.
    pub finished_at: Option<DateTime>,
}

impl From<news::News> for NewsBroadcast {
    fn from(n: news::News) -> Self {
        NewsBroadcast {
            title: n.title,
            text: n.body,
            created_at: DateTime(n.created_at),
            recipients: i32::try_from(n.recipients).unwrap_or(i32::MAX),
            sms_queued: i32::try_from(n.sms_queued).unwrap_or(i32::MAX),
            finished_at: n.finished_at.map(DateTime),
        }
    }
}

/// Input of `staff.broadcastNews`.
#[derive(Debug, InputObject)]
pub struct BroadcastNewsInput {
    /// Title, up to 200 characters.
    pub title: String,
    /// Text, up to 1000 characters (an SMS carries its start).
    pub text: String,
}

/// Result of `staff.broadcastNews`.
#[derive(Debug, SimpleObject)]
pub struct BroadcastNewsPayload {
    /// The news, queued for broadcasting.
    pub news: Option<NewsBroadcast>,
    /// `REQUIRED`, `TOO_LONG`.
    pub user_errors: Vec<UserError>,
}

/// Operators' news mutations (part of `StaffMutation`).
pub struct InboxStaffMutation {
    pub(super) credential_id: i64,
}

/// Operators' news mutations.
#[Object]
impl InboxStaffMutation {
    /// Broadcasts news: every subscriber sees it in the personal account, and
    /// those with news SMS on get an SMS, through the outbox in batches.
    async fn broadcast_news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Title and text.")] input: BroadcastNewsInput,
    ) -> Result<BroadcastNewsPayload, ApiError> {
        let refused = |field: &str, code, message: &str| BroadcastNewsPayload {
            news: None,
            user_errors: vec![UserError::at(&["input", field], code, message)],
        };
        match news::publish(
            ctx.db(),
            ctx.clock().now(),
            self.credential_id,
            &input.title,
            &input.text,
        )
        .await
        {
            Ok(news) => Ok(BroadcastNewsPayload {
                news: Some(news.into()),
                user_errors: Vec::new(),
            }),
            Err(NewsError::Required(field)) => {
                Ok(refused(field, UserErrorCode::Required, "Заполните поле"))
            }
            Err(NewsError::TooLong(field)) => Ok(refused(
                field,
                UserErrorCode::TooLong,
                "Слишком длинный текст",
            )),
            Err(NewsError::Db(e)) => Err(e.into()),
        }
    }
}
