//! Opportunities: the deals worked with each account. Reads start from `visible`; writes check
//! the rulebook against the deal's owner (sales change their own deals, managers every deal).

use chrono::{NaiveDate, Utc};
use entity::{
    enums::LeadSource,
    opportunity::{ActiveModel, Column, Entity as Opportunity, Model, OpportunityStage},
    opportunity_competitor as competitor,
    stage_change::StageKind,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Select, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource, Visibility},
        opportunity as rules,
        permission::Permission,
        text, version,
    },
    error::{AppError, UserErrorCode, is_unique_violation},
    service::{
        Ref, account, collect, gather, outbox,
        page::{self, KeyFn, Nested, Page, PageArgs, SortKey, SortValue},
        stage, update_at_version, user,
    },
};

#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    pub account_id: Option<Uuid>,
    pub stages: Vec<OpportunityStage>,
    pub owner_id: Option<Uuid>,
    /// Deals expected to close on or after this day.
    pub closing_after: Option<NaiveDate>,
    /// Deals expected to close on or before this day.
    pub closing_before: Option<NaiveDate>,
    /// Only deals with one of these external ids (an empty list matches none).
    pub external_ids: Option<Vec<String>>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpportunityOrderField {
    Name,
    #[default]
    CreatedAt,
    UpdatedAt,
    Amount,
    ExpectedCloseDate,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OpportunityOrder {
    pub field: OpportunityOrderField,
    pub descending: bool,
}

/// Money as an input gave it.
#[derive(Debug, Clone)]
pub struct MoneyInput {
    pub amount: String,
    pub currency: String,
}

pub struct NewOpportunity {
    pub account_id: Option<Uuid>,
    pub name: String,
    pub amount: Option<MoneyInput>,
    pub probability: Option<i32>,
    pub expected_close_date: Option<NaiveDate>,
    pub owner_id: Ref,
    pub lead_source: Option<LeadSource>,
    pub competitors: Vec<String>,
    pub external_id: Option<String>,
}

/// A change; `None` keeps a field, `Some(None)` clears an optional one. The stage moves only
/// through `moveOpportunityStage`.
#[derive(Default)]
pub struct OpportunityChanges {
    pub id: Uuid,
    pub name: Option<String>,
    pub amount: Option<Option<MoneyInput>>,
    /// Cleared, the probability follows the stage again.
    pub probability: Option<Option<i32>>,
    pub expected_close_date: Option<Option<NaiveDate>>,
    pub owner_id: Ref,
    pub lead_source: Option<Option<LeadSource>>,
    /// Replaces the whole list.
    pub competitors: Option<Vec<String>>,
    pub external_id: Option<Option<String>>,
    pub expected_version: Option<i32>,
}

/// The opportunities the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Result<Select<Opportunity>, AppError> {
    Ok(match authz::visibility(principal, Permission::OpportunityRead)? {
        Visibility::All => Opportunity::find(),
        Visibility::OwnedBy(me) => Opportunity::find().filter(Column::OwnerId.eq(me)),
        Visibility::Nothing => Opportunity::find().filter(Column::Id.is_null()),
    })
}

/// The win probability shown: the one set by hand, or the stage's.
pub fn probability(m: &Model) -> i32 {
    m.probability
        .map_or_else(|| rules::default_probability(m.stage), i32::from)
}

fn sort_key(order: OpportunityOrder) -> SortKey<Opportunity> {
    let (column, name, nullable, key_of): (Column, &str, bool, KeyFn<Model>) = match order.field {
        OpportunityOrderField::Name => (Column::Name, "name", false, |m| {
            (SortValue::Text(m.name.clone()), m.id)
        }),
        OpportunityOrderField::CreatedAt => (Column::CreatedAt, "created_at", false, |m| {
            (SortValue::Time(m.created_at), m.id)
        }),
        OpportunityOrderField::UpdatedAt => (Column::UpdatedAt, "updated_at", false, |m| {
            (SortValue::Time(m.updated_at), m.id)
        }),
        OpportunityOrderField::Amount => (Column::AmountMinor, "amount", true, |m| {
            (m.amount_minor.map_or(SortValue::Null, SortValue::Int), m.id)
        }),
        OpportunityOrderField::ExpectedCloseDate => (Column::ExpectedCloseDate, "close_date", true, |m| {
            (
                m.expected_close_date.map_or(SortValue::Null, SortValue::Date),
                m.id,
            )
        }),
    };
    let direction = if order.descending { "desc" } else { "asc" };
    SortKey {
        name: format!("{name}:{direction}"),
        column,
        id_column: Column::Id,
        descending: order.descending,
        nullable,
        key_of,
    }
}

