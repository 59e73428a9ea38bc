//! GraphQL face of the TV guide: packages, channels, a channel's day, the grid
//! and "now on air". All public.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Duration;

use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::scalars::{Date, DateTime};
use super::tv_ratings::ProgrammeRating;
use crate::tv::{self, Category, on_air};

/// Longest time range of one `tvSchedule` request.
pub const MAX_SCHEDULE_HOURS: i64 = 36;
pub use crate::tv::on_air::MAX_SLOTS;

/// The main category of a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Category")]
pub enum ProgrammeCategory {
    /// Feature film.
    Film,
    /// Series.
    Series,
    /// For children.
    Kids,
    /// Sport.
    Sport,
    /// News.
    News,
    /// Documentary.
    Documentary,
    /// Shows and entertainment.
    Entertainment,
    /// Music.
    Music,
    /// Anything else.
    Other,
}

/// A channel package.
#[derive(Debug, Clone)]
pub struct TvPackage(pub tv::Package);

/// A channel package.
#[Object]
impl TvPackage {
    /// Package id (pass it to `tvChannels(packageId:)`).
    async fn id(&self) -> ID {
        ID(self.0.code.clone())
    }

    /// Name, in Russian.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it holds, in Russian.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Included with every TV tariff.
    async fn base(&self) -> bool {
        self.0.base
    }
}

/// Input of `rateProgramme`.
#[derive(Debug, InputObject)]
pub struct RateProgrammeInput {
    /// The programme (any airing of the title).
    pub programme_id: ID,
    /// 1 to 5.
    pub stars: i32,
}

/// Result of `rateProgramme`.
#[derive(Debug, SimpleObject)]
pub struct RateProgrammePayload {
    /// The programme with its updated rating.
    pub programme: Option<TvProgramme>,
    /// `INVALID_VALUE` for stars outside 1–5, `NOT_FOUND` for an unknown programme.
    pub user_errors: Vec<UserError>,
}

/// The programme of a client-supplied ID; `None` for an ID of another kind or
/// an airing the guide no longer has.
pub(super) async fn programme_by_id(
    ctx: &Context<'_>,
    argument: &'static str,
    id: &ID,
) -> Result<Option<tv::Programme>, ApiError> {
    let id = GlobalId::parse(argument, id)?;
    Ok(match id.kind {
        NodeKind::TvProgramme => ctx.loaders().tv_programmes.load_one(id.key).await?,
        _ => None,
    })
}

/// TV mutations of a subscriber.
#[derive(Default)]
pub struct TvMutation;

#[Object]
impl TvMutation {
    /// Rates a programme title 1–5 stars; rating it again changes the rating.
    async fn rate_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Programme and stars.")] input: RateProgrammeInput,
    ) -> Result<RateProgrammePayload, ApiError> {
        let account = ctx.subscriber()?;
        let fail = |field: &str, code, message: &str| RateProgrammePayload {
            programme: None,
            user_errors: vec![UserError::at(&["input", field], code, message)],
        };
        let stars = match tv::ratings::Stars::parse(input.stars) {
            Ok(stars) => stars,
            Err(err) => {
                let (field, code, message) =
                    refusal(&err).ok_or_else(|| ApiError::internal(err))?;
                return Ok(fail(field, code, &message));
            }
        };
        let Some(programme) =
            programme_by_id(ctx, "input.programmeId", &input.programme_id).await?
        else {
            return Ok(fail(
                "programmeId",
                UserErrorCode::NotFound,
                messages::NO_SUCH_PROGRAMME,
            ));
        };
        tv::ratings::rate(
            ctx.db(),
            ctx.clock().now(),
            account,
            &programme.title,
            stars,
        )
        .await?;
        Ok(RateProgrammePayload {
            programme: Some(programme.into()),
            user_errors: Vec::new(),
        })
    }
}

/// Someone who makes or appears in a programme.
#[derive(Debug, Clone, SimpleObject)]
pub struct Person {
    /// Role as XMLTV names it: director, actor, presenter, commentator, writer…
    pub role: String,
    /// Full name.
    pub name: String,
}

/// One airing of a programme, with what the list it came in already has.
#[derive(Debug, Clone)]
pub struct TvProgramme {
    /// The airing.
    pub programme: tv::Programme,
    /// Its channel when the list had it (so `channel` costs nothing there).
    channel: Option<tv::Channel>,
}

impl TvProgramme {
    fn on(programme: tv::Programme, channel: &tv::Channel) -> Self {
        TvProgramme {
            programme,
            channel: Some(channel.clone()),
        }
    }
}

