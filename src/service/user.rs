//! Users: created, changed and deactivated by `user.manage`; the last active holder of
//! `role.manage` can neither be deactivated nor lose it.

use chrono::Utc;
use entity::{
    app_user::{ActiveModel, Column, Entity as AppUser, Model},
    role, role_grant,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use uuid::Uuid;

use super::policy::Policy;
use crate::{
    auth::password,
    domain::{
        authz::{self, Principal, Resource},
        permission::Permission,
        text, version,
    },
    error::{AppError, UserError, UserErrorCode, is_unique_violation},
    service::{
        Ref,
        auth::{grants_of, revoke_user_sessions},
        outbox,
        page::{self, Page, PageArgs, SortKey, SortValue},
        update_at_version,
    },
};

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Matches the start of the email or the display name, ignoring case.
    pub search: Option<String>,
    pub active: Option<bool>,
}

pub struct NewUser {
    pub email: String,
    pub display_name: String,
    /// `None` when the caller's role ID did not decode: reported as NOT_FOUND.
    pub role_id: Option<Uuid>,
    pub password: String,
}

pub struct UserChanges {
    pub id: Uuid,
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// `Some(None)`: an ID that did not decode.
    pub role_id: Option<Option<Uuid>>,
    pub password: Option<String>,
    pub expected_version: Option<i32>,
}

fn sort_key() -> SortKey<AppUser> {
    SortKey::oldest_first(Column::CreatedAt, Column::Id, |m: &Model| {
        (SortValue::Time(m.created_at), m.id)
    })
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: UserFilter,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize(principal, Permission::UserManage, Resource::Any)?;
    let key = sort_key();
    let window = args.window(&key)?;
    let mut select = AppUser::find();
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = super::search_pattern(search)?;
        select = select.filter(
            sea_orm::Condition::any()
                .add(Column::EmailKey.like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(
                    Expr::expr(Func::lower(Expr::col(Column::DisplayName)))
                        .like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    if let Some(active) = filter.active {
        select = select.filter(Column::Active.eq(active));
    }
    page::fetch(db, select, &key, window).await
}

/// The users with these ids that the caller may read.
pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    let readable: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| authz::authorize_user_read(principal, *id).is_ok())
        .collect();
    if readable.is_empty() {
        return Ok(Vec::new());
    }
    Ok(AppUser::find().filter(Column::Id.is_in(readable)).all(db).await?)
}

/// Loads a role the caller may hand out; unknown roles are NOT_FOUND on `roleId`.
async fn assignable_role(
    db: &impl ConnectionTrait,
    principal: Option<&Principal>,
    role_id: Option<Uuid>,
) -> Result<role::Model, AppError> {
    let not_found = || AppError::rejected(&["roleId"], UserErrorCode::NotFound, "no role has this id");
    let role = match role_id {
        Some(id) => role::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(not_found)?,
        None => return Err(not_found()),
    };
    if let Some(principal) = principal {
        let grants = grants_of(db, role.id).await?;
        if authz::authorize_role_assignment(principal, &grants).is_err() {
            return Err(AppError::rejected(
                &["roleId"],
                UserErrorCode::Forbidden,
                "this role grants more than you hold",
            ));
        }
    }
    Ok(role)
}

/// Creates a user as `principal` (which needs `user.manage`).
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewUser,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::UserManage, Resource::Any)?;
    insert(db, Some(principal), input).await
}

/// Creates a user without a caller: the start-up admin and `trapeze user create`.
pub async fn create_as_operator(db: &DatabaseConnection, input: NewUser) -> Result<Model, AppError> {
    insert(db, None, input).await
}

async fn insert(
    db: &DatabaseConnection,
    principal: Option<&Principal>,
    input: NewUser,
) -> Result<Model, AppError> {
    let email = text::email("email", &input.email);
    let name = text::required_name("displayName", &input.display_name, 200);
    let pw = password::validate(&input.password);
    let errors: Vec<UserError> = [email.as_ref().err(), name.as_ref().err(), pw.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let (Ok(email), Ok(display_name), true) = (email, name, errors.is_empty()) else {
        return Err(AppError::Rejected(errors));
    };
    let role = assignable_role(db, principal, input.role_id).await?;
    let password_hash = password::hash(input.password).await?;
    let now = Utc::now();
    let txn = super::write(db).await?;
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        email_key: Set(email.to_lowercase()),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role_id: Set(role.id),
        active: Set(true),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await
    .map_err(email_taken)?;
    let by = principal.map_or(outbox::By::SYSTEM, outbox::By::from);
    outbox::record_diff(&txn, by, "user.created", subject(&model), None, &model, &[]).await?;
    txn.commit().await?;
    Ok(model)
}

/// What a user's events are about.
fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("User", m.id, None)
}

