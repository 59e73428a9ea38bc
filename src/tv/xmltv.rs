//! XMLTV parsing: a streaming pass over the events of the file (quick-xml),
//! collecting channels and programmes, and stopping at the first problem with
//! its line, so that a broken file is reported and changes nothing.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// A channel as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmltvChannel {
    /// The `id` attribute.
    pub id: String,
    /// The first `display-name`.
    pub name: String,
}

/// A programme as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmltvProgramme {
    /// The `channel` attribute.
    pub channel: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// Stop.
    pub stop: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// `category` elements in order.
    pub categories: Vec<String>,
    /// `(role, name)` from `credits`.
    pub people: Vec<(String, String)>,
    /// Minimum age from `rating/value` (`16+`).
    pub age_rating: Option<i32>,
    /// `<premiere/>` present.
    pub premiere: bool,
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct Guide {
    /// Channels.
    pub channels: Vec<XmltvChannel>,
    /// Programmes.
    pub programmes: Vec<XmltvProgramme>,
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn line_at(bytes: &[u8], position: u64) -> usize {
    let end = usize::try_from(position)
        .unwrap_or(bytes.len())
        .min(bytes.len());
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// XMLTV time: `YYYYMMDDhhmmss ±hhmm` (the offset may be missing: then UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let (stamp, offset) = match text.split_once(' ') {
        Some((s, o)) => (s, o.trim()),
        None => (text, "+0000"),
    };
    let local = NaiveDateTime::parse_from_str(stamp.get(..14)?, "%Y%m%d%H%M%S").ok()?;
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = offset.get(1..3)?.parse().ok()?;
    let minutes: i32 = offset.get(3..5)?.parse().ok()?;
    let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?;
    local
        .and_local_timezone(offset)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Deepest element nesting accepted.
const MAX_NESTING: usize = 16;

/// Longest text an element may hold: what the guide's columns take.
fn max_length(element: &str) -> usize {
    match element {
        "display-name" | "channel id" => 200,
        "title" | "category" | "director" | "actor" | "presenter" | "writer" | "producer"
        | "guest" | "commentator" => 500,
        _ => 20_000,
    }
}

/// Refuses text no column may hold: control characters (a `&#1;` reference
/// decodes to one) and values longer than the element allows.
fn check_text(element: &str, value: &str) -> Result<(), String> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!(
            "<{element}> holds the control character U+{:04X}",
            u32::from(c)
        ));
    }
    let limit = max_length(element);
    if value.chars().count() > limit {
        return Err(format!("<{element}> is longer than {limit} characters"));
    }
    Ok(())
}

fn age(text: &str) -> Option<i32> {
    text.trim().trim_end_matches('+').parse().ok()
}

