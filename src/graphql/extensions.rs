//! async-graphql extensions that shape every request:
//! - [`QueryShapeLimits`]: refuses documents with too many aliases or root fields
//!   (depth and complexity are the schema's own limits);
//! - [`ErrorCodes`]: gives every error a stable `extensions.code`, and turns
//!   anything unexpected into `INTERNAL` with the request id and no details.

use std::collections::HashSet;
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
                usize::from(field.node.alias.is_some()) + count_aliases(&field.node.selection_set.node)
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
            Selection::InlineFragment(fragment) => count_root_fields(doc, &fragment.node.selection_set.node, seen),
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

impl QueryShapeLimits {
    fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let aliases: usize = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .chain(doc.fragments.values().map(|f| count_aliases(&f.node.selection_set.node)))
            .sum();
        if aliases > self.max_aliases {
            return Err(coded(
                format!("Слишком много псевдонимов в запросе: {aliases}, допустимо {}", self.max_aliases),
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

fn finish_errors(response: &mut Response, request_id: Option<&RequestId>) {
    for error in &mut response.errors {
        if code_of(error).is_none() {
            if error.message.starts_with("Failed to parse") || error.message.starts_with("Invalid value") {
                // A value that the schema's types refused while resolving: the client's input.
                set_code(error, ErrorCode::BadUserInput);
            } else {
                tracing::error!(error = %error.message, "uncoded error in a GraphQL response");
                set_code(error, ErrorCode::Internal);
                error.message = "Внутренняя ошибка сервера".to_owned();
            }
        }
        let internal = code_of(error).and_then(|c| match c {
            async_graphql::Value::String(s) => Some(s == ErrorCode::Internal.as_str()),
            _ => None,
        });
        if let (Some(true), Some(id)) = (internal, request_id) {
            error.message = format!("Внутренняя ошибка сервера. Код запроса: {}", id.0);
            if let Some(ext) = error.extensions.as_mut() {
                ext.set("requestId", id.0.clone());
            }
        }
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
