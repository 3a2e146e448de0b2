//! Stakeholders: the people of each buying committee. Reads start from `visible`; writes check
//! the rulebook against the stakeholder's owners.

use chrono::Utc;
use entity::{
    enums::{BuyingRole, LeadSource, LeadStage, Sentiment},
    persona,
    stage_change::StageKind,
    stakeholder::{ActiveModel, Column, Entity as Stakeholder, Model},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    domain::{
        account::{CreatorSide, creator_side},
        authz::{self, Principal, Resource, Visibility},
        permission::Permission,
        stakeholder as rules, text, version,
    },
    error::{AppError, UserErrorCode, is_unique_violation},
    service::{
        Ref, account, collect, gather, outbox,
        page::{self, KeyFn, Nested, Page, PageArgs, SortKey, SortValue},
        scoring, stage, update_at_version, user,
    },
};

#[derive(Debug, Clone, Default)]
pub struct StakeholderFilter {
    pub account_id: Option<Uuid>,
    pub lead_stages: Vec<LeadStage>,
    pub buying_role: Option<BuyingRole>,
    pub persona_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub min_score: Option<i32>,
    /// `Some(true)`: MQLs past their acceptance deadline; `Some(false)`: all others.
    pub handoff_overdue: Option<bool>,
    /// Only people with one of these external ids (an empty list matches none).
    pub external_ids: Option<Vec<String>>,
    /// People from any of these lead sources.
    pub lead_sources: Vec<LeadSource>,
    /// Matches the start of the first name, the last name or "first last", ignoring case; and
    /// of the email, for people whose contact details the caller may read.
    pub search: Option<String>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StakeholderOrderField {
    Name,
    #[default]
    CreatedAt,
    UpdatedAt,
    LeadScore,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct StakeholderOrder {
    pub field: StakeholderOrderField,
    pub descending: bool,
}

pub struct NewStakeholder {
    pub account_id: Option<Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub persona_id: Ref,
    pub buying_role: Option<BuyingRole>,
    pub influence: Option<i32>,
    pub sentiment: Option<Sentiment>,
    pub reports_to_id: Ref,
    pub lead_source: Option<LeadSource>,
    pub referred_by_id: Ref,
    pub owner_id: Ref,
    pub marketing_owner_id: Ref,
    pub external_id: Option<String>,
}

/// A change; `None` keeps a field, `Some(None)` clears an optional one. The lead stage moves only
/// through `moveLeadStage`, never here.
#[derive(Default)]
pub struct StakeholderChanges {
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<Option<String>>,
    pub department: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub persona_id: Ref,
    pub buying_role: Option<BuyingRole>,
    pub influence: Option<Option<i32>>,
    pub sentiment: Option<Sentiment>,
    pub reports_to_id: Ref,
    pub lead_source: Option<Option<LeadSource>>,
    pub referred_by_id: Ref,
    pub owner_id: Ref,
    pub marketing_owner_id: Ref,
    pub external_id: Option<Option<String>>,
    pub expected_version: Option<i32>,
}

/// The stakeholders the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Result<Select<Stakeholder>, AppError> {
    Ok(Stakeholder::find().filter(visible_condition(principal)?))
}

/// The owner rule of [`visible`] as a condition on the `stakeholder` table, for statements that
/// join stakeholders to other rows (a deal's participants) instead of reading them alone.
pub fn visible_condition(principal: &Principal) -> Result<Condition, AppError> {
    Ok(match authz::visibility(principal, Permission::StakeholderRead)? {
        Visibility::All => Condition::all(),
        Visibility::OwnedBy(me) => Condition::any()
            .add(Column::OwnerId.eq(me))
            .add(Column::MarketingOwnerId.eq(me)),
        Visibility::Nothing => Condition::all().add(Column::Id.is_null()),
    })
}

/// The live stakeholders who report to each of `managers`, as far as the caller may read them.
pub async fn direct_reports_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    managers: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    // A caller who may read no person sees an empty list, not an error.
    let Ok(finder) = visible(principal) else {
        return Ok(Vec::new());
    };
    Ok(finder
        .filter(Column::ReportsToId.is_in(managers.iter().copied()))
        .filter(Column::ArchivedAt.is_null())
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Whether the caller may see this stakeholder's email and phone.
pub fn may_read_contact(principal: &Principal, m: &Model) -> Result<(), AppError> {
    Ok(authz::authorize(
        principal,
        Permission::StakeholderReadContact,
        Resource::Owned(&[m.owner_id, m.marketing_owner_id]),
    )?)
}

fn sort_key(order: StakeholderOrder) -> SortKey<Stakeholder> {
    let (column, name, key_of): (Column, &str, KeyFn<Model>) = match order.field {
        StakeholderOrderField::Name => (Column::LastName, "name", |m| {
            (SortValue::Text(m.last_name.clone()), m.id)
        }),
        StakeholderOrderField::CreatedAt => (Column::CreatedAt, "created_at", |m| {
            (SortValue::Time(m.created_at), m.id)
        }),
        StakeholderOrderField::UpdatedAt => (Column::UpdatedAt, "updated_at", |m| {
            (SortValue::Time(m.updated_at), m.id)
        }),
        StakeholderOrderField::LeadScore => (Column::LeadScore, "lead_score", |m| {
            (SortValue::Int(i64::from(m.lead_score)), m.id)
        }),
    };
    let direction = if order.descending { "desc" } else { "asc" };
    SortKey {
        name: format!("{name}:{direction}"),
        column,
        id_column: Column::Id,
        descending: order.descending,
        nullable: false,
        key_of,
    }
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: StakeholderFilter,
    order: StakeholderOrder,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    let key = sort_key(order);
    let window = args.window(&key)?;
    page::fetch(db, filtered(principal, &filter)?, &key, window).await
}

/// The page of stakeholders each account shows, as one query for every account of a level.
pub fn of_accounts(
    principal: &Principal,
    filter: StakeholderFilter,
    order: StakeholderOrder,
    args: PageArgs,
) -> Result<Nested<Stakeholder>, AppError> {
    let key = sort_key(order);
    let window = args.window(&key)?;
    let select = filtered(principal, &filter)?;
    Ok(Nested::new(select, key, window, Column::AccountId, |m| {
        m.account_id
    }))
}

fn filtered(principal: &Principal, filter: &StakeholderFilter) -> Result<Select<Stakeholder>, AppError> {
    let mut select = visible(principal)?;
    if let Some(account) = filter.account_id {
        select = select.filter(Column::AccountId.eq(account));
    }
    if !filter.lead_stages.is_empty() {
        select = select.filter(Column::LeadStage.is_in(filter.lead_stages.iter().copied()));
    }
    if let Some(role) = filter.buying_role {
        select = select.filter(Column::BuyingRole.eq(role));
    }
    if let Some(persona) = filter.persona_id {
        select = select.filter(Column::PersonaId.eq(persona));
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(Column::OwnerId.eq(owner));
    }
    if let Some(min) = filter.min_score {
        select = select.filter(Column::LeadScore.gte(min));
    }
    if let Some(overdue) = filter.handoff_overdue {
        let now = Utc::now();
        select = select.filter(if overdue {
            Condition::all()
                .add(Column::LeadStage.eq(LeadStage::Mql))
                .add(Column::HandoffAcceptBy.lt(now))
        } else {
            Condition::any()
                .add(Column::LeadStage.ne(LeadStage::Mql))
                .add(Column::HandoffAcceptBy.is_null())
                .add(Column::HandoffAcceptBy.gte(now))
        });
    }
    if !filter.lead_sources.is_empty() {
        select = select.filter(Column::LeadSource.is_in(filter.lead_sources.iter().copied()));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        select = select.filter(search_condition(principal, search)?);
    }
    super::check_external_ids(filter.external_ids.as_ref())?;
    if let Some(ids) = &filter.external_ids {
        select = select.filter(Column::ExternalId.is_in(ids.iter().cloned()));
    }
    if !filter.include_archived {
        select = select.filter(Column::ArchivedAt.is_null());
    }
    Ok(select)
}

/// `LOWER(column) LIKE pattern ESCAPE '\'`.
fn starts_with(column: Column, pattern: &str) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('\\'))
}

