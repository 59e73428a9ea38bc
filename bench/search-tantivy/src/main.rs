//! Benchmark: tantivy 0.27 with Russian stemming over one week of XMLTV.
//!
//! Usage: `search-tantivy /tmp/demo-week.xml`
//!
//! 1. Streams the XMLTV file with quick-xml into plain structs (timed).
//! 2. Builds an in-RAM tantivy index (timed: add_document + commit + reader reload).
//! 3. Runs a fixed set of programme-guide queries, each 2000 times after a
//!    warm-up, and prints p50/p99 latency, hit count (`Count`), the top hit and
//!    a cross-check of the count against a naive scan, as a markdown table.
//!
//! Every query is "all words must match" (AND), sorted by `start` ascending,
//! top 20, plus the total count, which is what the guide UI needs.

use std::collections::HashSet;
use std::error::Error;
use std::ops::{Bound, RangeBounds};
use std::time::{Duration, Instant};

use chrono::DateTime;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::{
    DocAddress, Index, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument, Term,
};

type Res<T> = Result<T, Box<dyn Error>>;

const ANALYZER: &str = "ru_stem";
const TOP_K: usize = 20;
const WARMUP: usize = 200;
const ITERATIONS: usize = 2000;
const DAY: i64 = 24 * 3600;

// ---------------------------------------------------------------------------
// XMLTV parsing
// ---------------------------------------------------------------------------

/// The part of a `<programme>` that the search index needs.
#[derive(Default, Debug)]
struct Programme {
    start: i64, // unix seconds
    title: String,
    /// First `<category>`.
    category: Option<String>,
    /// Remaining `<category>` elements.
    genres: Vec<String>,
    /// `<director>`, `<actor>`, `<presenter>` inside `<credits>`.
    people: Vec<String>,
}

/// Which child element's text is being collected.
#[derive(Clone, Copy, PartialEq)]
enum Capture {
    None,
    Title,
    Category,
    Person,
}

/// XMLTV time: `20261123000000 +0300`.
fn parse_xmltv_time(s: &str) -> Res<i64> {
    Ok(DateTime::parse_from_str(s, "%Y%m%d%H%M%S %z")?.timestamp())
}

/// Streams the file and returns every programme.
fn parse_xmltv(path: &str) -> Res<Vec<Programme>> {
    let mut reader = Reader::from_file(path)?;
    let mut buf = Vec::with_capacity(4096);
    let mut out = Vec::new();
    let mut cur: Option<Programme> = None;
    let mut capture = Capture::None;
    let mut text = String::new();

    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "programme" => {
                    let start = e
                        .try_get_attribute("start")?
                        .ok_or("programme without start")?;
                    cur = Some(Programme {
                        start: parse_xmltv_time(&start.normalized_value(XmlVersion::default())?)?,
                        ..Default::default()
                    });
                }
                name if cur.is_some() => {
                    capture = match name {
                        "title" => Capture::Title,
                        "category" => Capture::Category,
                        "director" | "actor" | "presenter" => Capture::Person,
                        _ => Capture::None,
                    };
                    text.clear();
                }
                _ => {}
            },
            Event::Text(t) if capture != Capture::None => text.push_str(&t.xml10_content()),
            // Since quick-xml 0.37 entity references arrive as separate events.
            Event::GeneralRef(r) if capture != Capture::None => {
                if let Some(ch) = r.resolve_char_ref()? {
                    text.push(ch);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name == "programme" {
                    out.extend(cur.take());
                } else if let Some(p) = cur.as_mut() {
                    let value = std::mem::take(&mut text).trim().to_string();
                    match capture {
                        // Only the first <title> (XMLTV allows one per language).
                        Capture::Title if p.title.is_empty() => p.title = value,
                        Capture::Category if p.category.is_none() => p.category = Some(value),
                        Capture::Category => p.genres.push(value),
                        Capture::Person => p.people.push(value),
                        _ => {}
                    }
                }
                capture = Capture::None;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Analyzer: SimpleTokenizer -> LowerCaser -> ё→е -> Russian Snowball stemmer
// ---------------------------------------------------------------------------

/// Token filter that folds 'ё' to 'е' (runs after lower-casing, so only the
/// lower-case letter needs handling). «Тёмный» and «Темный» become one term.
#[derive(Clone)]
struct YoFold;

impl TokenFilter for YoFold {
    type Tokenizer<T: Tokenizer> = YoFoldFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> YoFoldFilter<T> {
        YoFoldFilter(tokenizer)
    }
}

#[derive(Clone)]
struct YoFoldFilter<T>(T);

impl<T: Tokenizer> Tokenizer for YoFoldFilter<T> {
    type TokenStream<'a> = YoFoldStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        YoFoldStream(self.0.token_stream(text))
    }
}

struct YoFoldStream<S>(S);

impl<S: TokenStream> TokenStream for YoFoldStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if token.text.contains('ё') {
            token.text = token.text.replace('ё', "е");
        }
        true
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

fn russian_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(YoFold)
        .filter(Stemmer::new(Language::Russian))
        .build()
}

