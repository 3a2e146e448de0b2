//! The identity objects. Relations go through the loaders; what a caller may see of them is
//! decided by the rulebook.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_token, app_user, role};

use crate::{
    domain::{authz, permission::Permission},
    error::AppError,
    graphql::{
        loader::loaders,
        node::{self, NodeKind},
        principal,
    },
};

/// How far a grant reaches.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::permission::Scope")]
pub enum Scope {
    /// Every record.
    All,
    /// Records the caller owns (`owner` or `marketingOwner`).
    Own,
}

/// One permission a role grants.
#[derive(SimpleObject, Clone)]
pub struct Grant {
    pub permission: String,
    pub scope: Scope,
}

impl Grant {
    pub fn from_pair((permission, scope): (Permission, crate::domain::permission::Scope)) -> Self {
        Self {
            permission: permission.as_str().to_owned(),
            scope: scope.into(),
        }
    }
}

#[derive(InputObject, Clone)]
pub struct GrantInput {
    /// A permission of `permissionCatalog`.
    pub permission: String,
    pub scope: Scope,
}

/// A permission of the catalog.
#[derive(SimpleObject, Clone)]
pub struct PermissionInfo {
    pub permission: String,
    pub description: String,
}

/// A person who signs in. Beyond the public profile (id, display name), a user is shown to user
/// managers and to the user themself: the caller, or the one who just signed in with `login` or
/// `refreshSession` (whose request carries no token yet).
#[derive(Clone)]
pub struct User(pub app_user::Model, SignedIn);

#[derive(Clone, Copy, PartialEq, Eq)]
enum SignedIn {
    No,
    /// The payload of a sign-in: the user proved who they are in this very request.
    ThisRequest,
}

impl User {
    pub fn new(model: app_user::Model) -> Self {
        Self(model, SignedIn::No)
    }

    /// The user a sign-in (`login`, `refreshSession`) returns.
    pub fn signed_in(model: app_user::Model) -> Self {
        Self(model, SignedIn::ThisRequest)
    }
}

#[Object]
impl User {
    /// The account details beyond the public profile (id, display name) are for the user
    /// themself and for user managers, by the rulebook.
    #[graphql(skip)]
    fn private(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        if self.1 == SignedIn::ThisRequest {
            return Ok(());
        }
        authz::authorize_user_read(principal(ctx)?, self.0.id).map_err(AppError::from)?;
        Ok(())
    }

    pub async fn id(&self) -> ID {
        node::encode(NodeKind::User, self.0.id)
    }

    /// Shown to the user themself and to those who may read users (`user.manage`); null with
    /// FORBIDDEN for anyone else (an owner seen through an edge shows only a public profile).
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        self.private(ctx)?;
        Ok(Some(&self.0.email))
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// The user's role: shown to the user themself and to those who may read roles.
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Role>> {
        let p = principal(ctx)?;
        if p.user_id() != Some(self.0.id) && authz::authorize_role_read(p).is_err() {
            return Ok(None);
        }
        Ok(loaders(ctx)?
            .roles
            .load_one(self.0.role_id)
            .await
            .map_err(AppError::from)?
            .map(Role))
    }

    /// A deactivated user can no longer sign in; their tokens stop working. Private like `email`.
    async fn active(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        self.private(ctx)?;
        Ok(Some(self.0.active))
    }

    /// Private like `email`.
    async fn last_login_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime<Utc>>> {
        self.private(ctx)?;
        Ok(self.0.last_login_at)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A named set of grants; every user and API token holds exactly one.
#[derive(Clone)]
pub struct Role(pub role::Model);

#[Object]
impl Role {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Role, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Built-in roles can be changed but never deleted.
    async fn built_in(&self) -> bool {
        self.0.built_in
    }

    async fn grants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Grant>> {
        let grants = loaders(ctx)?
            .grants
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?;
        Ok(grants
            .unwrap_or_default()
            .into_iter()
            .map(Grant::from_pair)
            .collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An integrator's token. Its secret was shown once, at creation.
#[derive(Clone)]
pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::ApiToken, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The public start of the token (`trp_<prefix>_...`), to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Role>> {
        Ok(loaders(ctx)?
            .roles
            .load_one(self.0.role_id)
            .await
            .map_err(AppError::from)?
            .map(Role))
    }

    /// Who created it; null when that user is gone or not yours to see.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.created_by_id else {
            return Ok(None);
        };
        if authz::authorize_user_read(principal(ctx)?, id).is_err() {
            return Ok(None);
        }
        Ok(loaders(ctx)?
            .users
            .load_one(id)
            .await
            .map_err(AppError::from)?
            .map(User::new))
    }

    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The caller: a user signed in with an access token, or an integrator's API token.
pub struct Viewer {
    pub user: Option<app_user::Model>,
    pub api_token: Option<api_token::Model>,
    pub principal: authz::Principal,
}

#[Object]
impl Viewer {
    /// Null for an API token.
    async fn user(&self) -> Option<User> {
        self.user.clone().map(User::new)
    }

    /// Null for a user.
    async fn api_token(&self) -> Option<ApiToken> {
        self.api_token.clone().map(ApiToken)
    }

    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Role> {
        let role = loaders(ctx)?
            .roles
            .load_one(self.principal.role_id)
            .await
            .map_err(AppError::from)?;
        Ok(Role(role.ok_or_else(|| {
            AppError::internal("the caller's role is missing")
        })?))
    }

    /// Every grant the caller holds, as the rulebook sees it on this request.
    async fn permissions(&self) -> Vec<Grant> {
        self.principal
            .grants
            .iter()
            .map(|(p, s)| Grant::from_pair((*p, *s)))
            .collect()
    }
}
