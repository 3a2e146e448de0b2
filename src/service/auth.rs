//! Sessions and principals: sign-in, refresh-token rotation, sign-out, and turning a bearer
//! token into the `Principal` the rulebook judges.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::Instant,
};

use chrono::{Duration, Utc};
use entity::{
    api_token, app_user, refresh_token, role_grant,
    server_secret::{self, Entity as ServerSecret},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::policy::Policy;
use crate::{
    auth::{jwt::JwtKeys, password, secret},
    config::{AuthSettings, Environment},
    domain::{
        authz::{Actor, Principal},
        permission::{Permission, Scope},
    },
    error::{AppError, UserErrorCode},
};

/// The prefix that tells an API token from a JWT.
pub const API_TOKEN_PREFIX: &str = "trp_";
const DEV_JWT_SECRET: &str = "jwt_secret";
/// How stale an API token's recorded last use may be.
const LAST_USE_PRECISION: Duration = Duration::minutes(1);

/// Token settings and keys, shared by every request.
pub struct Auth {
    pub keys: JwtKeys,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// The first wait of throttled sign-in (`TRAPEZE_LOGIN_THROTTLE_DELAY_MS`).
    pub login_throttle_delay_ms: i64,
    /// Principals already read, so a request need not read its caller again.
    pub principals: PrincipalCache,
}

/// Principals by user or API token, each valid while the policy generation it was read at is
/// current (see `service::policy`) and for at most [`PrincipalCache::MAX_AGE`], a safety net.
/// The JWT is still verified, and an API token's secret and expiry still checked, on every
/// request: only the database read is saved. Bounded: when full it starts over.
pub struct PrincipalCache {
    policy: Arc<Policy>,
    entries: Mutex<HashMap<CacheKey, Cached>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum CacheKey {
    User(Uuid),
    /// An API token by its public prefix.
    Token(String),
}

#[derive(Clone)]
struct Cached {
    principal: Principal,
    generation: u64,
    read_at: Instant,
    token: Option<TokenFacts>,
}

/// What is checked of an API token on every request.
#[derive(Clone)]
struct TokenFacts {
    id: Uuid,
    secret_hash: String,
    /// The secret before a rotation and the end of its grace period.
    previous: Option<(String, chrono::DateTime<Utc>)>,
    expires_at: Option<chrono::DateTime<Utc>>,
    last_used_at: Option<chrono::DateTime<Utc>>,
}

impl PrincipalCache {
    /// How long an entry is trusted at most, whatever the generation says.
    pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);
    /// Entries kept at most; a full cache is emptied.
    pub const CAPACITY: usize = 10_000;

    pub fn new(policy: Arc<Policy>) -> Self {
        Self {
            policy,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The policy generation the entries are checked against.
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    fn get(&self, key: &CacheKey) -> Option<Cached> {
        if !self.policy.coherent() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|c| c.generation == self.policy.generation() && c.read_at.elapsed() < Self::MAX_AGE)
            .cloned()
    }

    /// Keeps what was read at `generation`, unless the policy changed meanwhile.
    fn put(&self, key: CacheKey, entry: Cached) {
        if entry.generation != self.policy.generation() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(key, entry);
        }
    }

    fn used(&self, key: &CacheKey, at: chrono::DateTime<Utc>) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(facts) = entries.get_mut(key).and_then(|c| c.token.as_mut())
        {
            facts.last_used_at = Some(at);
        }
    }
}

impl Auth {
    /// Loads the signing keys: the configured secret, or in development one generated once and
    /// stored in the database so that a restart keeps sessions.
    pub async fn load(
        db: &DatabaseConnection,
        settings: &AuthSettings,
        env: Environment,
    ) -> Result<Self, AppError> {
        let current = match (&settings.jwt_secret, env) {
            (Some(secret), _) => secret.expose().to_owned(),
            (None, Environment::Production) => {
                return Err(AppError::internal("TRAPEZE_JWT_SECRET is required"));
            }
            (None, Environment::Development) => stored_dev_secret(db).await?,
        };
        let previous: Vec<Vec<u8>> = settings
            .jwt_previous_secrets
            .iter()
            .map(|s| s.expose().as_bytes().to_vec())
            .collect();
        Ok(Self {
            keys: JwtKeys::new(current.as_bytes(), &previous),
            access_ttl: Duration::seconds(settings.access_token_ttl_seconds as i64),
            refresh_ttl: Duration::days(settings.refresh_token_ttl_days as i64),
            login_throttle_delay_ms: settings.login_throttle_delay_ms as i64,
            principals: PrincipalCache::new(Arc::new(Policy::new(db.get_database_backend()))),
        })
    }
}

async fn stored_dev_secret(db: &DatabaseConnection) -> Result<String, AppError> {
    // Insert-if-absent, then read: two servers starting at once agree on one secret.
    let candidate = server_secret::ActiveModel {
        name: Set(DEV_JWT_SECRET.into()),
        value: Set(secret::random(48)?),
        created_at: Set(Utc::now()),
    };
    ServerSecret::insert(candidate)
        .on_conflict_do_nothing_on([server_secret::Column::Name])
        .exec(db)
        .await?;
    let stored = ServerSecret::find_by_id(DEV_JWT_SECRET.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("development JWT secret missing after insert"))?;
    Ok(stored.value)
}

