//! GraphQL face of the catalog: `Query.tariffs` and `Query.serviceCatalog`.

use async_graphql::{Context, Enum, ID, Object};

use super::context::ContextExt;
use super::errors::ApiError;
use super::node::{GlobalId, NodeKind};
use super::scalars::Money;
use crate::catalog::{self, CatalogItem};

/// What a tariff or service provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "catalog::ServiceKind")]
pub enum ServiceKind {
    /// Home internet.
    Internet,
    /// Television (base package).
    Tv,
    /// An extra channel package.
    TvPackage,
    /// Home phone (needs internet).
    HomePhone,
    /// Security alarm.
    SecurityAlarm,
    /// Antivirus.
    Antivirus,
    /// «Как дома»: metro Wi-Fi without ads.
    KakDoma,
    /// Parental control.
    ParentalControl,
    /// Equipment: rent, instalment or purchase.
    Equipment,
}

/// The fields every catalog entry has, resolved once for tariffs and services
/// alike (flattened into both; never a type of its own in the schema).
pub struct CatalogFields<'a>(&'a CatalogItem);

/// The fields every catalog entry has.
#[Object]
impl CatalogFields<'_> {
    /// The catalog's stable code (`internet-500`); inputs that take a tariff
    /// or service accept it as well as the global `id`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name, in Russian.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is and what it includes, in Russian.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Kind of service.
    async fn kind(&self) -> ServiceKind {
        self.0.kind.into()
    }

    /// Monthly fee, charged daily.
    async fn monthly_fee(&self) -> Money {
        self.0.monthly_fee.into()
    }

    /// TV channels it includes or adds.
    async fn tv_channels(&self) -> Option<i32> {
        self.0.tv_channels
    }
}

/// A tariff plan: a bundle of services at a monthly fee.
#[derive(Debug, Clone)]
pub struct Tariff(pub CatalogItem);

/// A tariff plan: a bundle of services at a monthly fee.
#[Object]
impl Tariff {
    /// Opaque global ID (for `changeTariff`, previews and `node`).
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Tariff, self.0.id)
    }

    #[graphql(flatten)]
    async fn entry(&self) -> CatalogFields<'_> {
        CatalogFields(&self.0)
    }

    /// Internet speed, Mbit/s.
    async fn speed_mbps(&self) -> Option<i32> {
        self.0.speed_mbps
    }
}

/// A service or option that can be added to a tariff.
#[derive(Debug, Clone)]
pub struct Service(pub CatalogItem);

/// A service or option that can be added to a tariff.
#[Object]
impl Service {
    /// Opaque global ID (for `connectService`, previews and `node`).
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Service, self.0.id)
    }

    #[graphql(flatten)]
    async fn entry(&self) -> CatalogFields<'_> {
        CatalogFields(&self.0)
    }

    /// A service that must be connected first (home phone needs internet).
    async fn requires_kind(&self) -> Option<ServiceKind> {
        self.0.requires_kind.map(Into::into)
    }

    /// A product bought outright (`purchaseAntivirus`) rather than subscribed
    /// to monthly: its price; null for monthly services.
    async fn purchase_price(&self) -> Option<Money> {
        self.0.purchase.as_ref().map(|p| p.price.into())
    }

    /// The instalment terms a product allows, in months (1: at once); null for
    /// monthly services.
    async fn instalment_months(&self) -> Option<Vec<i32>> {
        self.0.purchase.as_ref().map(|p| {
            p.instalment_months
                .iter()
                .map(|m| i32::try_from(*m).unwrap_or(i32::MAX))
                .collect()
        })
    }
}

/// Root fields of the catalog.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Current tariff plans, optionally of one kind. Anyone may ask.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn tariffs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tariffs of this kind.")] kind: Option<ServiceKind>,
    ) -> Result<Vec<Tariff>, ApiError> {
        let items = catalog::list(ctx.db(), true, kind.map(Into::into)).await?;
        Ok(items.into_iter().map(Tariff).collect())
    }

    /// Services and options that can be connected, optionally of one kind. Anyone may ask.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn service_catalog(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only services of this kind.")] kind: Option<ServiceKind>,
    ) -> Result<Vec<Service>, ApiError> {
        let items = catalog::list(ctx.db(), false, kind.map(Into::into)).await?;
        Ok(items.into_iter().map(Service).collect())
    }
}

/// The catalog code an input names: a `Tariff.id` or `Service.id`, or the
/// code itself (`Tariff.code`). An ID of anything else, or of nothing, comes
/// back as given, which the rules then do not find (`NOT_FOUND`).
pub(super) async fn code_of(ctx: &Context<'_>, id: &ID) -> Result<String, ApiError> {
    if let Some(GlobalId {
        kind: NodeKind::Tariff | NodeKind::Service,
        key,
    }) = GlobalId::decode(id)
        && let Some(entry) = ctx.loaders().catalog.load_one(key).await?
    {
        return Ok(entry.code);
    }
    Ok(id.to_string())
}