/// The people a `search` text names: by first name, last name or "first last" prefix; by email
/// prefix only where the caller may read the email (`stakeholder.read_contact`, OWN: their own
/// people), so a search can never tell someone without it whose address starts how.
fn search_condition(principal: &Principal, search: &str) -> Result<Condition, AppError> {
    let pattern = super::search_pattern(search)?;
    let mut names = Condition::any()
        .add(starts_with(Column::FirstName, &pattern))
        .add(starts_with(Column::LastName, &pattern));
    if let Some((first, last)) = search.split_once(char::is_whitespace) {
        // "Ann Lee": the whole first name, then the start of the last.
        let first = Expr::expr(Func::lower(Expr::col(Column::FirstName))).eq(first.to_lowercase());
        let last = starts_with(Column::LastName, &super::search_pattern(last.trim())?);
        names = names.add(Condition::all().add(first).add(last));
    }
    let email = starts_with(Column::Email, &pattern);
    Ok(
        match authz::visibility(principal, Permission::StakeholderReadContact) {
            Ok(Visibility::All) => names.add(email),
            Ok(Visibility::OwnedBy(me)) => names.add(
                Condition::all().add(email).add(
                    Condition::any()
                        .add(Column::OwnerId.eq(me))
                        .add(Column::MarketingOwnerId.eq(me)),
                ),
            ),
            Ok(Visibility::Nothing) | Err(_) => names,
        },
    )
}

pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no stakeholder has this id")
}

/// Resolves a reference to another stakeholder of `account_id` the caller may read.
async fn check_colleague(
    db: &impl ConnectionTrait,
    principal: &Principal,
    reference: Ref,
    account_id: Uuid,
    field: &str,
) -> Result<Option<Option<Uuid>>, AppError> {
    let target = reference.target(field, "stakeholder")?;
    if let Some(Some(id)) = target {
        let other = find_many(db, principal, &[id])
            .await?
            .pop()
            .ok_or_else(|| Ref::not_found(field, "stakeholder"))?;
        if field == "reportsToId" && other.account_id != account_id {
            return Err(AppError::rejected(
                &[field],
                UserErrorCode::Invalid,
                "a manager must work at the same account",
            ));
        }
    }
    Ok(target)
}

async fn check_persona(db: &impl ConnectionTrait, reference: Ref) -> Result<Option<Option<Uuid>>, AppError> {
    let target = reference.target("personaId", "persona")?;
    if let Some(Some(id)) = target
        && persona::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(Ref::not_found("personaId", "persona"));
    }
    Ok(target)
}

/// The managers above `start`, nearest first (bounded, so bad data cannot loop forever).
async fn management_chain(db: &impl ConnectionTrait, start: Uuid) -> Result<Vec<Uuid>, AppError> {
    let mut chain = vec![start];
    let mut current = start;
    for _ in 0..200 {
        let Some(next) = Stakeholder::find_by_id(current)
            .one(db)
            .await?
            .and_then(|m| m.reports_to_id)
        else {
            break;
        };
        if chain.contains(&next) {
            break;
        }
        chain.push(next);
        current = next;
    }
    Ok(chain)
}

/// Creates a stakeholder (`stakeholder.create`), in a transaction of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewStakeholder,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = create_in(&txn, principal, input).await?;
    txn.commit().await?;
    Ok(model)
}

/// A unique violation on the stakeholder table as the field's user error.
fn external_id_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::STAKEHOLDER_EXTERNAL_ID) {
        super::external_id_taken("stakeholder")
    } else {
        err.into()
    }
}

