//! The `Account` object, its enums and the inputs that filter and order lists of it.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::account::Model;

use crate::{
    error::AppError,
    graphql::{
        connection::Connection,
        engagement::{Engagement, EngagementFilter, engagement_filter},
        identity::User,
        loader::{loaders, nested_page},
        node::{self, NodeKind},
        opportunity::{Opportunity, OpportunityFilter, OpportunityOrder, opportunity_filter},
        order::OrderDirection,
        page_complexity, principal,
        stakeholder::{Stakeholder, StakeholderFilter, StakeholderOrder, stakeholder_filter},
    },
    service::{
        account::{AccountOrder as Order, AccountOrderField as Field},
        engagement::EngagementParent,
        page::PageArgs,
    },
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

    /// The account's People Map: its stakeholders, oldest first unless `orderBy` says otherwise.
    /// `filter.accountId` is ignored here.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn stakeholders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<StakeholderFilter>,
        order_by: Option<StakeholderOrder>,
    ) -> async_graphql::Result<Connection<Stakeholder>> {
        let mut filter = stakeholder_filter(filter);
        filter.account_id = None;
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let nested = crate::service::stakeholder::of_accounts(principal(ctx)?, filter, order, args)?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.stakeholder_pages, &l.stakeholder_counts, self.0.id, nested).await?;
        Ok(page.map(Stakeholder).into())
    }

    /// The account's deals, oldest first unless `orderBy` says otherwise. `filter.accountId` is
    /// ignored here.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OpportunityFilter>,
        order_by: Option<OpportunityOrder>,
    ) -> async_graphql::Result<Connection<Opportunity>> {
        let mut filter = opportunity_filter(filter);
        filter.account_id = None;
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let nested = crate::service::opportunity::of_accounts(principal(ctx)?, filter, order, args)?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.opportunity_pages, &l.opportunity_counts, self.0.id, nested).await?;
        Ok(page.map(Opportunity).into())
    }

    /// Every touch of the account's people, newest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EngagementFilter>,
    ) -> async_graphql::Result<Connection<Engagement>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let nested = crate::service::engagement::nested(
            principal(ctx)?,
            EngagementParent::Account,
            engagement_filter(filter),
            args,
        )?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.engagement_pages, &l.engagement_counts, self.0.id, nested).await?;
        Ok(page.map(Engagement).into())
    }

    /// The key your own system keeps for this record; unique among live records of the type.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
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
        .map(User::new))
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
    /// Only records with one of these external ids (at most 500).
    pub external_ids: Option<Vec<String>>,
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