/// A signed-in session: what `login` and `refreshSession` return.
pub struct Session {
    pub access_token: String,
    pub access_token_expires_at: chrono::DateTime<Utc>,
    pub refresh_token: String,
    pub user: app_user::Model,
}

/// The grants of a role, as the rulebook reads them.
pub async fn grants_of(
    db: &impl ConnectionTrait,
    role_id: Uuid,
) -> Result<BTreeMap<Permission, Scope>, AppError> {
    let rows = role_grant::Entity::find()
        .filter(role_grant::Column::RoleId.eq(role_id))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|g| Some((Permission::parse(&g.permission)?, Scope::parse(&g.scope)?)))
        .collect())
}

/// Turns the bearer token of a request into a principal. Every failure is UNAUTHENTICATED; the
/// reason goes to the log only. Roles, grants and the user's active flag come from the principal
/// cache while no user, role, grant or token changed since they were read (`service::policy`),
/// else from the database, so a change applies to the very next request.
pub async fn authenticate(db: &DatabaseConnection, auth: &Auth, bearer: &str) -> Result<Principal, AppError> {
    if let Some(rest) = bearer.strip_prefix(API_TOKEN_PREFIX) {
        let prefix = rest.split('_').next().unwrap_or_default();
        return authenticate_token(db, auth, prefix, bearer).await;
    }
    let user_id = auth.keys.verify(bearer).map_err(|e| refuse(&e.0))?;
    let key = CacheKey::User(user_id);
    if let Some(hit) = auth.principals.get(&key) {
        return Ok(hit.principal);
    }
    let generation = auth.principals.policy.generation();
    let user = app_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| refuse("user not found"))?;
    if !user.active {
        return Err(refuse("user deactivated"));
    }
    let principal = Principal {
        actor: Actor::User(user.id),
        role_id: user.role_id,
        grants: grants_of(db, user.role_id).await?,
    };
    auth.principals.put(
        key,
        Cached {
            principal: principal.clone(),
            generation,
            read_at: Instant::now(),
            token: None,
        },
    );
    Ok(principal)
}

fn refuse(why: &str) -> AppError {
    tracing::info!(reason = why, "bearer token refused");
    AppError::Unauthenticated
}

async fn authenticate_token(
    db: &DatabaseConnection,
    auth: &Auth,
    prefix: &str,
    bearer: &str,
) -> Result<Principal, AppError> {
    let key = CacheKey::Token(prefix.to_owned());
    let (principal, facts) = match auth.principals.get(&key) {
        Some(Cached {
            principal,
            token: Some(facts),
            ..
        }) => (principal, facts),
        _ => {
            let generation = auth.principals.policy.generation();
            let token = api_token::Entity::find()
                .filter(api_token::Column::Prefix.eq(prefix))
                .one(db)
                .await?
                .ok_or_else(|| refuse("unknown API token prefix"))?;
            if token.revoked_at.is_some() {
                return Err(refuse("API token revoked"));
            }
            let principal = Principal {
                actor: Actor::ApiToken(token.id),
                role_id: token.role_id,
                grants: grants_of(db, token.role_id).await?,
            };
            let facts = TokenFacts {
                id: token.id,
                secret_hash: token.secret_hash,
                previous: token.previous_secret_hash.zip(token.previous_secret_expires_at),
                expires_at: token.expires_at,
                last_used_at: token.last_used_at,
            };
            let entry = Cached {
                principal: principal.clone(),
                generation,
                read_at: Instant::now(),
                token: Some(facts.clone()),
            };
            auth.principals.put(key.clone(), entry);
            (principal, facts)
        }
    };
    let now = Utc::now();
    let digest = secret::digest(bearer);
    // After a rotation the previous secret still works until its grace period ends.
    let previous = facts
        .previous
        .as_ref()
        .is_some_and(|(hash, until)| *hash == digest && now < *until);
    if facts.secret_hash != digest && !previous {
        return Err(refuse("API token secret does not match"));
    }
    if facts.expires_at.is_some_and(|at| at <= now) {
        return Err(refuse("API token expired"));
    }
    // The last use is kept to the minute: a loader polling every second should not turn each
    // read into a write.
    if facts.last_used_at.is_none_or(|at| now - at >= LAST_USE_PRECISION) {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(facts.id))
            .exec(db)
            .await?;
        auth.principals.used(&key, now);
    }
    Ok(principal)
}

fn invalid_credentials() -> AppError {
    AppError::rejected(&[], UserErrorCode::Invalid, "the email or password is wrong")
}

