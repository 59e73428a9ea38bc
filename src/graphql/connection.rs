//! Relay connections: opaque cursors, `first/after` and `last/before`, `nodes`,
//! `pageInfo` and `totalCount`. `first`/`last` are capped at [`MAX_PAGE`].

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::errors::ApiError;
use crate::pagination::PageRequest;

/// The largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;
/// The page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE: i32 = 20;

/// Where a page stands in its list.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct PageInfo {
    /// Whether items follow this page (ask with `after: endCursor`).
    pub has_next_page: bool,
    /// Whether items precede this page (ask with `before: startCursor`).
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// Encodes a list key as an opaque cursor.
pub fn encode_cursor(key: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{key}"))
}

fn decode_cursor(argument: &'static str, cursor: &str) -> Result<i64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("cursor:")?.parse().ok())
        .ok_or_else(|| {
            ApiError::bad_input(
                argument,
                "Курсор не распознан: передайте курсор из этого же списка",
            )
        })
}

/// Validates Relay pagination arguments into a [`PageRequest`].
pub fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<PageRequest, ApiError> {
    let check = |argument: &'static str, n: i32| {
        if n < 0 {
            Err(ApiError::bad_input(
                argument,
                format!("{argument} не может быть отрицательным"),
            ))
        } else if n > MAX_PAGE {
            Err(ApiError::bad_input(
                argument,
                format!("{argument} не может быть больше {MAX_PAGE}: листайте страницами"),
            ))
        } else {
            Ok(n as u64)
        }
    };
    let (limit, from_end) = match (first, last) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_input(
                "last",
                "Передайте либо first, либо last, но не оба",
            ));
        }
        (Some(n), None) => (check("first", n)?, false),
        (None, Some(n)) => (check("last", n)?, true),
        (None, None) => (DEFAULT_PAGE as u64, false),
    };
    Ok(PageRequest {
        limit,
        after: after.map(|c| decode_cursor("after", &c)).transpose()?,
        before: before.map(|c| decode_cursor("before", &c)).transpose()?,
        from_end,
    })
}

/// Page information for the keys of a fetched page.
pub fn page_info(keys: &[i64], has_next: bool, has_previous: bool) -> PageInfo {
    PageInfo {
        has_next_page: has_next,
        has_previous_page: has_previous,
        start_cursor: keys.first().copied().map(encode_cursor),
        end_cursor: keys.last().copied().map(encode_cursor),
    }
}

/// Declares a connection type and its edge type for a node type.
/// The node type must be `Clone` and there must be `From<T>` for it, where `T`
/// is the domain item of the [`crate::pagination::Page`].
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, " (a Relay connection).")]
        #[derive(Debug, Clone, async_graphql::SimpleObject)]
        #[graphql(complex)]
        pub struct $connection {
            /// The items of this page with their cursors.
            pub edges: Vec<$edge>,
            /// Where this page stands in the list.
            pub page_info: $crate::graphql::connection::PageInfo,
            #[graphql(skip)]
            total: Option<u64>,
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        #[derive(Debug, Clone, async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this item, for `after`/`before`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        #[async_graphql::ComplexObject]
        impl $connection {
            /// The items of this page, without cursors.
            async fn nodes(&self) -> Vec<$node> {
                self.edges.iter().map(|edge| edge.node.clone()).collect()
            }

            /// How many items the whole list has (all pages).
            async fn total_count(&self) -> Option<i32> {
                self.total.map(|n| i32::try_from(n).unwrap_or(i32::MAX))
            }
        }

        impl<T> From<$crate::pagination::Page<T>> for $connection
        where
            $node: From<T>,
        {
            fn from(page: $crate::pagination::Page<T>) -> Self {
                let keys: Vec<i64> = page.items.iter().map(|(key, _)| *key).collect();
                $connection {
                    page_info: $crate::graphql::connection::page_info(
                        &keys,
                        page.has_next,
                        page.has_previous,
                    ),
                    total: page.total,
                    edges: page
                        .items
                        .into_iter()
                        .map(|(key, item)| $edge {
                            cursor: $crate::graphql::connection::encode_cursor(key),
                            node: <$node>::from(item),
                        })
                        .collect(),
                }
            }
        }
    };
}
pub(crate) use connection;
