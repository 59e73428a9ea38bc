//! Persisted queries. Automatic persisted queries (Apollo's
//! `extensions.persistedQuery {version: 1, sha256Hash}`): a client sends the
//! hash alone, and the text once when the hash is not known yet; the hashes
//! of the operations in `KABINET_PERSISTED_QUERIES_DIR` are known from the
//! start. In allow-list mode (`KABINET_PERSISTED_ONLY`) only those operations
//! run, by hash or by their exact text; nothing else does.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::digest::sha256_hex;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ServerError, ServerResult};

use super::errors::ErrorCode;

/// Query texts longer than this are run but not remembered, so the cache
/// holds at most `entries × this` bytes whatever clients send.
pub const MAX_CACHED_QUERY: usize = 16 * 1024;

/// Why a request's persisted query was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersistedError {
    /// The hash is not known: send the text with it.
    #[error("PersistedQueryNotFound")]
    NotFound,
    /// Allow-list mode and the operation is not on the list.
    #[error("only the operations the application ships are accepted here")]
    NotAllowed,
    /// The text does not have the hash sent with it.
    #[error("provided sha256Hash does not match the query")]
    HashMismatch,
    /// Not version 1, or no hash.
    #[error("persistedQuery must be {{\"version\": 1, \"sha256Hash\": \"<hex>\"}}")]
    Malformed,
}

impl PersistedError {
    fn code(self) -> ErrorCode {
        match self {
            PersistedError::NotFound => ErrorCode::PersistedQueryNotFound,
            PersistedError::NotAllowed => ErrorCode::PersistedQueryNotAllowed,
            PersistedError::HashMismatch | PersistedError::Malformed => ErrorCode::BadUserInput,
        }
    }

    /// The GraphQL error a client gets.
    pub fn to_server_error(self) -> ServerError {
        let mut error = ServerError::new(self.to_string(), None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", self.code().as_str());
        error
    }
}

/// Why the operations directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file does not parse.
    #[error("{path} does not parse: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's words.
        message: String,
    },
    /// Allow-list mode without any operation to allow.
    #[error(
        "KABINET_PERSISTED_ONLY needs KABINET_PERSISTED_QUERIES_DIR with at least one operation"
    )]
    NothingAllowed,
}

/// The known operations and the cache of registered ones.
pub struct PersistedQueries {
    /// Shipped operations: the hash of each file's text → the text to run
    /// (the file, plus the shared fragments it uses).
    shipped: HashMap<String, Arc<str>>,
    /// Whether only `shipped` may run.
    only: bool,
    /// Texts clients registered, by hash.
    cache: Mutex<lru::LruCache<String, Arc<str>>>,
}

impl PersistedQueries {
    /// Loads the `.graphql` files of `dir` (operations, and fragments they share).
    pub fn load(dir: Option<&Path>, only: bool, cache_entries: usize) -> Result<Self, LoadError> {
        let shipped = match dir {
            Some(dir) => operations_in(dir)?,
            None => HashMap::new(),
        };
        if only && shipped.is_empty() {
            return Err(LoadError::NothingAllowed);
        }
        Ok(PersistedQueries {
            shipped,
            only,
            cache: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(cache_entries.max(1)).unwrap_or(NonZeroUsize::MIN),
            )),
        })
    }

    /// How many shipped operations are known.
    pub fn shipped(&self) -> usize {
        self.shipped.len()
    }

    fn remembered(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(text) = self.shipped.get(hash) {
            return Some(text.clone());
        }
        if self.only {
            return None;
        }
        self.cache.lock().ok()?.get(hash).cloned()
    }

    /// Fills in the query of a request that sent only a hash, checks and
    /// remembers one that sent both, and in allow-list mode refuses anything
    /// not shipped.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), PersistedError> {
        let hash = match request.extensions.get("persistedQuery") {
            None => None,
            Some(value) => Some(hash_of(value)?),
        };
        match hash {
            Some(hash) if request.query.is_empty() => {
                let text = self.remembered(&hash).ok_or(if self.only {
                    PersistedError::NotAllowed
                } else {
                    PersistedError::NotFound
                })?;
                request.query = text.to_string();
                Ok(())
            }
            Some(hash) => {
                if let Some(text) = self.shipped.get(&hash) {
                    // A shipped file's own text, or the full text it runs as.
                    if sha256_hex(&request.query) == hash || *request.query == **text {
                        request.query = text.to_string();
                        return Ok(());
                    }
                    return Err(PersistedError::HashMismatch);
                }
                if sha256_hex(&request.query) != hash {
                    return Err(PersistedError::HashMismatch);
                }
                if self.only {
                    return Err(PersistedError::NotAllowed);
                }
                if request.query.len() <= MAX_CACHED_QUERY
                    && let Ok(mut cache) = self.cache.lock()
                {
                    cache.put(hash, Arc::from(request.query.as_str()));
                }
                Ok(())
            }
            None if self.only => {
                let hash = sha256_hex(&request.query);
                let text = self.shipped.get(&hash).ok_or(PersistedError::NotAllowed)?;
                request.query = text.to_string();
                Ok(())
            }
            None => Ok(()),
        }
    }
}