/// Signs in with email and password. A wrong email and a wrong password look the same.
/// Guessing is throttled per email and per client address before any password is hashed
/// (`service::throttle`): THROTTLED, changing nothing, while either must wait.
pub async fn login(
    db: &DatabaseConnection,
    auth: &Auth,
    email: &str,
    password: &str,
    client: Option<std::net::IpAddr>,
) -> Result<Session, AppError> {
    let attempt = super::throttle::Attempt::new(email, client, auth.login_throttle_delay_ms);
    super::throttle::admit(db, &attempt).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::EmailKey.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    if !password::verify(password.to_owned(), stored).await? {
        login_failed(db, email, user.as_ref()).await?;
        return Err(invalid_credentials());
    }
    let user = user.ok_or_else(invalid_credentials)?;
    super::throttle::succeeded(db, &attempt).await?;
    let txn = super::write(db).await?;
    let now = Utc::now();
    let mut active: app_user::ActiveModel = user.into();
    active.last_login_at = Set(Some(now));
    let user = active.update(&txn).await?;
    let subject = super::outbox::Subject::new("User", user.id, None);
    let by = super::outbox::By::user(user.id);
    super::outbox::record_at(&txn, by, "login.succeeded", subject, &[], now).await?;
    let refresh_token = new_refresh_token(&txn, auth, user.id, Uuid::now_v7()).await?;
    txn.commit().await?;
    let (access_token, access_token_expires_at) = auth.keys.issue(user.id, auth.access_ttl)?;
    Ok(Session {
        access_token,
        access_token_expires_at,
        refresh_token,
        user,
    })
}

/// Records `login.failed`: about the user the email names (the nil id when it names nobody),
/// with the email tried, so an admin sees guessing at accounts that exist and at ones that do
/// not. Nobody is signed in, so it has no actor; it is its own statement, as nothing else of a
/// failed sign-in is written beside the throttle's count.
async fn login_failed(
    db: &DatabaseConnection,
    email: &str,
    user: Option<&app_user::Model>,
) -> Result<(), AppError> {
    let tried: String = email.trim().to_lowercase().chars().take(320).collect();
    let subject = super::outbox::Subject::new("User", user.map_or(Uuid::nil(), |u| u.id), None);
    let changes = [super::outbox::Change::new(
        "email",
        serde_json::Value::Null,
        tried.into(),
    )];
    super::outbox::record(db, super::outbox::By::SYSTEM, "login.failed", subject, &changes).await
}

async fn new_refresh_token(
    db: &impl ConnectionTrait,
    auth: &Auth,
    user_id: Uuid,
    family_id: Uuid,
) -> Result<String, AppError> {
    let token = secret::random(32)?;
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(secret::digest(&token)),
        expires_at: Set(now + auth.refresh_ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}

fn invalid_refresh() -> AppError {
    AppError::rejected(
        &["refreshToken"],
        UserErrorCode::Invalid,
        "the refresh token is invalid or expired",
    )
}

/// Rotates a refresh token: the old one is spent, a new one of the same family is issued. A token
/// presented a second time means it was stolen or replayed: its whole family is revoked.
pub async fn refresh(db: &DatabaseConnection, auth: &Auth, token: &str) -> Result<Session, AppError> {
    let now = Utc::now();
    let txn = super::write(db).await?;
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::digest(token)))
        .one(&txn)
        .await?
    else {
        return Err(invalid_refresh());
    };
    if row.used_at.is_some() || row.revoked_at.is_some() {
        revoke_family(&txn, row.family_id).await?;
        txn.commit().await?;
        tracing::warn!(family = %row.family_id, "refresh token reused: family revoked");
        return Err(invalid_refresh());
    }
    if row.expires_at <= now {
        return Err(invalid_refresh());
    }
    // Spend it only if nobody spent it meanwhile: of two racing refreshes, one wins.
    let spent = refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        // Someone spent it between our read and our write: a concurrent reuse, so the family
        // goes, as for any other reuse.
        revoke_family(&txn, row.family_id).await?;
        txn.commit().await?;
        return Err(invalid_refresh());
    }
    let user = app_user::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active);
    let Some(user) = user else {
        return Err(invalid_refresh());
    };
    let refresh_token = new_refresh_token(&txn, auth, user.id, row.family_id).await?;
    txn.commit().await?;
    let (access_token, access_token_expires_at) = auth.keys.issue(user.id, auth.access_ttl)?;
    Ok(Session {
        access_token,
        access_token_expires_at,
        refresh_token,
        user,
    })
}

/// Revokes every live refresh token of one login family.
async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<(), AppError> {
    revoke_where(db, refresh_token::Column::FamilyId.eq(family_id)).await
}

/// Revokes every refresh token of a user (on deactivation).
pub async fn revoke_user_sessions(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), AppError> {
    revoke_where(db, refresh_token::Column::UserId.eq(user_id)).await
}

async fn revoke_where(db: &impl ConnectionTrait, which: sea_orm::sea_query::Expr) -> Result<(), AppError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(which)
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Signs out: the refresh token's family can no longer be used. Unknown tokens are fine (the
/// session is gone either way).
pub async fn logout(db: &DatabaseConnection, token: &str) -> Result<(), AppError> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::digest(token)))
        .one(db)
        .await?;
    if let Some(row) = row {
        revoke_family(db, row.family_id).await?;
    }
    Ok(())
}
