//! Global object identification: `interface Node { id: ID! }`, opaque global
//! IDs, and `Query.node` / `Query.nodes`, which check ownership like every
//! other resolver (someone else's object is simply not found).

use async_graphql::{Context, ID, Interface, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::try_join_all;
use std::sync::Arc;

use super::accounts::Account;
use super::auth::LoginSession;
use super::autopay::SavedCard;
use super::connection::MAX_PAGE;
use super::context::ContextExt;
use super::errors::ApiError;
use super::notices::ServiceNotice;
use super::payments::Payment;
use super::tv::{TvChannel, TvProgramme};
use super::tv_personal::{TvFavourite, TvReminder};

/// The kinds of objects that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A subscriber's account (owner only).
    Account,
    /// A service notice (public).
    ServiceNotice,
    /// A login session (its owner only).
    LoginSession,
    /// A TV channel (public).
    TvChannel,
    /// A TV programme airing (public).
    TvProgramme,
    /// A title in a subscriber's favourites (its owner only).
    TvFavourite,
    /// A TV reminder (its owner only).
    TvReminder,
    Payment,
    SavedCard,
    /// A bonus catalog item (public).
    BonusItem,
    /// A bonus redemption (its owner only).
    BonusRedemption,
    /// A support ticket (its owner only).
    Ticket,
    /// A technician visit (its owner only).
    TechnicianVisit,
    /// An in-app notification (its owner only).
    Notification,
    /// A scheduled change of services or tariff (its owner only).
    ScheduledChange,
    /// A ledger entry (its owner only).
    Transaction,
    /// A recurring item of an account other than equipment (its owner only).
    SubscribedService,
    /// Equipment of an account (its owner only).
    Equipment,
    /// A tariff plan of the catalog (public).
    Tariff,
    /// A service of the catalog (public).
    Service,
}

impl NodeKind {
    // Keep in step with `name` below (a unit test round-trips every kind).
    const ALL: [NodeKind; 20] = [
        NodeKind::Account,
        NodeKind::ServiceNotice,
        NodeKind::LoginSession,
        NodeKind::TvChannel,
        NodeKind::TvProgramme,
        NodeKind::TvFavourite,
        NodeKind::TvReminder,
        NodeKind::Payment,
        NodeKind::SavedCard,
        NodeKind::BonusItem,
        NodeKind::BonusRedemption,
        NodeKind::Ticket,
        NodeKind::TechnicianVisit,
        NodeKind::Notification,
        NodeKind::ScheduledChange,
        NodeKind::Transaction,
        NodeKind::SubscribedService,
        NodeKind::Equipment,
        NodeKind::Tariff,
        NodeKind::Service,
    ];

    fn name(self) -> &'static str {
        match self {
            NodeKind::Account => "Account",
            NodeKind::ServiceNotice => "ServiceNotice",
            NodeKind::LoginSession => "LoginSession",
            NodeKind::TvChannel => "TvChannel",
            NodeKind::TvProgramme => "TvProgramme",
            NodeKind::TvFavourite => "TvFavourite",
            NodeKind::TvReminder => "TvReminder",
            NodeKind::Payment => "Payment",
            NodeKind::SavedCard => "SavedCard",
            NodeKind::BonusItem => "BonusItem",
            NodeKind::BonusRedemption => "BonusRedemption",
            NodeKind::Ticket => "Ticket",
            NodeKind::TechnicianVisit => "TechnicianVisit",
            NodeKind::Notification => "Notification",
            NodeKind::ScheduledChange => "ScheduledChange",
            NodeKind::Transaction => "Transaction",
            NodeKind::SubscribedService => "SubscribedService",
            NodeKind::Equipment => "Equipment",
            NodeKind::Tariff => "Tariff",
            NodeKind::Service => "Service",
        }
    }
}

/// A decoded global ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId {
    /// The object's kind.
    pub kind: NodeKind,
    /// The object's key within its kind.
    pub key: i64,
}

