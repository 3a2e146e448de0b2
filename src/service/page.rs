//! Keyset pagination shared by every connection: opaque cursors that stay valid under inserts.
//!
//! A cursor names the ordering it came from, the sort value of its row and the row's id, so the
//! next page starts strictly after that (value, id) pair whatever was inserted meanwhile.
//!
//! A cursor is only base64 JSON, so a caller can edit it. Each decoded value is checked against
//! the column of its ordering (its type, its range, no NUL byte) before it reaches SQL: an
//! edited cursor is BAD_USER_INPUT like a malformed one, never a type error in PostgreSQL or a
//! comparison of text with a number in SQLite. A forged cursor that passes names a row
//! position any filter could name, so it reveals nothing.

use std::{
    collections::HashMap,
    future::Future,
    hash::{Hash, Hasher},
    pin::Pin,
    sync::Arc,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ColumnType, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Value,
    sea_query::{Asterisk, Expr, ExprTrait, NullOrdering, Query, WindowStatement},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{domain::time, error::AppError};

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// The longest cursor taken: a sort text is at most a few hundred characters, so anything
/// longer was not minted here and is refused before it is decoded.
const MAX_CURSOR_LEN: usize = 2048;

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
    /// the same ordering whose values fit its column.
    pub fn window<E: EntityTrait>(&self, key: &SortKey<E>) -> Result<Window, AppError> {
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
                .map(|raw| Cursor::decode(arg, raw, key))
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
    Date(NaiveDate),
    /// No value: such rows sort after every row with one, in either direction.
    Null,
}

impl SortValue {
    /// The value to compare against; `None` for `Null`.
    fn value(&self) -> Option<Value> {
        match self {
            SortValue::Text(s) => Some(s.clone().into()),
            SortValue::Int(i) => Some((*i).into()),
            SortValue::Time(t) => Some((*t).into()),
            SortValue::Date(d) => Some((*d).into()),
            SortValue::Null => None,
        }
    }

    /// Whether a column of type `column` (nullable or not) can hold this value, so comparing
    /// it with the column is well typed on every store. Times and days must lie in the range
    /// the API accepts (`domain::time`); every stored one does.
    fn fits(&self, column: &ColumnType, nullable: bool) -> bool {
        match self {
            SortValue::Null => nullable,
            SortValue::Text(s) => {
                matches!(
                    column,
                    ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text | ColumnType::Enum { .. }
                ) && !s.contains('\0')
            }
            SortValue::Int(i) => match column {
                ColumnType::SmallInteger => i16::try_from(*i).is_ok(),
                ColumnType::Integer => i32::try_from(*i).is_ok(),
                ColumnType::BigInteger => true,
                _ => false,
            },
            SortValue::Time(t) => {
                matches!(
                    column,
                    ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime
                ) && time::moment_in_range(*t)
            }
            SortValue::Date(d) => matches!(column, ColumnType::Date) && time::day_in_range(*d),
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

    fn decode<E: EntityTrait>(arg: &str, raw: &str, key: &SortKey<E>) -> Result<Self, AppError> {
        let bad = || AppError::BadUserInput(format!("`{arg}` is not a valid cursor"));
        if raw.len() > MAX_CURSOR_LEN {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.o != key.name {
            return Err(AppError::BadUserInput(format!(
                "`{arg}` was issued for another ordering; use cursors from the same orderBy"
            )));
        }
        if !cursor.v.fits(key.column.def().get_column_type(), key.nullable) {
            return Err(bad());
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
    /// Whether the column may be null; such rows come last in either direction.
    pub nullable: bool,
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
            nullable: false,
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

/// Rows strictly beyond `cursor`, walking the ordering `forward` or backward, with the id as
/// tie-breaker. Nulls come last when walking forward, so first when walking backward.
fn beyond<E: EntityTrait>(key: &SortKey<E>, cursor: &Cursor, forward: bool) -> Condition {
    let (col, id) = (key.column, key.id_column);
    let greater = key.descending != forward;
    let past_id = if greater {
        id.gt(cursor.id)
    } else {
        id.lt(cursor.id)
    };
    match (cursor.v.value(), forward) {
        (Some(value), _) => {
            let past = if greater {
                col.gt(value.clone())
            } else {
                col.lt(value.clone())
            };
            let mut cond = Condition::any()
                .add(past)
                .add(Condition::all().add(col.eq(value)).add(past_id));
            if key.nullable && forward {
                cond = cond.add(col.is_null());
            }
            cond
        }
        (None, true) => Condition::all().add(col.is_null()).add(past_id),
        (None, false) => Condition::any()
            .add(col.is_not_null())
            .add(Condition::all().add(col.is_null()).add(past_id)),
    }
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
    let (select, pager) = Pager::new(db, select, key, window);
    let rows = select.all(db).await?;
    Ok(pager.finish(rows))
}

/// Turns the rows of a page's statement into the page: [`Pager::new`] gives the statement with
/// the window's conditions, order and limit set, so a caller may join more rows into it (a page
/// of deals with their accounts) before it runs and then hand the page's own rows back to
/// [`Pager::finish`].
pub struct Pager<'k, E: EntityTrait> {
    key: &'k SortKey<E>,
    window: Window,
    total_count: CountFn,
}

impl<'k, E> Pager<'k, E>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    pub fn new(
        db: &DatabaseConnection,
        select: Select<E>,
        key: &'k SortKey<E>,
        window: Window,
    ) -> (Select<E>, Self) {
        let counted = select.clone();
        let count_db = db.clone();
        let total_count: CountFn = Arc::new(move || {
            let (select, db) = (counted.clone(), count_db.clone());
            Box::pin(async move { Ok(select.count(&db).await?) })
        });

        let mut query = select;
        if let Some(after) = &window.after {
            query = query.filter(beyond(key, after, true));
        }
        if let Some(before) = &window.before {
            query = query.filter(beyond(key, before, false));
        }
        let (order, nulls) = read_order(key, &window);
        if key.nullable {
            query = query.order_by_with_nulls(key.column, order.clone(), nulls);
        } else {
            query = query.order_by(key.column, order.clone());
        }
        let select = query.order_by(key.id_column, order).limit(window.size + 1);
        let pager = Self {
            key,
            window,
            total_count,
        };
        (select, pager)
    }

    /// The page of `rows`, as the statement returned them.
    pub fn finish(self, rows: Vec<E::Model>) -> Page<E::Model> {
        let PageRows {
            items,
            has_next_page,
            has_previous_page,
        } = into_page(rows, self.key, &self.window);
        Page {
            items,
            has_next_page,
            has_previous_page,
            total_count: self.total_count,
        }
    }
}

/// One page of rows with their cursors, for one parent of a nested connection.
pub struct PageRows<M> {
    pub items: Vec<(String, M)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<M> Default for PageRows<M> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
        }
    }
}

/// A nested connection's query, the same for every parent of one level: the rows (already
/// filtered and scoped to the caller), their order, the page window and the column naming the
/// parent. Two requests for the same page of different parents are equal, so a loader can run
/// them as one statement.
pub struct Nested<E: EntityTrait> {
    fingerprint: String,
    rows_fingerprint: String,
    pub select: Select<E>,
    pub key: SortKey<E>,
    pub window: Window,
    pub parent: E::Column,
    pub parent_of: fn(&E::Model) -> Uuid,
}

impl<E: EntityTrait> Nested<E> {
    pub fn new(
        select: Select<E>,
        key: SortKey<E>,
        window: Window,
        parent: E::Column,
        parent_of: fn(&E::Model) -> Uuid,
    ) -> Self {
        // The parent column is part of the query: an account's engagements and a deal's share
        // their rows' SQL but not their parent.
        let sql = format!(
            "{}|{}",
            select.clone().build(DbBackend::Sqlite),
            sea_orm::IdenStatic::as_str(&parent)
        );
        let fingerprint = format!("{sql}|{}|{window:?}", key.name);
        Self {
            fingerprint,
            rows_fingerprint: sql,
            select,
            key,
            window,
            parent,
            parent_of,
        }
    }

    /// Identifies the query: equal for the same rows, order and window.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Identifies the rows counted by `totalCount`, whatever the window.
    pub fn count_fingerprint(&self) -> &str {
        &self.rows_fingerprint
    }
}

impl<E: EntityTrait> PartialEq for Nested<E> {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}

impl<E: EntityTrait> Eq for Nested<E> {}

impl<E: EntityTrait> Hash for Nested<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.fingerprint.hash(state);
    }
}

/// The order a page is read in: the key's order, reversed for a backward page. Nulls come last
/// in the key's order.
fn read_order<E: EntityTrait>(key: &SortKey<E>, window: &Window) -> (Order, NullOrdering) {
    let order = if key.descending == window.backward {
        Order::Asc
    } else {
        Order::Desc
    };
    let nulls = if window.backward {
        NullOrdering::First
    } else {
        NullOrdering::Last
    };
    (order, nulls)
}

/// One page for each of `parents` in one statement, whatever their number: the rows are
/// numbered per parent (`ROW_NUMBER() OVER (PARTITION BY parent ...)`) and each parent keeps
/// its first `size + 1`.
pub async fn fetch_per_parent<E>(
    db: &impl ConnectionTrait,
    nested: &Nested<E>,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, PageRows<E::Model>>, DbErr>
where
    E: EntityTrait,
{
    let (key, window) = (&nested.key, &nested.window);
    let mut query = nested
        .select
        .clone()
        .filter(nested.parent.is_in(parents.iter().copied()));
    if let Some(after) = &window.after {
        query = query.filter(beyond(key, after, true));
    }
    if let Some(before) = &window.before {
        query = query.filter(beyond(key, before, false));
    }
    let (order, nulls) = read_order(key, window);
    let mut numbering = WindowStatement::partition_by(nested.parent);
    if key.nullable {
        numbering.order_by_with_nulls(key.column, order.clone(), nulls);
    } else {
        numbering.order_by(key.column, order.clone());
    }
    numbering.order_by(key.id_column, order);
    let mut inner = query.into_query();
    inner.expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, "page_row");
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, "paged")
        .and_where(Expr::col("page_row").lte(window.size + 1))
        .order_by("page_row", Order::Asc)
        .to_owned();
    let rows = E::find()
        .from_raw_sql(db.get_database_backend().build(&outer))
        .all(db)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in rows {
        grouped.entry((nested.parent_of)(&row)).or_default().push(row);
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, rows)| (parent, into_page(rows, key, window)))
        .collect())
}