/// Creates a stakeholder inside the caller's transaction `db` (`stakeholder.create`, on a live
/// account the caller may read): validates every field, writes the person as an INQUIRY with
/// its first stage stay and scores their fit. A user error writes nothing.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: NewStakeholder,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::StakeholderCreate, Resource::Any)?;
    let account_not_found =
        || AppError::rejected(&["accountId"], UserErrorCode::NotFound, "no account has this id");
    let account_id = input.account_id.ok_or_else(account_not_found)?;
    let account = account::find_many(db, principal, &[account_id])
        .await?
        .pop()
        .ok_or_else(account_not_found)?;
    if account.archived_at.is_some() {
        return Err(AppError::rejected(
            &["accountId"],
            UserErrorCode::Invalid,
            "the account is archived",
        ));
    }
    let mut errors = Vec::new();
    let first_name = collect(
        &mut errors,
        text::required_name("firstName", &input.first_name, 100),
    );
    let last_name = collect(
        &mut errors,
        text::required_name("lastName", &input.last_name, 100),
    );
    let title = collect(
        &mut errors,
        text::optional_text("title", input.title.as_deref(), 200),
    );
    let department = collect(
        &mut errors,
        text::optional_text("department", input.department.as_deref(), 100),
    );
    let email = collect(
        &mut errors,
        input
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| text::email("email", e))
            .transpose(),
    );
    let phone = collect(&mut errors, rules::validate_phone(input.phone.as_deref()));
    let influence = collect(&mut errors, rules::validate_influence(input.influence));
    let external_id = collect(
        &mut errors,
        input
            .external_id
            .as_deref()
            .map(|v| text::external_id("externalId", v))
            .transpose(),
    );
    let persona = gather(&mut errors, check_persona(db, input.persona_id).await)?;
    let reports_to = gather(
        &mut errors,
        check_colleague(db, principal, input.reports_to_id, account.id, "reportsToId").await,
    )?;
    let referred_by = gather(
        &mut errors,
        check_colleague(db, principal, input.referred_by_id, account.id, "referredById").await,
    )?;
    let owner = gather(
        &mut errors,
        user::active_user(db, input.owner_id, "ownerId").await,
    )?;
    let marketing_owner = gather(
        &mut errors,
        user::active_user(db, input.marketing_owner_id, "marketingOwnerId").await,
    )?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (
        Some(first_name),
        Some(last_name),
        Some(title),
        Some(department),
        Some(email),
        Some(phone),
        Some(influence),
        Some(external_id),
    ) = (
        first_name,
        last_name,
        title,
        department,
        email,
        phone,
        influence,
        external_id,
    )
    else {
        return Err(AppError::internal("validated stakeholder fields went missing"));
    };
    let given = input.owner_id != Ref::Absent || input.marketing_owner_id != Ref::Absent;
    let (owner, marketing_owner) = match (given, creator_side(principal)) {
        (true, _) => (owner.flatten().flatten(), marketing_owner.flatten().flatten()),
        (false, CreatorSide::Sales) => (principal.user_id(), None),
        (false, CreatorSide::Marketing) => (None, principal.user_id()),
    };
    let now = Utc::now();
    let txn = db;
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        first_name: Set(first_name),
        last_name: Set(last_name),
        title: Set(title),
        department: Set(department),
        email: Set(email),
        phone: Set(phone),
        persona_id: Set(persona.flatten().flatten()),
        buying_role: Set(input.buying_role.unwrap_or(BuyingRole::Unknown)),
        influence: Set(influence),
        sentiment: Set(input.sentiment.unwrap_or(Sentiment::Unknown)),
        reports_to_id: Set(reports_to.flatten().flatten()),
        lead_stage: Set(LeadStage::Inquiry),
        lead_source: Set(input.lead_source),
        referred_by_id: Set(referred_by.flatten().flatten()),
        lead_score: Set(0),
        owner_id: Set(owner),
        marketing_owner_id: Set(marketing_owner),
        last_engaged_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        external_id: Set(external_id),
        version: Set(1),
        fit_score: Set(0),
        behaviour_points: Set(0.0),
        behaviour_at: Set(None),
        scored_at: Set(None),
        handoff_assigned_at: Set(None),
        handoff_accept_by: Set(None),
    }
    .insert(txn)
    .await
    .map_err(external_id_taken)?;
    rescore(txn, model.id).await?;
    // Every lead starts its stage history as an inquiry.
    stage::enter(
        txn,
        StageKind::Lead,
        model.id,
        model.account_id,
        &stage::name(model.lead_stage),
        now,
    )
    .await?;
    outbox::record_diff(
        txn,
        principal.into(),
        "stakeholder.created",
        subject(&model),
        None,
        &model,
        outbox::CONTACT,
    )
    .await?;
    Ok(model)
}

/// What a person's events are about.
pub(crate) fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("Stakeholder", m.id, Some(m.account_id))
}

/// Loads a stakeholder for a change: NOT_FOUND when it is missing or not the caller's to read,
/// FORBIDDEN when `permission` does not reach it.
async fn for_change(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    permission: Permission,
) -> Result<Model, AppError> {
    let current = super::lock_visible(db, visible(principal), Column::Id, id)
        .await?
        .ok_or_else(not_found)?;
    authz::authorize(
        principal,
        permission,
        Resource::Owned(&[current.owner_id, current.marketing_owner_id]),
    )?;
    Ok(current)
}

