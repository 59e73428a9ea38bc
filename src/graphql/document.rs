//! What a query document may look like before it is validated or run.
//!
//! Every check here costs time linear in the document's size and uses no
//! recursion deeper than the nesting it has already bounded: a hostile
//! document (values nested thousands deep, a "fragment bomb", a flood of
//! aliases) is refused before the parser or async-graphql's validation could
//! recurse into it or expand it exponentially.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};

/// Deepest bracket nesting (`{`, `[`, `(`) a document may have, counted over
/// its text before it is parsed. GraphiQL's introspection query needs about 20.
pub const MAX_NESTING: usize = 40;

/// Deepest nesting under an introspection root field (`__schema`, `__type`).
/// GraphiQL's introspection query nests `ofType` eight times, about 14 levels.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

/// Selection sets nested through fragments (async-graphql's own recursion
/// check, set higher than ours so that it never answers first).
pub const MAX_SELECTION_NESTING: usize = 40;

/// Limits on the shape of a query document.
#[derive(Debug, Clone, Copy)]
pub struct ShapeLimits {
    /// Deepest nesting of fields under a regular root field.
    pub max_depth: usize,
    /// Most aliased fields in the document.
    pub max_aliases: usize,
    /// Most fields selected at the root of an operation.
    pub max_root_fields: usize,
    /// Most fields an operation has once its fragments are expanded.
    pub max_fields: usize,
    /// Most directives on one field.
    pub max_directives: usize,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// Brackets nested deeper than [`MAX_NESTING`].
    #[error("Запрос вложен слишком глубоко: больше {MAX_NESTING} уровней скобок")]
    NestedTooDeep,
    /// The document does not parse.
    #[error("Запрос не разобран: {0}")]
    Parse(String),
    /// Fields nested deeper than allowed.
    #[error("Запрос слишком глубокий: {depth} уровней вложенности, допустимо {limit}")]
    TooDeep {
        /// Measured depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many aliases.
    #[error("Слишком много псевдонимов в запросе: {count}, допустимо {limit}")]
    TooManyAliases {
        /// Measured.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many root fields.
    #[error("Слишком много полей верхнего уровня в операции: {count}, допустимо {limit}")]
    TooManyRootFields {
        /// Measured.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many fields once fragments are expanded.
    #[error("Слишком много полей в запросе (с развёрнутыми фрагментами): больше {limit}")]
    TooManyFields {
        /// The limit.
        limit: usize,
    },
    /// Too many directives on one field.
    #[error("Слишком много директив у поля {field}: допустимо {limit}")]
    TooManyDirectives {
        /// The field.
        field: String,
        /// The limit.
        limit: usize,
    },
    /// A string value holds a character no input may contain.
    #[error("Недопустимый символ U+{code:04X} в значении {path}")]
    ControlCharacter {
        /// Where: `$variable.field` or `field(argument)`.
        path: String,
        /// The character.
        code: u32,
    },
}

impl ShapeError {
    /// Whether the document is malformed (as opposed to too big or bad input).
    pub fn is_parse_error(&self) -> bool {
        matches!(self, ShapeError::Parse(_))
    }

    /// Whether a value, not the shape, is to blame.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ShapeError::ControlCharacter { .. })
    }
}

/// The deepest bracket nesting of `query`, outside strings and comments,
/// stopping as soon as it passes `limit`. One pass, no recursion.
pub fn bracket_nesting(query: &str, limit: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Parses `query` once its nesting is known to be safe for the parser.
pub fn parse(query: &str) -> Result<ExecutableDocument, ShapeError> {
    if bracket_nesting(query, MAX_NESTING) > MAX_NESTING {
        return Err(ShapeError::NestedTooDeep);
    }
    async_graphql::parser::parse_query(query).map_err(|e| ShapeError::Parse(e.to_string()))
}

/// What one selection set amounts to once fragments are expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    /// Deepest field nesting.
    depth: usize,
    /// Deepest selection-set nesting, fragments counted as async-graphql does.
    nesting: usize,
    /// Fields, with every fragment spread expanded (saturating).
    fields: usize,
}

/// Measures selection sets, each fragment once (memoised), so any document
/// costs time linear in its size. Cycles, refused later by validation, count
/// as nothing here.
struct Walker<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<&'a str, Measure>,
    active: HashSet<&'a str>,
    max_directives: usize,
    directives_over: Option<String>,
}

impl<'a> Walker<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Measure {
        let mut total = Measure::default();
        for item in &set.items {
            let (depth, nesting, fields) = match &item.node {
                Selection::Field(field) => {
                    if field.node.directives.len() > self.max_directives {
                        self.directives_over
                            .get_or_insert_with(|| field.node.name.node.to_string());
                    }
                    let inner = self.set(&field.node.selection_set.node);
                    let nesting = if field.node.selection_set.node.items.is_empty() {
                        0
                    } else {
                        1 + inner.nesting
                    };
                    (1 + inner.depth, nesting, inner.fields.saturating_add(1))
                }
                Selection::InlineFragment(fragment) => {
                    let inner = self.set(&fragment.node.selection_set.node);
                    (inner.depth, 1 + inner.nesting, inner.fields)
                }
                Selection::FragmentSpread(spread) => {
                    let inner = self.fragment(spread.node.fragment_name.node.as_str());
                    (inner.depth, 1 + inner.nesting, inner.fields)
                }
            };
            total.depth = total.depth.max(depth);
            total.nesting = total.nesting.max(nesting);
            total.fields = total.fields.saturating_add(fields);
        }
        total
    }

    fn fragment(&mut self, name: &'a str) -> Measure {
        if let Some(measure) = self.memo.get(name) {
            return *measure;
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Measure::default();
        };
        if !self.active.insert(name) {
            return Measure::default();
        }
        let measure = self.set(&fragment.node.selection_set.node);
        self.active.remove(name);
        self.memo.insert(name, measure);
        measure
    }
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some())
                    + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