/// The hash of an `extensions.persistedQuery` value.
fn hash_of(value: &async_graphql::Value) -> Result<String, PersistedError> {
    let async_graphql::Value::Object(fields) = value else {
        return Err(PersistedError::Malformed);
    };
    let version_one = matches!(
        fields.get("version"),
        Some(async_graphql::Value::Number(n)) if n.as_u64() == Some(1)
    );
    match fields.get("sha256Hash") {
        Some(async_graphql::Value::String(hash))
            if version_one && hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(PersistedError::Malformed),
    }
}

/// The fragments a selection set spreads, directly.
fn spreads(set: &SelectionSet, out: &mut HashSet<String>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => spreads(&field.node.selection_set.node, out),
            Selection::FragmentSpread(spread) => {
                out.insert(spread.node.fragment_name.node.to_string());
            }
            Selection::InlineFragment(inline) => spreads(&inline.node.selection_set.node, out),
        }
    }
}

fn used_fragments(doc: &ExecutableDocument) -> HashSet<String> {
    let mut out = HashSet::new();
    for (_, op) in doc.operations.iter() {
        spreads(&op.node.selection_set.node, &mut out);
    }
    out
}

/// Reads every `.graphql` file of `dir`: fragments are shared; each file with
/// an operation is known by the hash of its text and runs with the fragments
/// it uses (transitively) appended.
fn operations_in(dir: &Path) -> Result<HashMap<String, Arc<str>>, LoadError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| LoadError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "graphql") {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            files.push((path.display().to_string(), text));
        }
    }
    Ok(documents_of(&files)?
        .into_iter()
        .map(|shipped| (shipped.hash, Arc::from(shipped.text.as_str())))
        .collect())
}

/// One shipped operation.
#[derive(Debug, Clone)]
pub struct Shipped {
    /// The sha256 of its file's text: what a client sends.
    pub hash: String,
    /// The operation's name.
    pub name: String,
    /// The file's text with the fragments it uses appended: what runs.
    pub text: String,
}

/// The operations of `.graphql` files given as `(path, text)`, each with the
/// shared fragments it uses (transitively). Files holding only fragments
/// share them.
pub fn documents_of(sources: &[(String, String)]) -> Result<Vec<Shipped>, LoadError> {
    let mut files = Vec::new();
    for (path, text) in sources {
        let parse_error = |e: async_graphql::parser::Error| LoadError::Parse {
            path: path.clone(),
            message: e.to_string(),
        };
        let doc = match async_graphql::parser::parse_query(text) {
            Ok(doc) => doc,
            Err(first) => {
                // The parser wants an operation; a file of shared
                // fragments has none. If it parses with one, it is such a file.
                let mut doc = async_graphql::parser::parse_query(format!(
                    "{text}\nquery KabinetFragmentsOnly {{ __typename }}"
                ))
                .map_err(|_| parse_error(first))?;
                doc.operations =
                    async_graphql::parser::types::DocumentOperations::Multiple(HashMap::new());
                doc
            }
        };
        files.push((text, doc));
    }
    // Every fragment defined anywhere: its text and what it spreads.
    let mut fragments: HashMap<String, (String, HashSet<String>)> = HashMap::new();
    for (text, doc) in &files {
        if doc.operations.iter().next().is_none() {
            for (name, fragment) in &doc.fragments {
                let mut inner = HashSet::new();
                spreads(&fragment.node.selection_set.node, &mut inner);
                fragments.insert(name.to_string(), (fragment_text(text, name), inner));
            }
        }
    }
    let mut shipped = Vec::new();
    for (text, doc) in &files {
        if doc.operations.iter().next().is_none() {
            continue;
        }
        let own: HashSet<String> = doc.fragments.keys().map(|n| n.to_string()).collect();
        let mut needed = used_fragments(doc);
        for fragment in doc.fragments.values() {
            spreads(&fragment.node.selection_set.node, &mut needed);
        }
        let mut added: Vec<String> = Vec::new();
        let mut queue: Vec<String> = needed.into_iter().collect();
        let mut seen = own.clone();
        while let Some(name) = queue.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some((fragment, inner)) = fragments.get(&name) {
                added.push(fragment.clone());
                queue.extend(inner.iter().cloned());
            }
        }
        added.sort();
        let mut full = text.to_string();
        for fragment in added {
            full.push('\n');
            full.push_str(&fragment);
        }
        let name = match &doc.operations {
            DocumentOperations::Single(_) => String::new(),
            DocumentOperations::Multiple(named) => named
                .keys()
                .next()
                .map(ToString::to_string)
                .unwrap_or_default(),
        };
        shipped.push(Shipped {
            hash: sha256_hex(text),
            name,
            text: full,
        });
    }
    Ok(shipped)
}

