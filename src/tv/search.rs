//! Programme search: words of the title (the last one may be the start of a
//! word, as people type), a person, a genre, a category, a minimum average
//! rating and a time range, in start order.
//!
//! Words are matched as [`terms`](super::terms) (lower case, ё → е, Russian
//! stems; names unstemmed, by their start) in a tantivy index kept in memory
//! beside the guide ([`super::guide`]); ratings change all the time, so the
//! rating filter asks the database which titles qualify. docs/decisions.md has
//! the comparison with PostgreSQL full text and SQLite FTS5.

use std::collections::HashSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, RegexQuery, TermQuery, TermSetQuery};
use tantivy::schema::{
    FAST, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, Order, ReloadPolicy, TantivyDocument, Term};

use super::guide::{Guide, Snapshot};
use super::{Category, Programme, TvError, terms};
use crate::db::statement;
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

/// The searchable columns.
#[derive(Debug, Clone, Copy)]
enum Field {
    Title,
    People,
    Genres,
}

impl Field {
    const fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::People => "people",
            Field::Genres => "genres",
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
) -> Result<Option<Words>, TvError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let terms = match field {
        Field::People => terms::words(text),
        Field::Title | Field::Genres => terms::of(text),
    };
    if terms.is_empty() {
        return Err(TvError::NoWords(argument));
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

/// Bits of the page key that hold the programme id (the rest holds the start,
/// in seconds): ids stay below 2³¹ for centuries of weekly imports.
const ID_BITS: u32 = 31;

const ID_MASK: i64 = (1 << ID_BITS) - 1;

/// A programme's place in search results: start (seconds), then id.
fn key(starts_at: DateTime<Utc>, id: i64) -> i64 {
    (starts_at.timestamp() << ID_BITS) | (id & ID_MASK)
}

/// Checks a filter before it reaches the database.
pub fn validate(filter: &Filter) -> Result<(), TvError> {
    if filter.to.is_some_and(|to| to <= filter.from) {
        return Err(TvError::EmptyRange);
    }
    if filter.min_rating.is_some_and(|r| !(1.0..=5.0).contains(&r)) {
        return Err(TvError::RatingOutOfRange);
    }
    Ok(())
}

/// The fields of the search index.
#[derive(Clone, Copy)]
struct Fields {
    key: tantivy::schema::Field,
    start: tantivy::schema::Field,
    end: tantivy::schema::Field,
    channel: tantivy::schema::Field,
    category: tantivy::schema::Field,
    title_key: tantivy::schema::Field,
    title: tantivy::schema::Field,
    people: tantivy::schema::Field,
    genres: tantivy::schema::Field,
}

/// Terms arrive already normalised: split on spaces only.
const TERMS: &str = "terms";

/// The guide's search index (in memory, one segment).
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Indexes every programme of a guide snapshot.
    pub fn build(programmes: &[Programme]) -> tantivy::Result<SearchIndex> {
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TERMS)
                .set_index_option(IndexRecordOption::Basic),
        );
        let mut schema = Schema::builder();
        let fields = Fields {
            key: schema.add_i64_field("key", FAST),
            start: schema.add_i64_field("start", FAST | INDEXED),
            end: schema.add_i64_field("end", FAST | INDEXED),
            channel: schema.add_i64_field("channel", INDEXED),
            category: schema.add_text_field("category", STRING),
            title_key: schema.add_text_field("title_key", STRING),
            title: schema.add_text_field(Field::Title.name(), text.clone()),
            people: schema.add_text_field(Field::People.name(), text.clone()),
            genres: schema.add_text_field(Field::Genres.name(), text),
        };
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(TERMS, TextAnalyzer::from(WhitespaceTokenizer::default()));
        // One thread: one segment, and the other core keeps serving.
        // 15 MB, the smallest arena tantivy accepts: two guide weeks fit in it.
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for p in programmes {
            let mut doc = TantivyDocument::default();
            doc.add_i64(fields.key, key(p.starts_at, p.id));
            doc.add_i64(fields.start, p.starts_at.timestamp());
            doc.add_i64(fields.end, p.ends_at.timestamp());
            doc.add_i64(fields.channel, p.channel_id);
            doc.add_text(fields.category, p.category.code());
            doc.add_text(fields.title_key, &p.title_key);
            doc.add_text(fields.title, terms::joined(&p.title));
            let names: Vec<&str> = p.people.iter().map(|(_, name)| name.as_str()).collect();
            doc.add_text(fields.people, terms::joined_words(&names.join(" ")));
            doc.add_text(fields.genres, terms::joined(&p.genres.join(" ")));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex { reader, fields })
    }

    fn text_field(&self, field: Field) -> tantivy::schema::Field {
        match field {
            Field::Title => self.fields.title,
            Field::People => self.fields.people,
            Field::Genres => self.fields.genres,
        }
    }

    /// The query of a filter (all parts must match), without the page cursor.
    fn query(
        &self,
        filter: &Filter,
        words: &[Words],
        rated: Option<&HashSet<String>>,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let seconds = |field, at: DateTime<Utc>| Term::from_field_i64(field, at.timestamp());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Excluded(seconds(f.end, filter.from)),
                Bound::Unbounded,
            )),
        )];
        if let Some(to) = filter.to {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Excluded(seconds(f.start, to)),
                )),
            ));
        }
        for w in words {
            let field = self.text_field(w.field);
            for (term, prefix) in w.terms.iter().zip(&w.prefix) {
                // Terms are letters and digits only (`terms::of`): no regex syntax.
                let query: Box<dyn Query> = match prefix {
                    true => match RegexQuery::from_pattern(&format!("{term}.*"), field) {
                        Ok(q) => Box::new(q),
                        Err(_) => Box::new(TermQuery::new(
                            Term::from_field_text(field, term),
                            IndexRecordOption::Basic,
                        )),
                    },
                    false => Box::new(TermQuery::new(
                        Term::from_field_text(field, term),
                        IndexRecordOption::Basic,
                    )),
                };
                clauses.push((Occur::Must, query));
            }
        }
        if let Some(category) = filter.category {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.category, category.code()),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(ids) = &filter.channel_ids {
            clauses.push((
                Occur::Must,
                Box::new(TermSetQuery::new(
                    ids.iter().map(|id| Term::from_field_i64(f.channel, *id)),
                )),
            ));
        }
        if let Some(titles) = rated {
            clauses.push((
                Occur::Must,
                Box::new(TermSetQuery::new(
                    titles.iter().map(|t| Term::from_field_text(f.title_key, t)),
                )),
            ));
        }
        clauses
    }

    /// Total matches and the keys of the page after `after`, in key order.
    fn run(
        &self,
        clauses: Vec<(Occur, Box<dyn Query>)>,
        after: Option<i64>,
        limit: usize,
    ) -> tantivy::Result<(usize, Vec<i64>)> {
        let searcher = self.reader.searcher();
        let base = BooleanQuery::new(clauses);
        let total = searcher.search(&base, &Count)?;
        let page = match after {
            Some(after) => BooleanQuery::new(vec![
                (Occur::Must, Box::new(base) as Box<dyn Query>),
                (
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        Bound::Excluded(Term::from_field_i64(self.fields.key, after)),
                        Bound::Unbounded,
                    )),
                ),
            ]),
            None => base,
        };
        let top = searcher.search(
            &page,
            &TopDocs::with_limit(limit).order_by_fast_field::<i64>("key", Order::Asc),
        )?;
        Ok((total, top.into_iter().filter_map(|(key, _)| key).collect()))
    }
}

