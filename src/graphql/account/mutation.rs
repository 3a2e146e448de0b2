//! `createAccount`, `updateAccount` and `archiveAccount`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::{Account, AccountStatus, AccountTier};
use crate::{
    error::{AppError, UserErrorCode},
    graphql::{
        db,
        error::{UserError, payload},
        input::{change, reference, reference_change},
        node::{self, NodeKind},
        principal,
    },
    service::account::{self as service, AccountChanges, NewAccount},
};

#[derive(InputObject)]
pub struct CreateAccountInput {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    /// UNTIERED when absent.
    pub tier: Option<AccountTier>,
    /// PROSPECT when absent.
    pub status: Option<AccountStatus>,
    /// When neither owner is given, the creator becomes the owner (sales) or the marketing owner
    /// (marketing).
    pub owner_id: Option<ID>,
    pub marketing_owner_id: Option<ID>,
    /// The key your own system keeps for this record (at most 200 characters, unique among live
    /// records of the type: TAKEN otherwise).
    pub external_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateAccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

/// Fields left out stay as they are; nullable fields sent as null are cleared.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    pub id: ID,
    pub name: Option<String>,
    pub domain: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub employee_count: MaybeUndefined<i32>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: MaybeUndefined<ID>,
    pub marketing_owner_id: MaybeUndefined<ID>,
    /// Null clears it.
    pub external_id: MaybeUndefined<String>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateAccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ArchiveAccountInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveAccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

fn target(id: &ID) -> Result<uuid::Uuid, AppError> {
    node::decode_as(id, NodeKind::Account)
        .ok_or_else(|| AppError::rejected(&["id"], UserErrorCode::NotFound, "no account has this id"))
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> async_graphql::Result<CreateAccountPayload> {
        let new = NewAccount {
            owner_id: reference(input.owner_id.as_ref(), NodeKind::User),
            marketing_owner_id: reference(input.marketing_owner_id.as_ref(), NodeKind::User),
            name: input.name,
            domain: input.domain,
            industry: input.industry,
            employee_count: input.employee_count,
            tier: input.tier.map(Into::into),
            status: input.status.map(Into::into),
            external_id: input.external_id,
        };
        let (account, user_errors) = payload(service::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateAccountPayload {
            account: account.map(Account),
            user_errors,
        })
    }

    async fn update_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAccountInput,
    ) -> async_graphql::Result<UpdateAccountPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id) {
            Ok(id) => {
                let changes = AccountChanges {
                    id,
                    name: input.name,
                    domain: change(input.domain),
                    industry: change(input.industry),
                    employee_count: change(input.employee_count),
                    tier: input.tier.map(Into::into),
                    status: input.status.map(Into::into),
                    owner_id: reference_change(input.owner_id, NodeKind::User),
                    marketing_owner_id: reference_change(input.marketing_owner_id, NodeKind::User),
                    external_id: change(input.external_id),
                    expected_version: input.expected_version,
                };
                service::update(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (account, user_errors) = payload(result)?;
        Ok(UpdateAccountPayload {
            account: account.map(Account),
            user_errors,
        })
    }

    /// Archives an account: it leaves lists and frees its domain; its history stays.
    async fn archive_account(
        &self,
        ctx: &Context<'_>,
        input: ArchiveAccountInput,
    ) -> async_graphql::Result<ArchiveAccountPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id) {
            Ok(id) => service::archive(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (account, user_errors) = payload(result)?;
        Ok(ArchiveAccountPayload {
            account: account.map(Account),
            user_errors,
        })
    }
}
