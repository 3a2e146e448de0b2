//! The lead loop between marketing and sales: moves through the waterfall (with the handoff to
//! sales on MQL and the feedback a rejection records) and sales' feedback on leads.

use chrono::Utc;
use entity::{
    enums::{LeadStage, ReasonCode},
    lead_feedback::{self, Entity as Feedback, LeadRating},
    stage_change::StageKind,
    stakeholder::{self, Column, Entity as Stakeholder},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource},
        permission::Permission,
        stage as rules, text, version,
    },
    error::{AppError, UserError, UserErrorCode},
    service::{
        Ref, collect, gather, outbox,
        stage::{self, Move},
        stakeholder as people, update_at_version, user, write,
    },
};

pub struct LeadMoveInput {
    pub stakeholder_id: Option<Uuid>,
    pub to: LeadStage,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    /// Only with a move to MQL: the sales owner who should accept the lead.
    pub assign_owner_id: Ref,
    pub expected_version: Option<i32>,
}

async fn lead(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Option<Uuid>,
) -> Result<stakeholder::Model, AppError> {
    let not_found = || Ref::not_found("stakeholderId", "stakeholder");
    let id = id.ok_or_else(not_found)?;
    // Locked from the read the move is computed from to its write, as every other update is
    // (FOR UPDATE on PostgreSQL; SQLite's write transaction holds the lock already).
    super::lock_visible(db, people::visible(principal), stakeholder::Column::Id, id)
        .await?
        .ok_or_else(not_found)
}

/// Moves a lead through the waterfall by hand, with the permission the move needs.
pub async fn move_lead(
    db: &DatabaseConnection,
    principal: &Principal,
    input: LeadMoveInput,
) -> Result<stakeholder::Model, AppError> {
    let txn = write(db).await?;
    let current = lead(&txn, principal, input.stakeholder_id).await?;
    let rule = rules::lead_move(current.lead_stage, input.to).map_err(|e| AppError::Rejected(vec![e]))?;
    authz::authorize(
        principal,
        rule.permission,
        Resource::Owned(&[current.owner_id, current.marketing_owner_id]),
    )?;
    version::check_version(input.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    if rule.reason_required && input.reason_code.is_none() {
        errors.push(rules::reason_required());
    }
    let note = collect(
        &mut errors,
        text::optional_text("note", input.note.as_deref(), 4000),
    );
    if input.assign_owner_id != Ref::Absent && input.to != LeadStage::Mql {
        errors.push(UserError::new(
            &["assignOwnerId"],
            UserErrorCode::Invalid,
            "a sales owner is assigned only with a move to MQL",
        ));
    }
    let owner = gather(
        &mut errors,
        user::active_user(&txn, input.assign_owner_id, "assignOwnerId").await,
    )?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let now = Utc::now();
    let (assigned, accept_by) = stage::handoff(&txn, input.to, now).await?;
    let mut row = current.clone().into_active_model();
    row.lead_stage = Set(input.to);
    row.handoff_assigned_at = Set(assigned);
    row.handoff_accept_by = Set(accept_by);
    if let Some(Some(owner)) = owner {
        row.owner_id = Set(owner);
    }
    row.updated_at = Set(now);
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<Stakeholder>(&txn, row, (Column::Id, current.id), at, AppError::from).await?;
    stage::record(
        &txn,
        Move {
            kind: StageKind::Lead,
            subject_id: current.id,
            stakeholder_id: Some(current.id),
            opportunity_id: None,
            participant_id: None,
            account_id: current.account_id,
            from: stage::name(current.lead_stage),
            to: stage::name(input.to),
            reason_code: input.reason_code,
            note: note.flatten(),
            by: principal.into(),
            at: now,
        },
    )
    .await?;
    if input.to == LeadStage::Mql {
        let owner = match owner {
            Some(Some(owner)) => owner,
            _ => current.owner_id,
        };
        stage::record_assignment(&txn, principal.into(), &current, owner, now).await?;
    }
    // Sales sending a lead back is feedback on it, kept with the lead's source.
    if current.lead_stage == LeadStage::Mql && input.to == LeadStage::Nurture {
        give_feedback(
            &txn,
            principal,
            &current,
            LeadRating::Poor,
            input.reason_code,
            None,
            now,
        )
        .await?;
    }
    let model = Stakeholder::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("stakeholderId", "stakeholder"))?;
    txn.commit().await?;
    Ok(model)
}

async fn give_feedback(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person: &stakeholder::Model,
    rating: LeadRating,
    reason_code: Option<ReasonCode>,
    comment: Option<String>,
    at: chrono::DateTime<Utc>,
) -> Result<lead_feedback::Model, AppError> {
    let model = lead_feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        stakeholder_id: Set(person.id),
        account_id: Set(person.account_id),
        rating: Set(rating),
        reason_code: Set(reason_code),
        comment: Set(comment),
        lead_source: Set(person.lead_source),
        given_by_id: Set(principal.user_id()),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    let subject = outbox::Subject::new("LeadFeedback", model.id, Some(model.account_id));
    let changes = outbox::diff(None, &model, &[]);
    outbox::record_at(db, principal.into(), "feedback.recorded", subject, &changes, at).await?;
    Ok(model)
}

pub struct NewFeedback {
    pub stakeholder_id: Option<Uuid>,
    pub rating: LeadRating,
    pub reason_code: Option<ReasonCode>,
    pub comment: Option<String>,
}

/// Sales' word on a lead, any rating.
pub async fn record_feedback(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewFeedback,
) -> Result<lead_feedback::Model, AppError> {
    authz::authorize(principal, Permission::FeedbackCreate, Resource::Any)?;
    let txn = write(db).await?;
    let person = lead(&txn, principal, input.stakeholder_id).await?;
    let mut errors = Vec::new();
    let comment = collect(
        &mut errors,
        text::optional_text("comment", input.comment.as_deref(), 4000),
    );
    let Some(comment) = comment else {
        return Err(AppError::Rejected(errors));
    };
    let model = give_feedback(
        &txn,
        principal,
        &person,
        input.rating,
        input.reason_code,
        comment,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The feedback on each of `ids`, newest first.
pub async fn feedback_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<lead_feedback::Model>, sea_orm::DbErr> {
    Feedback::find()
        .filter(lead_feedback::Column::StakeholderId.is_in(ids.iter().copied()))
        .order_by_desc(lead_feedback::Column::CreatedAt)
        .order_by_desc(lead_feedback::Column::Id)
        .all(db)
        .await
}

/// Feedback by ID, on leads the caller may read.
pub async fn find_feedback(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<lead_feedback::Model>, AppError> {
    use sea_orm::{QuerySelect, QueryTrait};
    let Ok(people) = people::visible(principal) else {
        return Ok(Vec::new());
    };
    let readable = people.select_only().column(Column::Id).into_query();
    let visible = Feedback::find().filter(lead_feedback::Column::StakeholderId.in_subquery(readable));
    super::visible_by_ids(db, Ok(visible), lead_feedback::Column::Id, ids).await
}
