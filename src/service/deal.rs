//! Deals: the stakeholders on each opportunity (participants) and the risks to it. Both are part
//! of their opportunity: whoever may read the opportunity reads them, and `deal.manage` on the
//! opportunity (its owner for OWN) changes them.

use chrono::Utc;
use entity::{
    deal_participant::{self as participant, Entity as Participant},
    deal_risk::{self as risk, Entity as Risk, RiskKind, RiskStatus, Severity},
    enums::{BuyingRole, BuyingStage},
    opportunity,
    stage_change::StageKind,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal},
        opportunity::is_open,
        permission::Permission,
        stage::on_joining_open_deal,
        text, version,
    },
    error::{AppError, UserErrorCode, is_unique_violation},
    service::{
        Ref, collect, content as content_service, gather, opportunity as deals, outbox, stage,
        stakeholder as people, update_at_version,
    },
};

pub struct NewParticipant {
    pub opportunity_id: Option<Uuid>,
    pub stakeholder_id: Option<Uuid>,
    /// The stakeholder's own buying role when absent.
    pub role: Option<BuyingRole>,
    pub is_primary: bool,
}

#[derive(Default)]
pub struct ParticipantChanges {
    pub id: Uuid,
    pub role: Option<BuyingRole>,
    pub is_primary: Option<bool>,
    pub expected_version: Option<i32>,
}

pub struct NewRisk {
    pub opportunity_id: Option<Uuid>,
    pub kind: RiskKind,
    pub severity: Option<Severity>,
    pub description: Option<String>,
    pub competitor: Option<String>,
    pub raised_by_id: Ref,
    pub answered_by_id: Ref,
}

#[derive(Default)]
pub struct RiskChanges {
    pub id: Uuid,
    pub kind: Option<RiskKind>,
    pub severity: Option<Severity>,
    pub description: Option<Option<String>>,
    pub competitor: Option<Option<String>>,
    pub raised_by_id: Ref,
    pub answered_by_id: Ref,
    pub status: Option<RiskStatus>,
    pub expected_version: Option<i32>,
}

/// The rows of a deal's part (`E`, joined to its deal by `opportunity`) that the caller may
/// read: those of the opportunities they may read. The one owner rule, in SQL, that every read
/// of a participant or a risk starts from, by id or through an edge.
fn of_visible_deals<E: EntityTrait>(
    principal: &Principal,
    opportunity: impl ColumnTrait,
    id: impl ColumnTrait,
) -> Result<sea_orm::Select<E>, AppError> {
    use sea_orm::sea_query::Query;
    Ok(match authz::visibility(principal, Permission::OpportunityRead)? {
        authz::Visibility::All => E::find(),
        authz::Visibility::OwnedBy(me) => E::find().filter(
            opportunity.in_subquery(
                Query::select()
                    .column(opportunity::Column::Id)
                    .from(opportunity::Entity)
                    .and_where(opportunity::Column::OwnerId.eq(me))
                    .to_owned(),
            ),
        ),
        authz::Visibility::Nothing => E::find().filter(id.is_null()),
    })
}

/// The participants the caller may read: those of the opportunities they may read (the scoped
/// finder every read of a participant starts from).
pub fn visible_participants(principal: &Principal) -> Result<sea_orm::Select<Participant>, AppError> {
    of_visible_deals(
        principal,
        participant::Column::OpportunityId,
        participant::Column::Id,
    )
}

/// The risks the caller may read: those of the opportunities they may read.
pub fn visible_risks(principal: &Principal) -> Result<sea_orm::Select<Risk>, AppError> {
    of_visible_deals(principal, risk::Column::OpportunityId, risk::Column::Id)
}

/// The participants of each opportunity the caller may read, primary first, then as they joined.
pub async fn participants_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    opportunity_ids: &[Uuid],
) -> Result<Vec<participant::Model>, AppError> {
    // A caller who may read no deal sees an empty list, not an error.
    let Ok(finder) = visible_participants(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(participant::Column::OpportunityId.is_in(opportunity_ids.iter().copied()))
        .order_by_desc(participant::Column::IsPrimary)
        .order_by_asc(participant::Column::CreatedAt)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?)
}