/// Runs `text` through the analyzer and returns the resulting terms.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

// ---------------------------------------------------------------------------
// Index
// ---------------------------------------------------------------------------

struct Fields {
    id: Field,
    start: Field,
    title: Field,
    people: Field,
    genres: Field,
    category: Field,
}

fn build_schema() -> (Schema, Fields) {
    // Text fields are indexed only (not stored): the app would load the rows
    // from its database by `id`. Positions are kept so phrase queries stay possible.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_u64_field("id", FAST | STORED),
        start: b.add_i64_field("start", FAST | INDEXED),
        title: b.add_text_field("title", text.clone()),
        people: b.add_text_field("people", text.clone()),
        genres: b.add_text_field("genres", text),
        category: b.add_text_field("category", STRING),
    };
    (b.build(), fields)
}

fn build_index(programmes: &[Programme], f: &Fields, schema: Schema) -> Res<(Index, IndexReader)> {
    let index = Index::create_in_ram(schema);
    index.tokenizers().register(ANALYZER, russian_analyzer());
    // One indexing thread: a single segment, and the other core stays free.
    let mut writer = index.writer_with_num_threads(1, 64_000_000)?;
    for (i, p) in programmes.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, i as u64);
        doc.add_i64(f.start, p.start);
        doc.add_text(f.title, &p.title);
        for person in &p.people {
            doc.add_text(f.people, person);
        }
        for genre in &p.genres {
            doc.add_text(f.genres, genre);
        }
        if let Some(c) = &p.category {
            doc.add_text(f.category, c);
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    reader.reload()?;
    Ok((index, reader))
}

// ---------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------

/// One benchmark case: words that must all match in `field`, optional start range.
struct Case {
    label: &'static str,
    field_name: &'static str,
    field: Field,
    words: &'static str,
    /// `[from, to)` in unix seconds.
    range: (Bound<i64>, Bound<i64>),
}

