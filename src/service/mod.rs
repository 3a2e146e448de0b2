//! Services: one module per aggregate. They open transactions, validate through the domain
//! rules and read and write through sea-orm. GraphQL resolvers call them and nothing below.

pub mod account;
pub mod analytics;
pub mod api_token;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod content;
pub mod deal;
pub mod engagement;
pub mod history;
pub mod lead;
pub mod opportunity;
pub mod outbox;
pub mod page;
pub mod persona;
pub mod policy;
pub mod recommendation;
pub mod role;
pub mod scoring;
pub mod stage;
pub mod stakeholder;
pub mod throttle;
pub mod user;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QuerySelect, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    domain::version,
    error::{AppError, UserError, UserErrorCode},
};

/// A reference to another record as an input gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ref {
    /// Not in the input: keep (or default).
    #[default]
    Absent,
    /// Explicitly null: clear.
    Null,
    Id(Uuid),
    /// An ID that names nothing of the expected kind.
    Invalid,
}

impl Ref {
    /// What the reference asks for: `None` when absent, `Some(None)` to clear, `Some(Some(id))`
    /// for an id the caller still has to check; NOT_FOUND on `field` for an ID of nothing.
    pub fn target(self, field: &str, what: &str) -> Result<Option<Option<Uuid>>, AppError> {
        match self {
            Ref::Absent => Ok(None),
            Ref::Null => Ok(Some(None)),
            Ref::Id(id) => Ok(Some(Some(id))),
            Ref::Invalid => Err(Self::not_found(field, what)),
        }
    }

    /// The error for a reference to nothing the caller may use.
    pub fn not_found(field: &str, what: &str) -> AppError {
        AppError::rejected(
            &[field],
            UserErrorCode::NotFound,
            format!("no {what} has this id"),
        )
    }
}

/// Writes `row` to the record `id` only while it is still at `version` (optimistic concurrency
/// held by the database, not by a read before the write): STALE_VERSION when another change got
/// there first. `on_error` maps a failed write (a unique key, say) to its user error.
pub(crate) async fn update_at_version<E>(
    db: &impl ConnectionTrait,
    row: E::ActiveModel,
    (id_column, id): (E::Column, Uuid),
    (version_column, version): (E::Column, i32),
    on_error: fn(DbErr) -> AppError,
) -> Result<(), AppError>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let written = E::update_many()
        .set(row)
        .filter(id_column.eq(id))
        .filter(version_column.eq(version))
        .exec(db)
        .await
        .map_err(on_error)?;
    if written.rows_affected == 0 {
        return Err(AppError::Rejected(vec![version::stale(version + 1)]));
    }
    Ok(())
}

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
/// writers queue on the busy timeout instead of failing when a read inside the transaction would
/// have to turn into a write after another writer committed; PostgreSQL ignores the mode.
pub(crate) async fn write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// The rows of `ids` among those the caller may read (`visible`, the aggregate's scoped
/// finder); none, without a statement, when the caller may read none or asks for none.
pub(crate) async fn visible_by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    visible: Result<sea_orm::Select<E>, AppError>,
    id_column: E::Column,
    ids: &[Uuid],
) -> Result<Vec<E::Model>, AppError> {
    let Ok(select) = visible else {
        return Ok(Vec::new());
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(select
        .filter(id_column.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The row `id` among those the caller may read (`visible`), locked until the transaction ends
/// (`FOR UPDATE` on PostgreSQL; on SQLite the write transaction already holds the database), so
/// a change computed from it cannot be overtaken between its read and its write.
pub(crate) async fn lock_visible<E: EntityTrait>(
    db: &impl ConnectionTrait,
    visible: Result<sea_orm::Select<E>, AppError>,
    id_column: E::Column,
    id: Uuid,
) -> Result<Option<E::Model>, AppError> {
    let Ok(select) = visible else {
        return Ok(None);
    };
    Ok(select.filter(id_column.eq(id)).lock_exclusive().one(db).await?)
}

/// The most external ids a `filter: { externalIds }` takes (one upsert's worth of rows).
pub const MAX_EXTERNAL_IDS: usize = 500;

/// Refuses an `externalIds` filter longer than [`MAX_EXTERNAL_IDS`] (BAD_USER_INPUT) rather than
/// sending the database an `IN` list of any length.
pub(crate) fn check_external_ids(ids: Option<&Vec<String>>) -> Result<(), AppError> {
    match ids {
        Some(ids) if ids.len() > MAX_EXTERNAL_IDS => Err(AppError::BadUserInput(format!(
            "externalIds takes at most {MAX_EXTERNAL_IDS} ids"
        ))),
        _ => Ok(()),
    }
}

/// TAKEN on `externalId`: a live record of the type already has it.
pub(crate) fn external_id_taken(what: &str) -> AppError {
    AppError::rejected(
        &["externalId"],
        UserErrorCode::Taken,
        format!("a live {what} already has this external id"),
    )
}

/// Keeps a field's user error aside so that every bad field of an input is reported at once.
pub(crate) fn collect<T>(errors: &mut Vec<UserError>, result: Result<T, UserError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// `collect` for checks that may also fail for other reasons, which are passed on.
pub(crate) fn gather<T>(
    errors: &mut Vec<UserError>,
    result: Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Rejected(e)) => {
            errors.extend(e);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// A `LIKE` pattern matching values that start with `prefix`, with `%`, `_` and `\` escaped
/// (pair it with `ESCAPE '\'`).
/// The longest search text a filter takes: longer ones are refused (BAD_USER_INPUT) rather than
/// sent to the database as a pattern of a million characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A `search` filter as a lowercase prefix pattern; BAD_USER_INPUT when longer than
/// [`MAX_SEARCH_CHARS`].
pub fn search_pattern(search: &str) -> Result<String, AppError> {
    if search.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::BadUserInput(format!(
            "search is at most {MAX_SEARCH_CHARS} characters"
        )));
    }
    Ok(prefix_pattern(&search.to_lowercase()))
}

pub fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_prefix_pattern_escapes_wildcards() {
        assert_eq!(super::prefix_pattern("50%_a\\"), "50\\%\\_a\\\\%");
    }
}
