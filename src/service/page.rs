//! Keyset pagination shared by every connection: opaque cursors that stay valid under inserts.
//!
//! A cursor names the ordering it came from, the sort value of its row and the row's id, so the
//! next page starts strictly after that (value, id) pair whatever was inserted meanwhile.

use std::{future::Future, pin::Pin, sync::Arc};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// The Relay arguments of a connection field, as the caller sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// Validated page arguments for one ordering.
#[derive(Debug, Clone)]
pub struct Window {
    size: u64,
    backward: bool,
    after: Option<Cursor>,
    before: Option<Cursor>,
}

impl PageArgs {
    /// Checks the arguments: exactly one of `first`/`last`, from 1 to 100, and cursors minted by
    /// the same ordering (`order_key`).
    pub fn window(&self, order_key: &str) -> Result<Window, AppError> {
        let (size, backward) = match (self.first, self.last) {
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            _ => {
                return Err(AppError::BadUserInput(
                    "exactly one of `first` and `last` is required".into(),
                ));
            }
        };
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            let arg = if backward { "last" } else { "first" };
            return Err(AppError::BadUserInput(format!(
                "`{arg}` must be between 1 and {MAX_PAGE_SIZE}, got {size}"
            )));
        }
        let decode = |arg: &str, raw: &Option<String>| {
            raw.as_deref()
                .map(|raw| Cursor::decode(arg, raw, order_key))
                .transpose()
        };
        Ok(Window {
            size: size as u64,
            backward,
            after: decode("after", &self.after)?,
            before: decode("before", &self.before)?,
        })
    }
}

/// The value a row is sorted by, as carried in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

impl From<SortValue> for Value {
    fn from(v: SortValue) -> Self {
        match v {
            SortValue::Text(s) => s.into(),
            SortValue::Int(i) => i.into(),
            SortValue::Time(t) => t.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    /// The ordering that minted the cursor.
    o: String,
    v: SortValue,
    id: Uuid,
}

impl Cursor {
    fn encode(&self) -> String {
        // Serializing plain data into a Vec cannot fail; an empty cursor would only fail to decode.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(arg: &str, raw: &str, order_key: &str) -> Result<Self, AppError> {
        let bad = || AppError::BadUserInput(format!("`{arg}` is not a valid cursor"));
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.o != order_key {
            return Err(AppError::BadUserInput(format!(
                "`{arg}` was issued for another ordering; use cursors from the same orderBy"
            )));
        }
        Ok(cursor)
    }
}

/// Reads the sort value and id of a row.
pub type KeyFn<M> = fn(&M) -> (SortValue, Uuid);

/// How one entity is ordered: the sort column, its direction and how to read a row's key.
pub struct SortKey<E: EntityTrait> {
    /// Names the ordering inside cursors (`"name:asc"`).
    pub name: String,
    pub column: E::Column,
    pub id_column: E::Column,
    pub descending: bool,
    pub key_of: KeyFn<E::Model>,
}

impl<E: EntityTrait> SortKey<E> {
    /// Oldest first, the default order of lists without an `orderBy`.
    pub fn oldest_first(created_at: E::Column, id: E::Column, key_of: KeyFn<E::Model>) -> Self {
        Self {
            name: "created_at:asc".into(),
            column: created_at,
            id_column: id,
            descending: false,
            key_of,
        }
    }
}

/// A lazily computed `totalCount`: only run when the query asks for it.
pub type CountFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<u64, AppError>> + Send>> + Send + Sync>;

/// One page of rows with their cursors.
pub struct Page<M> {
    pub items: Vec<(String, M)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub total_count: CountFn,
}

impl<M> Page<M> {
    /// Maps the rows, keeping cursors and page info.
    pub fn map<T>(self, f: impl Fn(M) -> T) -> Page<T> {
        Page {
            items: self.items.into_iter().map(|(c, m)| (c, f(m))).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
        }
    }
}

/// Rows strictly beyond `cursor` in the direction `ascending`, with the id as tie-breaker.
fn beyond<E: EntityTrait>(key: &SortKey<E>, cursor: &Cursor, ascending: bool) -> Condition {
    let value: Value = cursor.v.clone().into();
    let (col, id) = (key.column, key.id_column);
    let (past, past_id) = if ascending {
        (col.gt(value.clone()), id.gt(cursor.id))
    } else {
        (col.lt(value.clone()), id.lt(cursor.id))
    };
    Condition::any()
        .add(past)
        .add(Condition::all().add(col.eq(value)).add(past_id))
}

/// Fetches one page of `select` (already filtered) in the order of `key`, in one statement;
/// `totalCount` is a second statement run only on demand.
pub async fn fetch<E>(
    db: &DatabaseConnection,
    select: Select<E>,
    key: &SortKey<E>,
    window: Window,
) -> Result<Page<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let counted = select.clone();
    let count_db = db.clone();
    let total_count: CountFn = Arc::new(move || {
        let (select, db) = (counted.clone(), count_db.clone());
        Box::pin(async move { Ok(select.count(&db).await?) })
    });

    let ascending = !key.descending;
    let mut query = select;
    if let Some(after) = &window.after {
        query = query.filter(beyond(key, after, ascending));
    }
    if let Some(before) = &window.before {
        query = query.filter(beyond(key, before, !ascending));
    }
    // A backward page walks the ordering in reverse from its end, then is flipped back.
    let order = if ascending != window.backward {
        Order::Asc
    } else {
        Order::Desc
    };
    let mut rows = query
        .order_by(key.column, order.clone())
        .order_by(key.id_column, order)
        .limit(window.size + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > window.size;
    rows.truncate(window.size as usize);
    if window.backward {
        rows.reverse();
    }
    let items = rows
        .into_iter()
        .map(|row| {
            let (v, id) = (key.key_of)(&row);
            (
                Cursor {
                    o: key.name.clone(),
                    v,
                    id,
                }
                .encode(),
                row,
            )
        })
        .collect();
    let (has_next_page, has_previous_page) = if window.backward {
        (window.before.is_some(), has_more)
    } else {
        (has_more, window.after.is_some())
    };
    Ok(Page {
        items,
        has_next_page,
        has_previous_page,
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs {
            first,
            last,
            ..Default::default()
        }
    }

    #[test]
    fn exactly_one_of_first_and_last_is_required() {
        assert!(args(None, None).window("k").is_err());
        assert!(args(Some(1), Some(1)).window("k").is_err());
        assert!(args(Some(1), None).window("k").is_ok());
        assert!(args(None, Some(1)).window("k").is_ok());
    }

    #[test]
    fn page_size_runs_from_1_to_100() {
        assert!(args(Some(0), None).window("k").is_err());
        assert!(args(Some(101), None).window("k").is_err());
        assert!(args(Some(100), None).window("k").is_ok());
        assert!(args(None, Some(-1)).window("k").is_err());
    }

    #[test]
    fn a_cursor_round_trips_and_is_bound_to_its_ordering() {
        let c = Cursor {
            o: "name:asc".into(),
            v: SortValue::Text("a".into()),
            id: Uuid::now_v7(),
        };
        let raw = c.encode();
        assert_eq!(Cursor::decode("after", &raw, "name:asc").unwrap(), c);
        assert!(Cursor::decode("after", &raw, "created_at:asc").is_err());
        assert!(Cursor::decode("after", "not a cursor", "name:asc").is_err());
    }
}