/// Builds the query the way the app would: analyze the user's words with the
/// field's analyzer, AND all terms, AND the optional start range.
fn build_query(analyzer: &mut TextAnalyzer, case: &Case, start: Field) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = analyze(analyzer, case.words)
        .iter()
        .map(|t| {
            let term = Term::from_field_text(case.field, t);
            (
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
            )
        })
        .collect();
    if !matches!(case.range, (Bound::Unbounded, Bound::Unbounded)) {
        let to_term = |b: Bound<i64>| b.map(|v| Term::from_field_i64(start, v));
        let range = RangeQuery::new(to_term(case.range.0), to_term(case.range.1));
        clauses.push((Occur::Must, Box::new(range)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Total count + top-K `(start, id)` pairs ordered by start ascending.
fn execute(searcher: &Searcher, query: &dyn Query) -> Res<(usize, Vec<(i64, u64)>)> {
    let collector = (
        Count,
        TopDocs::with_limit(TOP_K).order_by_fast_field::<i64>("start", Order::Asc),
    );
    let (count, top): (usize, Vec<(Option<i64>, DocAddress)>) =
        searcher.search(query, &collector)?;
    // Resolve ids through the `id` fast field (what the app hands to its DB).
    // Open the column once per segment: opening it costs ~1.5 µs, so doing it
    // per hit would add ~30 µs to every query.
    let mut columns: Vec<Option<Column<u64>>> = vec![None; searcher.segment_readers().len()];
    let mut hits = Vec::with_capacity(top.len());
    for (start, addr) in top {
        let ids = match &mut columns[addr.segment_ord as usize] {
            Some(column) => column,
            slot => slot.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("id")?,
            ),
        };
        hits.push((
            start.unwrap_or_default(),
            ids.first(addr.doc_id).unwrap_or_default(),
        ));
    }
    Ok((count, hits))
}

/// Reference count by brute force over the parsed data, same analyzer.
fn naive_count(analyzer: &mut TextAnalyzer, programmes: &[Programme], case: &Case) -> usize {
    let wanted = analyze(analyzer, case.words);
    programmes
        .iter()
        .filter(|p| case.range.contains(&p.start))
        .filter(|p| {
            let texts: Vec<&str> = match case.field_name {
                "title" => vec![p.title.as_str()],
                "people" => p.people.iter().map(String::as_str).collect(),
                "genres" => p.genres.iter().map(String::as_str).collect(),
                _ => unreachable!(),
            };
            let have: HashSet<String> = texts.iter().flat_map(|t| analyze(analyzer, t)).collect();
            wanted.iter().all(|w| have.contains(w))
        })
        .count()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1e6
}

fn fmt_range(r: &(Bound<i64>, Bound<i64>), base: i64) -> String {
    let h = |v: i64| format!("{:+}h", (v - base) / 3600);
    match r {
        (Bound::Unbounded, Bound::Unbounded) => "—".into(),
        (Bound::Included(a), Bound::Unbounded) => format!("≥ {}", h(*a)),
        (Bound::Included(a), Bound::Excluded(b)) => format!("[{}, {})", h(*a), h(*b)),
        _ => "?".into(),
    }
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Res<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/demo-week.xml".into());

    // 1. Parse.
    let t = Instant::now();
    let programmes = parse_xmltv(&path)?;
    let parse_time = t.elapsed();
    let first_start = programmes
        .iter()
        .map(|p| p.start)
        .min()
        .ok_or("no programmes")?;

    // 2. Index.
    let (schema, f) = build_schema();
    let t = Instant::now();
    let (index, reader) = build_index(&programmes, &f, schema)?;
    let index_time = t.elapsed();
    let searcher = reader.searcher();
    let size = searcher.space_usage()?.total().get_bytes();

    println!("# tantivy 0.27 — Russian stemming benchmark\n");
    println!("- file: `{path}`");
    println!(
        "- parse (quick-xml, streaming): {:.1} ms",
        parse_time.as_secs_f64() * 1e3
    );
    println!(
        "- index (add + commit + reader reload, 1 thread): {:.1} ms",
        index_time.as_secs_f64() * 1e3
    );
    println!(
        "- docs: {}, segments: {}, index size (sum of segment space usage): {:.2} MiB",
        searcher.num_docs(),
        searcher.segment_readers().len(),
        size as f64 / (1024.0 * 1024.0)
    );

    // Show what the analyzer makes of the word forms the queries rely on.
    let mut analyzer = index.tokenizer_for_field(f.title)?;
    let words = [
        "Футбол",
        "Футбола",
        "футболу",
        "новость",
        "Новости",
        "новостей",
        "Тёмный",
        "темного",
        "сезона",
        "Брилёв",
        "Рязанов",
        "Рязановым",
        "Иван",
        "Иванов",
        "Иванова",
        "Комедия",
        "комедии",
    ];
    let stems: Vec<String> = words
        .iter()
        .map(|w| format!("{w}→{}", analyze(&mut analyzer, w).join(" ")))
        .collect();
    println!("- analyzer: {}\n", stems.join(", "));

    // 3. Queries. Ranges are relative to the first programme's start ("now").
    let from_now = (Bound::Included(first_start + 2 * DAY), Bound::Unbounded);
    let all = (Bound::Unbounded, Bound::Unbounded);
    let one_day = (
        Bound::Included(first_start + DAY),
        Bound::Excluded(first_start + 2 * DAY),
    );
    let cases = [
        Case {
            label: "a",
            field_name: "title",
            field: f.title,
            words: "футбол",
            range: from_now,
        },
        Case {
            label: "b",
            field_name: "title",
            field: f.title,
            words: "новость",
            range: all,
        },
        Case {
            label: "c",
            field_name: "title",
            field: f.title,
            words: "сезон",
            range: all,
        },
        Case {
            label: "d",
            field_name: "title",
            field: f.title,
            words: "темный",
            range: all,
        },
        Case {
            label: "e",
            field_name: "people",
            field: f.people,
            words: "Рязанов",
            range: all,
        },
        Case {
            label: "e2",
            field_name: "people",
            field: f.people,
            words: "брилев",
            range: all,
        },
        Case {
            label: "f",
            field_name: "genres",
            field: f.genres,
            words: "комедия",
            range: one_day,
        },
        Case {
            label: "g",
            field_name: "title",
            field: f.title,
            words: "новости науки",
            range: all,
        },
    ];

    println!(
        "| q | field | query | start range | hits (Count) | naive scan | top-1 (by start) | p50 µs | p99 µs |"
    );
    println!("|---|---|---|---|---:|---:|---|---:|---:|");
    for case in &cases {
        // Latency covers: analyze words + build query + search + resolve ids.
        let mut run = || -> Res<(usize, Vec<(i64, u64)>)> {
            let q = build_query(&mut analyzer, case, f.start);
            execute(&searcher, q.as_ref())
        };
        for _ in 0..WARMUP {
            run()?;
        }
        let mut samples = Vec::with_capacity(ITERATIONS);
        let mut result = (0, Vec::new());
        for _ in 0..ITERATIONS {
            let t = Instant::now();
            result = run()?;
            samples.push(t.elapsed());
        }
        samples.sort();
        let (count, hits) = result;

        // Sanity checks: ascending order and agreement with a brute-force scan.
        assert!(
            hits.windows(2).all(|w| w[0].0 <= w[1].0),
            "not sorted by start"
        );
        let expected = naive_count(&mut analyzer, &programmes, case);
        let top1 = hits.first().map_or("—".to_string(), |&(start, id)| {
            let p = &programmes[id as usize];
            format!("{:+}h «{}»", (start - first_start) / 3600, p.title)
        });
        println!(
            "| {} | {} | {} | {} | {} | {}{} | {} | {:.1} | {:.1} |",
            case.label,
            case.field_name,
            case.words,
            fmt_range(&case.range, first_start),
            count,
            expected,
            if expected == count { " ✓" } else { " ✗" },
            top1,
            percentile(&samples, 0.50),
            percentile(&samples, 0.99),
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("\npeak RSS: {mib:.0} MiB (parsed Vec + index + reader)");
    }
    Ok(())
}
