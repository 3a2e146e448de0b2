//! The `Account` object, its enums and the inputs that filter and order lists of it.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::account::Model;

use crate::{
    error::AppError,
    graphql::{
        identity::User,
        loader::loaders,
        node::{self, NodeKind},
        order::OrderDirection,
    },
    service::account::{AccountOrder as Order, AccountOrderField as Field},
};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::account::AccountTier")]
pub enum AccountTier {
    #[graphql(name = "TIER_1")]
    Tier1,
    #[graphql(name = "TIER_2")]
    Tier2,
    #[graphql(name = "TIER_3")]
    Tier3,
    Untiered,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::account::AccountStatus")]
pub enum AccountStatus {
    Prospect,
    Customer,
    FormerCustomer,
}

/// A company marketing and sales work together.
#[derive(Clone)]
pub struct Account(pub Model);

#[Object]
impl Account {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Account, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The web domain, normalised (`acme.com`); unique among live accounts.
    async fn domain(&self) -> Option<&str> {
        self.0.domain.as_deref()
    }

    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }

    async fn employee_count(&self) -> Option<i32> {
        self.0.employee_count
    }

    async fn tier(&self) -> AccountTier {
        self.0.tier.into()
    }

    async fn status(&self) -> AccountStatus {
        self.0.status.into()
    }

    /// Who owns the account on the sales side.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.owner_id).await
    }

    /// Who owns the account on the marketing side; marketing keeps it through the whole cycle.
    async fn marketing_owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.marketing_owner_id).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When the account was archived; archived accounts leave lists unless asked for.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An owner of a record the caller may read is part of that record, so it is shown whatever the
/// caller's own rights over users.
pub(crate) async fn user(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(AppError::from)?
        .map(User))
}

/// Narrows a list of accounts.
#[derive(InputObject, Default)]
pub struct AccountFilter {
    /// Accounts whose name or domain starts with this text, ignoring case.
    pub search: Option<String>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: Option<ID>,
    /// Also list archived accounts.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// The order of a list of accounts; ties are broken by ID.
#[derive(InputObject)]
pub struct AccountOrder {
    pub field: AccountOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<AccountOrder> for Order {
    fn from(o: AccountOrder) -> Self {
        Self {
            field: match o.field {
                AccountOrderField::Name => Field::Name,
                AccountOrderField::CreatedAt => Field::CreatedAt,
                AccountOrderField::UpdatedAt => Field::UpdatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
