//! GraphQL face of TV search and the day's highlights. Public.

use async_graphql::{Context, ID, InputObject, Object};

use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::ApiError;
use super::scalars::{Date, DateTime};
use super::tv::{ProgrammeCategory, TvProgramme, channel_keys, visible_channels};
use crate::tv::{self, search};

connection!(
    TvProgrammeConnection,
    TvProgrammeEdge,
    TvProgramme,
    "TV programme airings"
);

/// What to look for in the guide; every part given must match. Words match in
/// any form and case, `ё` as `е` («новость» finds «Новости», «футбол» finds
/// «Футбола нет»).
#[derive(Debug, Clone, Default, InputObject)]
pub struct ProgrammeSearchInput {
    /// Words of the title, or part of it («сезон» finds «Тёмный сезон»); the last
    /// word may be unfinished («сез») unless followed by a space.
    pub title: Option<String>,
    /// A person (actor, director, presenter): the name or the surname alone.
    pub person: Option<String>,
    /// The main category.
    pub category: Option<ProgrammeCategory>,
    /// A genre («комедия», «детектив»), in any form.
    pub genre: Option<String>,
    /// Minimum average rating of the title (1–5).
    pub min_rating: Option<f64>,
    /// Airings still on after this instant; now when omitted (pass an earlier
    /// time to search the past days of the guide).
    pub from: Option<DateTime>,
    /// Airings starting before this instant.
    pub to: Option<DateTime>,
    /// Only these channels (`TvChannel.id`).
    pub channel_ids: Option<Vec<ID>>,
}

/// A search filter refused: `BAD_USER_INPUT` naming the filter field.
fn filter_error(error: tv::TvError) -> ApiError {
    match super::tv::refusal(&error) {
        Some((field, _, message)) => ApiError::bad_input(field, message),
        None => ApiError::internal(error),
    }
}

/// Root fields of TV search and highlights. Anyone may ask.
#[derive(Default)]
pub struct TvSearchQuery;

#[Object]
impl TvSearchQuery {
    /// Airings matching the filter, by start time. Title words match in any
    /// word form, case and with `ё` = `е`; people by name or surname; genres in
    /// any form; the rating is the title's public average.
    #[graphql(complexity = "super::cost::page(first, None, child_complexity)")]
    async fn search_programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] filter: ProgrammeSearchInput,
        #[graphql(desc = "Return the first N items after `after` (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Cursor: return items after this one.")] after: Option<String>,
    ) -> Result<TvProgrammeConnection, ApiError> {
        let request = page_request(first, after, None, None)?;
        let filter = search::Filter {
            title: filter.title,
            person: filter.person,
            genre: filter.genre,
            category: filter.category.map(Into::into),
            min_rating: filter.min_rating,
            from: filter.from.map_or_else(|| ctx.clock().now(), |f| f.0),
            to: filter.to.map(|t| t.0),
            channel_ids: filter
                .channel_ids
                .map(|ids| channel_keys("channelIds", &ids))
                .transpose()?,
        };
        let page = search::search(ctx.db(), ctx.guide(), &filter, &request)
            .await
            .map_err(filter_error)?;
        Ok(page.into())
    }

    /// The day's highlights (at most 20): premieres, and films, series and sport
    /// starting in prime time (19:00–23:00), premieres and the best rated first,
    /// one airing per title, in time order; on the channels the viewer sees.
    #[graphql(
        complexity = "super::cost::times(crate::tv::highlights::MAX_HIGHLIGHTS, child_complexity)"
    )]
    async fn tv_highlights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The Moscow day; today when omitted.")] date: Option<Date>,
        #[graphql(
            desc = "Only these channels; when omitted, the channels the viewer sees (all for anonymous viewers)."
        )]
        channel_ids: Option<Vec<ID>>,
    ) -> Result<Vec<TvProgramme>, ApiError> {
        let day = date.map_or_else(|| crate::time::moscow_date(ctx.clock().now()), |d| d.0);
        let channels = match channel_ids {
            Some(ids) => Some(channel_keys("channelIds", &ids)?),
            None => visible_channels(ctx)
                .await?
                .map(|list| list.iter().map(|c| c.id).collect::<Vec<_>>()),
        };
        Ok(tv::highlights::of_day(ctx.db(), day, channels.as_deref())
            .await?
            .into_iter()
            .map(TvProgramme::from)
            .collect())
    }
}
