//! `viewer`, `users`, `roles`, `apiTokens`, `permissionCatalog`.

use async_graphql::{Context, InputObject, Object};

use super::types::{ApiToken, PermissionInfo, Role, User, Viewer};
use crate::{
    domain::{authz, permission::Permission},
    error::AppError,
    graphql::{connection::Connection, db, page_complexity, principal},
    service::{self, api_token::ApiTokenFilter as TokenFilter, page::PageArgs, user::UserFilter as Filter},
};

#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Users whose email or display name starts with this text, ignoring case.
    pub search: Option<String>,
    pub active: Option<bool>,
}

#[derive(InputObject, Default)]
pub struct ApiTokenFilter {
    /// Also list revoked tokens.
    #[graphql(default)]
    pub include_revoked: bool,
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let p = principal(ctx)?.clone();
        let db = db(ctx)?;
        let (user, api_token) = match p.actor {
            authz::Actor::User(id) => (service::user::find_many(db, &p, &[id]).await?.pop(), None),
            authz::Actor::ApiToken(id) => (None, service::api_token::find_many(db, &p, &[id]).await?.pop()),
        };
        Ok(Viewer {
            user,
            api_token,
            principal: p,
        })
    }

    /// Every permission a role can grant (readable by every authenticated caller).
    async fn permission_catalog(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PermissionInfo>> {
        authz::authorize_reference_read(principal(ctx)?).map_err(AppError::from)?;
        Ok(Permission::ALL
            .iter()
            .map(|p| PermissionInfo {
                permission: p.as_str().to_owned(),
                description: p.description().to_owned(),
            })
            .collect())
    }

    /// Users, oldest first (`user.manage`).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<UserFilter>,
    ) -> async_graphql::Result<Connection<User>> {
        let filter = filter.unwrap_or_default();
        let page = service::user::list(
            db(ctx)?,
            principal(ctx)?,
            Filter {
                search: filter.search,
                active: filter.active,
            },
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        Ok(page.map(User::new).into())
    }

    /// Roles, oldest (built-in) first (`role.manage`, `user.manage` or `token.manage`).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<Role>> {
        let page = service::role::list(
            db(ctx)?,
            principal(ctx)?,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        Ok(page.map(Role).into())
    }

    /// API tokens, oldest first (`token.manage`).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ApiTokenFilter>,
    ) -> async_graphql::Result<Connection<ApiToken>> {
        let filter = TokenFilter {
            include_revoked: filter.unwrap_or_default().include_revoked,
        };
        let page = service::api_token::list(
            db(ctx)?,
            principal(ctx)?,
            filter,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        Ok(page.map(ApiToken).into())
    }
}
