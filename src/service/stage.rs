//! Stage moves: the lead waterfall, the opportunity pipeline and each buyer's own stage on a
//! deal. A move is checked against its state machine (`domain::stage`) and the rulebook, written
//! at the version the caller read, logged in `stage_change` and reflected in `stage_interval`, with
//! its consequences, all in one transaction: a failure writes nothing.

use chrono::{DateTime, Utc};
use entity::{
    account,
    deal_participant::{self as participant, Entity as Participant},
    enums::{BuyingStage, LeadStage, ReasonCode},
    opportunity::{self, OpportunityStage},
    stage_change::{self, StageKind},
    stage_interval, stakeholder,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource},
        opportunity::is_open,
        permission::Permission,
        stage as rules, text, version,
    },
    error::AppError,
    service::{Ref, collect, deal, opportunity as deals, outbox, scoring, update_at_version, write},
};

/// One move to log: which record, from where to where, why and by whom (`None`: automatic).
pub(crate) struct Move {
    pub kind: StageKind,
    pub subject_id: Uuid,
    pub stakeholder_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub account_id: Uuid,
    pub from: String,
    pub to: String,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    /// Who moved it; nobody (`By::SYSTEM`) for an automatic move.
    pub by: outbox::By,
    pub at: DateTime<Utc>,
}

/// Logs a move and moves the record's stage interval on: the open one closes, a new one opens.
/// Records its event (`lead.stage_changed`, `opportunity.stage_changed`, `buying_stage.changed`).
pub(crate) async fn record(db: &impl ConnectionTrait, m: Move) -> Result<stage_change::Model, AppError> {
    let (event_type, kind, field) = match m.kind {
        StageKind::Lead => ("lead.stage_changed", "Stakeholder", "leadStage"),
        StageKind::Opportunity => ("opportunity.stage_changed", "Opportunity", "stage"),
        StageKind::Buying => ("buying_stage.changed", "DealParticipant", "buyingStage"),
    };
    let mut changes = vec![outbox::Change::new(
        field,
        m.from.clone().into(),
        m.to.clone().into(),
    )];
    if let Some(reason) = m.reason_code {
        let reason = sea_orm::ActiveEnum::to_value(&reason);
        changes.push(outbox::Change::new(
            "reasonCode",
            serde_json::Value::Null,
            reason.into(),
        ));
    }
    if let Some(note) = &m.note {
        changes.push(outbox::Change::new(
            "note",
            serde_json::Value::Null,
            note.clone().into(),
        ));
    }
    let subject = outbox::Subject::new(kind, m.subject_id, Some(m.account_id));
    outbox::record_at(db, m.by, event_type, subject, &changes, m.at).await?;
    stage_interval::Entity::update_many()
        .col_expr(stage_interval::Column::LeftAt, Expr::value(m.at))
        .filter(stage_interval::Column::SubjectId.eq(m.subject_id))
        .filter(stage_interval::Column::LeftAt.is_null())
        .exec(db)
        .await?;
    enter(db, m.kind, m.subject_id, m.account_id, &m.to, m.at).await?;
    let change = stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(m.kind),
        subject_id: Set(m.subject_id),
        stakeholder_id: Set(m.stakeholder_id),
        opportunity_id: Set(m.opportunity_id),
        participant_id: Set(m.participant_id),
        account_id: Set(m.account_id),
        from_stage: Set(m.from),
        to_stage: Set(m.to),
        reason_code: Set(m.reason_code),
        note: Set(m.note),
        changed_by_id: Set(m.by.user),
        changed_at: Set(m.at),
    };
    Ok(change.insert(db).await?)
}