/// Changes a stakeholder (`stakeholder.update` reaching their owners), in a transaction of its own.
pub async fn update(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: StakeholderChanges,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = update_in(&txn, principal, changes).await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes a stakeholder inside the caller's transaction `txn` (`stakeholder.update` reaching
/// their owners): locks the row, checks `expectedVersion`, validates, writes at the version read
/// and rescores their fit when the buying role or lead source changed.
pub async fn update_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    changes: StakeholderChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::StakeholderUpdate, Resource::Any)?;
    let current = for_change(txn, principal, changes.id, Permission::StakeholderUpdate).await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(v) = changes
        .first_name
        .as_deref()
        .and_then(|n| collect(&mut errors, text::required_name("firstName", n, 100)))
    {
        row.first_name = Set(v);
    }
    if let Some(v) = changes
        .last_name
        .as_deref()
        .and_then(|n| collect(&mut errors, text::required_name("lastName", n, 100)))
    {
        row.last_name = Set(v);
    }
    if let Some(t) = changes.title
        && let Some(v) = collect(&mut errors, text::optional_text("title", t.as_deref(), 200))
    {
        row.title = Set(v);
    }
    if let Some(d) = changes.department
        && let Some(v) = collect(&mut errors, text::optional_text("department", d.as_deref(), 100))
    {
        row.department = Set(v);
    }
    if let Some(e) = changes.email {
        let checked = e
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| text::email("email", e))
            .transpose();
        if let Some(v) = collect(&mut errors, checked) {
            row.email = Set(v);
        }
    }
    if let Some(p) = changes.phone
        && let Some(v) = collect(&mut errors, rules::validate_phone(p.as_deref()))
    {
        row.phone = Set(v);
    }
    if let Some(i) = changes.influence
        && let Some(v) = collect(&mut errors, rules::validate_influence(i))
    {
        row.influence = Set(v);
    }
    if let Some(external_id) = changes.external_id {
        let checked = external_id
            .as_deref()
            .map(|v| text::external_id("externalId", v))
            .transpose();
        if let Some(v) = collect(&mut errors, checked) {
            row.external_id = Set(v);
        }
    }
    if let Some(role) = changes.buying_role {
        row.buying_role = Set(role);
    }
    if let Some(sentiment) = changes.sentiment {
        row.sentiment = Set(sentiment);
    }
    if let Some(source) = changes.lead_source {
        row.lead_source = Set(source);
    }
    if let Some(Some(p)) = gather(&mut errors, check_persona(txn, changes.persona_id).await)? {
        row.persona_id = Set(p);
    }
    let reports_to = check_colleague(
        txn,
        principal,
        changes.reports_to_id,
        current.account_id,
        "reportsToId",
    )
    .await;
    if let Some(Some(manager)) = gather(&mut errors, reports_to)? {
        if let Some(m) = manager
            && rules::closes_reporting_cycle(current.id, &management_chain(txn, m).await?)
        {
            errors.push(rules::reporting_cycle());
        }
        row.reports_to_id = Set(manager);
    }
    let referred = check_colleague(
        txn,
        principal,
        changes.referred_by_id,
        current.account_id,
        "referredById",
    )
    .await;
    if let Some(Some(r)) = gather(&mut errors, referred)? {
        row.referred_by_id = Set(r);
    }
    if let Some(Some(o)) = gather(
        &mut errors,
        user::active_user(txn, changes.owner_id, "ownerId").await,
    )? {
        row.owner_id = Set(o);
    }
    if let Some(Some(o)) = gather(
        &mut errors,
        user::active_user(txn, changes.marketing_owner_id, "marketingOwnerId").await,
    )? {
        row.marketing_owner_id = Set(o);
    }
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<Stakeholder>(txn, row, (Column::Id, current.id), at, external_id_taken).await?;
    // Fit rules look at the buying role and the lead source.
    if changes.buying_role.is_some_and(|r| r != current.buying_role)
        || changes.lead_source.is_some_and(|s| s != current.lead_source)
    {
        rescore(txn, current.id).await?;
    }
    let model = Stakeholder::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    outbox::record_diff(
        txn,
        principal.into(),
        "stakeholder.updated",
        subject(&model),
        Some(&current),
        &model,
        outbox::CONTACT,
    )
    .await?;
    Ok(model)
}

/// Recomputes one person's fit points, keeping their behaviour points.
async fn rescore(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let Some(person) = Stakeholder::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let fit = scoring::fit_of(db, &person).await?;
    if fit != person.fit_score {
        Stakeholder::update_many()
            .set(ActiveModel {
                fit_score: Set(fit),
                lead_score: Set(person.lead_score - person.fit_score + fit),
                ..Default::default()
            })
            .filter(Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Archives a stakeholder: they leave lists; their history and deals stay.
pub async fn archive(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::StakeholderDelete, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, id, Permission::StakeholderDelete).await?;
    if current.archived_at.is_some() {
        return Ok(current);
    }
    let version = current.version;
    let mut row: ActiveModel = current.clone().into();
    let now = Utc::now();
    row.archived_at = Set(Some(now));
    row.updated_at = Set(now);
    row.version = Set(version + 1);
    let model = row.update(&txn).await?;
    let (by, contact) = (principal.into(), outbox::CONTACT);
    outbox::record_diff(
        &txn,
        by,
        "stakeholder.archived",
        subject(&model),
        Some(&current),
        &model,
        contact,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