/// The text of fragment `name` in a fragments file: from its `fragment`
/// keyword to its closing brace.
fn fragment_text(text: &str, name: &str) -> String {
    let start = text
        .match_indices("fragment")
        .map(|(i, _)| i)
        .find(|i| {
            text[i + "fragment".len()..]
                .trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        })
        .unwrap_or(0);
    let mut depth = 0usize;
    for (offset, c) in text[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return text[start..=start + offset].to_owned();
                }
            }
            _ => {}
        }
    }
    text[start..].to_owned()
}

/// The extension that resolves persisted queries before anything else looks
/// at a request (POST, GET and WebSocket alike).
pub struct Persisted(pub Arc<PersistedQueries>);

impl ExtensionFactory for Persisted {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Persisted(self.0.clone()))
    }
}

#[async_trait::async_trait]
impl Extension for Persisted {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        self.0
            .resolve(&mut request)
            .map_err(PersistedError::to_server_error)?;
        next.run(ctx, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut r = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            r.extensions.insert(
                "persistedQuery".into(),
                async_graphql::Value::from_json(
                    serde_json::json!({ "version": 1, "sha256Hash": hash }),
                )
                .unwrap(),
            );
        }
        r
    }

    #[test]
    fn a_hash_alone_is_found_once_registered() {
        let store = PersistedQueries::load(None, false, 10).unwrap();
        let text = "{ __typename }";
        let hash = sha256_hex(text);
        assert_eq!(
            store.resolve(&mut request("", Some(&hash))),
            Err(PersistedError::NotFound)
        );
        assert_eq!(
            store.resolve(&mut request("{ other }", Some(&hash))),
            Err(PersistedError::HashMismatch)
        );
        store.resolve(&mut request(text, Some(&hash))).unwrap();
        let mut again = request("", Some(&hash));
        store.resolve(&mut again).unwrap();
        assert_eq!(again.query, text);
    }

    #[test]
    fn shipped_operations_run_with_the_fragments_they_use() {
        let dir = tempfile_dir();
        std::fs::write(
            dir.join("fragments.graphql"),
            "fragment Price on Money { amount }\nfragment Unused on Money { currency }\n",
        )
        .unwrap();
        let op = "query Tariffs { tariffs { monthlyFee { ...Price } } }\n";
        std::fs::write(dir.join("Tariffs.graphql"), op).unwrap();
        let store = PersistedQueries::load(Some(&dir), true, 10).unwrap();
        assert_eq!(store.shipped(), 1);
        let mut by_hash = request("", Some(&sha256_hex(op)));
        store.resolve(&mut by_hash).unwrap();
        assert!(by_hash.query.starts_with(op));
        assert!(by_hash.query.contains("fragment Price on Money { amount }"));
        assert!(!by_hash.query.contains("Unused"));
        let mut by_text = request(op, None);
        store.resolve(&mut by_text).unwrap();
        assert_eq!(by_text.query, by_hash.query);
        assert_eq!(
            store.resolve(&mut request("{ __typename }", None)),
            Err(PersistedError::NotAllowed)
        );
        let other = sha256_hex("{ __typename }");
        assert_eq!(
            store.resolve(&mut request("{ __typename }", Some(&other))),
            Err(PersistedError::NotAllowed)
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn allow_list_mode_needs_operations() {
        assert!(matches!(
            PersistedQueries::load(None, true, 10),
            Err(LoadError::NothingAllowed)
        ));
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kabinet-persisted-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
