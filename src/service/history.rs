//! Reading stage history: newest first, for one subject or across the graph, only of records
//! the caller may read (leads by the stakeholder, deals and buying stages by the opportunity).

use chrono::{DateTime, Utc};
use entity::{
    opportunity,
    stage_change::{Column, Entity as StageChange, Model, StageKind},
    stakeholder,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Select,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Visibility},
        permission::Permission,
    },
    error::AppError,
    service::page::{self, Nested, Page, PageArgs, SortKey, SortValue},
};

/// What a history list is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A person: their lead moves and their buying stages on every deal.
    Stakeholder(Uuid),
    /// A deal: its own moves and its buyers' stages.
    Opportunity(Uuid),
    /// One buyer on one deal.
    Participant(Uuid),
    /// An ID that names nothing: matches nothing.
    Nothing,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub subject: Option<Subject>,
    pub kinds: Vec<StageKind>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub actor_id: Option<Uuid>,
}

/// The parent a nested history list hangs off.
#[derive(Debug, Clone, Copy)]
pub enum HistoryParent {
    Stakeholder,
    Opportunity,
}

/// Rows of `kind` whose record the caller may read through `permission`.
fn readable(
    principal: &Principal,
    permission: Permission,
    record: Column,
    owned: fn(Uuid) -> sea_orm::sea_query::SelectStatement,
) -> Option<Condition> {
    match authz::visibility(principal, permission) {
        Ok(Visibility::All) => Some(Condition::all()),
        Ok(Visibility::OwnedBy(me)) => Some(Condition::all().add(record.in_subquery(owned(me)))),
        Ok(Visibility::Nothing) | Err(_) => None,
    }
}

/// The history the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Select<StageChange> {
    let mut any = Condition::any();
    let mut parts = 0;
    if let Some(people) = readable(
        principal,
        Permission::StakeholderRead,
        Column::StakeholderId,
        |me| {
            stakeholder::Entity::find()
                .select_only()
                .column(stakeholder::Column::Id)
                .filter(
                    Condition::any()
                        .add(stakeholder::Column::OwnerId.eq(me))
                        .add(stakeholder::Column::MarketingOwnerId.eq(me)),
                )
                .into_query()
        },
    ) {
        any = any.add(people.add(Column::Kind.eq(StageKind::Lead)));
        parts += 1;
    }
    if let Some(deals) = readable(
        principal,
        Permission::OpportunityRead,
        Column::OpportunityId,
        |me| {
            opportunity::Entity::find()
                .select_only()
                .column(opportunity::Column::Id)
                .filter(opportunity::Column::OwnerId.eq(me))
                .into_query()
        },
    ) {
        any = any.add(deals.add(Column::Kind.ne(StageKind::Lead)));
        parts += 1;
    }
    if parts == 0 {
        return StageChange::find().filter(Column::Id.is_null());
    }
    StageChange::find().filter(any)
}

/// Newest first, the one order of history.
fn sort_key() -> SortKey<StageChange> {
    SortKey {
        name: "changed_at:desc".into(),
        column: Column::ChangedAt,
        id_column: Column::Id,
        descending: true,
        nullable: false,
        key_of: |m| (SortValue::Time(m.changed_at), m.id),
    }
}

fn filtered(principal: &Principal, filter: &HistoryFilter) -> Select<StageChange> {
    let mut select = visible(principal);
    match filter.subject {
        Some(Subject::Stakeholder(id)) => select = select.filter(Column::StakeholderId.eq(id)),
        Some(Subject::Opportunity(id)) => select = select.filter(Column::OpportunityId.eq(id)),
        Some(Subject::Participant(id)) => select = select.filter(Column::ParticipantId.eq(id)),
        Some(Subject::Nothing) => select = select.filter(Column::Id.is_null()),
        None => {}
    }
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(since) = filter.since {
        select = select.filter(Column::ChangedAt.gte(since));
    }
    if let Some(until) = filter.until {
        select = select.filter(Column::ChangedAt.lt(until));
    }
    if let Some(actor) = filter.actor_id {
        select = select.filter(Column::ChangedById.eq(actor));
    }
    select
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: HistoryFilter,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    let key = sort_key();
    let window = args.window(&key)?;
    page::fetch(db, filtered(principal, &filter), &key, window).await
}

/// The history page each parent of a level shows, as one query.
pub fn nested(
    principal: &Principal,
    parent: HistoryParent,
    filter: HistoryFilter,
    args: PageArgs,
) -> Result<Nested<StageChange>, AppError> {
    let key = sort_key();
    let window = args.window(&key)?;
    let select = filtered(principal, &filter);
    let (column, parent_of): (Column, fn(&Model) -> Uuid) = match parent {
        HistoryParent::Stakeholder => (Column::StakeholderId, |m| m.stakeholder_id.unwrap_or_default()),
        HistoryParent::Opportunity => (Column::OpportunityId, |m| m.opportunity_id.unwrap_or_default()),
    };
    Ok(Nested::new(select, key, window, column, parent_of))
}

pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, Ok(visible(principal)), Column::Id, ids).await
}