/// How many rows each of `parents` has, in one statement.
pub async fn count_per_parent<E>(
    db: &impl ConnectionTrait,
    nested: &Nested<E>,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, u64>, DbErr>
where
    E: EntityTrait,
{
    let counts: Vec<(Uuid, i64)> = nested
        .select
        .clone()
        .filter(nested.parent.is_in(parents.iter().copied()))
        .select_only()
        .column(nested.parent)
        .column_as(Expr::cust("COUNT(*)"), "row_count")
        .group_by(nested.parent)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(parent, n)| (parent, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// Trims the rows read for a window (one more than its size) to a page with cursors.
fn into_page<E: EntityTrait>(
    mut rows: Vec<E::Model>,
    key: &SortKey<E>,
    window: &Window,
) -> PageRows<E::Model> {
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
    PageRows {
        items,
        has_next_page,
        has_previous_page,
    }
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

    use chrono::TimeZone;
    use entity::opportunity::{Column, Entity as Opportunity};

    /// An ordering of deals by `column` under `name`, nullable or not.
    fn key(name: &str, column: Column, nullable: bool) -> SortKey<Opportunity> {
        SortKey {
            name: name.into(),
            column,
            id_column: Column::Id,
            descending: false,
            nullable,
            key_of: |m| (SortValue::Time(m.created_at), m.id),
        }
    }

    fn created() -> SortKey<Opportunity> {
        key("created_at:asc", Column::CreatedAt, false)
    }

    #[test]
    fn exactly_one_of_first_and_last_is_required() {
        assert!(args(None, None).window(&created()).is_err());
        assert!(args(Some(1), Some(1)).window(&created()).is_err());
        assert!(args(Some(1), None).window(&created()).is_ok());
        assert!(args(None, Some(1)).window(&created()).is_ok());
    }

    #[test]
    fn page_size_runs_from_1_to_100() {
        assert!(args(Some(0), None).window(&created()).is_err());
        assert!(args(Some(101), None).window(&created()).is_err());
        assert!(args(Some(100), None).window(&created()).is_ok());
        assert!(args(None, Some(-1)).window(&created()).is_err());
    }

    fn raw(o: &str, v: SortValue) -> String {
        Cursor {
            o: o.into(),
            v,
            id: Uuid::now_v7(),
        }
        .encode()
    }

    #[test]
    fn a_cursor_round_trips_and_is_bound_to_its_ordering() {
        let name = key("name:asc", Column::Name, false);
        let c = Cursor {
            o: "name:asc".into(),
            v: SortValue::Text("a".into()),
            id: Uuid::now_v7(),
        };
        let raw = c.encode();
        assert_eq!(Cursor::decode("after", &raw, &name).unwrap(), c);
        assert!(Cursor::decode("after", &raw, &created()).is_err());
        assert!(Cursor::decode("after", "not a cursor", &name).is_err());
    }

    #[test]
    fn a_cursor_value_must_fit_its_column() {
        let name = key("name:asc", Column::Name, false);
        let amount = key("amount:asc", Column::AmountMinor, true);
        let day = key("close_date:asc", Column::ExpectedCloseDate, true);
        let probability = key("p:asc", Column::Probability, true);
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let today = at.date_naive();
        let ok =
            |k: &SortKey<Opportunity>, v: SortValue| Cursor::decode("after", &raw(&k.name, v), k).is_ok();

        assert!(ok(&name, SortValue::Text("Acme".into())));
        assert!(!ok(&name, SortValue::Int(1)));
        assert!(!ok(&name, SortValue::Time(at)));
        assert!(!ok(&name, SortValue::Null), "the column is not nullable");
        assert!(!ok(&name, SortValue::Text("a\0b".into())));

        assert!(ok(&created(), SortValue::Time(at)));
        assert!(!ok(&created(), SortValue::Text("2026-01-01T00:00:00Z".into())));
        assert!(!ok(&created(), SortValue::Date(today)));
        let year_zero = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap();
        assert!(!ok(&created(), SortValue::Time(year_zero)));

        assert!(ok(&amount, SortValue::Int(1_234)));
        assert!(ok(&amount, SortValue::Null));
        assert!(!ok(&amount, SortValue::Text("12.50".into())));
        assert!(!ok(&amount, SortValue::Time(at)));

        assert!(ok(&day, SortValue::Date(today)));
        assert!(!ok(&day, SortValue::Time(at)));
        assert!(!ok(&day, SortValue::Date(NaiveDate::MIN)));

        assert!(ok(&probability, SortValue::Int(50)));
        assert!(!ok(&probability, SortValue::Int(i64::from(i16::MAX) + 1)));
    }

    #[test]
    fn an_oversized_cursor_is_refused_before_decoding() {
        let long = raw("name:asc", SortValue::Text("x".repeat(MAX_CURSOR_LEN)));
        assert!(Cursor::decode("after", &long, &key("name:asc", Column::Name, false)).is_err());
    }

    #[test]
    fn nested_queries_of_different_parents_are_different_queries() {
        use entity::engagement::{Column, Entity};
        let nested = |parent: Column| {
            let key = SortKey::<Entity>::oldest_first(Column::CreatedAt, Column::Id, |m| {
                (SortValue::Time(m.created_at), m.id)
            });
            let window = args(Some(5), None).window(&key).unwrap();
            Nested::new(Entity::find(), key, window, parent, |m| m.account_id)
        };
        assert!(nested(Column::AccountId) == nested(Column::AccountId));
        assert!(nested(Column::AccountId) != nested(Column::OpportunityId));
        assert_ne!(
            nested(Column::AccountId).count_fingerprint(),
            nested(Column::OpportunityId).count_fingerprint()
        );
    }
}
