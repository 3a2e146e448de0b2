//! Accounts: the companies on the revenue graph. Reads start from `visible`, the scoped finder;
//! writes check the rulebook against the account's owners.

use chrono::Utc;
use entity::account::{AccountStatus, AccountTier, ActiveModel, Column, Entity as Account, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Select, Set, sea_query::LikeExpr,
};
use uuid::Uuid;

use crate::{
    domain::{
        account::{self as rules, CreatorSide},
        authz::{self, Principal, Resource, Visibility},
        permission::Permission,
        text, version,
    },
    error::{AppError, UserErrorCode, is_unique_violation},
    service::{
        Ref, collect, gather, outbox,
        page::{self, KeyFn, Page, PageArgs, SortKey, SortValue},
        update_at_version, user,
    },
};

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Matches the start of the name or of the domain, ignoring case.
    pub search: Option<String>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: Option<Uuid>,
    /// Only accounts with one of these external ids (an empty list matches none).
    pub external_ids: Option<Vec<String>>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountOrderField {
    Name,
    #[default]
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct AccountOrder {
    pub field: AccountOrderField,
    pub descending: bool,
}

pub struct NewAccount {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: Ref,
    pub marketing_owner_id: Ref,
    pub external_id: Option<String>,
}

/// A change; `None` keeps a field, `Some(None)` clears an optional one.
pub struct AccountChanges {
    pub id: Uuid,
    pub name: Option<String>,
    pub domain: Option<Option<String>>,
    pub industry: Option<Option<String>>,
    pub employee_count: Option<Option<i32>>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: Ref,
    pub marketing_owner_id: Ref,
    pub external_id: Option<Option<String>>,
    pub expected_version: Option<i32>,
}

/// The accounts the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Result<Select<Account>, AppError> {
    Ok(Account::find().filter(visible_condition(principal)?))
}

/// The owner rule of [`visible`] as a condition on the `account` table, for statements that
/// join accounts to other rows (a page of deals) instead of reading them alone.
pub fn visible_condition(principal: &Principal) -> Result<Condition, AppError> {
    Ok(match authz::visibility(principal, Permission::AccountRead)? {
        Visibility::All => Condition::all(),
        Visibility::OwnedBy(me) => Condition::any()
            .add(Column::OwnerId.eq(me))
            .add(Column::MarketingOwnerId.eq(me)),
        Visibility::Nothing => Condition::all().add(Column::Id.is_null()),
    })
}

fn sort_key(order: AccountOrder) -> SortKey<Account> {
    let (column, name, key_of): (Column, &str, KeyFn<Model>) = match order.field {
        AccountOrderField::Name => (Column::NameKey, "name", |m| {
            (SortValue::Text(m.name_key.clone()), m.id)
        }),
        AccountOrderField::CreatedAt => (Column::CreatedAt, "created_at", |m| {
            (SortValue::Time(m.created_at), m.id)
        }),
        AccountOrderField::UpdatedAt => (Column::UpdatedAt, "updated_at", |m| {
            (SortValue::Time(m.updated_at), m.id)
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
    filter: AccountFilter,
    order: AccountOrder,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    let mut select = visible(principal)?;
    let key = sort_key(order);
    let window = args.window(&key)?;
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = super::search_pattern(search)?;
        select = select.filter(
            Condition::any()
                .add(Column::NameKey.like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Column::Domain.like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if let Some(tier) = filter.tier {
        select = select.filter(Column::Tier.eq(tier));
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(Column::OwnerId.eq(owner));
    }
    super::check_external_ids(filter.external_ids.as_ref())?;
    if let Some(ids) = filter.external_ids {
        select = select.filter(Column::ExternalId.is_in(ids));
    }
    if !filter.include_archived {
        select = select.filter(Column::ArchivedAt.is_null());
    }
    page::fetch(db, select, &key, window).await
}

/// The accounts with these ids the caller may read (archived ones included: an ID still names them).
pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}

fn domain_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::ACCOUNT_DOMAIN) {
        AppError::rejected(
            &["domain"],
            UserErrorCode::Taken,
            "a live account already has this domain",
        )
    } else if is_unique_violation(&err, &crate::error::ACCOUNT_EXTERNAL_ID) {
        super::external_id_taken("account")
    } else {
        err.into()
    }
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no account has this id")
}

/// Creates an account (`account.create`), in a transaction of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewAccount,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = create_in(&txn, principal, input).await?;
    txn.commit().await?;
    Ok(model)
}

/// Creates an account inside the caller's transaction `db` (`account.create`): validates every
/// field, checks the owners, writes the row. A user error writes nothing.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: NewAccount,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::AccountCreate, Resource::Any)?;
    let mut errors = Vec::new();
    let external_id = collect(
        &mut errors,
        input
            .external_id
            .as_deref()
            .map(|v| text::external_id("externalId", v))
            .transpose(),
    );
    let name = collect(&mut errors, rules::validate_name(&input.name));
    let domain = collect(
        &mut errors,
        input
            .domain
            .as_deref()
            .map(rules::normalize_domain)
            .transpose()
            .map(Option::flatten),
    );
    let industry = collect(
        &mut errors,
        text::optional_text("industry", input.industry.as_deref(), 100),
    );
    let employee_count = collect(&mut errors, rules::validate_employee_count(input.employee_count));
    let owner = gather(
        &mut errors,
        user::active_user(db, input.owner_id, "ownerId").await,
    )?;
    let marketing_owner = gather(
        &mut errors,
        user::active_user(db, input.marketing_owner_id, "marketingOwnerId").await,
    )?;
    let (
        Some(name),
        Some(domain),
        Some(industry),
        Some(employee_count),
        Some(owner),
        Some(marketing_owner),
        Some(external_id),
        true,
    ) = (
        name,
        domain,
        industry,
        employee_count,
        owner,
        marketing_owner,
        external_id,
        errors.is_empty(),
    )
    else {
        return Err(AppError::Rejected(errors));
    };
    // Owners default to the creator, on the creator's side of the house.
    let given = input.owner_id != Ref::Absent || input.marketing_owner_id != Ref::Absent;
    let (owner, marketing_owner) = match (given, rules::creator_side(principal)) {
        (true, _) => (owner.flatten(), marketing_owner.flatten()),
        (false, CreatorSide::Sales) => (principal.user_id(), None),
        (false, CreatorSide::Marketing) => (None, principal.user_id()),
    };
    let now = Utc::now();
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        name_key: Set(name.to_lowercase()),
        name: Set(name),
        domain: Set(domain),
        industry: Set(industry),
        employee_count: Set(employee_count),
        tier: Set(input.tier.unwrap_or(AccountTier::Untiered)),
        status: Set(input.status.unwrap_or(AccountStatus::Prospect)),
        owner_id: Set(owner),
        marketing_owner_id: Set(marketing_owner),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        external_id: Set(external_id),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(domain_taken)?;
    let subject = subject(&model);
    outbox::record_diff(
        db,
        principal.into(),
        "account.created",
        subject,
        None,
        &model,
        &[],
    )
    .await?;
    Ok(model)
}