impl GlobalId {
    /// The opaque ID of object `key` of `kind`.
    pub fn encode(kind: NodeKind, key: i64) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.name())))
    }

    /// Decodes an ID made by [`GlobalId::encode`].
    pub fn decode(id: &str) -> Option<GlobalId> {
        let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, key) = text.split_once(':')?;
        let kind = NodeKind::ALL.into_iter().find(|k| k.name() == kind)?;
        let key = key.parse().ok().filter(|k: &i64| *k > 0)?;
        Some(GlobalId { kind, key })
    }

    /// Decodes a client-supplied ID, or says which argument is malformed.
    pub fn parse(argument: &'static str, id: &ID) -> Result<GlobalId, ApiError> {
        GlobalId::decode(id).ok_or_else(|| {
            ApiError::bad_input(
                argument,
                "Идентификатор не распознан: передайте id, полученный от API",
            )
        })
    }
}

/// An object with a global ID, fetchable with `Query.node`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    /// A subscriber's account.
    Account(Account),
    /// A service notice.
    ServiceNotice(ServiceNotice),
    /// A login session.
    LoginSession(LoginSession),
    /// A TV channel.
    TvChannel(TvChannel),
    /// A TV programme airing.
    TvProgramme(TvProgramme),
    /// A title in the subscriber's favourites.
    TvFavourite(TvFavourite),
    /// A TV reminder.
    TvReminder(TvReminder),
    Payment(Payment),
    SavedCard(SavedCard),
    /// A bonus catalog item.
    BonusItem(super::bonus::BonusItem),
    /// An item taken for points.
    BonusRedemption(super::bonus::BonusRedemption),
    /// A support ticket.
    Ticket(super::tickets::Ticket),
    /// A technician visit.
    TechnicianVisit(super::tickets::TechnicianVisit),
    /// An in-app notification.
    Notification(super::inbox::Notification),
    /// A scheduled change of services or tariff.
    ScheduledChange(super::services::ScheduledChange),
    /// A ledger entry: money in or out.
    Transaction(super::billing::Transaction),
    /// A recurring item of the account: the tariff or a service.
    SubscribedService(super::billing::Subscription),
    /// A piece of equipment of the account.
    Equipment(super::billing::Equipment),
    /// A tariff plan.
    Tariff(super::catalog::Tariff),
    /// A service of the catalog.
    Service(super::catalog::Service),
}

