//! Roles as data: named sets of grants, created, changed and deleted by `role.manage`.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use entity::{
    api_token, app_user,
    role::{ActiveModel, Column, Entity as Role, Model},
    role_grant,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::policy::Policy;
use crate::{
    domain::{
        authz::{self, Principal, Resource},
        permission::{Permission, Scope},
        text, version,
    },
    error::{AppError, UserError, UserErrorCode, is_unique_violation},
    service::{
        outbox,
        page::{self, Page, PageArgs, SortKey, SortValue},
        update_at_version,
        user::ensure_another_admin,
    },
};

/// A grant as the caller sent it: the permission is checked against the catalog.
#[derive(Debug, Clone)]
pub struct GrantInput {
    pub permission: String,
    pub scope: Scope,
}

pub struct NewRole {
    pub name: String,
    pub description: Option<String>,
    pub grants: Vec<GrantInput>,
}

pub struct RoleChanges {
    pub id: Uuid,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub grants: Option<Vec<GrantInput>>,
    pub expected_version: Option<i32>,
}

/// Checks grants against the catalog, reporting each bad one at its index.
fn validate_grants(grants: &[GrantInput]) -> Result<BTreeMap<Permission, Scope>, Vec<UserError>> {
    let mut valid = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, grant) in grants.iter().enumerate() {
        let index = i.to_string();
        match Permission::parse(grant.permission.trim()) {
            None => errors.push(UserError::new(
                &["grants", &index, "permission"],
                UserErrorCode::Invalid,
                format!("`{}` is not in the permission catalog", grant.permission),
            )),
            Some(p) if valid.contains_key(&p) => errors.push(UserError::new(
                &["grants", &index, "permission"],
                UserErrorCode::Invalid,
                format!("`{p}` is granted twice"),
            )),
            Some(p) => {
                valid.insert(p, grant.scope);
            }
        }
    }
    if errors.is_empty() { Ok(valid) } else { Err(errors) }
}

fn sort_key() -> SortKey<Role> {
    SortKey::oldest_first(Column::CreatedAt, Column::Id, |m: &Model| {
        (SortValue::Time(m.created_at), m.id)
    })
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize_role_read(principal)?;
    let key = sort_key();
    let window = args.window(&key)?;
    page::fetch(db, Role::find(), &key, window).await
}

/// The roles with these ids, if the caller may read roles; otherwise none (as if missing).
pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    if ids.is_empty() || authz::authorize_role_read(principal).is_err() {
        return Ok(Vec::new());
    }
    Ok(Role::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A role by id without a permission check: only for roles the caller already holds or sees
/// through a record it may read (its own role, a token's role).
pub async fn find_unchecked(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Role::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The grants of several roles in one statement, in catalog order.
pub async fn grants_of_many(
    db: &impl ConnectionTrait,
    role_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(Permission, Scope)>>, AppError> {
    let mut out: HashMap<Uuid, Vec<(Permission, Scope)>> = HashMap::new();
    if role_ids.is_empty() {
        return Ok(out);
    }
    let rows = role_grant::Entity::find()
        .filter(role_grant::Column::RoleId.is_in(role_ids.iter().copied()))
        .all(db)
        .await?;
    for row in rows {
        if let (Some(p), Some(s)) = (Permission::parse(&row.permission), Scope::parse(&row.scope)) {
            out.entry(row.role_id).or_default().push((p, s));
        }
    }
    for grants in out.values_mut() {
        grants.sort();
    }
    Ok(out)
}

async fn write_grants(
    db: &impl ConnectionTrait,
    role_id: Uuid,
    grants: &BTreeMap<Permission, Scope>,
) -> Result<(), AppError> {
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    if grants.is_empty() {
        return Ok(());
    }
    let rows = grants.iter().map(|(p, s)| role_grant::ActiveModel {
        role_id: Set(role_id),
        permission: Set(p.as_str().to_owned()),
        scope: Set(s.as_str().to_owned()),
    });
    role_grant::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

fn name_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::ROLE_NAME) {
        AppError::rejected(
            &["name"],
            UserErrorCode::Taken,
            "a role with this name already exists",
        )
    } else {
        err.into()
    }
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no role has this id")
}

pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewRole,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::RoleManage, Resource::Any)?;
    let name = text::required_name("name", &input.name, 100);
    let description = text::optional_text("description", input.description.as_deref(), 2000);
    let grants = validate_grants(&input.grants);
    let (Ok(name), Ok(description), Ok(grants)) = (&name, &description, &grants) else {
        let mut errors: Vec<UserError> = [name.err(), description.err()].into_iter().flatten().collect();
        errors.extend(grants.err().unwrap_or_default());
        return Err(AppError::Rejected(errors));
    };
    beyond_reach(principal, grants)?;
    let now = Utc::now();
    let txn = super::write(db).await?;
    let role = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.clone()),
        name_key: Set(name.to_lowercase()),
        description: Set(description.clone()),
        built_in: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await
    .map_err(name_taken)?;
    write_grants(&txn, role.id, grants).await?;
    let mut changes = outbox::diff(None, &role, &[]);
    changes.push(outbox::Change::new(
        "grants",
        serde_json::Value::Null,
        grants_json(grants),
    ));
    outbox::record(&txn, principal.into(), "role.created", subject(role.id), &changes).await?;
    txn.commit().await?;
    Ok(role)
}

