//! Engagements: every touch a person has with marketing and sales, recorded one by one or by
//! sharing content, scored as they come in, read newest first.

use chrono::{DateTime, Duration, Utc};
use entity::{
    engagement::{ActiveModel, Column, EngagementKind, Entity as Engagement, Model},
    enums::LeadStage,
    stakeholder,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Select, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource, Visibility},
        permission::Permission,
        text,
    },
    error::{AppError, UserError, UserErrorCode},
    service::{
        Ref, collect, content, gather, opportunity, outbox,
        page::{self, Nested, Page, PageArgs, SortKey, SortValue},
        scoring, stage, stakeholder as people, write,
    },
};

#[derive(Debug, Clone, Default)]
pub struct EngagementFilter {
    pub stakeholder_id: Option<Uuid>,
    pub content_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub kinds: Vec<EngagementKind>,
    /// Touches at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Touches recorded (written to trapeze) at or after this instant, whenever they occurred.
    pub recorded_since: Option<DateTime<Utc>>,
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
    if let Some(since) = filter.recorded_since {
        select = select.filter(Column::CreatedAt.gte(since));
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
    let window = args.window(&key)?;
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
    let window = args.window(&key)?;
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

/// Each stakeholder's latest touch of any kind, on any deal or none (committee coverage): one
/// statement, read from the `(stakeholder_id, occurred_at)` index.
pub async fn last_touches_of(
    db: &impl ConnectionTrait,
    stakeholder_ids: &[Uuid],
) -> Result<Vec<(Uuid, DateTime<Utc>)>, sea_orm::DbErr> {
    Engagement::find()
        .select_only()
        .column(Column::StakeholderId)
        .column_as(Column::OccurredAt.max(), "last")
        .filter(Column::StakeholderId.is_in(stakeholder_ids.iter().copied()))
        .group_by(Column::StakeholderId)
        .into_tuple()
        .all(db)
        .await
}

pub struct NewEngagement {
    pub stakeholder_id: Option<Uuid>,
    pub kind: EngagementKind,
    pub content_id: Ref,
    pub opportunity_id: Ref,
    /// Now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
}

pub struct Share {
    pub content_id: Option<Uuid>,
    pub stakeholder_ids: Vec<Ref>,
    pub opportunity_id: Ref,
    pub note: Option<String>,
}

/// Records one touch: it scores, may lift the lead to MQL by itself, and moves `lastEngagedAt`.
pub async fn record(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewEngagement,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::EngagementCreate, Resource::Any)?;
    let now = Utc::now();
    let mut errors = Vec::new();
    let occurred_at = input.occurred_at.unwrap_or(now);
    if occurred_at > now + Duration::minutes(5) {
        errors.push(UserError::new(
            &["occurredAt"],
            UserErrorCode::Invalid,
            "occurredAt is in the future",
        ));
    }
    if input.duration_seconds.is_some_and(|d| !(0..=86_400).contains(&d)) {
        errors.push(UserError::new(
            &["durationSeconds"],
            UserErrorCode::Invalid,
            "durationSeconds must be 0 to 86400",
        ));
    }
    let txn = write(db).await?;
    let people = recipients(
        &txn,
        principal,
        &[input.stakeholder_id.map_or(Ref::Invalid, Ref::Id)],
        "stakeholderId",
    )
    .await;
    let people = gather(&mut errors, people)?;
    let content = gather(&mut errors, content_ref(&txn, principal, input.content_id).await)?;
    let deal = match &people {
        Some(people) => gather(
            &mut errors,
            deal_ref(&txn, principal, input.opportunity_id, people).await,
        )?,
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (Some(people), Some(content), Some(deal)) = (people, content, deal) else {
        return Err(AppError::internal("validated engagement fields went missing"));
    };
    let mut recorded = Vec::new();
    for person in &people {
        let touch = Touch {
            kind: input.kind,
            content_id: content,
            opportunity_id: deal,
            occurred_at,
            duration_seconds: input.duration_seconds,
            note: None,
        };
        recorded.push(touch_and_score(&txn, principal, person, touch, now).await?);
    }
    txn.commit().await?;
    recorded
        .pop()
        .ok_or_else(|| AppError::internal("no engagement was recorded"))
}

/// Shares content with several people at once: one CONTENT_SHARED for every recipient.
pub async fn share(
    db: &DatabaseConnection,
    principal: &Principal,
    input: Share,
) -> Result<Vec<Model>, AppError> {
    authz::authorize(principal, Permission::EngagementCreate, Resource::Any)?;
    let now = Utc::now();
    let mut errors = Vec::new();
    let note = collect(
        &mut errors,
        text::optional_text("note", input.note.as_deref(), 4000),
    );
    if input.stakeholder_ids.is_empty() || input.stakeholder_ids.len() > 100 {
        errors.push(UserError::new(
            &["stakeholderIds"],
            UserErrorCode::Invalid,
            "share with 1 to 100 stakeholders",
        ));
    }
    let txn = write(db).await?;
    let people = gather(
        &mut errors,
        recipients(&txn, principal, &input.stakeholder_ids, "stakeholderIds").await,
    )?;
    let content_id = input.content_id.map_or(Ref::Invalid, Ref::Id);
    let content = gather(&mut errors, content_ref(&txn, principal, content_id).await)?;
    let deal = match &people {
        Some(people) => gather(
            &mut errors,
            deal_ref(&txn, principal, input.opportunity_id, people).await,
        )?,
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (Some(people), Some(content), Some(deal), Some(note)) = (people, content, deal, note) else {
        return Err(AppError::internal("validated share fields went missing"));
    };
    let mut recorded = Vec::new();
    for person in &people {
        let touch = Touch {
            kind: EngagementKind::ContentShared,
            content_id: content,
            opportunity_id: deal,
            occurred_at: now,
            duration_seconds: None,
            note: note.clone(),
        };
        recorded.push(touch_and_score(&txn, principal, person, touch, now).await?);
    }
    txn.commit().await?;
    Ok(recorded)
}

/// One touch as checked.
struct Touch {
    kind: EngagementKind,
    content_id: Option<Uuid>,
    opportunity_id: Option<Uuid>,
    occurred_at: DateTime<Utc>,
    duration_seconds: Option<i32>,
    note: Option<String>,
}

/// Writes a touch, scores it, and moves the lead to MQL when the score reaches the threshold.
async fn touch_and_score(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person: &stakeholder::Model,
    touch: Touch,
    now: DateTime<Utc>,
) -> Result<Model, AppError> {
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        stakeholder_id: Set(person.id),
        account_id: Set(person.account_id),
        kind: Set(touch.kind),
        content_id: Set(touch.content_id),
        opportunity_id: Set(touch.opportunity_id),
        occurred_at: Set(touch.occurred_at),
        duration_seconds: Set(touch.duration_seconds),
        recorded_by_id: Set(principal.user_id()),
        created_at: Set(now),
        note: Set(touch.note),
    }
    .insert(db)
    .await?;
    let subject = outbox::Subject::new("Engagement", model.id, Some(model.account_id));
    let changes = outbox::diff(None, &model, &[]);
    outbox::record_at(
        db,
        principal.into(),
        "engagement.recorded",
        subject,
        &changes,
        now,
    )
    .await?;
    let scored = scoring::score_touch(db, person, &model, now).await?;
    if scored.qualifies {
        let rules = scored
            .rules
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let note = format!("scoring rule {rules} lifted the lead score to {}", scored.score);
        let current = stakeholder::Entity::find_by_id(person.id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::internal("a scored stakeholder is missing"))?;
        stage::move_lead_automatically(db, &current, LeadStage::Mql, None, note, now).await?;
    }
    Ok(model)
}

/// The people a touch is about: each one the caller may read.
async fn recipients(
    db: &impl ConnectionTrait,
    principal: &Principal,
    refs: &[Ref],
    field: &str,
) -> Result<Vec<stakeholder::Model>, AppError> {
    let ids: Vec<Uuid> = refs
        .iter()
        .filter_map(|r| if let Ref::Id(id) = r { Some(*id) } else { None })
        .collect();
    let found = people::find_many(db, principal, &ids).await?;
    let all_found = refs.len() == ids.len() && ids.iter().all(|id| found.iter().any(|p| p.id == *id));
    if !all_found {
        return Err(Ref::not_found(field, "stakeholder"));
    }
    // Once each, in the order given.
    let mut out: Vec<stakeholder::Model> = Vec::new();
    for id in ids {
        if !out.iter().any(|p| p.id == id)
            && let Some(p) = found.iter().find(|p| p.id == id)
        {
            out.push(p.clone());
        }
    }
    Ok(out)
}

async fn content_ref(
    db: &impl ConnectionTrait,
    principal: &Principal,
    reference: Ref,
) -> Result<Option<Uuid>, AppError> {
    match reference.target("contentId", "content")? {
        Some(Some(id)) => {
            if content::find_many(db, principal, &[id]).await?.is_empty() {
                return Err(Ref::not_found("contentId", "content"));
            }
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}

/// The deal a touch counts toward: one the caller may read, at the people's account.
async fn deal_ref(
    db: &impl ConnectionTrait,
    principal: &Principal,
    reference: Ref,
    people: &[stakeholder::Model],
) -> Result<Option<Uuid>, AppError> {
    let Some(Some(id)) = reference.target("opportunityId", "opportunity")? else {
        return Ok(None);
    };
    let deal = opportunity::find_many(db, principal, &[id])
        .await?
        .pop()
        .ok_or_else(|| Ref::not_found("opportunityId", "opportunity"))?;
    if people.iter().any(|p| p.account_id != deal.account_id) {
        return Err(AppError::rejected(
            &["opportunityId"],
            UserErrorCode::Invalid,
            "the opportunity belongs to another account than the stakeholder's",
        ));
    }
    Ok(Some(id))
}