async fn resolve(ctx: &Context<'_>, id: GlobalId) -> Result<Option<Node>, ApiError> {
    let loaders = ctx.loaders();
    Ok(match id.kind {
        NodeKind::Account if ctx.viewer().can_see_account(id.key) => loaders
            .accounts
            .load_one(id.key)
            .await?
            .map(|a| Node::Account(a.into())),
        NodeKind::Account => None,
        NodeKind::ServiceNotice => loaders
            .notices
            .load_one(id.key)
            .await?
            .map(|n| Node::ServiceNotice(n.into())),
        NodeKind::LoginSession => match ctx.viewer().credential_id() {
            Some(credential) => loaders
                .sessions
                .load_one(id.key)
                .await?
                .filter(|s| s.credential_id == credential)
                .map(|s| Node::LoginSession(LoginSession::new(ctx, s))),
            None => None,
        },
        NodeKind::TvChannel => loaders
            .tv_channels
            .load_one(id.key)
            .await?
            .map(|c| Node::TvChannel(c.into())),
        NodeKind::TvProgramme => loaders
            .tv_programmes
            .load_one(id.key)
            .await?
            .map(|p| Node::TvProgramme(p.into())),
        NodeKind::TvFavourite => match ctx.viewer().account_id() {
            Some(account) => crate::tv::favourites::find(ctx.db(), account, id.key)
                .await?
                .map(|f| Node::TvFavourite(TvFavourite(f))),
            None => None,
        },
        NodeKind::Payment => match ctx.viewer().account_id() {
            Some(account) => loaders
                .payments
                .load_one(id.key)
                .await?
                .filter(|p| {
                    p.account_id == account && p.status != crate::payments::PaymentStatus::New
                })
                .map(|p| Node::Payment(p.into())),
            None => None,
        },
        NodeKind::SavedCard => match ctx.viewer().account_id() {
            Some(account) => crate::payments::cards::find(ctx.db(), account, id.key)
                .await?
                .map(|c| Node::SavedCard(SavedCard(c))),
            None => None,
        },
        NodeKind::BonusItem => loaders
            .bonus_items
            .load_one(id.key)
            .await?
            .map(|i| Node::BonusItem(i.into())),
        NodeKind::BonusRedemption => match ctx.viewer().account_id() {
            Some(account) => loaders
                .bonus_redemptions
                .load_one(id.key)
                .await?
                .filter(|r| r.account_id == account)
                .map(|r| Node::BonusRedemption(r.into())),
            None => None,
        },
        NodeKind::Ticket => match ctx.viewer().account_id() {
            Some(account) => loaders
                .tickets
                .load_one(id.key)
                .await?
                .filter(|t| t.account_id == account)
                .map(|t| Node::Ticket(t.into())),
            None => None,
        },
        NodeKind::TechnicianVisit => match ctx.viewer().account_id() {
            Some(account) => crate::support::visits::find(ctx.db(), id.key)
                .await?
                .filter(|v| v.account_id == account)
                .map(|v| Node::TechnicianVisit(super::tickets::TechnicianVisit(v))),
            None => None,
        },
        NodeKind::Notification => match ctx.viewer().account_id() {
            Some(account) => crate::notifications::inbox::find_own(ctx.db(), account, id.key)
                .await?
                .map(|n| Node::Notification(n.into())),
            None => None,
        },
        NodeKind::ScheduledChange => match ctx.viewer().account_id() {
            Some(account) => crate::services::scheduled::find(ctx.db(), id.key)
                .await?
                .filter(|c| c.account_id == account)
                .map(|c| Node::ScheduledChange(super::services::ScheduledChange(c))),
            None => None,
        },
        NodeKind::Transaction => loaders
            .ledger_entries
            .load_one(id.key)
            .await?
            .filter(|e| ctx.viewer().can_see_account(e.account_id))
            .map(|e| Node::Transaction(e.into())),
        NodeKind::SubscribedService | NodeKind::Equipment => {
            let Some(item) = crate::billing::subscriptions::find(ctx.db(), id.key)
                .await?
                .filter(|s| ctx.viewer().can_see_account(s.account_id))
            else {
                return Ok(None);
            };
            let Some(entry) = loaders.catalog.load_one(item.item_id).await?.map(Arc::new) else {
                return Ok(None);
            };
            let is_equipment = entry.kind == crate::catalog::ServiceKind::Equipment;
            match (id.kind, is_equipment) {
                (NodeKind::Equipment, true) => Some(Node::Equipment(super::billing::Equipment(
                    item,
                    Some(entry),
                ))),
                (NodeKind::SubscribedService, false) => Some(Node::SubscribedService(
                    super::billing::Subscription(item, Some(entry)),
                )),
                _ => None,
            }
        }
        NodeKind::Tariff | NodeKind::Service => {
            loaders.catalog.load_one(id.key).await?.and_then(|entry| {
                match (id.kind, entry.is_tariff) {
                    (NodeKind::Tariff, true) => Some(Node::Tariff(super::catalog::Tariff(entry))),
                    (NodeKind::Service, false) => {
                        Some(Node::Service(super::catalog::Service(entry)))
                    }
                    _ => None,
                }
            })
        }
        NodeKind::TvReminder => match ctx.viewer().account_id() {
            Some(account) => crate::tv::reminders::find(ctx.db(), account, id.key)
                .await?
                .map(|r| Node::TvReminder(TvReminder(r))),
            None => None,
        },
    })
}

/// Root fields for global object identification.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global ID. Null when it does not exist or is not
    /// the viewer's to see.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID from any `id` field.")] id: ID,
    ) -> Result<Option<Node>, ApiError> {
        resolve(ctx, GlobalId::parse("id", &id)?).await
    }

    /// Fetches up to 100 objects by global ID in one request, in the order given;
    /// null in place of any that does not exist or is not the viewer's to see.
    #[graphql(complexity = "super::cost::times(ids.len(), child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs from any `id` fields (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>, ApiError> {
        if ids.len() > MAX_PAGE as usize {
            return Err(ApiError::bad_input(
                "ids",
                format!("Не больше {MAX_PAGE} идентификаторов за раз"),
            ));
        }
        let ids = ids
            .iter()
            .map(|id| GlobalId::parse("ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        // Resolved together, so the loaders batch them into one query per kind.
        try_join_all(ids.into_iter().map(|id| resolve(ctx, id))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_global_id() {
        for kind in NodeKind::ALL {
            let id = GlobalId::encode(kind, 42);
            assert_eq!(GlobalId::decode(&id), Some(GlobalId { kind, key: 42 }));
        }
        // A kind missing from ALL would fail here through its name.
        let names: std::collections::HashSet<_> = NodeKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), NodeKind::ALL.len());
    }
}