/// A user whose role grants more than the caller holds is out of the caller's reach: otherwise a
/// `user.manage` holder could reset an admin's password and sign in as them.
async fn ensure_within_reach(
    db: &impl ConnectionTrait,
    principal: &Principal,
    user: &Model,
) -> Result<(), AppError> {
    if principal.user_id() == Some(user.id) {
        return Ok(());
    }
    if authz::authorize_role_assignment(principal, &grants_of(db, user.role_id).await?).is_err() {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::Forbidden,
            "this user's role grants more than you hold",
        ));
    }
    Ok(())
}

/// Resolves a reference to a user who may own records: `None` when absent, `Some(None)` to
/// clear, `Some(Some(id))` for an active user; NOT_FOUND on `field` otherwise.
pub(crate) async fn active_user(
    db: &impl ConnectionTrait,
    reference: Ref,
    field: &str,
) -> Result<Option<Option<Uuid>>, AppError> {
    let target = reference.target(field, "active user")?;
    if let Some(Some(id)) = target
        && !AppUser::find_by_id(id).one(db).await?.is_some_and(|u| u.active)
    {
        return Err(Ref::not_found(field, "active user"));
    }
    Ok(target)
}

fn email_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::USER_EMAIL) {
        AppError::rejected(
            &["email"],
            UserErrorCode::Taken,
            "a user with this email already exists",
        )
    } else {
        err.into()
    }
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no user has this id")
}