impl From<tv::Programme> for TvProgramme {
    fn from(programme: tv::Programme) -> Self {
        TvProgramme {
            programme,
            channel: None,
        }
    }
}

/// One airing of a programme.
#[Object]
impl TvProgramme {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::TvProgramme, self.programme.id)
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.programme.title
    }

    /// Description.
    async fn description(&self) -> &str {
        &self.programme.description
    }

    /// Start.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.programme.starts_at)
    }

    /// End.
    async fn ends_at(&self) -> DateTime {
        DateTime(self.programme.ends_at)
    }

    /// Main category.
    async fn category(&self) -> ProgrammeCategory {
        self.programme.category.into()
    }

    /// Further genres, in Russian.
    async fn genres(&self) -> &[String] {
        &self.programme.genres
    }

    /// Directors, actors, presenters…
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn people(&self) -> Vec<Person> {
        self.programme
            .people
            .iter()
            .map(|(role, name)| Person {
                role: role.clone(),
                name: name.clone(),
            })
            .collect()
    }

    /// Minimum age (16 for «16+»); null when unrated.
    async fn age_rating(&self) -> Option<i32> {
        self.programme.age_rating
    }

    /// Shown for the first time.
    async fn premiere(&self) -> bool {
        self.programme.premiere
    }

    /// What subscribers think of this title (every airing of it shares the ratings).
    async fn rating(&self, ctx: &Context<'_>) -> Result<ProgrammeRating, ApiError> {
        super::tv_ratings::rating(ctx, &self.programme).await
    }

    /// The channel.
    async fn channel(&self, ctx: &Context<'_>) -> Result<Option<TvChannel>, ApiError> {
        if let Some(channel) = &self.channel {
            return Ok(Some(TvChannel(channel.clone())));
        }
        Ok(ctx
            .loaders()
            .tv_channels
            .load_one(self.programme.channel_id)
            .await?
            .map(TvChannel))
    }
}

/// A TV channel.
#[derive(Debug, Clone)]
pub struct TvChannel(pub tv::Channel);

impl From<tv::Channel> for TvChannel {
    fn from(c: tv::Channel) -> Self {
        TvChannel(c)
    }
}

/// A TV channel.
#[Object]
impl TvChannel {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::TvChannel, self.0.id)
    }

    /// Position in the channel list.
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The package it belongs to.
    async fn package(&self, ctx: &Context<'_>) -> Result<Option<TvPackage>, ApiError> {
        match self.0.package_id {
            Some(id) => Ok(ctx.loaders().tv_packages.load_one(id).await?.map(TvPackage)),
            None => Ok(None),
        }
    }

    /// Whether the viewer sees this channel by default (set with `showOnlyMyPackages` and
    /// `setChannelVisibility`); always true for an anonymous viewer.
    async fn visible(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        Ok(viewer_visibility(ctx)
            .await?
            .is_none_or(|v| v.shows(&self.0)))
    }

    /// Programmes that air on a Moscow day (including one running at midnight).
    #[graphql(complexity = "super::cost::times(super::cost::PROGRAMMES_PER_DAY, child_complexity)")]
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The Moscow day.")] date: Date,
    ) -> Result<Vec<TvProgramme>, ApiError> {
        let day = ctx.loaders().tv_days.load_one((self.0.id, date.0)).await?;
        Ok(day
            .unwrap_or_default()
            .into_iter()
            .map(|p| TvProgramme::on(p, &self.0))
            .collect())
    }
}

connection!(TvChannelConnection, TvChannelEdge, TvChannel, "TV channels");

/// One channel's row of the grid.
#[derive(Debug, Clone, SimpleObject)]
pub struct TvChannelSchedule {
    /// The channel.
    pub channel: TvChannel,
    /// Its programmes overlapping the requested range, in time order.
    pub programmes: Vec<TvProgramme>,
}

/// A programme on a channel, in "now on air".
#[derive(Debug, Clone, SimpleObject)]
pub struct OnAirItem {
    /// The channel.
    pub channel: TvChannel,
    /// The programme.
    pub programme: TvProgramme,
}

/// A time slot of "now on air": slot 0 is what airs at that instant; each next
/// slot is a 30-minute window (on :00 and :30) of programmes that start in it
/// (slot 1 also holds those starting before its window, after the instant).
#[derive(Debug, Clone, SimpleObject)]
pub struct OnAirSlot {
    /// Start of the slot (for slot 0: the instant asked).
    pub starts_at: DateTime,
    /// End of the slot.
    pub ends_at: DateTime,
    /// Whether this is "now".
    pub now: bool,
    /// Programmes in channel order.
    #[graphql(complexity = "super::cost::times(super::cost::CHANNELS, child_complexity)")]
    pub items: Vec<OnAirItem>,
}

