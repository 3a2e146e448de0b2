//! Reading the outbox as the audit log: newest first, filtered by type, subject, actor and time,
//! only for callers holding `audit.read` (at OWN scope: the events they caused themselves).

use chrono::{DateTime, Utc};
use entity::event::{Column, Entity as Event, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource, Visibility},
        permission::Permission,
    },
    error::AppError,
    service::page::{self, Page, PageArgs, SortKey, SortValue},
};

/// The most event types one filter names.
pub const MAX_TYPES: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub types: Vec<String>,
    /// `Some(None)`: an ID that names nothing, which matches nothing.
    pub subject_id: Option<Option<Uuid>>,
    pub actor_id: Option<Option<Uuid>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The events the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Result<Select<Event>, AppError> {
    Ok(match authz::visibility(principal, Permission::AuditRead)? {
        Visibility::All => Event::find(),
        Visibility::OwnedBy(me) => Event::find().filter(Column::ActorId.eq(me)),
        Visibility::Nothing => Event::find().filter(Column::Id.is_null()),
    })
}

/// Newest first, the one order of the log; the id breaks ties within one instant.
fn sort_key() -> SortKey<Event> {
    SortKey {
        name: "occurred_at:desc".into(),
        column: Column::OccurredAt,
        id_column: Column::Id,
        descending: true,
        nullable: false,
        key_of: |m| (SortValue::Time(m.occurred_at), m.id),
    }
}

fn filtered(principal: &Principal, filter: &AuditFilter) -> Result<Select<Event>, AppError> {
    if filter.types.len() > MAX_TYPES {
        return Err(AppError::BadUserInput(format!(
            "`types` takes at most {MAX_TYPES} event types"
        )));
    }
    let mut select = visible(principal)?;
    if !filter.types.is_empty() {
        select = select.filter(Column::EventType.is_in(filter.types.iter().cloned()));
    }
    match filter.subject_id {
        Some(Some(id)) => select = select.filter(Column::SubjectId.eq(id)),
        Some(None) => select = select.filter(Column::Id.is_null()),
        None => {}
    }
    match filter.actor_id {
        Some(Some(id)) => select = select.filter(Column::ActorId.eq(id)),
        Some(None) => select = select.filter(Column::Id.is_null()),
        None => {}
    }
    if let Some(since) = filter.since {
        select = select.filter(Column::OccurredAt.gte(since));
    }
    if let Some(until) = filter.until {
        select = select.filter(Column::OccurredAt.lt(until));
    }
    Ok(select)
}

/// A page of the audit log. Callers: holders of `audit.read` (others: FORBIDDEN). Reads only.
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: AuditFilter,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize(principal, Permission::AuditRead, Resource::Any)?;
    let key = sort_key();
    let window = args.window(&key)?;
    page::fetch(db, filtered(principal, &filter)?, &key, window).await
}

/// Events by id, as far as the caller may read them (none without `audit.read`).
pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}