/// Parses a whole XMLTV document.
pub fn parse(bytes: &[u8]) -> Result<Guide, ParseError> {
    // Text is trimmed per element at its end, not per fragment: entities split it.
    let mut reader = Reader::from_reader(bytes);
    let mut guide = Guide::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut channel: Option<XmltvChannel> = None;
    let mut programme: Option<XmltvProgramme> = None;
    let fail = |reader: &Reader<&[u8]>, message: String| ParseError {
        line: line_at(bytes, reader.buffer_position()),
        message,
    };
    loop {
        let event = reader.read_event().map_err(|e| ParseError {
            line: line_at(bytes, reader.error_position()),
            message: format!("malformed XML: {e}"),
        })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.name().as_ref().to_owned();
                let empty = matches!(event, Event::Empty(_));
                match name.as_str() {
                    "channel" if path.last().map(String::as_str) == Some("tv") => {
                        let id = attribute(e, "id").filter(|id| !id.is_empty());
                        let id =
                            id.ok_or_else(|| fail(&reader, "<channel> without an id".into()))?;
                        check_text("channel id", &id).map_err(|m| fail(&reader, m))?;
                        channel = Some(XmltvChannel {
                            id,
                            name: String::new(),
                        });
                    }
                    "programme" => {
                        let channel_id = attribute(e, "channel")
                            .ok_or_else(|| fail(&reader, "<programme> without a channel".into()))?;
                        check_text("channel id", &channel_id).map_err(|m| fail(&reader, m))?;
                        let time = |attr: &str, what: &str| {
                            let value = attribute(e, attr).unwrap_or_default();
                            parse_time(&value).ok_or_else(|| {
                                fail(
                                    &reader,
                                    format!("<programme> {what} {value:?} is not an XMLTV time"),
                                )
                            })
                        };
                        let start = time("start", "start")?;
                        let stop = time("stop", "stop")?;
                        if stop <= start {
                            return Err(fail(&reader, "<programme> ends before it starts".into()));
                        }
                        programme = Some(XmltvProgramme {
                            channel: channel_id,
                            start,
                            stop,
                            ..Default::default()
                        });
                    }
                    "premiere" => {
                        if let Some(p) = programme.as_mut() {
                            p.premiere = true;
                        }
                    }
                    _ => {}
                }
                if !empty {
                    // XMLTV nests four levels; a file nested deeper is not one,
                    // and would only grow this stack.
                    if path.len() >= MAX_NESTING {
                        return Err(fail(
                            &reader,
                            format!("elements nested deeper than {MAX_NESTING}"),
                        ));
                    }
                    path.push(name);
                    text.clear();
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match &*r {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                let resolved =
                    resolved.ok_or_else(|| fail(&reader, format!("unknown entity &{};", &*r)))?;
                text.push(resolved);
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text).trim().to_owned();
                check_text(&name, &value).map_err(|message| fail(&reader, message))?;
                match (name.as_str(), programme.as_mut(), channel.as_mut()) {
                    ("display-name", None, Some(c)) if c.name.is_empty() => c.name = value,
                    ("channel", None, Some(_)) => {
                        let done = channel.take().unwrap_or_else(|| XmltvChannel {
                            id: String::new(),
                            name: String::new(),
                        });
                        if done.name.is_empty() {
                            return Err(fail(
                                &reader,
                                format!("channel {:?} has no display-name", done.id),
                            ));
                        }
                        guide.channels.push(done);
                    }
                    ("title", Some(p), _) if p.title.is_empty() => p.title = value,
                    ("desc", Some(p), _) if p.description.is_empty() => p.description = value,
                    ("category", Some(p), _) if !value.is_empty() => p.categories.push(value),
                    ("value", Some(p), _) if path.last().map(String::as_str) == Some("rating") => {
                        p.age_rating = age(&value)
                    }
                    (
                        role @ ("director" | "actor" | "presenter" | "writer" | "producer"
                        | "guest" | "commentator"),
                        Some(p),
                        _,
                    ) if !value.is_empty() => p.people.push((role.to_owned(), value)),
                    ("programme", Some(_), _) => {
                        let done = programme.take().unwrap_or_default();
                        if done.title.trim().is_empty() {
                            return Err(fail(&reader, "<programme> without a title".into()));
                        }
                        guide.programmes.push(done);
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(ParseError {
            line: line_at(bytes, bytes.len() as u64),
            message: format!("the file ends inside <{}>", path.join("><")),
        });
    }
    let known: std::collections::HashSet<&str> =
        guide.channels.iter().map(|c| c.id.as_str()).collect();
    if let Some(orphan) = guide
        .programmes
        .iter()
        .find(|p| !known.contains(p.channel.as_str()))
    {
        return Err(ParseError {
            line: 0,
            message: format!(
                "a programme refers to channel {:?}, which the file does not describe",
                orphan.channel
            ),
        });
    }
    Ok(guide)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_their_offset() {
        let t = parse_time("20261125060000 +0300").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T03:00:00+00:00");
        assert!(parse_time("2026112506 +0300").is_none());
        assert!(parse_time("20261125060000 0300").is_none());
    }

    #[test]
    fn a_programme_is_read_with_its_details() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<tv>
  <channel id="one"><display-name lang="ru">Первый &amp; лучший</display-name></channel>
  <programme start="20261125060000 +0300" stop="20261125070000 +0300" channel="one">
    <title lang="ru">Доброе утро</title>
    <desc>Утреннее шоу</desc>
    <category>Развлекательное</category><category>Ток-шоу</category>
    <credits><presenter>Иван Петров</presenter></credits>
    <rating system="RU"><value>12+</value></rating>
    <premiere/>
  </programme>
</tv>"#;
        let guide = parse(xml.as_bytes()).unwrap();
        assert_eq!(guide.channels[0].name, "Первый & лучший");
        let p = &guide.programmes[0];
        assert_eq!(p.title, "Доброе утро");
        assert_eq!(p.categories, ["Развлекательное", "Ток-шоу"]);
        assert_eq!(
            p.people,
            [("presenter".to_owned(), "Иван Петров".to_owned())]
        );
        assert_eq!(p.age_rating, Some(12));
        assert!(p.premiere);
    }

    #[test]
    fn problems_are_reported_with_their_line() {
        let xml = "<tv>\n<channel id=\"a\"><display-name>A</display-name></channel>\n<programme start=\"bad\" stop=\"20261125070000 +0300\" channel=\"a\"><title>X</title></programme>\n</tv>";
        let err = parse(xml.as_bytes()).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let truncated = "<tv>\n<channel id=\"a\"><display-name>A</display-name></channel>\n<programme start=\"20261125060000 +0300\" stop=\"20261125070000 +0300\" channel=\"a\"><title>X";
        assert!(parse(truncated.as_bytes()).is_err());
    }

    #[test]
    fn hostile_files_are_refused_with_their_line() {
        let deep = format!("<tv>\n{}", "<a>".repeat(1_000_000));
        let err = parse(deep.as_bytes()).unwrap_err();
        assert!(err.message.contains("nested"), "{err}");
        let control = "<tv>\n<channel id=\"a\"><display-name>A&#1;</display-name></channel>\n</tv>";
        let err = parse(control.as_bytes()).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("U+0001"), "{err}");
        let long_id = format!(
            "<tv>\n<channel id=\"{}\"><display-name>A</display-name></channel>\n</tv>",
            "x".repeat(201)
        );
        assert!(parse(long_id.as_bytes()).is_err());
    }
}