fn filtered(principal: &Principal, filter: &OpportunityFilter) -> Result<Select<Opportunity>, AppError> {
    let mut select = visible(principal)?;
    if let Some(account) = filter.account_id {
        select = select.filter(Column::AccountId.eq(account));
    }
    if !filter.stages.is_empty() {
        select = select.filter(Column::Stage.is_in(filter.stages.iter().copied()));
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(Column::OwnerId.eq(owner));
    }
    if let Some(day) = filter.closing_after {
        select = select.filter(Column::ExpectedCloseDate.gte(day));
    }
    if let Some(day) = filter.closing_before {
        select = select.filter(Column::ExpectedCloseDate.lte(day));
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

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: OpportunityFilter,
    order: OpportunityOrder,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    let key = sort_key(order);
    let window = args.window(&key)?;
    page::fetch(db, filtered(principal, &filter)?, &key, window).await
}

/// A page of opportunities with what the page shows of each in the same statement.
pub struct PageWith {
    pub page: Page<Model>,
    /// The deals' accounts the caller may read (through the accounts' finder, the join's
    /// condition); an account they may not read is not among them.
    pub accounts: Vec<entity::account::Model>,
    /// The deals' owners, as rows: what of them a caller sees is the GraphQL user type's rule.
    pub owners: Vec<entity::app_user::Model>,
}

/// [`list`], with the deals' accounts and owners joined into the page's one statement.
pub async fn list_with_accounts_and_owners(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: OpportunityFilter,
    order: OpportunityOrder,
    args: PageArgs,
) -> Result<PageWith, AppError> {
    use entity::{account as acct, app_user as staff};
    use sea_orm::{FromQueryResult, IdenStatic, Iterable, JoinType, QuerySelect, QueryTrait, RelationDef};
    let key = sort_key(order);
    let window = args.window(&key)?;
    let (select, pager) = page::Pager::new(db, filtered(principal, &filter)?, &key, window);
    // Without `account.read` the deals still show; their accounts never join.
    let readable = account::visible_condition(principal)
        .unwrap_or_else(|_| sea_orm::Condition::all().add(acct::Column::Id.is_null()));
    let to_account: RelationDef = Opportunity::belongs_to(acct::Entity)
        .from(Column::AccountId)
        .to(acct::Column::Id)
        .on_condition(move |_, _| readable.clone())
        .into();
    let to_owner: RelationDef = Opportunity::belongs_to(staff::Entity)
        .from(Column::OwnerId)
        .to(staff::Column::Id)
        .into();
    // sea-orm selects a second entity by itself (prefix B_) but a third only through declared
    // relations, which the entities do not have: its columns are added the way sea-orm adds
    // the second's, with the prefix C_.
    let mut query = select
        .select_also(acct::Entity)
        .join(JoinType::LeftJoin, to_account)
        .join(JoinType::LeftJoin, to_owner)
        .into_query();
    for col in <staff::Column as Iterable>::iter() {
        query.expr_as(col.select_as(col.into_expr()), format!("C_{}", col.as_str()));
    }
    let rows = db.query_all(&query).await?;
    let (mut deals, mut accounts, mut owners) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        deals.push(Model::from_query_result(&row, "A_")?);
        accounts.extend(acct::Model::from_query_result_optional(&row, "B_")?);
        owners.extend(staff::Model::from_query_result_optional(&row, "C_")?);
    }
    Ok(PageWith {
        page: pager.finish(deals),
        accounts,
        owners,
    })
}

