//! Programme search: words of the title (the last one may be the start of a
//! word, as people type), a person, a genre, a category, a minimum average
//! rating and a time range, newest airings last (by start, then id).
//!
//! Words are matched as [`terms`](super::terms) through each database's own
//! full-text index: GIN over `to_tsvector('simple', …)` on PostgreSQL, an FTS5
//! table on SQLite (docs/decisions.md has the comparison with tantivy).

use chrono::{DateTime, TimeZone, Utc};
use entity::tv_programme;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::{Category, Programme, normalize, programme, terms};
use crate::pagination::{self, Page, PageRequest};

/// What to look for; every part given must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Words of the title (any form; the last may be unfinished).
    pub title: Option<String>,
    /// A person's name or surname.
    pub person: Option<String>,
    /// A genre (any form).
    pub genre: Option<String>,
    /// The main category.
    pub category: Option<Category>,
    /// Minimum average rating of the title.
    pub min_rating: Option<f64>,
    /// Airings that end after this instant.
    pub from: DateTime<Utc>,
    /// Airings that start before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only these channels.
    pub channel_ids: Option<Vec<i64>>,
}

/// Why a filter cannot be searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A text part has no letters or digits.
    #[error("в запросе нет ни одного слова")]
    NoWords(&'static str),
    /// The range ends before it starts.
    #[error("конец периода раньше начала")]
    EmptyRange,
    /// The rating is outside 1–5.
    #[error("рейтинг — от 1 до 5")]
    Rating,
}

/// The searchable columns.
#[derive(Debug, Clone, Copy)]
enum Field {
    Title,
    People,
    Genres,
}

impl Field {
    const fn column(self) -> &'static str {
        match self {
            Field::Title => "title_terms",
            Field::People => "people_terms",
            Field::Genres => "genre_terms",
        }
    }
}

/// Which terms of a query match as the start of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    /// The last one, unless followed by a space (people type titles word by word).
    Last,
    /// All of them (names: «Иванов» finds «Иванова»).
    All,
}

/// Terms that must all occur in one field.
#[derive(Debug)]
struct Words {
    field: Field,
    terms: Vec<String>,
    prefix: Vec<bool>,
}

fn words(
    field: Field,
    argument: &'static str,
    text: Option<&str>,
    prefix: Prefix,
) -> Result<Option<Words>, FilterError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let terms = match field {
        Field::People => terms::words(text),
        Field::Title | Field::Genres => terms::of(text),
    };
    if terms.is_empty() {
        return Err(FilterError::NoWords(argument));
    }
    let finished = text.ends_with(char::is_whitespace);
    let prefix = (0..terms.len())
        .map(|i| match prefix {
            Prefix::All => true,
            Prefix::Last => !finished && i + 1 == terms.len(),
        })
        .collect();
    Ok(Some(Words {
        field,
        terms,
        prefix,
    }))
}

/// Terms are letters and digits only (see `terms::of`), so they need no
/// escaping in either query language; quoting keeps them literal anyway.
fn fts5_query(words: &[Words]) -> String {
    let mut parts = Vec::new();
    for w in words {
        for (term, prefix) in w.terms.iter().zip(&w.prefix) {
            let star = if *prefix { "*" } else { "" };
            parts.push(format!("{} : \"{term}\"{star}", w.field.column()));
        }
    }
    parts.join(" AND ")
}

