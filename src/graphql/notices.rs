//! GraphQL face of service notices: the `ServiceNotice` type, the archive
//! `Query.serviceNotices` and the live `Subscription.serviceNotices`.

use async_graphql::{Context, Enum, ID, Object, Subscription};
use futures_util::Stream;

use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::ApiError;
use super::node::{GlobalId, NodeKind};
use super::scalars::DateTime;
use crate::notices;

/// What a notice announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "notices::NoticeKind")]
pub enum NoticeKind {
    /// Planned maintenance: short interruptions are possible.
    PlannedWorks,
    /// An outage: service is or was interrupted.
    Outage,
    /// News and information.
    Info,
}

/// An announcement shown to every visitor: planned works, outages, news.
#[derive(Debug, Clone)]
pub struct ServiceNotice(notices::Notice);

impl From<notices::Notice> for ServiceNotice {
    fn from(notice: notices::Notice) -> Self {
        ServiceNotice(notice)
    }
}

/// An announcement shown to every visitor: planned works, outages, news.
#[Object]
impl ServiceNotice {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::ServiceNotice, self.0.id)
    }

    /// What the notice announces.
    async fn kind(&self) -> NoticeKind {
        self.0.kind.into()
    }

    /// Headline, in Russian.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Text, in Russian.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When the notice starts to apply.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.0.starts_at)
    }

    /// When it stops applying; null until further notice.
    async fn ends_at(&self) -> Option<DateTime> {
        self.0.ends_at.map(DateTime)
    }

    /// Whether it applies now.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        self.0.is_active(ctx.clock().now())
    }
}

connection!(
    ServiceNoticeConnection,
    ServiceNoticeEdge,
    ServiceNotice,
    "service notices"
);

/// Root fields about service notices.
#[derive(Default)]
pub struct NoticesQuery;

#[Object]
impl NoticesQuery {
    /// Service notices, newest first: current and upcoming ones, and with
    /// `includeEnded` the archive of past ones too. Anyone may ask.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn service_notices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also list notices that have ended.", default = false)]
        include_ended: bool,
        #[graphql(desc = "Return the first N items after `after` (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items after this one.")] after: Option<String>,
        #[graphql(desc = "Return the last N items before `before` (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items before this one.")] before: Option<String>,
    ) -> Result<ServiceNoticeConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        let page = notices::page(ctx.db(), ctx.clock().now(), include_ended, &request).await?;
        Ok(page.into())
    }
}

/// Live service notices.
#[derive(Default)]
pub struct NoticesSubscription;

#[Subscription]
impl NoticesSubscription {
    /// The notices that apply now, sent at once and again whenever the set
    /// changes (a notice starts, ends or is published). Anyone may subscribe.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn service_notices(
        &self,
        ctx: &Context<'_>,
    ) -> impl Stream<Item = async_graphql::Result<Vec<ServiceNotice>>> + use<> {
        let live = ctx.data_unchecked::<notices::LiveNotices>();
        let (rx, seen) = live.subscribe();
        // The first reading newer than the subscription, then every change;
        // the reading is shared by every subscriber of this process.
        futures_util::stream::unfold(
            (rx, seen, None::<Vec<i64>>),
            |(mut rx, seen, last_sent)| async move {
                loop {
                    rx.changed().await.ok()?;
                    let snapshot = rx.borrow_and_update().clone();
                    if snapshot.seq <= seen {
                        continue;
                    }
                    let ids: Vec<i64> = snapshot.notices.iter().map(|n| n.id).collect();
                    if last_sent.as_ref() == Some(&ids) {
                        continue;
                    }
                    let items: Vec<ServiceNotice> = snapshot
                        .notices
                        .iter()
                        .cloned()
                        .map(ServiceNotice)
                        .collect();
                    return Some((Ok::<_, async_graphql::Error>(items), (rx, seen, Some(ids))));
                }
            },
        )
    }
}
