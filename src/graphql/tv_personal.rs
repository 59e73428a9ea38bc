//! GraphQL face of a subscriber's TV guide: favourites, reminders and which
//! channels they see. Subscribers only.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::scalars::DateTime;
use super::tv::{ProgrammeCategory, TvChannel, TvProgramme, channel_keys, programme_by_id};
use crate::tv::{self, Category, favourites, reminders, visibility};

/// Most channels one `setChannelVisibility` changes.
const MAX_CHANNELS_AT_ONCE: usize = 500;

/// A programme title in «Избранное». Every airing of the title counts: they are
/// announced in `tvReminders` two days ahead.
#[derive(Debug, Clone)]
pub struct TvFavourite(pub favourites::Favourite);

/// A programme title in «Избранное». Every airing of the title counts: they are
/// announced in `tvReminders` two days ahead.
#[Object]
impl TvFavourite {
    /// Global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::TvFavourite, self.0.id)
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The category the subscriber filed it under.
    async fn category(&self) -> ProgrammeCategory {
        self.0.category.into()
    }

    /// When it was added.
    async fn added_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// An upcoming airing of a favourite, announced two days ahead.
#[derive(Debug, Clone)]
pub struct TvReminder(pub reminders::Reminder);

/// An upcoming airing of a favourite, announced two days ahead.
#[Object]
impl TvReminder {
    /// Global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::TvReminder, self.0.id)
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// When it airs.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.0.starts_at)
    }

    /// The channel.
    async fn channel(&self, ctx: &Context<'_>) -> Result<Option<TvChannel>, ApiError> {
        Ok(ctx
            .loaders()
            .tv_channels
            .load_one(self.0.channel_id)
            .await?
            .map(TvChannel))
    }

    /// The airing; null if the guide was re-imported since and no longer has it.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<TvProgramme>, ApiError> {
        Ok(ctx
            .loaders()
            .tv_programmes
            .load_one(self.0.programme_id)
            .await?
            .filter(|p| p.starts_at == self.0.starts_at && p.channel_id == self.0.channel_id)
            .map(TvProgramme::from))
    }

    /// Whether an SMS was sent for it (TV SMS were on when it was announced).
    async fn sms_sent(&self) -> bool {
        self.0.sms_queued
    }

    /// When it was announced.
    async fn announced_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// The signed-in subscriber's favourites, optionally of one category.
pub(super) async fn favourites_of(
    ctx: &Context<'_>,
    account_id: i64,
    category: Option<ProgrammeCategory>,
) -> Result<Vec<TvFavourite>, ApiError> {
    Ok(
        favourites::list(ctx.db(), account_id, category.map(Into::into))
            .await?
            .into_iter()
            .map(TvFavourite)
            .collect(),
    )
}

/// The subscriber's reminders of airings still to come.
pub(super) async fn reminders_of(
    ctx: &Context<'_>,
    account_id: i64,
) -> Result<Vec<TvReminder>, ApiError> {
    Ok(reminders::upcoming(ctx.db(), ctx.clock().now(), account_id)
        .await?
        .into_iter()
        .map(TvReminder)
        .collect())
}

/// Input of `addTvFavourite`: a programme, or a title (for something not in the
/// guide yet). One of the two.
#[derive(Debug, InputObject)]
pub struct AddTvFavouriteInput {
    /// Any airing of the programme.
    pub programme_id: Option<ID>,
    /// A title, when not adding from the guide.
    pub title: Option<String>,
    /// Category to file it under; the programme's own category when omitted
    /// (`OTHER` for a bare title).
    pub category: Option<ProgrammeCategory>,
}

/// Result of `addTvFavourite`.
#[derive(Debug, SimpleObject)]
pub struct AddTvFavouritePayload {
    /// The favourite (added, or already there with the category now given).
    pub favourite: Option<TvFavourite>,
    /// `REQUIRED` when neither or both of programmeId and title are given,
    /// `NOT_FOUND` for an unknown programme, `TOO_LONG` for a title over 200
    /// characters, `LIMIT_REACHED` when «Избранное» is full.
    pub user_errors: Vec<UserError>,
}

/// Input of `removeTvFavourite`.
#[derive(Debug, InputObject)]
pub struct RemoveTvFavouriteInput {
    /// A `TvFavourite.id`.
    pub id: ID,
}

/// Result of `removeTvFavourite`.
#[derive(Debug, SimpleObject)]
pub struct RemoveTvFavouritePayload {
    /// The ID removed.
    pub removed_id: Option<ID>,
    /// `NOT_FOUND` when the subscriber has no such favourite.
    pub user_errors: Vec<UserError>,
}

/// Input of `setChannelVisibility`.
#[derive(Debug, InputObject)]
pub struct SetChannelVisibilityInput {
    /// Channels to show or hide (`TvChannel.id`, at most 500).
    pub channel_ids: Vec<ID>,
    /// Show (true) or hide (false). An explicit choice wins over "only my packages".
    pub visible: bool,
}

/// Result of `setChannelVisibility`.
#[derive(Debug, SimpleObject)]
pub struct SetChannelVisibilityPayload {
    /// The channels changed, with their `visible` now.
    #[graphql(complexity = "super::cost::times(super::cost::CHANNELS, child_complexity)")]
    pub channels: Vec<TvChannel>,
    /// `NOT_FOUND` when an ID is not a channel, `TOO_LONG` for over 500 channels.
    pub user_errors: Vec<UserError>,
}

