//! API tokens for integrators: created and revoked by `token.manage`; the secret is shown once.

use chrono::{DateTime, Utc};
use entity::api_token::{ActiveModel, Column, Entity as ApiToken, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use super::policy::Policy;
use crate::{
    auth::secret,
    domain::{
        authz::{self, Principal, Resource},
        permission::Permission,
        text,
    },
    error::{AppError, UserErrorCode},
    service::{
        auth::{API_TOKEN_PREFIX, grants_of},
        outbox,
        page::{self, Page, PageArgs, SortKey, SortValue},
    },
};

#[derive(Debug, Clone, Default)]
pub struct ApiTokenFilter {
    pub include_revoked: bool,
}

pub struct NewApiToken {
    pub name: String,
    pub role_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

fn sort_key() -> SortKey<ApiToken> {
    SortKey::oldest_first(Column::CreatedAt, Column::Id, |m: &Model| {
        (SortValue::Time(m.created_at), m.id)
    })
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: ApiTokenFilter,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize(principal, Permission::TokenManage, Resource::Any)?;
    let key = sort_key();
    let window = args.window(&key)?;
    let mut select = ApiToken::find();
    if !filter.include_revoked {
        select = select.filter(Column::RevokedAt.is_null());
    }
    page::fetch(db, select, &key, window).await
}

/// The tokens the caller may read: every token for token managers, an API token its own,
/// nothing otherwise. The scoped finder of edges to a token (`Event.apiToken`).
pub fn visible(principal: &Principal) -> Result<sea_orm::Select<ApiToken>, AppError> {
    if authz::authorize(principal, Permission::TokenManage, Resource::Any).is_ok() {
        return Ok(ApiToken::find());
    }
    Ok(match principal.actor {
        authz::Actor::ApiToken(id) => ApiToken::find().filter(Column::Id.eq(id)),
        authz::Actor::User(_) => ApiToken::find().filter(Column::Id.is_null()),
    })
}

/// The tokens with these ids: all for token managers, the caller's own token otherwise.
pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    let manager = authz::authorize(principal, Permission::TokenManage, Resource::Any).is_ok();
    let own = match principal.actor {
        authz::Actor::ApiToken(id) => Some(id),
        authz::Actor::User(_) => None,
    };
    let readable: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| manager || own == Some(*id))
        .collect();
    if readable.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ApiToken::find()
        .filter(Column::Id.is_in(readable))
        .all(db)
        .await?)
}

/// Creates a token and returns it with its secret, which is stored only as a hash.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewApiToken,
) -> Result<(Model, String), AppError> {
    authz::authorize(principal, Permission::TokenManage, Resource::Any)?;
    let name = text::required_name("name", &input.name, 200).map_err(|e| AppError::Rejected(vec![e]))?;
    let txn = super::write(db).await?;
    // Names tell live tokens apart in the list and in the logs: two live tokens never share one
    // (ignoring case). The write transaction serializes creators on SQLite; on PostgreSQL two
    // creations of one name in the same instant could both pass (no index: existing databases
    // may already hold duplicates, which this must not refuse to migrate).
    let taken = ApiToken::find()
        .filter(Column::RevokedAt.is_null())
        .filter(Expr::expr(Func::lower(Expr::col(Column::Name))).eq(name.to_lowercase()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::rejected(
            &["name"],
            UserErrorCode::Taken,
            "a live API token already has this name",
        ));
    }
    let now = Utc::now();
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::rejected(
            &["expiresAt"],
            UserErrorCode::Invalid,
            "the expiry must be in the future",
        ));
    }
    let not_found = || AppError::rejected(&["roleId"], UserErrorCode::NotFound, "no role has this id");
    let role_id = input.role_id.ok_or_else(not_found)?;
    let role = entity::role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    if authz::authorize_role_assignment(principal, &grants_of(&txn, role.id).await?).is_err() {
        return Err(AppError::rejected(
            &["roleId"],
            UserErrorCode::Forbidden,
            "this role grants more than you hold",
        ));
    }
    // trp_<prefix>_<secret>: the prefix finds the row and may be shown; the whole token is hashed.
    let token_prefix: String = secret::random(6)?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    let prefix = format!("{token_prefix}{}", &Uuid::now_v7().simple().to_string()[24..]);
    let token = format!("{API_TOKEN_PREFIX}{prefix}_{}", secret::random(32)?);
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(secret::digest(&token)),
        role_id: Set(role.id),
        created_by_id: Set(principal.user_id()),
        expires_at: Set(input.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(now),
        previous_secret_hash: Set(None),
        previous_secret_expires_at: Set(None),
    }
    .insert(&txn)
    .await?;
    outbox::record_diff(
        &txn,
        principal.into(),
        "api_token.created",
        subject(&row),
        None,
        &row,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok((row, token))
}

