//! The TV guide: packages, channels and programmes (imported from XMLTV), and
//! the questions a viewer asks of them: a channel's day, a grid, what is on now.

pub mod favourites;
pub mod guide;
pub mod highlights;
pub mod import;
pub mod on_air;
pub mod ratings;
pub mod reminders;
pub mod search;
pub mod terms;
pub mod visibility;
pub mod xmltv;

use chrono::{DateTime, Utc};
use entity::{tv_channel, tv_package, tv_programme};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::pagination::{self, Direction, Page, PageRequest};

/// Why a TV guide operation was refused, or failed: one enum for the domain.
/// Each refusal is a code with its data; what a person reads is said in
/// `graphql/tv.rs`.
#[derive(Debug, thiserror::Error)]
pub enum TvError {
    /// The subscriber has [`favourites::MAX_FAVOURITES`] favourites already.
    #[error("{} favourites already", favourites::MAX_FAVOURITES)]
    FavouritesFull,
    /// A search text (the named filter field) has no letters or digits.
    #[error("no words in {0}")]
    NoWords(&'static str),
    /// A time range ends before it starts.
    #[error("the range ends before it starts")]
    EmptyRange,
    /// A minimum rating outside 1–5.
    #[error("the rating is outside 1-5")]
    RatingOutOfRange,
    /// Stars outside 1–5.
    #[error("stars are 1 to 5")]
    StarsOutOfRange,
    /// The file is not valid XMLTV (with the line).
    #[error("the file is not valid XMLTV: {0}")]
    Xmltv(#[from] xmltv::ParseError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A title as Russian speakers compare them: lower case, `ё` as `е`, single spaces.
pub fn normalize(title: &str) -> String {
    title
        .to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The main category of a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
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

impl Category {
    const ALL: [Category; 9] = [
        Category::Film,
        Category::Series,
        Category::Kids,
        Category::Sport,
        Category::News,
        Category::Documentary,
        Category::Entertainment,
        Category::Music,
        Category::Other,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Category::Film => "film",
            Category::Series => "series",
            Category::Kids => "kids",
            Category::Sport => "sport",
            Category::News => "news",
            Category::Documentary => "documentary",
            Category::Entertainment => "entertainment",
            Category::Music => "music",
            Category::Other => "other",
        }
    }

    /// The category of a stored code.
    pub fn from_code(code: &str) -> Category {
        Category::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .unwrap_or(Category::Other)
    }

    fn of_word(word: &str) -> Option<Category> {
        let w = word.to_lowercase();
        let has = |stems: &[&str]| stems.iter().any(|s| w.contains(s));
        Some(if has(&["сериал", "series"]) {
            Category::Series
        } else if has(&["фильм", "кино", "film", "movie"]) {
            Category::Film
        } else if has(&["дет", "мульт", "kids", "children"]) {
            Category::Kids
        } else if has(&["спорт", "sport", "футбол", "хоккей"]) {
            Category::Sport
        } else if has(&["новост", "news"]) {
            Category::News
        } else if has(&["документ", "documentary"]) {
            Category::Documentary
        } else if has(&["музык", "music", "концерт"]) {
            Category::Music
        } else if has(&["развлек", "шоу", "entertainment", "show"]) {
            Category::Entertainment
        } else {
            return None;
        })
    }

    /// The main category of XMLTV `category` elements (the first that names
    /// one) and the others as genres.
    pub fn classify(categories: &[String]) -> (Category, Vec<String>) {
        let main = categories
            .iter()
            .position(|c| Category::of_word(c).is_some());
        let category = main
            .and_then(|i| Category::of_word(&categories[i]))
            .unwrap_or(Category::Other);
        let genres = categories
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != main)
            .map(|(_, g)| g.clone())
            .collect();
        (category, genres)
    }
}

/// A channel package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Internal id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Included with every TV tariff.
    pub base: bool,
}

/// A channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Internal id.
    pub id: i64,
    /// XMLTV id.
    pub xmltv_id: String,
    /// Name.
    pub name: String,
    /// Position in the list.
    pub number: i32,
    /// Package.
    pub package_id: Option<i64>,
}

/// One airing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    /// Internal id.
    pub id: i64,
    /// Channel.
    pub channel_id: i64,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// The title normalised (see [`normalize`]).
    pub title_key: String,
    /// Description.
    pub description: String,
    /// Main category.
    pub category: Category,
    /// Further genres.
    pub genres: Vec<String>,
    /// `(role, name)`.
    pub people: Vec<(String, String)>,
    /// Minimum age.
    pub age_rating: Option<i32>,
    /// Premiere.
    pub premiere: bool,
}

