//! async-graphql extensions that shape every request:
//! - [`QueryShapeLimits`]: refuses documents that are too deep or have too many
//!   aliases or root fields (complexity is the schema's own limit);
//! - [`ErrorCodes`]: gives every error a stable `extensions.code`, and turns
//!   anything unexpected into `INTERNAL` with the request id and no details.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::context::RequestId;
use super::errors::ErrorCode;

/// Limits on the shape of a query document.
#[derive(Debug, Clone, Copy)]
pub struct QueryShapeLimits {
    /// Deepest nesting of fields under a regular root field.
    pub max_depth: usize,
    /// Most aliased fields in the document.
    pub max_aliases: usize,
    /// Most fields selected at the root of an operation.
    pub max_root_fields: usize,
}

impl ExtensionFactory for QueryShapeLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

fn coded(message: impl Into<String>, code: ErrorCode) -> ServerError {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    error
}

fn set_code(error: &mut ServerError, code: ErrorCode) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

fn code_of(error: &ServerError) -> Option<&async_graphql::Value> {
    error.extensions.as_ref().and_then(|e| e.get("code"))
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

/// Deepest nesting under an introspection root field (`__schema`, `__type`).
/// GraphiQL's introspection query nests `ofType` eight times, about 14 levels.
const MAX_INTROSPECTION_DEPTH: usize = 20;

/// Measures selection depth, expanding fragments once each (memoised, so a
/// "fragment bomb" costs linear time; cycles, which validation refuses later,
/// count as nothing here).
struct DepthWalker<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<&'a str, usize>,
    active: HashSet<&'a str>,
}

impl<'a> DepthWalker<'a> {
    fn set_depth(&mut self, set: &'a SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => 1 + self.set_depth(&field.node.selection_set.node),
                Selection::InlineFragment(fragment) => {
                    self.set_depth(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment_depth(spread.node.fragment_name.node.as_str())
                }
            })
            .max()
            .unwrap_or(0)
    }

    fn fragment_depth(&mut self, name: &'a str) -> usize {
        if let Some(depth) = self.memo.get(name) {
            return *depth;
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return 0;
        };
        if !self.active.insert(name) {
            return 0;
        }
        let depth = self.set_depth(&fragment.node.selection_set.node);
        self.active.remove(name);
        self.memo.insert(name, depth);
        depth
    }
}

impl QueryShapeLimits {
    fn check_depth(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let mut walker = DepthWalker {
            doc,
            memo: HashMap::new(),
            active: HashSet::new(),
        };
        for (_, op) in doc.operations.iter() {
            for item in &op.node.selection_set.node.items {
                let (depth, limit) = match &item.node {
                    Selection::Field(field) => {
                        let depth = 1 + walker.set_depth(&field.node.selection_set.node);
                        if field.node.name.node.starts_with("__") {
                            (depth, MAX_INTROSPECTION_DEPTH)
                        } else {
                            (depth, self.max_depth)
                        }
                    }
                    Selection::InlineFragment(fragment) => (
                        walker.set_depth(&fragment.node.selection_set.node),
                        self.max_depth,
                    ),
                    Selection::FragmentSpread(spread) => (
                        walker.fragment_depth(spread.node.fragment_name.node.as_str()),
                        self.max_depth,
                    ),
                };
                if depth > limit {
                    return Err(coded(
                        format!(
                            "Запрос слишком глубокий: {depth} уровней вложенности, допустимо {limit}"
                        ),
                        ErrorCode::QueryTooComplex,
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        self.check_depth(doc)?;
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
            return Err(coded(
                format!(
                    "Слишком много псевдонимов в запросе: {aliases}, допустимо {}",
                    self.max_aliases
                ),
                ErrorCode::QueryTooComplex,
            ));
        }
        for (_, op) in doc.operations.iter() {
            let roots = count_root_fields(doc, &op.node.selection_set.node, &mut HashSet::new());
            if roots > self.max_root_fields {
                return Err(coded(
                    format!(
                        "Слишком много полей верхнего уровня в операции: {roots}, допустимо {}",
                        self.max_root_fields
                    ),
                    ErrorCode::QueryTooComplex,
                ));
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Extension for QueryShapeLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|mut error| {
            let code = if error.message.contains("recursion depth") {
                ErrorCode::QueryTooComplex
            } else {
                ErrorCode::GraphqlParseFailed
            };
            set_code(&mut error, code);
            error
        })?;
        self.check(&doc)?;
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for error in &mut errors {
                if code_of(error).is_some() {
                    continue;
                }
                let message = error.message.as_str();
                let code = if message.starts_with("Query is too complex")
                    || message.starts_with("Query is nested too deep")
                    || message.contains("directives")
                {
                    ErrorCode::QueryTooComplex
                } else if message.starts_with("Invalid value for argument")
                    || message.starts_with("Expected input type")
                    || message.starts_with("Variable")
                {
                    ErrorCode::BadUserInput
                } else {
                    ErrorCode::GraphqlValidationFailed
                };
                set_code(error, code);
            }
            errors
        })
    }
}

/// Gives every error a code; masks unexpected ones as `INTERNAL` with the request id.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

/// Names the request in every `INTERNAL` error, so a user can quote it to
/// support and an operator can find the log lines.
pub fn attach_request_id(response: &mut Response, request_id: &str) {
    for error in &mut response.errors {
        let internal = matches!(
            code_of(error),
            Some(async_graphql::Value::String(code)) if code == ErrorCode::Internal.as_str()
        );
        if internal {
            error.message = format!("Внутренняя ошибка сервера. Код запроса: {request_id}");
            if let Some(ext) = error.extensions.as_mut() {
                ext.set("requestId", request_id);
            }
        }
    }
}

fn finish_errors(response: &mut Response, request_id: Option<&RequestId>) {
    for error in &mut response.errors {
        if code_of(error).is_none() {
            if error.message.starts_with("Failed to parse")
                || error.message.starts_with("Invalid value")
                || error.message.starts_with("Expected input type")
            {
                // A value that the schema's types refused while resolving: the client's input.
                set_code(error, ErrorCode::BadUserInput);
            } else {
                tracing::error!(error = %error.message, "uncoded error in a GraphQL response");
                set_code(error, ErrorCode::Internal);
                error.message = "Внутренняя ошибка сервера".to_owned();
            }
        }
    }
    // Over WebSocket the id lives in the connection's data; over HTTP the
    // handler attaches it (request data is not visible to this hook).
    if let Some(id) = request_id {
        attach_request_id(response, &id.0);
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        finish_errors(&mut response, ctx.data_opt::<RequestId>());
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let request_id = ctx.data_opt::<RequestId>().cloned();
        next.run(ctx, stream)
            .map(move |mut response| {
                finish_errors(&mut response, request_id.as_ref());
                response
            })
            .boxed()
    }
}
