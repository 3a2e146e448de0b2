//! Engagements: every touch a person has with marketing and sales. Recorded by the lifecycle
//! (`recordEngagement`, `shareContent`); read here, newest first.

use chrono::{DateTime, Utc};
use entity::{
    engagement::{Column, EngagementKind, Entity as Engagement, Model},
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

#[derive(Debug, Clone, Default)]
pub struct EngagementFilter {
    pub stakeholder_id: Option<Uuid>,
    pub content_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub kinds: Vec<EngagementKind>,
    /// Touches at or after this instant.
    pub since: Option<DateTime<Utc>>,
}

/// What a nested list of engagements hangs off.
#[derive(Debug, Clone, Copy)]
pub enum EngagementParent {
    Account,
    Stakeholder,
    Opportunity,
    Content,
}

/// The engagements the caller may read: `engagement.read`, of people the caller may read.
pub fn visible(principal: &Principal) -> Result<Select<Engagement>, AppError> {
    let select = match authz::visibility(principal, Permission::EngagementRead)? {
        Visibility::All => Engagement::find(),
        Visibility::OwnedBy(me) => {
            Engagement::find().filter(Column::StakeholderId.in_subquery(owned_people(me)))
        }
        Visibility::Nothing => return Ok(Engagement::find().filter(Column::Id.is_null())),
    };
    Ok(match authz::visibility(principal, Permission::StakeholderRead) {
        Ok(Visibility::All) => select,
        Ok(Visibility::OwnedBy(me)) => select.filter(Column::StakeholderId.in_subquery(owned_people(me))),
        Ok(Visibility::Nothing) | Err(_) => select.filter(Column::Id.is_null()),
    })
}

fn owned_people(me: Uuid) -> sea_orm::sea_query::SelectStatement {
    stakeholder::Entity::find()
        .select_only()
        .column(stakeholder::Column::Id)
        .filter(
            Condition::any()
                .add(stakeholder::Column::OwnerId.eq(me))
                .add(stakeholder::Column::MarketingOwnerId.eq(me)),
        )
        .into_query()
}

/// Newest first: the one order of engagements.
fn sort_key() -> SortKey<Engagement> {
    SortKey {
        name: "occurred_at:desc".into(),
        column: Column::OccurredAt,
        id_column: Column::Id,
        descending: true,
        nullable: false,
        key_of: |m| (SortValue::Time(m.occurred_at), m.id),
    }
}

fn filtered(principal: &Principal, filter: &EngagementFilter) -> Result<Select<Engagement>, AppError> {
    let mut select = visible(principal)?;
    if let Some(id) = filter.stakeholder_id {
        select = select.filter(Column::StakeholderId.eq(id));
    }
    if let Some(id) = filter.content_id {
        select = select.filter(Column::ContentId.eq(id));
    }
    if let Some(id) = filter.opportunity_id {
        select = select.filter(Column::OpportunityId.eq(id));
    }
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(since) = filter.since {
        select = select.filter(Column::OccurredAt.gte(since));
    }
    Ok(select)
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: EngagementFilter,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    let key = sort_key();
    let window = args.window(&key.name)?;
    page::fetch(db, filtered(principal, &filter)?, &key, window).await
}

/// The page of engagements each parent of a level shows, as one query.
pub fn nested(
    principal: &Principal,
    parent: EngagementParent,
    filter: EngagementFilter,
    args: PageArgs,
) -> Result<Nested<Engagement>, AppError> {
    let key = sort_key();
    let window = args.window(&key.name)?;
    let select = filtered(principal, &filter)?;
    let (column, parent_of): (Column, fn(&Model) -> Uuid) = match parent {
        EngagementParent::Account => (Column::AccountId, |m| m.account_id),
        EngagementParent::Stakeholder => (Column::StakeholderId, |m| m.stakeholder_id),
        EngagementParent::Opportunity => (Column::OpportunityId, |m| m.opportunity_id.unwrap_or_default()),
        EngagementParent::Content => (Column::ContentId, |m| m.content_id.unwrap_or_default()),
    };
    Ok(Nested::new(select, key, window, column, parent_of))
}

pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}