/// What an account's events are about.
fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("Account", m.id, Some(m.id))
}

/// Loads an account for a change: NOT_FOUND when it does not exist or is not the caller's to
/// read, FORBIDDEN when it can be read but `permission` does not reach it.
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

/// Changes an account (`account.update` reaching its owners), in a transaction of its own.
pub async fn update(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: AccountChanges,
) -> Result<Model, AppError> {
    let txn = super::write(db).await?;
    let model = update_in(&txn, principal, changes).await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes an account inside the caller's transaction `txn` (`account.update` reaching its
/// owners): locks the row, checks `expectedVersion`, validates, writes at the version read and
/// rescores the account's people when the tier changed.
pub async fn update_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    changes: AccountChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::AccountUpdate, Resource::Any)?;
    let current = for_change(txn, principal, changes.id, Permission::AccountUpdate).await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(name) = changes
        .name
        .as_deref()
        .and_then(|n| collect(&mut errors, rules::validate_name(n)))
    {
        row.name_key = Set(name.to_lowercase());
        row.name = Set(name);
    }
    if let Some(domain) = changes.domain {
        let normalized = domain
            .as_deref()
            .map(rules::normalize_domain)
            .transpose()
            .map(Option::flatten);
        if let Some(d) = collect(&mut errors, normalized) {
            row.domain = Set(d);
        }
    }
    if let Some(industry) = changes.industry
        && let Some(i) = collect(
            &mut errors,
            text::optional_text("industry", industry.as_deref(), 100),
        )
    {
        row.industry = Set(i);
    }
    if let Some(count) = changes.employee_count
        && let Some(c) = collect(&mut errors, rules::validate_employee_count(count))
    {
        row.employee_count = Set(c);
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
    if let Some(tier) = changes.tier {
        row.tier = Set(tier);
    }
    if let Some(status) = changes.status {
        row.status = Set(status);
    }
    if let Some(Some(o)) = gather(
        &mut errors,
        user::active_user(txn, changes.owner_id, "ownerId").await,
    )? {
        row.owner_id = Set(o);
    }
    let marketing = user::active_user(txn, changes.marketing_owner_id, "marketingOwnerId").await;
    if let Some(Some(o)) = gather(&mut errors, marketing)? {
        row.marketing_owner_id = Set(o);
    }
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<Account>(txn, row, (Column::Id, current.id), at, domain_taken).await?;
    // Fit rules may look at the tier: the account's people are rescored with it.
    if changes.tier.is_some_and(|t| t != current.tier) {
        super::scoring::rescore_fit(txn, Some(current.id)).await?;
    }
    let model = Account::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    outbox::record_diff(
        txn,
        principal.into(),
        "account.updated",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    Ok(model)
}

/// Archives an account: it leaves lists (unless asked for) and frees its domain; history that
/// refers to it stays intact.
pub async fn archive(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::AccountDelete, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, id, Permission::AccountDelete).await?;
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
        "account.archived",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