/// The signed-in subscriber's channel visibility; `None` for anyone else.
async fn viewer_visibility(
    ctx: &Context<'_>,
) -> Result<Option<tv::visibility::Visibility>, ApiError> {
    let Some(account_id) = ctx.viewer().account_id() else {
        return Ok(None);
    };
    let load =
        || async { Ok::<_, ApiError>(ctx.loaders().tv_visibility.load_one(account_id).await?) };
    match ctx.query_memo() {
        Some(memo) => Ok(memo.tv_visibility.get_or_try_init(load).await?.clone()),
        None => load().await,
    }
}

/// Channel IDs as keys, ignoring IDs of other kinds.
pub(super) fn channel_keys(argument: &'static str, ids: &[ID]) -> Result<Vec<i64>, ApiError> {
    ids.iter()
        .map(|id| GlobalId::parse(argument, id))
        .filter_map(|id| match id {
            Ok(g) if g.kind == NodeKind::TvChannel => Some(Ok(g.key)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect()
}

/// The channels a signed-in subscriber sees, in list order; `None` for anyone
/// else (who sees every channel).
pub(super) async fn visible_channels(
    ctx: &Context<'_>,
) -> Result<Option<Vec<tv::Channel>>, ApiError> {
    let Some(visibility) = viewer_visibility(ctx).await? else {
        return Ok(None);
    };
    Ok(Some(
        tv::visibility::channels_seen(ctx.db(), &visibility).await?,
    ))
}

/// Every TV refusal as a person reads it: the input field at fault, its code
/// and the sentence. The one place TV errors are said; `Db` has no entry.
pub(super) fn refusal(err: &tv::TvError) -> Option<(&'static str, UserErrorCode, String)> {
    use UserErrorCode as C;
    use tv::TvError as E;
    Some(match err {
        E::FavouritesFull => (
            "title",
            C::LimitReached,
            format!(
                "В избранном уже {} передач: удалите ненужные",
                tv::favourites::MAX_FAVOURITES
            ),
        ),
        E::NoWords(field) => (
            field,
            C::InvalidValue,
            "В запросе нет ни одного слова: введите буквы или цифры".to_owned(),
        ),
        E::EmptyRange => ("to", C::InvalidValue, messages::PERIOD_BACKWARDS.to_owned()),
        E::RatingOutOfRange => (
            "minRating",
            C::InvalidValue,
            "Рейтинг — число от 1 до 5".to_owned(),
        ),
        E::StarsOutOfRange => ("stars", C::InvalidValue, messages::STARS_RANGE.to_owned()),
        E::Xmltv(error) => (
            "xmltv",
            C::InvalidValue,
            format!(
                "Файл не в формате XMLTV: строка {}: {}",
                error.line, error.message
            ),
        ),
        E::Db(_) => return None,
    })
}

/// Root fields of the TV guide. Anyone may ask.
#[derive(Default)]
pub struct TvQuery;

#[Object]
impl TvQuery {
    /// Channel packages.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn tv_packages(&self, ctx: &Context<'_>) -> Result<Vec<TvPackage>, ApiError> {
        Ok(tv::packages(ctx.db())
            .await?
            .into_iter()
            .map(TvPackage)
            .collect())
    }

    /// Channels in list order, optionally of one package.
    #[graphql(complexity = "super::cost::page(first, last, child_complexity)")]
    async fn tv_channels(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only channels of this package (a `TvPackage.id`).")] package_id: Option<
            ID,
        >,
        #[graphql(desc = "Return the first N items after `after` (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items after this one.")] after: Option<String>,
        #[graphql(desc = "Return the last N items before `before` (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items before this one.")] before: Option<String>,
    ) -> Result<TvChannelConnection, ApiError> {
        let request = page_request(first, after, last, before)?;
        let package = match package_id {
            Some(code) => {
                let packages = tv::packages(ctx.db()).await?;
                let found = packages.into_iter().find(|p| p.code == code.0);
                Some(
                    found
                        .ok_or_else(|| {
                            ApiError::bad_input("packageId", "Такого пакета каналов нет")
                        })?
                        .id,
                )
            }
            None => None,
        };
        Ok(tv::channels(ctx.db(), package, &request).await?.into())
    }

    /// One channel by its ID; null when there is none.
    async fn tv_channel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A `TvChannel.id`.")] id: ID,
    ) -> Result<Option<TvChannel>, ApiError> {
        let id = GlobalId::parse("id", &id)?;
        if id.kind != NodeKind::TvChannel {
            return Ok(None);
        }
        Ok(ctx
            .loaders()
            .tv_channels
            .load_one(id.key)
            .await?
            .map(TvChannel))
    }

    /// The grid: programmes of the given channels (all when omitted) overlapping
    /// `[from, to)`, at most 36 hours.
    #[graphql(
        complexity = "super::cost::channels(channel_ids.as_ref().map(Vec::len), super::cost::window(((to.0 - from.0).num_hours() + 1).min(MAX_SCHEDULE_HOURS), child_complexity))"
    )]
    async fn tv_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Channel IDs; when omitted, the channels the viewer sees (all for anonymous viewers)."
        )]
        channel_ids: Option<Vec<ID>>,
        #[graphql(desc = "Start of the range.")] from: DateTime,
        #[graphql(desc = "End of the range (at most 36 hours after `from`).")] to: DateTime,
    ) -> Result<Vec<TvChannelSchedule>, ApiError> {
        if to.0 <= from.0 {
            return Err(ApiError::bad_input("to", messages::PERIOD_BACKWARDS));
        }
        if to.0 - from.0 > Duration::hours(MAX_SCHEDULE_HOURS) {
            return Err(ApiError::bad_input(
                "to",
                format!("Сетку можно запросить не больше чем на {MAX_SCHEDULE_HOURS} часов за раз"),
            ));
        }
        let channels = match channel_ids {
            Some(ids) => {
                let ids = channel_keys("channelIds", &ids)?;
                tv::channels_by_id(ctx.db(), Some(&ids)).await?
            }
            None => match visible_channels(ctx).await? {
                Some(channels) => channels,
                None => tv::channels_by_id(ctx.db(), None).await?,
            },
        };
        let channel_ids: Vec<i64> = channels.iter().map(|c| c.id).collect();
        let mut by_channel: HashMap<i64, Vec<tv::Programme>> = HashMap::new();
        let guide = ctx.guide().get(ctx.db()).await?;
        for p in guide.between(&channel_ids, from.0, to.0) {
            by_channel.entry(p.channel_id).or_default().push(p);
        }
        Ok(channels
            .into_iter()
            .map(|c| TvChannelSchedule {
                programmes: by_channel
                    .remove(&c.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| TvProgramme::on(p, &c))
                    .collect(),
                channel: TvChannel(c),
            })
            .collect())
    }

    /// "Now on air": what airs at `at` (default now) on every channel the viewer
    /// sees, then the programmes starting in each of the next `slots` 30-minute slots.
    #[graphql(
        complexity = "super::cost::times(usize::try_from(slots).unwrap_or(0).min(MAX_SLOTS as usize) + 1, child_complexity)"
    )]
    async fn on_air(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instant; now when omitted.")] at: Option<DateTime>,
        #[graphql(
            desc = "How many 30-minute slots after now (0–12, default 2).",
            default = 2
        )]
        slots: i32,
    ) -> Result<Vec<OnAirSlot>, ApiError> {
        if !(0..=MAX_SLOTS).contains(&slots) {
            return Err(ApiError::bad_input(
                "slots",
                format!("От 0 до {MAX_SLOTS} слотов"),
            ));
        }
        let at = at.map(|a| a.0).unwrap_or_else(|| ctx.clock().now());
        let window = on_air::Window::new(at, slots);
        let channels = match visible_channels(ctx).await? {
            Some(channels) => channels,
            None => tv::channels_by_id(ctx.db(), None).await?,
        };
        let channel_ids: Vec<i64> = channels.iter().map(|c| c.id).collect();
        let programmes = ctx
            .guide()
            .get(ctx.db())
            .await?
            .between(&channel_ids, at, window.until);
        Ok(on_air::slots(&window, &channel_ids, programmes)
            .into_iter()
            .map(|slot| OnAirSlot {
                starts_at: DateTime(slot.starts_at),
                ends_at: DateTime(slot.ends_at),
                now: slot.now,
                items: slot
                    .items
                    .into_iter()
                    .map(|(position, p)| {
                        let channel = &channels[position];
                        OnAirItem {
                            programme: TvProgramme::on(p, channel),
                            channel: TvChannel(channel.clone()),
                        }
                    })
                    .collect(),
            })
            .collect())
    }
}