/// The page of opportunities each account shows, as one query for every account of a level.
pub fn of_accounts(
    principal: &Principal,
    filter: OpportunityFilter,
    order: OpportunityOrder,
    args: PageArgs,
) -> Result<Nested<Opportunity>, AppError> {
    let key = sort_key(order);
    let window = args.window(&key)?;
    let select = filtered(principal, &filter)?;
    Ok(Nested::new(select, key, window, Column::AccountId, |m| {
        m.account_id
    }))
}

pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}

/// The competitors named on each of `ids`, in the order they were given.
pub async fn competitors_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<competitor::Model>, sea_orm::DbErr> {
    competitor::Entity::find()
        .filter(competitor::Column::OpportunityId.is_in(ids.iter().copied()))
        .order_by_asc(competitor::Column::Name)
        .all(db)
        .await
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no opportunity has this id")
}

/// Loads an opportunity for a change: NOT_FOUND when it is missing or not the caller's to read,
/// FORBIDDEN when `permission` does not reach it.
pub(crate) async fn for_change(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    permission: Permission,
    field: &str,
) -> Result<Model, AppError> {
    let current = super::lock_visible(db, visible(principal), Column::Id, id)
        .await?
        .ok_or_else(|| Ref::not_found(field, "opportunity"))?;
    authz::authorize(principal, permission, Resource::Owned(&[current.owner_id]))?;
    Ok(current)
}

async fn write_competitors(db: &impl ConnectionTrait, id: Uuid, names: Vec<String>) -> Result<(), AppError> {
    competitor::Entity::delete_many()
        .filter(competitor::Column::OpportunityId.eq(id))
        .exec(db)
        .await?;
    if !names.is_empty() {
        let rows = names.into_iter().map(|name| competitor::ActiveModel {
            opportunity_id: Set(id),
            name: Set(name),
        });
        competitor::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Creates an opportunity (`opportunity.create`), in a transaction of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewOpportunity,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = create_in(&txn, principal, input).await?;
    txn.commit().await?;
    Ok(model)
}

/// A unique violation on the opportunity table as the field's user error.
fn external_id_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::OPPORTUNITY_EXTERNAL_ID) {
        super::external_id_taken("opportunity")
    } else {
        err.into()
    }
}

/// Creates an opportunity inside the caller's transaction `db` (`opportunity.create`, on a live
/// account the caller may read): validates every field, writes the deal at DISCOVERY with its
/// competitors and first stage stay. A user error writes nothing.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: NewOpportunity,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::OpportunityCreate, Resource::Any)?;
    let account_not_found = || Ref::not_found("accountId", "account");
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
    let name = collect(&mut errors, text::required_name("name", &input.name, 200));
    let money = match &input.amount {
        Some(m) => collect(&mut errors, rules::money(&m.amount, &m.currency)).map(Some),
        None => Some(None),
    };
    let probability = collect(&mut errors, input.probability.map(rules::probability).transpose());
    let competitors = collect(&mut errors, rules::competitors("competitors", &input.competitors));
    let external_id = collect(
        &mut errors,
        input
            .external_id
            .as_deref()
            .map(|v| text::external_id("externalId", v))
            .transpose(),
    );
    let owner = gather(
        &mut errors,
        user::active_user(db, input.owner_id, "ownerId").await,
    )?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (Some(name), Some(money), Some(probability), Some(competitors), Some(owner), Some(external_id)) =
        (name, money, probability, competitors, owner, external_id)
    else {
        return Err(AppError::internal("validated opportunity fields went missing"));
    };
    // A deal is sales-side: its owner defaults to whoever opens it.
    let owner = owner.unwrap_or_else(|| principal.user_id());
    let now = Utc::now();
    let id = Uuid::now_v7();
    let (amount, currency) = money.map_or((None, None), |(a, c)| (Some(a.minor()), Some(c)));
    let txn = db;
    ActiveModel {
        id: Set(id),
        account_id: Set(account.id),
        name: Set(name),
        amount_minor: Set(amount),
        currency: Set(currency),
        stage: Set(OpportunityStage::Discovery),
        probability: Set(probability),
        expected_close_date: Set(input.expected_close_date),
        owner_id: Set(owner),
        lead_source: Set(input.lead_source),
        close_reason: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        external_id: Set(external_id),
        version: Set(1),
    }
    .insert(txn)
    .await
    .map_err(external_id_taken)?;
    let model_competitors = competitors.clone();
    write_competitors(txn, id, competitors).await?;
    let stage = stage::name(OpportunityStage::Discovery);
    stage::enter(txn, StageKind::Opportunity, id, account.id, &stage, now).await?;
    let model = Opportunity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let mut changes = outbox::diff(None, &model, &[]);
    if !model_competitors.is_empty() {
        changes.push(outbox::Change::new(
            "competitors",
            serde_json::Value::Null,
            serde_json::json!(model_competitors),
        ));
    }
    outbox::record(
        txn,
        principal.into(),
        "opportunity.created",
        subject(&model),
        &changes,
    )
    .await?;
    Ok(model)
}

