//! Sessions and administration of users, roles and API tokens.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::types::{ApiToken, GrantInput, Role, User};
use crate::{
    error::{AppError, UserErrorCode},
    graphql::{
        auth, db,
        error::{UserError, payload},
        node::{self, NodeKind},
        policy, principal,
    },
    service::{
        self,
        api_token::NewApiToken,
        auth::Session,
        role::{GrantInput as Grant, NewRole, RoleChanges},
        user::{NewUser, UserChanges},
    },
};

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

/// A session: a short-lived access token (send it as `Authorization: Bearer`) and a single-use
/// refresh token (trade it with `refreshSession`).
#[derive(SimpleObject)]
pub struct LoginPayload {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RefreshSessionInput {
    pub refresh_token: String,
}

#[derive(SimpleObject)]
pub struct RefreshSessionPayload {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct LogoutInput {
    pub refresh_token: String,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub display_name: String,
    pub role_id: ID,
    /// At least 12 characters.
    pub password: String,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    pub id: ID,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role_id: Option<ID>,
    pub password: Option<String>,
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
pub struct DeactivateUserInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct CreateUserPayload {
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct UpdateUserPayload {
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DeactivateUserPayload {
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CreateRoleInput {
    pub name: String,
    pub description: Option<String>,
    pub grants: Vec<GrantInput>,
}

#[derive(InputObject)]
pub struct UpdateRoleInput {
    pub id: ID,
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
    /// Replaces every grant of the role.
    pub grants: Option<Vec<GrantInput>>,
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
pub struct DeleteRoleInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct CreateRolePayload {
    pub role: Option<Role>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct UpdateRolePayload {
    pub role: Option<Role>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DeleteRolePayload {
    pub deleted_role_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    pub name: String,
    pub role_id: ID,
    /// Never expires when absent.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    pub api_token: Option<ApiToken>,
    /// The secret, shown this once: send it as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RevokeApiTokenPayload {
    pub api_token: Option<ApiToken>,
    pub user_errors: Vec<UserError>,
}

/// The id of `kind` behind a global ID, or NOT_FOUND on `field`.
fn target(id: &ID, kind: NodeKind, field: &str, what: &str) -> Result<uuid::Uuid, AppError> {
    node::decode_as(id, kind).ok_or_else(|| {
        AppError::rejected(
            &[field],
            UserErrorCode::NotFound,
            format!("no {what} has this id"),
        )
    })
}

fn grants(input: Vec<GrantInput>) -> Vec<Grant> {
    input
        .into_iter()
        .map(|g| Grant {
            permission: g.permission,
            scope: g.scope.into(),
        })
        .collect()
}

type SessionParts = (
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<User>,
    Vec<UserError>,
);

fn session_parts(result: Result<Session, AppError>) -> async_graphql::Result<SessionParts> {
    let (session, user_errors) = payload(result)?;
    Ok(match session {
        Some(s) => (
            Some(s.access_token),
            Some(s.refresh_token),
            Some(s.access_token_expires_at),
            Some(User::signed_in(s.user)),
            user_errors,
        ),
        None => (None, None, None, None, user_errors),
    })
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Signs in. A wrong email and a wrong password give the same INVALID error.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> async_graphql::Result<LoginPayload> {
        let client = crate::graphql::client_ip(ctx);
        let result = service::auth::login(db(ctx)?, auth(ctx)?, &input.email, &input.password, client).await;
        let (access_token, refresh_token, access_token_expires_at, user, user_errors) =
            session_parts(result)?;
        Ok(LoginPayload {
            access_token,
            refresh_token,
            access_token_expires_at,
            user,
            user_errors,
        })
    }

    /// Trades a refresh token for a new session. Each refresh token works once; reusing one
    /// revokes every session descended from the same login.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> async_graphql::Result<RefreshSessionPayload> {
        let result = service::auth::refresh(db(ctx)?, auth(ctx)?, &input.refresh_token).await;
        let (access_token, refresh_token, access_token_expires_at, user, user_errors) =
            session_parts(result)?;
        Ok(RefreshSessionPayload {
            access_token,
            refresh_token,
            access_token_expires_at,
            user,
            user_errors,
        })
    }

    /// Ends the session of this refresh token (access tokens expire on their own).
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> async_graphql::Result<LogoutPayload> {
        let (_, user_errors) = payload(service::auth::logout(db(ctx)?, &input.refresh_token).await)?;
        Ok(LogoutPayload { user_errors })
    }

    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<CreateUserPayload> {
        let new = NewUser {
            email: input.email,
            display_name: input.display_name,
            role_id: node::decode_as(&input.role_id, NodeKind::Role),
            password: input.password,
        };
        let (user, user_errors) = payload(service::user::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateUserPayload {
            user: user.map(User::new),
            user_errors,
        })
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
    ) -> async_graphql::Result<UpdateUserPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::User, "id", "user") {
            Ok(id) => {
                let changes = UserChanges {
                    id,
                    email: input.email,
                    display_name: input.display_name,
                    role_id: input.role_id.map(|r| node::decode_as(&r, NodeKind::Role)),
                    password: input.password,
                    expected_version: input.expected_version,
                };
                service::user::update(db(ctx)?, policy(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (user, user_errors) = payload(result)?;
        Ok(UpdateUserPayload {
            user: user.map(User::new),
            user_errors,
        })
    }

    /// Deactivates a user; their sessions end at once. The last active role manager cannot be.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        input: DeactivateUserInput,
    ) -> async_graphql::Result<DeactivateUserPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::User, "id", "user") {
            Ok(id) => service::user::deactivate(db(ctx)?, policy(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (user, user_errors) = payload(result)?;
        Ok(DeactivateUserPayload {
            user: user.map(User::new),
            user_errors,
        })
    }

    async fn create_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleInput,
    ) -> async_graphql::Result<CreateRolePayload> {
        let new = NewRole {
            name: input.name,
            description: input.description,
            grants: grants(input.grants),
        };
        let (role, user_errors) = payload(service::role::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateRolePayload {
            role: role.map(Role),
            user_errors,
        })
    }

    /// Changes a role; the change applies to its holders' very next request.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoleInput,
    ) -> async_graphql::Result<UpdateRolePayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Role, "id", "role") {
            Ok(id) => {
                let changes = RoleChanges {
                    id,
                    name: input.name,
                    description: match input.description {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(d) => Some(Some(d)),
                    },
                    grants: input.grants.map(grants),
                    expected_version: input.expected_version,
                };
                service::role::update(db(ctx)?, policy(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (role, user_errors) = payload(result)?;
        Ok(UpdateRolePayload {
            role: role.map(Role),
            user_errors,
        })
    }

    /// Deletes a role nobody holds (IN_USE otherwise); built-in roles are never deleted.
    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        input: DeleteRoleInput,
    ) -> async_graphql::Result<DeleteRolePayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Role, "id", "role") {
            Ok(id) => service::role::delete(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (deleted, user_errors) = payload(result)?;
        Ok(DeleteRolePayload {
            deleted_role_id: deleted.map(|id| node::encode(NodeKind::Role, id)),
            user_errors,
        })
    }

    /// Creates an API token for an integrator; the payload shows its secret once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> async_graphql::Result<CreateApiTokenPayload> {
        let new = NewApiToken {
            name: input.name,
            role_id: node::decode_as(&input.role_id, NodeKind::Role),
            expires_at: input.expires_at,
        };
        let (created, user_errors) =
            payload(service::api_token::create(db(ctx)?, principal(ctx)?, new).await)?;
        let (api_token, token) = match created {
            Some((row, secret)) => (Some(ApiToken(row)), Some(secret)),
            None => (None, None),
        };
        Ok(CreateApiTokenPayload {
            api_token,
            token,
            user_errors,
        })
    }

    /// Revokes an API token: it stops working on the next request.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiTokenInput,
    ) -> async_graphql::Result<RevokeApiTokenPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::ApiToken, "id", "API token") {
            Ok(id) => service::api_token::revoke(db(ctx)?, policy(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (api_token, user_errors) = payload(result)?;
        Ok(RevokeApiTokenPayload {
            api_token: api_token.map(ApiToken),
            user_errors,
        })
    }
}