/// Refuses when no active user other than `except` (or outside `except_role`) would still hold
/// `role.manage`. The holders are locked (PostgreSQL) so two such changes cannot both pass.
pub async fn ensure_another_admin(
    db: &impl ConnectionTrait,
    except_user: Option<Uuid>,
    except_role: Option<Uuid>,
    field: &str,
) -> Result<(), AppError> {
    // Every change that can remove the last role manager locks all roles first (PostgreSQL;
    // SQLite serialises writers anyway), so two such changes cannot both see the other's
    // holder and together leave nobody.
    role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .order_by_asc(role::Column::Id)
        .lock_exclusive()
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let manager_roles: Vec<Uuid> = role_grant::Entity::find()
        .filter(role_grant::Column::Permission.eq(Permission::RoleManage.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.role_id)
        .filter(|r| Some(*r) != except_role)
        .collect();
    let mut holders = AppUser::find()
        .filter(Column::Active.eq(true))
        .filter(Column::RoleId.is_in(manager_roles));
    if let Some(user) = except_user {
        holders = holders.filter(Column::Id.ne(user));
    }
    let others = holders
        .select_only()
        .column(Column::Id)
        .lock_exclusive()
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    if others.is_empty() {
        return Err(AppError::rejected(
            &[field],
            UserErrorCode::LastAdmin,
            "this would leave no active user who can manage roles",
        ));
    }
    Ok(())
}

pub async fn update(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    changes: UserChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::UserManage, Resource::Any)?;
    let mut errors = Vec::new();
    let email = changes
        .email
        .as_deref()
        .map(|e| text::email("email", e))
        .transpose()
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    let display_name = changes
        .display_name
        .as_deref()
        .map(|n| text::required_name("displayName", n, 200))
        .transpose()
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    if let Some(pw) = &changes.password
        && let Err(e) = password::validate(pw)
    {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let password_hash = match changes.password {
        Some(pw) => Some(password::hash(pw).await?),
        None => None,
    };
    let txn = super::write(db).await?;
    let current = AppUser::find_by_id(changes.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    ensure_within_reach(&txn, principal, &current).await?;
    let password_changed = password_hash.is_some();
    let mut row: ActiveModel = current.clone().into();
    if let Some(role_id) = changes.role_id {
        let role = assignable_role(&txn, Some(principal), role_id).await?;
        if role.id != current.role_id && current.active {
            let new_grants = grants_of(&txn, role.id).await?;
            if !new_grants.contains_key(&Permission::RoleManage) {
                ensure_another_admin(&txn, Some(current.id), None, "roleId").await?;
            }
        }
        row.role_id = Set(role.id);
    }
    if let Some(email) = email {
        row.email_key = Set(email.to_lowercase());
        row.email = Set(email);
    }
    if let Some(name) = display_name {
        row.display_name = Set(name);
    }
    if let Some(hash) = password_hash {
        row.password_hash = Set(hash);
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<AppUser>(&txn, row, (Column::Id, current.id), at, email_taken).await?;
    if password_changed {
        // A new password ends every session opened with the old one.
        revoke_user_sessions(&txn, current.id).await?;
    }
    let updated = AppUser::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let mut changed = outbox::diff(Some(&current), &updated, &[]);
    if password_changed {
        // That it changed is the fact; the hash never leaves the table.
        changed.push(outbox::Change::new(
            "password",
            serde_json::Value::Null,
            serde_json::Value::Null,
        ));
    }
    if !changed.is_empty() {
        outbox::record(
            &txn,
            principal.into(),
            "user.updated",
            subject(&updated),
            &changed,
        )
        .await?;
    }
    // The role or the active flag may have changed: cached principals are stale from the commit.
    policy.announce(&txn).await?;
    txn.commit().await?;
    policy.changed();
    Ok(updated)
}

/// Deactivates a user: their access tokens stop working on the next request, and their refresh
/// tokens and the API tokens they created are revoked.
pub async fn deactivate(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    id: Uuid,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::UserManage, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = AppUser::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if !current.active {
        return Ok(current);
    }
    ensure_within_reach(&txn, principal, &current).await?;
    ensure_another_admin(&txn, Some(current.id), None, "id").await?;
    let version = current.version;
    let mut row: ActiveModel = current.clone().into();
    row.active = Set(false);
    row.updated_at = Set(Utc::now());
    row.version = Set(version + 1);
    let updated = row.update(&txn).await?;
    let by = outbox::By::from(principal);
    outbox::record_diff(
        &txn,
        by,
        "user.deactivated",
        subject(&updated),
        Some(&current),
        &updated,
        &[],
    )
    .await?;
    revoke_user_sessions(&txn, id).await?;
    let live_tokens = entity::api_token::Entity::find()
        .filter(entity::api_token::Column::CreatedById.eq(id))
        .filter(entity::api_token::Column::RevokedAt.is_null())
        .all(&txn)
        .await?;
    let revoked_at = Utc::now();
    for token in &live_tokens {
        let mut after = token.clone();
        after.revoked_at = Some(revoked_at);
        let subject = outbox::Subject::new("ApiToken", token.id, None);
        outbox::record_diff(&txn, by, "api_token.revoked", subject, Some(token), &after, &[]).await?;
    }
    // Their API tokens go too: whoever leaves may still hold the secrets, and a token outliving
    // its creator would be owned by nobody. Integrations that must outlive a person are created
    // by a service user (README, Identity and permissions).
    entity::api_token::Entity::update_many()
        .col_expr(entity::api_token::Column::RevokedAt, Expr::value(revoked_at))
        .filter(entity::api_token::Column::CreatedById.eq(id))
        .filter(entity::api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    policy.announce(&txn).await?;
    txn.commit().await?;
    // Their cached principal goes with the commit: the very next request is refused.
    policy.changed();
    Ok(updated)
}

/// Reactivates a deactivated user (`user.manage`, over a role within the caller's reach): they
/// may sign in again. Their revoked sessions and API tokens stay revoked. Writes the user at a
/// new version and announces the policy change.
pub async fn reactivate(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    id: Uuid,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::UserManage, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = AppUser::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if current.active {
        return Ok(current);
    }
    ensure_within_reach(&txn, principal, &current).await?;
    let (before, version) = (current.clone(), current.version);
    let mut row: ActiveModel = current.into();
    row.active = Set(true);
    row.updated_at = Set(Utc::now());
    row.version = Set(version + 1);
    let updated = row.update(&txn).await?;
    outbox::record_diff(
        &txn,
        principal.into(),
        "user.reactivated",
        subject(&updated),
        Some(&before),
        &updated,
        &[],
    )
    .await?;
    policy.announce(&txn).await?;
    txn.commit().await?;
    policy.changed();
    Ok(updated)
}

/// The most owners `assignable_owners` lists: a sales team, not a directory.
pub const MAX_ASSIGNABLE: u64 = 1000;

/// The active users marketing may hand an MQL to: those whose role holds `lead.accept`, by
/// display name. For callers with `lead.qualify`; the GraphQL layer shows their public profile
/// only. One statement.
pub async fn assignable_owners(
    db: &DatabaseConnection,
    principal: &Principal,
) -> Result<Vec<Model>, AppError> {
    authz::authorize(principal, Permission::LeadQualify, Resource::Any)?;
    let accepting = sea_orm::sea_query::Query::select()
        .column(entity::role_grant::Column::RoleId)
        .from(entity::role_grant::Entity)
        .and_where(entity::role_grant::Column::Permission.eq(Permission::LeadAccept.as_str()))
        .to_owned();
    Ok(AppUser::find()
        .filter(Column::Active.eq(true))
        .filter(Column::RoleId.in_subquery(accepting))
        .order_by_asc(Column::DisplayName)
        .order_by_asc(Column::Id)
        .limit(MAX_ASSIGNABLE)
        .all(db)
        .await?)
}

/// Whether any user exists (start-up creates the first admin only on an empty database).
pub async fn any_exists(db: &DatabaseConnection) -> Result<bool, AppError> {
    Ok(AppUser::find().count(db).await? > 0)
}

/// The role with this name (the command line names roles, not IDs).
pub async fn role_id_by_name(db: &DatabaseConnection, name: &str) -> Result<Option<Uuid>, AppError> {
    Ok(role::Entity::find()
        .filter(role::Column::NameKey.eq(name.trim().to_lowercase()))
        .one(db)
        .await?
        .map(|r| r.id))
}