/// [`participants_of`], each with its stakeholder when the caller may read that person (`None`
/// otherwise), in the same statement: the stakeholder's scoped finder is the join's condition.
pub async fn participants_with_people_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    opportunity_ids: &[Uuid],
) -> Result<Vec<(participant::Model, Option<entity::stakeholder::Model>)>, AppError> {
    use entity::stakeholder as person;
    use sea_orm::{JoinType, RelationDef};
    // Without `stakeholder.read` the participants still show; their people never join.
    let readable = people::visible_condition(principal)
        .unwrap_or_else(|_| sea_orm::Condition::all().add(person::Column::Id.is_null()));
    let join: RelationDef = Participant::belongs_to(person::Entity)
        .from(participant::Column::StakeholderId)
        .to(person::Column::Id)
        .on_condition(move |_, _| readable.clone())
        .into();
    // A caller who may read no deal sees an empty list, not an error.
    let Ok(finder) = visible_participants(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(participant::Column::OpportunityId.is_in(opportunity_ids.iter().copied()))
        .select_also(person::Entity)
        .join(JoinType::LeftJoin, join)
        .order_by_desc(participant::Column::IsPrimary)
        .order_by_asc(participant::Column::CreatedAt)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?)
}

/// Every participant of a deal, whoever asks: for the consequences of a stage move, which the
/// system makes on the deal's behalf (never for showing to a caller).
pub async fn all_participants_of(
    db: &impl ConnectionTrait,
    opportunity_id: Uuid,
) -> Result<Vec<participant::Model>, sea_orm::DbErr> {
    Participant::find()
        .filter(participant::Column::OpportunityId.eq(opportunity_id))
        .order_by_asc(participant::Column::CreatedAt)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await
}

/// The deals each stakeholder takes part in, as they joined: only those on opportunities the
/// caller may read, decided in the statement (no second read to filter them).
pub async fn deals_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    stakeholder_ids: &[Uuid],
) -> Result<Vec<participant::Model>, AppError> {
    // A caller who may read no deal sees an empty list, not an error.
    let Ok(finder) = visible_participants(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(participant::Column::StakeholderId.is_in(stakeholder_ids.iter().copied()))
        .order_by_asc(participant::Column::CreatedAt)
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?)
}

/// The risks of each opportunity the caller may read, oldest first.
pub async fn risks_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    opportunity_ids: &[Uuid],
) -> Result<Vec<risk::Model>, AppError> {
    // A caller who may read no deal sees an empty list, not an error.
    let Ok(finder) = visible_risks(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(risk::Column::OpportunityId.is_in(opportunity_ids.iter().copied()))
        .order_by_asc(risk::Column::CreatedAt)
        .order_by_asc(risk::Column::Id)
        .all(db)
        .await?)
}

/// Participants by ID, those of opportunities the caller may read.
pub async fn find_participants(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<participant::Model>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Like a missing record, for a caller who may read no deal.
    let Ok(finder) = visible_participants(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(participant::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Risks by ID, those of opportunities the caller may read.
pub async fn find_risks(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<risk::Model>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Like a missing record, for a caller who may read no deal.
    let Ok(finder) = visible_risks(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(risk::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

async fn readable_by_opportunity<T>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    rows: Vec<T>,
    opportunity_of: fn(&T) -> Uuid,
) -> Result<Vec<T>, AppError> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let ids: Vec<Uuid> = rows.iter().map(opportunity_of).collect();
    let readable: Vec<Uuid> = deals::find_many(db, principal, &ids)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| readable.contains(&opportunity_of(r)))
        .collect())
}

/// The opportunity a deal change is about, checked for `deal.manage`; archived deals are frozen.
async fn managed_opportunity(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    field: &str,
) -> Result<opportunity::Model, AppError> {
    let deal = deals::for_change(db, principal, id, Permission::DealManage, field).await?;
    if deal.archived_at.is_some() {
        return Err(AppError::rejected(
            &[field],
            UserErrorCode::Invalid,
            "the opportunity is archived",
        ));
    }
    Ok(deal)
}

/// Takes the primary flag from whoever holds it on `opportunity_id`, so another may take it;
/// that participant's change is an event of `by` too.
async fn clear_primary(
    db: &impl ConnectionTrait,
    by: outbox::By,
    opportunity_id: Uuid,
    except: Uuid,
) -> Result<(), AppError> {
    let now = Utc::now();
    let holders = Participant::find()
        .filter(participant::Column::OpportunityId.eq(opportunity_id))
        .filter(participant::Column::IsPrimary.eq(true))
        .filter(participant::Column::Id.ne(except))
        .all(db)
        .await?;
    if holders.is_empty() {
        return Ok(());
    }
    for holder in &holders {
        let changes = [outbox::Change::new("isPrimary", true.into(), false.into())];
        outbox::record_at(db, by, "participant.updated", subject(holder), &changes, now).await?;
    }
    Participant::update_many()
        .col_expr(participant::Column::IsPrimary, false.into())
        .col_expr(participant::Column::UpdatedAt, now.into())
        .col_expr(
            participant::Column::Version,
            sea_orm::sea_query::ExprTrait::add(
                sea_orm::sea_query::Expr::col(participant::Column::Version),
                1,
            ),
        )
        .filter(participant::Column::OpportunityId.eq(opportunity_id))
        .filter(participant::Column::IsPrimary.eq(true))
        .filter(participant::Column::Id.ne(except))
        .exec(db)
        .await?;
    Ok(())
}

/// What a participant's events are about.
fn subject(m: &participant::Model) -> outbox::Subject {
    outbox::Subject::new("DealParticipant", m.id, Some(m.account_id))
}

fn participant_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::PARTICIPANT) {
        AppError::rejected(
            &["stakeholderId"],
            UserErrorCode::Taken,
            "the stakeholder already takes part in this opportunity",
        )
    } else {
        err.into()
    }
}