fn package(row: tv_package::Model) -> Package {
    Package {
        id: row.id,
        code: row.code,
        name: row.name,
        description: row.description,
        base: row.base,
    }
}

fn channel(row: tv_channel::Model) -> Channel {
    Channel {
        id: row.id,
        xmltv_id: row.xmltv_id,
        name: row.name,
        number: row.number,
        package_id: row.package_id,
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.is_empty())
}

fn programme(row: tv_programme::Model) -> Programme {
    Programme {
        id: row.id,
        channel_id: row.channel_id,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        category: Category::from_code(&row.category),
        genres: lines(&row.genres).map(str::to_owned).collect(),
        people: lines(&row.people)
            .filter_map(|l| l.split_once(':'))
            .map(|(r, n)| (r.to_owned(), n.to_owned()))
            .collect(),
        title_key: row.title_key.unwrap_or_else(|| normalize(&row.title)),
        title: row.title,
        description: row.description,
        age_rating: row.age_rating,
        premiere: row.premiere,
    }
}

/// All packages, base first.
pub async fn packages(db: &impl ConnectionTrait) -> Result<Vec<Package>, DbErr> {
    Ok(tv_package::Entity::find()
        .order_by_asc(tv_package::Column::SortOrder)
        .all(db)
        .await?
        .into_iter()
        .map(package)
        .collect())
}

/// Packages with these ids.
pub async fn packages_by_id(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Package>, DbErr> {
    Ok(tv_package::Entity::find()
        .filter(tv_package::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(package)
        .collect())
}

/// A page of channels in list order, optionally of one package.
pub async fn channels(
    db: &impl ConnectionTrait,
    package_id: Option<i64>,
    request: &PageRequest,
) -> Result<Page<Channel>, DbErr> {
    let mut list = tv_channel::Entity::find();
    if let Some(package_id) = package_id {
        list = list.filter(tv_channel::Column::PackageId.eq(package_id));
    }
    let key = (tv_channel::Column::Number, Direction::Ascending);
    Ok(
        pagination::fetch(db, list, key, |row| i64::from(row.number), request)
            .await?
            .map(channel),
    )
}

/// Channels with these ids (all channels when `None`), in list order.
pub async fn channels_by_id(
    db: &impl ConnectionTrait,
    ids: Option<&[i64]>,
) -> Result<Vec<Channel>, DbErr> {
    let mut query = tv_channel::Entity::find();
    if let Some(ids) = ids {
        query = query.filter(tv_channel::Column::Id.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(tv_channel::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(channel)
        .collect())
}

/// Programmes with these ids.
pub async fn programmes_by_id(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<Programme>, DbErr> {
    Ok(tv_programme::Entity::find()
        .filter(tv_programme::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(programme)
        .collect())
}

/// Rows keyed per round of [`fill_title_keys`].
const BACKFILL_BATCH: u64 = 1000;

/// Computes title keys of programmes imported before the column existed (run
/// at start-up: one statement on an up-to-date database). Returns how many.
pub async fn fill_title_keys(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let mut done = 0;
    loop {
        let rows = tv_programme::Entity::find()
            .filter(tv_programme::Column::TitleKey.is_null())
            .limit(BACKFILL_BATCH)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for row in rows {
            let key = normalize(&row.title);
            let mut active: tv_programme::ActiveModel = row.into();
            active.title_key = Set(Some(key));
            tv_programme::Entity::update(active).exec(db).await?;
            done += 1;
        }
    }
}

/// A package to create (demo data, provider set-up).
pub async fn insert_package(
    db: &impl ConnectionTrait,
    code: &str,
    name: &str,
    description: &str,
    base: bool,
    sort_order: i32,
    catalog_code: Option<&str>,
) -> Result<i64, DbErr> {
    Ok(tv_package::Entity::insert(tv_package::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        base: Set(base),
        sort_order: Set(sort_order),
        catalog_code: Set(catalog_code.map(str::to_owned)),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?
    .id)
}

/// Puts the channels with these XMLTV ids into a package.
pub async fn assign_package(
    db: &impl ConnectionTrait,
    package_id: i64,
    xmltv_ids: &[String],
) -> Result<(), DbErr> {
    tv_channel::Entity::update_many()
        .col_expr(tv_channel::Column::PackageId, Some(package_id).into())
        .filter(tv_channel::Column::XmltvId.is_in(xmltv_ids.iter().cloned()))
        .exec(db)
        .await?;
    Ok(())
}
