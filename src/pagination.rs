//! Keyset pagination shared by every growing list: pages are windows over a
//! unique integer key (ids newest first, or e.g. channel numbers in order), so a
//! page stays stable while rows are added. GraphQL connections are built from these in `graphql::connection`.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

/// Which window of a list to return, already validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items.
    pub limit: u64,
    /// Items strictly after this key (in list order).
    pub after: Option<i64>,
    /// Items strictly before this key (in list order).
    pub before: Option<i64>,
    /// Take the last `limit` items of the window instead of the first.
    pub from_end: bool,
}

/// One page of a list: items with their keys, in list order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Key and item, in list order.
    pub items: Vec<(i64, T)>,
    /// Whether items follow the page.
    pub has_next: bool,
    /// Whether items precede the page.
    pub has_previous: bool,
    /// Items in the whole list, when it was cheap to count.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Changes every item, keeping keys and page information.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        let mut f = f;
        Page {
            items: self.items.into_iter().map(|(k, t)| (k, f(t))).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
        }
    }
}

/// The direction of a list over its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Largest key first (newest first, for ids).
    Descending,
    /// Smallest key first (e.g. channel numbers).
    Ascending,
}

/// Restricts `select` to the window of `request` over `key` in list order and
/// fetches one row more than asked, to learn whether more follow.
pub fn window<E: EntityTrait>(
    select: Select<E>,
    key: E::Column,
    direction: Direction,
    request: &PageRequest,
) -> Select<E> {
    let mut select = select;
    let ascending = direction == Direction::Ascending;
    if let Some(after) = request.after {
        select = select.filter(if ascending {
            key.gt(after)
        } else {
            key.lt(after)
        });
    }
    if let Some(before) = request.before {
        select = select.filter(if ascending {
            key.lt(before)
        } else {
            key.gt(before)
        });
    }
    let order = if ascending != request.from_end {
        Order::Asc
    } else {
        Order::Desc
    };
    select.order_by(key, order).limit(request.limit + 1)
}

/// Turns the rows fetched through [`window`] into a page.
pub fn into_page<T>(request: &PageRequest, rows: Vec<T>, key: impl Fn(&T) -> i64) -> Page<T> {
    let mut rows = rows;
    let more = rows.len() as u64 > request.limit;
    rows.truncate(request.limit as usize);
    if request.from_end {
        rows.reverse();
    }
    let items = rows.into_iter().map(|row| (key(&row), row)).collect();
    // Past a cursor there is at least the cursor's own item on the other side.
    let (has_next, has_previous) = if request.from_end {
        (request.before.is_some(), more)
    } else {
        (more, request.after.is_some())
    };
    Page {
        items,
        has_next,
        has_previous,
        total: None,
    }
}

/// Fetches the page of `list` that `request` asks for, with the list's total
/// count: two statements whatever the page size.
pub async fn fetch<E>(
    db: &impl ConnectionTrait,
    list: Select<E>,
    key: (E::Column, Direction),
    key_of: impl Fn(&E::Model) -> i64,
    request: &PageRequest,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let total = list.clone().count(db).await?;
    let rows = window(list, key.0, key.1, request).all(db).await?;
    let mut page = into_page(request, rows, key_of);
    page.total = Some(total);
    Ok(page)
}