/// Moves a deal's `updatedAt` to `now` when its participants or risks change, so an integrator
/// that follows deals by `updatedAt` sees the deal room change. The version stays: it guards the
/// deal's own fields, and an `expectedVersion` read before someone joined must still apply.
pub(crate) async fn touch_deal(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    opportunity::Entity::update_many()
        .col_expr(
            opportunity::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(opportunity::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn add_participant(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewParticipant,
) -> Result<participant::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, authz::Resource::Any)?;
    let opportunity_id = input
        .opportunity_id
        .ok_or_else(|| Ref::not_found("opportunityId", "opportunity"))?;
    let txn = super::write(db).await?;
    let deal = managed_opportunity(&txn, principal, opportunity_id, "opportunityId").await?;
    let person = match input.stakeholder_id {
        Some(id) => {
            super::lock_visible(
                &txn,
                people::visible(principal),
                entity::stakeholder::Column::Id,
                id,
            )
            .await?
        }
        None => None,
    }
    .ok_or_else(|| Ref::not_found("stakeholderId", "stakeholder"))?;
    if person.account_id != deal.account_id {
        return Err(AppError::rejected(
            &["stakeholderId"],
            UserErrorCode::Invalid,
            "the stakeholder works at another account than the opportunity's",
        ));
    }
    if person.archived_at.is_some() {
        return Err(AppError::rejected(
            &["stakeholderId"],
            UserErrorCode::Invalid,
            "the stakeholder is archived",
        ));
    }
    let id = Uuid::now_v7();
    if input.is_primary {
        clear_primary(&txn, principal.into(), deal.id, id).await?;
    }
    let now = Utc::now();
    let model = participant::ActiveModel {
        id: Set(id),
        opportunity_id: Set(deal.id),
        stakeholder_id: Set(person.id),
        account_id: Set(deal.account_id),
        role: Set(input.role.unwrap_or(person.buying_role)),
        is_primary: Set(input.is_primary),
        buying_stage: Set(BuyingStage::Unaware),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await
    .map_err(participant_taken)?;
    let stage = stage::name(model.buying_stage);
    stage::enter(&txn, StageKind::Buying, model.id, model.account_id, &stage, now).await?;
    outbox::record_diff(
        &txn,
        principal.into(),
        "participant.added",
        subject(&model),
        None,
        &model,
        &[],
    )
    .await?;
    // Joining an open deal makes the person's lead an opportunity.
    if is_open(deal.stage)
        && let Some(to) = on_joining_open_deal(person.lead_stage)
    {
        let note = format!("joined opportunity \"{}\"", deal.name);
        stage::move_lead_automatically(&txn, &person, to, None, note, now).await?;
    }
    touch_deal(&txn, deal.id, now).await?;
    txn.commit().await?;
    Ok(model)
}

/// A participant the caller may read, locked until the transaction ends; `None` otherwise.
pub(crate) async fn lock_participant(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<Option<participant::Model>, AppError> {
    let row = Participant::find_by_id(id).lock_exclusive().one(db).await?;
    let rows =
        readable_by_opportunity(db, principal, row.into_iter().collect(), |p| p.opportunity_id).await?;
    Ok(rows.into_iter().next())
}

async fn participant_for_change(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<participant::Model, AppError> {
    let current = lock_participant(db, principal, id)
        .await?
        .ok_or_else(|| Ref::not_found("id", "participant"))?;
    managed_opportunity(db, principal, current.opportunity_id, "id").await?;
    Ok(current)
}

pub async fn update_participant(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: ParticipantChanges,
) -> Result<participant::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, authz::Resource::Any)?;
    let txn = super::write(db).await?;
    let current = participant_for_change(&txn, principal, changes.id).await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut row: participant::ActiveModel = current.clone().into();
    if let Some(role) = changes.role {
        row.role = Set(role);
    }
    if let Some(primary) = changes.is_primary {
        if primary && !current.is_primary {
            clear_primary(&txn, principal.into(), current.opportunity_id, current.id).await?;
        }
        row.is_primary = Set(primary);
    }
    let now = Utc::now();
    row.updated_at = Set(now);
    row.version = Set(current.version + 1);
    let at = (participant::Column::Version, current.version);
    let id = (participant::Column::Id, current.id);
    update_at_version::<Participant>(&txn, row, id, at, AppError::from).await?;
    touch_deal(&txn, current.opportunity_id, now).await?;
    let model = Participant::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("id", "participant"))?;
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "participant.updated",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Takes a stakeholder off a deal; answers the opportunity they left.
pub async fn remove_participant(
    db: &DatabaseConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<opportunity::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, authz::Resource::Any)?;
    let txn = super::write(db).await?;
    let current = participant_for_change(&txn, principal, id).await?;
    Participant::delete_by_id(current.id).exec(&txn).await?;
    touch_deal(&txn, current.opportunity_id, Utc::now()).await?;
    let changes = [
        outbox::Change::reference("stakeholderId", "Stakeholder", Some(current.stakeholder_id), None),
        outbox::Change::reference("opportunityId", "Opportunity", Some(current.opportunity_id), None),
    ];
    outbox::record(
        &txn,
        principal.into(),
        "participant.removed",
        subject(&current),
        &changes,
    )
    .await?;
    let deal = opportunity::Entity::find_by_id(current.opportunity_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("id", "participant"))?;
    txn.commit().await?;
    Ok(deal)
}

/// The stakeholder who raised a risk: someone at the deal's account the caller may read.
async fn check_raiser(
    db: &impl ConnectionTrait,
    principal: &Principal,
    reference: Ref,
    account_id: Uuid,
) -> Result<Option<Option<Uuid>>, AppError> {
    let target = reference.target("raisedById", "stakeholder")?;
    if let Some(Some(id)) = target {
        let person = people::find_many(db, principal, &[id])
            .await?
            .pop()
            .ok_or_else(|| Ref::not_found("raisedById", "stakeholder"))?;
        if person.account_id != account_id {
            return Err(AppError::rejected(
                &["raisedById"],
                UserErrorCode::Invalid,
                "the stakeholder works at another account than the opportunity's",
            ));
        }
    }
    Ok(target)
}

/// The content that answers a risk: any the caller may read.
async fn check_answer(
    db: &impl ConnectionTrait,
    principal: &Principal,
    reference: Ref,
) -> Result<Option<Option<Uuid>>, AppError> {
    let target = reference.target("answeredById", "content")?;
    if let Some(Some(id)) = target
        && content_service::find_many(db, principal, &[id]).await?.is_empty()
    {
        return Err(Ref::not_found("answeredById", "content"));
    }
    Ok(target)
}

/// A competitor risk names its competitor.
fn check_competitor(kind: RiskKind, competitor: Option<&str>) -> Result<(), crate::error::UserError> {
    if kind == RiskKind::Competitor && competitor.is_none() {
        return Err(crate::error::UserError::new(
            &["competitor"],
            UserErrorCode::Invalid,
            "a COMPETITOR risk names the competitor",
        ));
    }
    Ok(())
}

pub async fn raise_risk(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewRisk,
) -> Result<risk::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, authz::Resource::Any)?;
    let opportunity_id = input
        .opportunity_id
        .ok_or_else(|| Ref::not_found("opportunityId", "opportunity"))?;
    let txn = super::write(db).await?;
    let deal = managed_opportunity(&txn, principal, opportunity_id, "opportunityId").await?;
    let mut errors = Vec::new();
    let description = collect(
        &mut errors,
        text::optional_text("description", input.description.as_deref(), 4000),
    );
    let competitor = collect(
        &mut errors,
        text::optional_text("competitor", input.competitor.as_deref(), 100),
    );
    if let Some(c) = &competitor {
        collect(&mut errors, check_competitor(input.kind, c.as_deref()));
    }
    let raised_by = gather(
        &mut errors,
        check_raiser(&txn, principal, input.raised_by_id, deal.account_id).await,
    )?;
    let answered_by = gather(
        &mut errors,
        check_answer(&txn, principal, input.answered_by_id).await,
    )?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (Some(description), Some(competitor), Some(raised_by), Some(answered_by)) =
        (description, competitor, raised_by, answered_by)
    else {
        return Err(AppError::internal("validated risk fields went missing"));
    };
    let now = Utc::now();
    let model = risk::ActiveModel {
        id: Set(Uuid::now_v7()),
        opportunity_id: Set(deal.id),
        account_id: Set(deal.account_id),
        kind: Set(input.kind),
        severity: Set(input.severity.unwrap_or(Severity::Medium)),
        description: Set(description),
        competitor: Set(competitor),
        raised_by_id: Set(raised_by.flatten()),
        answered_by_id: Set(answered_by.flatten()),
        status: Set(RiskStatus::Open),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await?;
    touch_deal(&txn, deal.id, now).await?;
    outbox::record_diff(
        &txn,
        principal.into(),
        "risk.raised",
        risk_subject(&model),
        None,
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What a risk's events are about.
fn risk_subject(m: &risk::Model) -> outbox::Subject {
    outbox::Subject::new("DealRisk", m.id, Some(m.account_id))
}

pub async fn update_risk(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: RiskChanges,
) -> Result<risk::Model, AppError> {
    authz::authorize(principal, Permission::DealManage, authz::Resource::Any)?;
    let txn = super::write(db).await?;
    let locked = Risk::find_by_id(changes.id).lock_exclusive().one(&txn).await?;
    let current = readable_by_opportunity(&txn, principal, locked.into_iter().collect(), |r| {
        r.opportunity_id
    })
    .await?
    .pop()
    .ok_or_else(|| Ref::not_found("id", "deal risk"))?;
    let deal = managed_opportunity(&txn, principal, current.opportunity_id, "id").await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let mut row: risk::ActiveModel = current.clone().into();
    if let Some(kind) = changes.kind {
        row.kind = Set(kind);
    }
    if let Some(severity) = changes.severity {
        row.severity = Set(severity);
    }
    if let Some(status) = changes.status {
        row.status = Set(status);
    }
    if let Some(d) = changes.description
        && let Some(v) = collect(
            &mut errors,
            text::optional_text("description", d.as_deref(), 4000),
        )
    {
        row.description = Set(v);
    }
    let mut competitor = current.competitor.clone();
    if let Some(c) = changes.competitor
        && let Some(v) = collect(&mut errors, text::optional_text("competitor", c.as_deref(), 100))
    {
        competitor.clone_from(&v);
        row.competitor = Set(v);
    }
    collect(
        &mut errors,
        check_competitor(changes.kind.unwrap_or(current.kind), competitor.as_deref()),
    );
    if let Some(Some(r)) = gather(
        &mut errors,
        check_raiser(&txn, principal, changes.raised_by_id, deal.account_id).await,
    )? {
        row.raised_by_id = Set(r);
    }
    if let Some(Some(a)) = gather(
        &mut errors,
        check_answer(&txn, principal, changes.answered_by_id).await,
    )? {
        row.answered_by_id = Set(a);
    }
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let now = Utc::now();
    row.updated_at = Set(now);
    row.version = Set(current.version + 1);
    let at = (risk::Column::Version, current.version);
    update_at_version::<Risk>(&txn, row, (risk::Column::Id, current.id), at, AppError::from).await?;
    touch_deal(&txn, current.opportunity_id, now).await?;
    let model = Risk::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("id", "deal risk"))?;
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "risk.updated",
        risk_subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