/// What a deal's events are about.
pub(crate) fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("Opportunity", m.id, Some(m.account_id))
}

/// Changes an opportunity (`opportunity.update` reaching its owner), in a transaction of its own.
pub async fn update(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: OpportunityChanges,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = update_in(&txn, principal, changes).await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes an opportunity inside the caller's transaction `txn` (`opportunity.update` reaching
/// its owner): locks the row, checks `expectedVersion`, validates, writes at the version read and
/// replaces the competitors when given.
pub async fn update_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    changes: OpportunityChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::OpportunityUpdate, Resource::Any)?;
    let current = for_change(txn, principal, changes.id, Permission::OpportunityUpdate, "id").await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(v) = changes
        .name
        .as_deref()
        .and_then(|n| collect(&mut errors, text::required_name("name", n, 200)))
    {
        row.name = Set(v);
    }
    match changes.amount {
        Some(Some(m)) => {
            if let Some((amount, currency)) = collect(&mut errors, rules::money(&m.amount, &m.currency)) {
                row.amount_minor = Set(Some(amount.minor()));
                row.currency = Set(Some(currency));
            }
        }
        Some(None) => {
            row.amount_minor = Set(None);
            row.currency = Set(None);
        }
        None => {}
    }
    if let Some(p) = changes.probability
        && let Some(v) = collect(&mut errors, p.map(rules::probability).transpose())
    {
        row.probability = Set(v);
    }
    if let Some(day) = changes.expected_close_date {
        row.expected_close_date = Set(day);
    }
    if let Some(source) = changes.lead_source {
        row.lead_source = Set(source);
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
    let competitors = match &changes.competitors {
        Some(names) => collect(&mut errors, rules::competitors("competitors", names)),
        None => None,
    };
    if let Some(Some(o)) = gather(
        &mut errors,
        user::active_user(txn, changes.owner_id, "ownerId").await,
    )? {
        row.owner_id = Set(o);
    }
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<Opportunity>(txn, row, (Column::Id, current.id), at, external_id_taken).await?;
    let mut competitor_change = None;
    if let Some(names) = competitors {
        let mut before: Vec<String> = competitors_of(txn, &[current.id])
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        // Compared in one order: the database's collation may sort otherwise.
        before.sort();
        let mut sorted = names.clone();
        sorted.sort();
        if before != sorted {
            competitor_change = Some(outbox::Change::new(
                "competitors",
                serde_json::json!(before),
                serde_json::json!(sorted),
            ));
        }
        write_competitors(txn, current.id, names).await?;
    }
    let model = Opportunity::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let mut changed = outbox::diff(Some(&current), &model, &[]);
    changed.extend(competitor_change);
    if !changed.is_empty() {
        outbox::record(
            txn,
            principal.into(),
            "opportunity.updated",
            subject(&model),
            &changed,
        )
        .await?;
    }
    Ok(model)
}

/// Archives an opportunity: it leaves lists; its participants, risks and history stay.
pub async fn archive(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::OpportunityDelete, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, id, Permission::OpportunityDelete, "id").await?;
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
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "opportunity.archived",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