/// What a role's events are about.
fn subject(id: Uuid) -> outbox::Subject {
    outbox::Subject::new("Role", id, None)
}

/// Grants as an event shows them: `[{ "permission", "scope" }]` in catalog order.
fn grants_json(grants: &BTreeMap<Permission, Scope>) -> serde_json::Value {
    grants
        .iter()
        .map(|(p, s)| serde_json::json!({ "permission": p.as_str(), "scope": s.as_str() }))
        .collect()
}

/// Changes a role; a new grant list replaces the old one and applies to the next request of
/// everyone who holds the role.
pub async fn update(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    changes: RoleChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::RoleManage, Resource::Any)?;
    let name = changes
        .name
        .as_deref()
        .map(|n| text::required_name("name", n, 100))
        .transpose();
    let description = match &changes.description {
        Some(d) => text::optional_text("description", d.as_deref(), 2000).map(Some),
        None => Ok(None),
    };
    let grants = changes.grants.as_deref().map(validate_grants).transpose();
    let (Ok(name), Ok(description), Ok(grants)) = (&name, &description, &grants) else {
        let mut errors: Vec<UserError> = [name.clone().err(), description.clone().err()]
            .into_iter()
            .flatten()
            .collect();
        errors.extend(grants.clone().err().unwrap_or_default());
        return Err(AppError::Rejected(errors));
    };
    let txn = super::write(db).await?;
    let current = Role::find_by_id(changes.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let had = crate::service::auth::grants_of(&txn, current.id).await?;
    // A role granting more than the caller holds is out of reach, and so is granting more.
    beyond_reach(principal, &had).map_err(|_| {
        AppError::rejected(
            &["id"],
            UserErrorCode::Forbidden,
            "this role grants more than you hold",
        )
    })?;
    if let Some(grants) = grants {
        beyond_reach(principal, grants)?;
        if !grants.contains_key(&Permission::RoleManage) && had.contains_key(&Permission::RoleManage) {
            ensure_another_admin(&txn, None, Some(current.id), "grants").await?;
        }
        write_grants(&txn, current.id, grants).await?;
    }
    let version = current.version;
    let id = current.id;
    let mut row: ActiveModel = current.clone().into();
    if let Some(name) = name {
        row.name_key = Set(name.to_lowercase());
        row.name = Set(name.clone());
    }
    if let Some(description) = description {
        row.description = Set(description.clone());
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(version + 1);
    update_at_version::<Role>(
        &txn,
        row,
        (Column::Id, id),
        (Column::Version, version),
        name_taken,
    )
    .await?;
    let updated = Role::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let mut changed = outbox::diff(Some(&current), &updated, &[]);
    if let Some(grants) = grants
        && *grants != had
    {
        changed.push(outbox::Change::new(
            "grants",
            grants_json(&had),
            grants_json(grants),
        ));
    }
    if !changed.is_empty() {
        outbox::record(&txn, principal.into(), "role.updated", subject(id), &changed).await?;
    }
    // Every holder's grants changed: cached principals are stale from the commit on.
    policy.announce(&txn).await?;
    txn.commit().await?;
    policy.changed();
    Ok(updated)
}

/// Nobody grants more than they hold: a role given out or edited must stay within the caller's
/// own grants (otherwise a `role.manage`-only role could give itself everything).
fn beyond_reach(principal: &Principal, grants: &BTreeMap<Permission, Scope>) -> Result<(), AppError> {
    authz::authorize_role_assignment(principal, grants).map_err(|denied| {
        AppError::rejected(
            &["grants"],
            UserErrorCode::Forbidden,
            format!(
                "you cannot grant `{}` at this scope: you do not hold it",
                denied.permission
            ),
        )
    })
}

/// Deletes a role nobody holds. Built-in roles are never deleted.
pub async fn delete(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Uuid, AppError> {
    authz::authorize(principal, Permission::RoleManage, Resource::Any)?;
    let txn = super::write(db).await?;
    let role = Role::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if role.built_in {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::Forbidden,
            "built-in roles cannot be deleted",
        ));
    }
    let users = app_user::Entity::find()
        .filter(app_user::Column::RoleId.eq(id))
        .count(&txn)
        .await?;
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::RoleId.eq(id))
        .count(&txn)
        .await?;
    if users + tokens > 0 {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::InUse,
            format!("{users} user(s) and {tokens} API token(s) hold this role"),
        ));
    }
    Role::delete_by_id(id).exec(&txn).await?;
    let changes = [outbox::Change::new(
        "name",
        role.name.into(),
        serde_json::Value::Null,
    )];
    outbox::record(&txn, principal.into(), "role.deleted", subject(id), &changes).await?;
    txn.commit().await?;
    Ok(id)
}
