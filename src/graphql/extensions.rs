//! async-graphql extensions that shape every request:
//! - [`RequestLimits`]: refuses documents that are nested too deep, too big
//!   once fragments are expanded, too complex, or hold control characters,
//!   and caps the size of a response;
//! - [`ErrorCodes`]: gives every error a stable `extensions.code`, and turns
//!   anything unexpected into `INTERNAL` with the request id and no details.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::context::RequestId;
use super::cost;
use super::document::{self, ShapeError, ShapeLimits};
use super::errors::ErrorCode;
use super::messages;

/// The limits every request meets, over HTTP and WebSocket alike: the
/// document's shape and strings (see [`document`]), its complexity, and the
/// size of what it returns.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Limits on the document's shape.
    pub shape: ShapeLimits,
    /// Highest complexity (list fields weigh what they can return).
    pub max_complexity: usize,
    /// Largest response, in bytes of JSON (estimated while walking the data).
    pub max_response_bytes: usize,
}

impl ExtensionFactory for RequestLimits {
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

/// Whether `code` means the request was refused before it ran.
pub fn is_request_error(code: &str) -> bool {
    [
        ErrorCode::GraphqlParseFailed,
        ErrorCode::GraphqlValidationFailed,
        ErrorCode::QueryTooComplex,
        ErrorCode::BadUserInput,
        ErrorCode::PersistedQueryNotAllowed,
    ]
    .iter()
    .any(|c| c.as_str() == code)
}

/// Applies `f` to every response of a subscription stream.
fn each_response<'s>(
    stream: BoxStream<'s, Response>,
    mut f: impl FnMut(&mut Response) + Send + 's,
) -> BoxStream<'s, Response> {
    stream
        .map(move |mut response| {
            f(&mut response);
            response
        })
        .boxed()
}

/// The error a refused document gets, with its code.
pub fn shape_error(error: &ShapeError) -> ServerError {
    let code = if error.is_parse_error() {
        ErrorCode::GraphqlParseFailed
    } else if error.is_bad_input() {
        ErrorCode::BadUserInput
    } else {
        ErrorCode::QueryTooComplex
    };
    let mut server_error = coded(error.to_string(), code);
    if let ShapeError::ControlCharacter { path, .. } = error {
        server_error
            .extensions
            .get_or_insert_with(Default::default)
            .set("field", path.as_str());
    }
    server_error
}

/// A cheap upper estimate of the JSON size of `value`, stopping past `limit`.
pub fn json_size(value: &async_graphql::Value, limit: usize) -> usize {
    use async_graphql::Value;
    let mut size = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        size = size.saturating_add(match value {
            Value::Null | Value::Boolean(_) => 5,
            Value::Number(_) => 24,
            Value::String(s) => s.len().saturating_mul(2).saturating_add(2),
            Value::Enum(name) => name.len() + 2,
            Value::Binary(bytes) => bytes.len().saturating_mul(2),
            Value::List(items) => {
                stack.extend(items.iter());
                items.len() + 2
            }
            Value::Object(fields) => {
                stack.extend(fields.values());
                fields.keys().map(|k| k.len() + 4).sum::<usize>() + 2
            }
        });
        if size > limit {
            break;
        }
    }
    size
}

/// The error of a response that would pass the ceiling of `limit` bytes.
pub fn too_large(limit: usize) -> ServerError {
    coded(
        format!("Ответ больше {limit} байт: запросите меньше данных за раз"),
        ErrorCode::QueryTooComplex,
    )
}

impl RequestLimits {
    /// Replaces a response larger than the ceiling by an error: the data is
    /// dropped here, before it is serialised and sent.
    fn cap(&self, response: &mut Response) {
        if json_size(&response.data, self.max_response_bytes) > self.max_response_bytes {
            response.data = async_graphql::Value::Null;
            response.errors.push(too_large(self.max_response_bytes));
        }
    }
}

#[async_trait::async_trait]
impl Extension for RequestLimits {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        // Parsed here, after the text's nesting is checked, and handed on: the
        // engine then skips its own parse and its exponential fragment walks
        // only see documents whose expanded size is bounded.
        let doc = document::parse(&request.query).map_err(|e| shape_error(&e))?;
        self.shape.check(&doc).map_err(|e| shape_error(&e))?;
        request.set_parsed_query(doc);
        document::check_variables(&request.variables).map_err(|e| shape_error(&e))?;
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut error| {
            if code_of(&error).is_none() {
                set_code(&mut error, ErrorCode::GraphqlParseFailed);
            }
            error
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|mut errors| {
            for error in &mut errors {
                if code_of(error).is_some() {
                    continue;
                }
                let message = error.message.as_str();
                let code = if message.starts_with("Invalid value for argument")
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
        })?;
        if result.complexity > self.max_complexity {
            return Err(vec![coded(
                format!(
                    "Запрос слишком сложный: сложность {}, допустимо {}. Запросите меньше \
                     элементов списков (first, каналы, часы сетки) или меньше вложенности",
                    result.complexity.min(cost::CEILING),
                    self.max_complexity
                ),
                ErrorCode::QueryTooComplex,
            )]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        self.cap(&mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let limits = *self;
        each_response(next.run(ctx, stream), move |response| limits.cap(response))
    }
}

/// Gives each operation, over HTTP and WebSocket alike, its own
/// [`super::context::OperationMemo`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OperationMemos;

impl ExtensionFactory for OperationMemos {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationMemos)
    }
}

#[async_trait::async_trait]
impl Extension for OperationMemos {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        let request = request.data(super::context::OperationMemo::default());
        next.run(ctx, request).await
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
            error.message = messages::internal_with_id(request_id);
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
                error.message = messages::INTERNAL.to_owned();
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
        each_response(next.run(ctx, stream), move |response| {
            finish_errors(response, request_id.as_ref())
        })
    }
}

/// On a WebSocket: the session the connection signed in with.
#[derive(Debug, Clone, Copy)]
pub struct SocketSession(pub i64);

/// Re-checks a WebSocket's session before each of its operations, so nothing
/// runs on a connection whose session ended (on any replica) or expired.
#[derive(Debug, Clone, Copy, Default)]
pub struct SocketSessionCheck;

impl ExtensionFactory for SocketSessionCheck {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SocketSessionCheck)
    }
}

#[async_trait::async_trait]
impl Extension for SocketSessionCheck {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        if let Some(SocketSession(session_id)) = ctx.data_opt::<SocketSession>() {
            let db = ctx.data_unchecked::<sea_orm::DatabaseConnection>();
            let now = ctx.data_unchecked::<crate::clock::SharedClock>().now();
            match crate::auth::session_is_live(db, now, *session_id).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(coded(messages::SESSION_ENDED, ErrorCode::Unauthenticated));
                }
                Err(error) => {
                    tracing::error!(%error, "cannot re-check a WebSocket's session");
                    return Err(coded(messages::INTERNAL, ErrorCode::Internal));
                }
            }
        }
        next.run(ctx, request).await
    }
}