/// Input of `showOnlyMyPackages`.
#[derive(Debug, InputObject)]
pub struct ShowOnlyMyPackagesInput {
    /// Show only the channels of the subscriber's packages by default.
    pub enabled: bool,
}

/// Result of `showOnlyMyPackages`.
#[derive(Debug, SimpleObject)]
pub struct ShowOnlyMyPackagesPayload {
    /// Whether it is on now.
    pub enabled: bool,
    /// Always empty: nothing here a person can get wrong.
    pub user_errors: Vec<UserError>,
}

/// Longest title a subscriber may add by hand.
const MAX_TITLE: usize = 200;

/// A subscriber's TV guide mutations.
#[derive(Default)]
pub struct TvPersonalMutation;

#[Object]
impl TvPersonalMutation {
    /// Adds a programme title to «Избранное» (by an airing or by title). Adding
    /// one already there changes its category.
    async fn add_tv_favourite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme or title, and the category.")] input: AddTvFavouriteInput,
    ) -> Result<AddTvFavouritePayload, ApiError> {
        let account = ctx.subscriber()?;
        let fail = |field: &str, code, message: &str| AddTvFavouritePayload {
            favourite: None,
            user_errors: vec![UserError::at(&["input", field], code, message)],
        };
        let title = input
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let (title, category) = match (&input.programme_id, title) {
            (Some(id), None) => {
                let Some(programme) = programme_by_id(ctx, "input.programmeId", id).await? else {
                    return Ok(fail(
                        "programmeId",
                        UserErrorCode::NotFound,
                        messages::NO_SUCH_PROGRAMME,
                    ));
                };
                (programme.title, programme.category)
            }
            (None, Some(title)) if title.chars().count() > MAX_TITLE => {
                return Ok(fail(
                    "title",
                    UserErrorCode::TooLong,
                    "Название — не длиннее 200 символов",
                ));
            }
            (None, Some(title)) => (title.to_owned(), Category::Other),
            _ => {
                return Ok(fail(
                    "programmeId",
                    UserErrorCode::Required,
                    "Укажите передачу или её название (одно из двух)",
                ));
            }
        };
        let category = input.category.map_or(category, Into::into);
        match favourites::add(ctx.db(), ctx.clock().now(), account, &title, category).await {
            Ok(favourite) => Ok(AddTvFavouritePayload {
                favourite: Some(TvFavourite(favourite)),
                user_errors: Vec::new(),
            }),
            Err(err) => match super::tv::refusal(&err) {
                Some((field, code, message)) => Ok(fail(field, code, &message)),
                None => Err(ApiError::internal(err)),
            },
        }
    }

    /// Removes a title from «Избранное» (its announced reminders stay).
    async fn remove_tv_favourite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The favourite.")] input: RemoveTvFavouriteInput,
    ) -> Result<RemoveTvFavouritePayload, ApiError> {
        let account = ctx.subscriber()?;
        let id = GlobalId::parse("input.id", &input.id)?;
        let removed = id.kind == NodeKind::TvFavourite
            && favourites::remove(ctx.db(), account, id.key).await?;
        Ok(if removed {
            RemoveTvFavouritePayload {
                removed_id: Some(input.id),
                user_errors: Vec::new(),
            }
        } else {
            RemoveTvFavouritePayload {
                removed_id: None,
                user_errors: vec![UserError::at(
                    &["input", "id"],
                    UserErrorCode::NotFound,
                    "Такой передачи нет в избранном",
                )],
            }
        })
    }

    /// Shows or hides channels for the subscriber (the grid and "now on air"
    /// show only visible channels by default).
    async fn set_channel_visibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Channels and whether to show them.")] input: SetChannelVisibilityInput,
    ) -> Result<SetChannelVisibilityPayload, ApiError> {
        let account = ctx.subscriber()?;
        let fail = |code, message: &str| SetChannelVisibilityPayload {
            channels: Vec::new(),
            user_errors: vec![UserError::at(&["input", "channelIds"], code, message)],
        };
        if input.channel_ids.len() > MAX_CHANNELS_AT_ONCE {
            return Ok(fail(UserErrorCode::TooLong, "Не больше 500 каналов за раз"));
        }
        let keys = channel_keys("input.channelIds", &input.channel_ids)?;
        let channels = tv::channels_by_id(ctx.db(), Some(&keys)).await?;
        if keys.len() != input.channel_ids.len()
            || channels.len() != keys.iter().collect::<std::collections::HashSet<_>>().len()
        {
            return Ok(fail(UserErrorCode::NotFound, "Таких каналов нет"));
        }
        let ids: Vec<i64> = channels.iter().map(|c| c.id).collect();
        visibility::set_visible(ctx.db(), account, &ids, input.visible).await?;
        Ok(SetChannelVisibilityPayload {
            channels: channels.into_iter().map(TvChannel).collect(),
            user_errors: Vec::new(),
        })
    }

    /// Shows only the channels of the subscriber's packages by default (or all
    /// channels again). Channels shown or hidden one by one keep that choice.
    async fn show_only_my_packages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "On or off.")] input: ShowOnlyMyPackagesInput,
    ) -> Result<ShowOnlyMyPackagesPayload, ApiError> {
        let account = ctx.subscriber()?;
        visibility::set_only_my_packages(ctx.db(), ctx.clock().now(), account, input.enabled)
            .await?;
        Ok(ShowOnlyMyPackagesPayload {
            enabled: input.enabled,
            user_errors: Vec::new(),
        })
    }
}
