//! Admin chores: `reactivateUser`, `rotateApiToken`, and `assignableOwners` for marketing
//! handing MQLs to sales.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::types::{ApiToken, User};
use crate::{
    graphql::{
        db,
        error::{UserError, payload},
        input::target,
        node::{self, NodeKind},
        policy, principal,
    },
    service,
};

#[derive(InputObject)]
pub struct ReactivateUserInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ReactivateUserPayload {
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RotateApiTokenInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RotateApiTokenPayload {
    pub api_token: Option<ApiToken>,
    /// The new secret, shown this once. The previous one keeps working for 24 hours.
    pub token: Option<String>,
    pub user_errors: Vec<UserError>,
}

/// What anyone handing work to a user may see of them: who they are, not how to reach them.
#[derive(SimpleObject)]
pub struct PublicProfile {
    /// The user's ID (as `User.id`), for `assignOwnerId`.
    pub id: ID,
    pub display_name: String,
}

#[derive(Default)]
pub struct ChoresMutation;

#[Object]
impl ChoresMutation {
    /// Lets a deactivated user sign in again (`user.manage`). Their revoked sessions and API
    /// tokens stay revoked.
    async fn reactivate_user(
        &self,
        ctx: &Context<'_>,
        input: ReactivateUserInput,
    ) -> async_graphql::Result<ReactivateUserPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::User, "id", "user") {
            Ok(id) => service::user::reactivate(db(ctx)?, policy(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (user, user_errors) = payload(result)?;
        Ok(ReactivateUserPayload {
            user: user.map(User::new),
            user_errors,
        })
    }

    /// Gives an API token a new secret (`token.manage`), shown once; the previous secret keeps
    /// working for 24 hours, then only the new one does.
    async fn rotate_api_token(
        &self,
        ctx: &Context<'_>,
        input: RotateApiTokenInput,
    ) -> async_graphql::Result<RotateApiTokenPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::ApiToken, "id", "API token") {
            Ok(id) => service::api_token::rotate(db(ctx)?, policy(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (rotated, user_errors) = payload(result)?;
        let (api_token, token) = match rotated {
            Some((row, secret)) => (Some(ApiToken(row)), Some(secret)),
            None => (None, None),
        };
        Ok(RotateApiTokenPayload {
            api_token,
            token,
            user_errors,
        })
    }
}

#[derive(Default)]
pub struct ChoresQuery;

#[Object]
impl ChoresQuery {
    /// The active users whose role may accept MQLs, by name: whom `moveLeadStage` to MQL may
    /// `assignOwnerId` (`lead.qualify`). Public profiles only; at most 1,000.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::DIRECT_REPORTS, child_complexity)"
    )]
    async fn assignable_owners(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PublicProfile>> {
        let users = service::user::assignable_owners(db(ctx)?, principal(ctx)?).await?;
        Ok(users
            .into_iter()
            .map(|u| PublicProfile {
                id: node::encode(NodeKind::User, u.id),
                display_name: u.display_name,
            })
            .collect())
    }
}
