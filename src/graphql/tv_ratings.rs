//! Programme ratings in the API.

use async_graphql::{Context, SimpleObject};

use super::context::ContextExt;
use super::errors::ApiError;
use crate::tv;

/// Subscribers' ratings of a programme title.
#[derive(Debug, Clone, SimpleObject)]
pub struct ProgrammeRating {
    /// Mean stars (1–5, two decimals); null before the first vote.
    pub average: Option<f64>,
    /// How many subscribers rated it.
    pub count: i32,
    /// The signed-in subscriber's own stars; null when not rated or anonymous.
    pub my_stars: Option<i32>,
}

/// The rating of `programme`'s title. The viewer's own stars are read only
/// when the query asks for `myStars`.
pub(super) async fn rating(
    ctx: &Context<'_>,
    programme: &tv::Programme,
) -> Result<ProgrammeRating, ApiError> {
    let title = &programme.title_key;
    let summary = ctx.loaders().tv_ratings.load_one(title.clone()).await?;
    let account = ctx
        .viewer()
        .account_id()
        .filter(|_| ctx.look_ahead().field("myStars").exists());
    let mine = match account {
        Some(account) => {
            ctx.loaders()
                .tv_own_ratings
                .load_one((account, title.clone()))
                .await?
        }
        None => None,
    };
    Ok(ProgrammeRating {
        average: summary.map(|s| (s.average * 100.0).round() / 100.0),
        count: summary
            .map(|s| i32::try_from(s.count).unwrap_or(i32::MAX))
            .unwrap_or(0),
        my_stars: mine,
    })
}