/// Opens the first stage interval of a new record.
pub(crate) async fn enter(
    db: &impl ConnectionTrait,
    kind: StageKind,
    subject_id: Uuid,
    account_id: Uuid,
    stage: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    stage_interval::ActiveModel {
        subject_id: Set(subject_id),
        entered_at: Set(at),
        kind: Set(kind),
        account_id: Set(account_id),
        stage: Set(stage.to_owned()),
        left_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Opens the first stage interval of every record that has none (records written in bulk, by
/// the seed): each entered its current stage when it was created. Three set-based statements.
pub async fn open_missing_intervals(db: &impl ConnectionTrait) -> Result<(), AppError> {
    for (kind, table, stage) in [
        ("LEAD", "stakeholder", "lead_stage"),
        ("OPPORTUNITY", "opportunity", "stage"),
        ("BUYING", "deal_participant", "buying_stage"),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO stage_interval (subject_id, entered_at, kind, account_id, stage, left_at) \
             SELECT t.id, t.created_at, '{kind}', t.account_id, t.{stage}, NULL FROM {table} t \
             WHERE NOT EXISTS (SELECT 1 FROM stage_interval i WHERE i.subject_id = t.id)"
        ))
        .await?;
    }
    Ok(())
}

/// The API name of a stage, as stored in history.
pub(crate) fn name<T: sea_orm::ActiveEnum<Value = String>>(stage: T) -> String {
    stage.to_value()
}

/// Moves a stakeholder's lead stage as a consequence of something else (no actor; `note` names
/// the cause). Writes nothing when the lead is already there.
pub(crate) async fn move_lead_automatically(
    db: &impl ConnectionTrait,
    person: &stakeholder::Model,
    to: LeadStage,
    reason_code: Option<ReasonCode>,
    note: String,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if person.lead_stage == to {
        return Ok(());
    }
    let (assigned, accept_by) = handoff(db, to, at).await?;
    let row = stakeholder::ActiveModel {
        lead_stage: Set(to),
        updated_at: Set(at),
        version: Set(person.version + 1),
        handoff_assigned_at: Set(assigned),
        handoff_accept_by: Set(accept_by),
        ..Default::default()
    };
    let at_version = (stakeholder::Column::Version, person.version);
    update_at_version::<stakeholder::Entity>(
        db,
        row,
        (stakeholder::Column::Id, person.id),
        at_version,
        AppError::from,
    )
    .await?;
    record(
        db,
        Move {
            kind: StageKind::Lead,
            subject_id: person.id,
            stakeholder_id: Some(person.id),
            opportunity_id: None,
            participant_id: None,
            account_id: person.account_id,
            from: name(person.lead_stage),
            to: name(to),
            reason_code,
            note: Some(note),
            by: outbox::By::SYSTEM,
            at,
        },
    )
    .await?;
    if to == LeadStage::Mql {
        record_assignment(db, outbox::By::SYSTEM, person, person.owner_id, at).await?;
    }
    Ok(())
}

/// Records `lead.assigned` for a lead handed to sales as an MQL with a sales owner (`owner`, the
/// one assigned with the move or the one it already had); nothing when it has none.
pub(crate) async fn record_assignment(
    db: &impl ConnectionTrait,
    by: outbox::By,
    person: &stakeholder::Model,
    owner: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(owner) = owner else {
        return Ok(());
    };
    let changes = [outbox::Change::reference(
        "ownerId",
        "User",
        person.owner_id,
        Some(owner),
    )];
    let subject = outbox::Subject::new("Stakeholder", person.id, Some(person.account_id));
    outbox::record_at(db, by, "lead.assigned", subject, &changes, at).await
}

/// The handoff of a lead entering `to` at `at`: an MQL gets an acceptance deadline from the
/// settings; any other stage has none.
pub(crate) async fn handoff(
    db: &impl ConnectionTrait,
    to: LeadStage,
    at: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), AppError> {
    if to == LeadStage::Mql {
        Ok((Some(at), Some(scoring::accept_by(db, at).await?)))
    } else {
        Ok((None, None))
    }
}

pub struct OpportunityMoveInput {
    pub opportunity_id: Option<Uuid>,
    pub to: OpportunityStage,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    pub expected_version: Option<i32>,
}

/// Moves a deal through the pipeline; closing it moves its people (and, when won, its account).
pub async fn move_opportunity(
    db: &DatabaseConnection,
    principal: &Principal,
    input: OpportunityMoveInput,
) -> Result<opportunity::Model, AppError> {
    authz::authorize(principal, Permission::OpportunityMoveStage, Resource::Any)?;
    let id = input
        .opportunity_id
        .ok_or_else(|| Ref::not_found("opportunityId", "opportunity"))?;
    let txn = write(db).await?;
    let current = deals::for_change(
        &txn,
        principal,
        id,
        Permission::OpportunityMoveStage,
        "opportunityId",
    )
    .await?;
    version::check_version(input.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let rule = rules::opportunity_move(current.stage, input.to).map_err(|e| AppError::Rejected(vec![e]))?;
    if rule.reopens {
        authz::authorize_reopen(principal)?;
    }
    if rule.reason_required && input.reason_code.is_none() {
        return Err(AppError::Rejected(vec![rules::reason_required()]));
    }
    let mut errors = Vec::new();
    let note = collect(
        &mut errors,
        text::optional_text("note", input.note.as_deref(), 4000),
    );
    let Some(note) = note else {
        return Err(AppError::Rejected(errors));
    };
    let now = Utc::now();
    let closes = !is_open(input.to);
    let mut row = current.clone().into_active_model();
    row.stage = Set(input.to);
    row.closed_at = Set(closes.then_some(now));
    row.close_reason = Set(if input.to == OpportunityStage::ClosedLost {
        input.reason_code.map(name)
    } else {
        None
    });
    row.updated_at = Set(now);
    row.version = Set(current.version + 1);
    let at = (opportunity::Column::Version, current.version);
    update_at_version::<opportunity::Entity>(
        &txn,
        row,
        (opportunity::Column::Id, current.id),
        at,
        AppError::from,
    )
    .await?;
    record(
        &txn,
        Move {
            kind: StageKind::Opportunity,
            subject_id: current.id,
            stakeholder_id: None,
            opportunity_id: Some(current.id),
            participant_id: None,
            account_id: current.account_id,
            from: name(current.stage),
            to: name(input.to),
            reason_code: input.reason_code,
            note,
            by: principal.into(),
            at: now,
        },
    )
    .await?;
    match input.to {
        OpportunityStage::ClosedWon => close_won(&txn, &current, now).await?,
        OpportunityStage::ClosedLost => close_lost(&txn, &current, input.reason_code, now).await?,
        _ => {}
    }
    let model = opportunity::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("opportunityId", "opportunity"))?;
    txn.commit().await?;
    Ok(model)
}

/// The stakeholders on a deal.
async fn people_on(
    db: &impl ConnectionTrait,
    opportunity_id: Uuid,
) -> Result<Vec<stakeholder::Model>, AppError> {
    let ids: Vec<Uuid> = deal::all_participants_of(db, opportunity_id)
        .await?
        .into_iter()
        .map(|p| p.stakeholder_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(stakeholder::Entity::find()
        .filter(stakeholder::Column::Id.is_in(ids))
        .lock_exclusive()
        .all(db)
        .await?)
}

/// Closing won: the deal's people and its account become customers.
async fn close_won(
    db: &impl ConnectionTrait,
    deal: &opportunity::Model,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let note = format!("opportunity \"{}\" closed won", deal.name);
    for person in people_on(db, deal.id).await? {
        if let Some(to) = rules::on_deal_won(person.lead_stage) {
            move_lead_automatically(db, &person, to, None, note.clone(), at).await?;
        }
    }
    // The account becomes a customer too, automatically: its event names the status it had.
    let Some(before) = account::Entity::find_by_id(deal.account_id).one(db).await? else {
        return Ok(());
    };
    if before.status == account::AccountStatus::Customer {
        return Ok(());
    }
    let changes = [outbox::Change::new(
        "status",
        name(before.status).into(),
        name(account::AccountStatus::Customer).into(),
    )];
    let subject = outbox::Subject::new("Account", before.id, Some(before.id));
    outbox::record_at(db, outbox::By::SYSTEM, "account.updated", subject, &changes, at).await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::Status,
            Expr::value(name(account::AccountStatus::Customer)),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            account::Column::Version,
            Expr::col(account::Column::Version).add(1),
        )
        .filter(account::Column::Id.eq(deal.account_id))
        .filter(account::Column::Status.ne(name(account::AccountStatus::Customer)))
        .exec(db)
        .await?;
    Ok(())
}

/// Closing lost: the deal's people who are on no other open deal go back to nurture, with the
/// loss reason.
async fn close_lost(
    db: &impl ConnectionTrait,
    deal: &opportunity::Model,
    reason_code: Option<ReasonCode>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let note = format!("opportunity \"{}\" closed lost", deal.name);
    let people = people_on(db, deal.id).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    // Who is still on another open, live deal.
    let elsewhere: Vec<Uuid> = if ids.is_empty() {
        Vec::new()
    } else {
        let rows = Participant::find()
            .filter(participant::Column::StakeholderId.is_in(ids))
            .filter(participant::Column::OpportunityId.ne(deal.id))
            .all(db)
            .await?;
        let other_deals: Vec<Uuid> = rows.iter().map(|r| r.opportunity_id).collect();
        let open: Vec<Uuid> = if other_deals.is_empty() {
            Vec::new()
        } else {
            opportunity::Entity::find()
                .filter(opportunity::Column::Id.is_in(other_deals))
                .filter(opportunity::Column::ArchivedAt.is_null())
                .all(db)
                .await?
                .into_iter()
                .filter(|o| is_open(o.stage))
                .map(|o| o.id)
                .collect()
        };
        rows.into_iter()
            .filter(|r| open.contains(&r.opportunity_id))
            .map(|r| r.stakeholder_id)
            .collect()
    };
    for person in people {
        if let Some(to) = rules::on_deal_lost(person.lead_stage, elsewhere.contains(&person.id)) {
            move_lead_automatically(db, &person, to, reason_code, note.clone(), at).await?;
        }
    }
    Ok(())
}

pub struct BuyingMoveInput {
    pub participant_id: Option<Uuid>,
    pub to: BuyingStage,
    pub note: Option<String>,
    pub expected_version: Option<i32>,
}

/// Moves a buyer's own stage on one deal, in either direction.
pub async fn move_buying(
    db: &DatabaseConnection,
    principal: &Principal,
    input: BuyingMoveInput,
) -> Result<participant::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, Resource::Any)?;
    let not_found = || Ref::not_found("participantId", "participant");
    let id = input.participant_id.ok_or_else(not_found)?;
    let txn = write(db).await?;
    let current = deal::lock_participant(&txn, principal, id)
        .await?
        .ok_or_else(not_found)?;
    deals::for_change(
        &txn,
        principal,
        current.opportunity_id,
        Permission::DealManage,
        "participantId",
    )
    .await?;
    version::check_version(input.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    rules::buying_move(current.buying_stage, input.to).map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let Some(note) = collect(
        &mut errors,
        text::optional_text("note", input.note.as_deref(), 4000),
    ) else {
        return Err(AppError::Rejected(errors));
    };
    let now = Utc::now();
    let mut row = current.clone().into_active_model();
    row.buying_stage = Set(input.to);
    row.updated_at = Set(now);
    row.version = Set(current.version + 1);
    let at = (participant::Column::Version, current.version);
    update_at_version::<Participant>(
        &txn,
        row,
        (participant::Column::Id, current.id),
        at,
        AppError::from,
    )
    .await?;
    record(
        &txn,
        Move {
            kind: StageKind::Buying,
            subject_id: current.id,
            stakeholder_id: Some(current.stakeholder_id),
            opportunity_id: Some(current.opportunity_id),
            participant_id: Some(current.id),
            account_id: current.account_id,
            from: name(current.buying_stage),
            to: name(input.to),
            reason_code: None,
            note,
            by: principal.into(),
            at: now,
        },
    )
    .await?;
    deal::touch_deal(&txn, current.opportunity_id, now).await?;
    let model = Participant::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(model)
}