/// Revokes a token: it stops working on the next request. Revoking twice is harmless.
pub async fn revoke(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    id: Uuid,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::TokenManage, Resource::Any)?;
    let token = ApiToken::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::rejected(&["id"], UserErrorCode::NotFound, "no API token has this id"))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let mut row: ActiveModel = token.clone().into();
    row.revoked_at = Set(Some(Utc::now()));
    let txn = super::write(db).await?;
    let revoked = row.update(&txn).await?;
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "api_token.revoked",
        subject(&revoked),
        Some(&token),
        &revoked,
        &[],
    )
    .await?;
    policy.announce(&txn).await?;
    txn.commit().await?;
    // The token's cached principal goes with the commit: its very next request is refused.
    policy.changed();
    Ok(revoked)
}

/// How long a token's previous secret keeps working after `rotateApiToken`: a day, time for an
/// integration to pick up its new secret across deployments without an outage.
pub const ROTATION_GRACE: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Gives a live token a new secret (`token.manage`) and returns it once, with the token. The
/// previous secret is accepted for [`ROTATION_GRACE`]; rotating again ends the grace of the
/// secret before it. Locks the token's row, writes its hashes and announces the policy change
/// so that cached principals see the new secret.
pub async fn rotate(
    db: &DatabaseConnection,
    policy: &Policy,
    principal: &Principal,
    id: Uuid,
) -> Result<(Model, String), AppError> {
    authz::authorize(principal, Permission::TokenManage, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = ApiToken::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::rejected(&["id"], UserErrorCode::NotFound, "no API token has this id"))?;
    if current.revoked_at.is_some() {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::Invalid,
            "a revoked API token cannot be rotated",
        ));
    }
    if current.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::Invalid,
            "an expired API token cannot be rotated; create a new one",
        ));
    }
    // Rotating hands out a working secret of the token's role: only to a caller who could have
    // created a token of that role (no one takes over a token that grants more than they hold).
    if authz::authorize_role_assignment(principal, &grants_of(&txn, current.role_id).await?).is_err() {
        return Err(AppError::rejected(
            &["id"],
            UserErrorCode::Forbidden,
            "this token's role grants more than you hold",
        ));
    }
    // The prefix stays: it is how a presented token finds its row, and it is not secret.
    let token = format!("{API_TOKEN_PREFIX}{}_{}", current.prefix, secret::random(32)?);
    let now = Utc::now();
    let previous = current.secret_hash.clone();
    let before = current.clone();
    let mut row: ActiveModel = current.into();
    row.secret_hash = Set(secret::digest(&token));
    row.previous_secret_hash = Set(Some(previous));
    row.previous_secret_expires_at = Set(Some(now + ROTATION_GRACE));
    let rotated = row.update(&txn).await?;
    // The event says the token was rotated; its hashes never enter it.
    outbox::record_diff(
        &txn,
        principal.into(),
        "api_token.rotated",
        subject(&rotated),
        Some(&before),
        &rotated,
        &[],
    )
    .await?;
    policy.announce(&txn).await?;
    txn.commit().await?;
    // Cached principals hold the old hashes: drop them with the commit.
    policy.changed();
    Ok((rotated, token))
}

/// What a token's events are about.
fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("ApiToken", m.id, None)
}