/// Titles whose average rating is at least `min`.
async fn rated_at_least(db: &impl ConnectionTrait, min: f64) -> Result<HashSet<String>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT title_key FROM tv_rating GROUP BY title_key HAVING AVG(stars) >= $1",
            vec![Value::from(min)],
        ))
        .await?;
    rows.into_iter()
        .map(|row| row.try_get::<String>("", "title_key"))
        .collect()
}

/// One page of the airings matching `filter`, in start order (only `first`/`after`).
pub async fn search(
    db: &DatabaseConnection,
    guide: &Guide,
    filter: &Filter,
    request: &PageRequest,
) -> Result<Page<Programme>, TvError> {
    validate(filter)?;
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
        if let Some(w) = part? {
            texts.push(w);
        }
    }
    let rated = match filter.min_rating {
        Some(min) => Some(rated_at_least(db, min).await?),
        None => None,
    };
    let snapshot: std::sync::Arc<Snapshot> = guide.get(db).await?;
    let index = &snapshot.search;
    let clauses = index.query(filter, &texts, rated.as_ref());
    let limit = usize::try_from(request.limit + 1).unwrap_or(usize::MAX);
    let (total, keys) = index
        .run(clauses, request.after, limit)
        .map_err(|e| DbErr::Custom(format!("TV search: {e}")))?;
    let rows: Vec<Programme> = keys
        .into_iter()
        .filter_map(|k| snapshot.programme(k & ID_MASK).cloned())
        .collect();
    let mut page = pagination::into_page(request, rows, |p| key(p.starts_at, p.id));
    page.total = Some(total as u64);
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_prefixes() {
        let title = words(Field::Title, "title", Some("Тёмные сез"), Prefix::Last)
            .unwrap()
            .unwrap();
        assert_eq!(title.terms, ["темн", "сез"]);
        assert_eq!(title.prefix, [false, true]);
        let person = words(
            Field::People,
            "person",
            Some("Михалков Никита"),
            Prefix::All,
        )
        .unwrap()
        .unwrap();
        assert_eq!(person.terms, ["михалков", "никита"]);
        assert_eq!(person.prefix, [true, true]);
        let finished = words(Field::Title, "title", Some("сезон "), Prefix::Last)
            .unwrap()
            .unwrap();
        assert_eq!(finished.prefix, [false]);
        assert!(words(Field::Title, "title", Some("«»!"), Prefix::Last).is_err());
    }

    #[test]
    fn keys_order_by_start_then_id() {
        use chrono::TimeZone;
        let at = |s: i64, id: i64| key(Utc.timestamp_opt(s, 0).single().unwrap(), id);
        assert!(at(1_800_000_000, 5) < at(1_800_000_000, 6));
        assert!(at(1_800_000_000, 999_999) < at(1_800_000_060, 1));
    }
}