fn tsquery(words: &Words) -> String {
    words
        .terms
        .iter()
        .zip(&words.prefix)
        .map(|(term, prefix)| {
            if *prefix {
                format!("'{term}':*")
            } else {
                format!("'{term}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The placeholder of a custom expression's only value: sea-query numbers
/// `$1` on PostgreSQL and fills `?` on SQLite.
const fn placeholder(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "$1",
        _ => "?",
    }
}

fn text_condition(backend: DatabaseBackend, words: &[Words]) -> Condition {
    let mut condition = Condition::all();
    if words.is_empty() {
        return condition;
    }
    match backend {
        DatabaseBackend::Sqlite => {
            condition = condition.add(Expr::cust_with_values(
                "tv_programme.id IN (SELECT rowid FROM tv_programme_fts WHERE tv_programme_fts MATCH ?)",
                [fts5_query(words)],
            ));
        }
        _ => {
            for w in words {
                // The same expression as the GIN indexes, so they are used.
                condition = condition.add(Expr::cust_with_values(
                    format!(
                        "to_tsvector('simple'::regconfig, coalesce(tv_programme.{}, '')) \
                         @@ to_tsquery('simple'::regconfig, {})",
                        w.field.column(),
                        placeholder(backend)
                    ),
                    [tsquery(w)],
                ));
            }
        }
    }
    condition
}

/// Bits of the page key that hold the programme id (the rest holds the start,
/// in seconds): ids stay below 2³¹ for centuries of weekly imports.
const ID_BITS: u32 = 31;

fn key(p: &tv_programme::Model) -> i64 {
    (p.starts_at.timestamp() << ID_BITS) | (p.id & ((1 << ID_BITS) - 1))
}

fn after(key: i64) -> Condition {
    let id = key & ((1 << ID_BITS) - 1);
    let starts = Utc
        .timestamp_opt(key >> ID_BITS, 0)
        .single()
        .unwrap_or_default();
    Condition::any()
        .add(tv_programme::Column::StartsAt.gt(starts))
        .add(
            Condition::all()
                .add(tv_programme::Column::StartsAt.eq(starts))
                .add(tv_programme::Column::Id.gt(id)),
        )
}

/// Checks a filter before it reaches the database.
pub fn validate(filter: &Filter) -> Result<(), FilterError> {
    if filter.to.is_some_and(|to| to <= filter.from) {
        return Err(FilterError::EmptyRange);
    }
    if filter.min_rating.is_some_and(|r| !(1.0..=5.0).contains(&r)) {
        return Err(FilterError::Rating);
    }
    Ok(())
}

/// One page of the airings matching `filter`, by start time (only `first`/`after`).
pub async fn search(
    db: &impl ConnectionTrait,
    filter: &Filter,
    request: &PageRequest,
) -> Result<Result<Page<Programme>, FilterError>, DbErr> {
    if let Err(e) = validate(filter) {
        return Ok(Err(e));
    }
    let mut texts = Vec::new();
    for part in [
        words(Field::Title, "title", filter.title.as_deref(), Prefix::Last),
        words(
            Field::People,
            "person",
            filter.person.as_deref(),
            Prefix::All,
        ),
        words(
            Field::Genres,
            "genre",
            filter.genre.as_deref(),
            Prefix::Last,
        ),
    ] {
        match part {
            Ok(Some(w)) => texts.push(w),
            Ok(None) => {}
            Err(e) => return Ok(Err(e)),
        }
    }
    let mut list = tv_programme::Entity::find()
        .filter(tv_programme::Column::EndsAt.gt(filter.from))
        .filter(text_condition(db.get_database_backend(), &texts));
    if let Some(to) = filter.to {
        list = list.filter(tv_programme::Column::StartsAt.lt(to));
    }
    if let Some(category) = filter.category {
        list = list.filter(tv_programme::Column::Category.eq(category.code()));
    }
    if let Some(ids) = &filter.channel_ids {
        list = list.filter(tv_programme::Column::ChannelId.is_in(ids.iter().copied()));
    }
    if let Some(min) = filter.min_rating {
        list = list.filter(Expr::cust_with_values(
            format!(
                "tv_programme.title_key IN \
                 (SELECT title_key FROM tv_rating GROUP BY title_key HAVING AVG(stars) >= {})",
                placeholder(db.get_database_backend())
            ),
            [min],
        ));
    }
    let total = list.clone().count(db).await?;
    let mut window = list;
    if let Some(key) = request.after {
        window = window.filter(after(key));
    }
    let rows = window
        .order_by_asc(tv_programme::Column::StartsAt)
        .order_by_asc(tv_programme::Column::Id)
        .limit(request.limit + 1)
        .all(db)
        .await?;
    let mut page = pagination::into_page(request, rows, key);
    page.total = Some(total);
    Ok(Ok(page.map(programme)))
}

/// The computed columns of a programme row: title key and search terms.
pub fn computed_columns(
    row: &mut tv_programme::ActiveModel,
    title: &str,
    people: &[(String, String)],
    genres: &[String],
) {
    let names: Vec<&str> = people.iter().map(|(_, name)| name.as_str()).collect();
    row.title_key = Set(Some(normalize(title)));
    row.title_terms = Set(Some(terms::joined(title)));
    row.people_terms = Set(Some(terms::joined_words(&names.join(" "))));
    row.genre_terms = Set(Some(terms::joined(&genres.join(" "))));
}

/// Rows to index per round of [`index_missing`].
const BACKFILL_BATCH: u64 = 1000;

/// Computes title keys and terms for programmes imported before search existed
/// (run at start-up; a no-op on an up-to-date database). Returns how many.
pub async fn index_missing(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
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
            let p = programme(row.clone());
            let mut active: tv_programme::ActiveModel = row.into();
            computed_columns(&mut active, &p.title, &p.people, &p.genres);
            tv_programme::Entity::update(active).exec(db).await?;
            done += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_for_both_databases() {
        let title = words(Field::Title, "title", Some("Тёмные сез"), Prefix::Last)
            .unwrap()
            .unwrap();
        let person = words(Field::People, "person", Some("Михалков"), Prefix::All)
            .unwrap()
            .unwrap();
        assert_eq!(tsquery(&title), "'темн' & 'сез':*");
        assert_eq!(
            fts5_query(&[title, person]),
            "title_terms : \"темн\" AND title_terms : \"сез\"* AND people_terms : \"михалков\"*"
        );
        let finished = words(Field::Title, "title", Some("сезон "), Prefix::Last)
            .unwrap()
            .unwrap();
        assert_eq!(tsquery(&finished), "'сезон'");
        assert!(words(Field::Title, "title", Some("«»!"), Prefix::Last).is_err());
    }

    #[test]
    fn keys_order_by_start_then_id() {
        let at = |s: i64, id: i64| {
            (Utc.timestamp_opt(s, 0).single().unwrap().timestamp() << ID_BITS) | id
        };
        assert!(at(1_800_000_000, 5) < at(1_800_000_000, 6));
        assert!(at(1_800_000_000, 999_999) < at(1_800_000_060, 1));
    }
}