fn count_root_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => {
                count_root_fields(doc, &fragment.node.selection_set.node, seen)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                // A fragment spread twice (or in a cycle, which validation refuses) counts once.
                match doc.fragments.get(name) {
                    Some(fragment) if seen.insert(name) => {
                        count_root_fields(doc, &fragment.node.selection_set.node, seen)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}

impl ShapeLimits {
    /// Checks a parsed document against every limit.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), ShapeError> {
        let mut walker = Walker {
            doc,
            memo: HashMap::new(),
            active: HashSet::new(),
            max_directives: self.max_directives,
            directives_over: None,
        };
        for (_, op) in doc.operations.iter() {
            let mut fields = 0usize;
            for item in &op.node.selection_set.node.items {
                let (measure, limit) = match &item.node {
                    Selection::Field(field) => {
                        let inner = walker.set(&field.node.selection_set.node);
                        let measure = Measure {
                            depth: 1 + inner.depth,
                            nesting: 1 + inner.nesting,
                            fields: inner.fields.saturating_add(1),
                        };
                        if field.node.name.node.starts_with("__") {
                            (measure, MAX_INTROSPECTION_DEPTH)
                        } else {
                            (measure, self.max_depth)
                        }
                    }
                    Selection::InlineFragment(fragment) => (
                        walker.set(&fragment.node.selection_set.node),
                        self.max_depth,
                    ),
                    Selection::FragmentSpread(spread) => (
                        walker.fragment(spread.node.fragment_name.node.as_str()),
                        self.max_depth,
                    ),
                };
                if measure.depth > limit {
                    return Err(ShapeError::TooDeep {
                        depth: measure.depth,
                        limit,
                    });
                }
                if measure.nesting > MAX_SELECTION_NESTING {
                    return Err(ShapeError::TooDeep {
                        depth: measure.nesting,
                        limit: MAX_SELECTION_NESTING,
                    });
                }
                fields = fields.saturating_add(measure.fields);
            }
            if fields > self.max_fields {
                return Err(ShapeError::TooManyFields {
                    limit: self.max_fields,
                });
            }
        }
        // Fragments no operation uses are still validated: measure them too.
        for name in doc.fragments.keys() {
            let measure = walker.fragment(name.as_str());
            if measure.fields > self.max_fields {
                return Err(ShapeError::TooManyFields {
                    limit: self.max_fields,
                });
            }
        }
        if let Some(field) = walker.directives_over {
            return Err(ShapeError::TooManyDirectives {
                field,
                limit: self.max_directives,
            });
        }
        let aliases: usize = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .chain(
                doc.fragments
                    .values()
                    .map(|f| count_aliases(&f.node.selection_set.node)),
            )
            .sum();
        if aliases > self.max_aliases {
            return Err(ShapeError::TooManyAliases {
                count: aliases,
                limit: self.max_aliases,
            });
        }
        for (_, op) in doc.operations.iter() {
            let roots = count_root_fields(doc, &op.node.selection_set.node, &mut HashSet::new());
            if roots > self.max_root_fields {
                return Err(ShapeError::TooManyRootFields {
                    count: roots,
                    limit: self.max_root_fields,
                });
            }
        }
        check_literals(doc)
    }
}

/// A character no string input may hold: NUL and the other control
/// characters, except tab and line breaks (which multi-line text needs).
fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn check_string(path: impl FnOnce() -> String, s: &str) -> Result<(), ShapeError> {
    match s.chars().find(|c| forbidden(*c)) {
        Some(c) => Err(ShapeError::ControlCharacter {
            path: path(),
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Walks a value without recursion and checks every string (and object key) in it.
fn check_value(root: String, value: &Value) -> Result<(), ShapeError> {
    let mut stack: Vec<(String, &Value)> = vec![(root, value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            Value::String(s) => check_string(|| path.clone(), s)?,
            Value::Enum(name) => check_string(|| path.clone(), name.as_str())?,
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((format!("{path}[{i}]"), item));
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    check_string(|| path.clone(), key.as_str())?;
                    stack.push((format!("{path}.{key}"), item));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks every string in the request's variables.
pub fn check_variables(variables: &Variables) -> Result<(), ShapeError> {
    for (name, value) in variables.iter() {
        check_value(format!("${name}"), value)?;
    }
    Ok(())
}

fn check_literals_in(set: &SelectionSet) -> Result<(), ShapeError> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    // Variables stand in as names; literals are checked here.
                    let value = value
                        .node
                        .clone()
                        .into_const_with(|_: Name| Ok::<_, ()>(Value::Null))
                        .unwrap_or(Value::Null);
                    check_value(format!("{}({})", field.node.name.node, name.node), &value)?;
                }
                check_literals_in(&field.node.selection_set.node)?;
            }
            Selection::InlineFragment(fragment) => {
                check_literals_in(&fragment.node.selection_set.node)?
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

/// Checks every string literal written in the document.
fn check_literals(doc: &ExecutableDocument) -> Result<(), ShapeError> {
    for (_, op) in doc.operations.iter() {
        for variable in &op.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_value(format!("${}", variable.node.name.node), &default.node)?;
            }
        }
        check_literals_in(&op.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        check_literals_in(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(bracket_nesting("{ a(b: \"{{{[[[\") }", 10), 2);
        assert_eq!(bracket_nesting("# {{{{{{\n{ a }", 10), 1);
        assert_eq!(
            bracket_nesting("{ a(b: \"\"\" {{{ \\\"\"\" [[[ \"\"\") }", 10),
            2
        );
        assert_eq!(bracket_nesting("{ a(b: \"\\\"{{{\") }", 10), 2);
    }

    #[test]
    fn nesting_stops_early() {
        let deep = "[".repeat(1_000_000);
        assert_eq!(bracket_nesting(&deep, 40), 41);
        assert_eq!(
            parse(&format!("{{ node(id: {deep}) }}")).err(),
            Some(ShapeError::NestedTooDeep)
        );
    }

    #[test]
    fn fragment_bombs_are_counted_in_linear_time() {
        let mut doc = String::from("query { ...F0 } fragment F0 on Query { __typename }");
        for i in 1..=35 {
            doc.push_str(&format!(
                " fragment F{i} on Query {{ ...F{p} ...F{p} }}",
                p = i - 1
            ));
        }
        doc = doc.replacen("...F0", "...F35", 1);
        let parsed = parse(&doc).unwrap();
        let limits = ShapeLimits {
            max_depth: 12,
            max_aliases: 30,
            max_root_fields: 20,
            max_fields: 2000,
            max_directives: 10,
        };
        assert_eq!(
            limits.check(&parsed),
            Err(ShapeError::TooManyFields { limit: 2000 })
        );
    }

    #[test]
    fn control_characters_are_found_in_literals_and_variables() {
        let doc = parse("{ a(b: {c: [\"ok\", \"bad\\u0000\"]}) }").unwrap();
        assert!(matches!(
            check_literals(&doc),
            Err(ShapeError::ControlCharacter { code: 0, .. })
        ));
        let vars = Variables::from_json(serde_json::json!({"input": {"login": "a\u{1}b"}}));
        assert_eq!(
            check_variables(&vars),
            Err(ShapeError::ControlCharacter {
                path: "$input.login".into(),
                code: 1
            })
        );
        let fine = Variables::from_json(serde_json::json!({"text": "строка\tс\nпереводом"}));
        assert_eq!(check_variables(&fine), Ok(()));
    }
}
